"""The owner's edit loop at N briefings: full sync time beside "edit one file → visible on the next request".

In development the request after an edit syncs incrementally (only the edited file is read
and rendered; the cross-checks run over all of them) and then serves the page. This times,
in one process, a cold full sync of synthetic content, then for several edits the wall time
from saving a briefing until the next request for its page shows the new title: the first
edit after the server starts (which reads the remembered parses back from the index) and the
edits after it (which reuse the parse kept in memory).

    python -m bench.edit_time 10000
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.content import sync

from .sync_time import content_for

EDITS = 7


def get(app, path: str) -> tuple[str, str]:
    environ = EnvironBuilder(path=path, base_url="http://127.0.0.1/").get_environ()
    environ["wsgi.input"] = io.BytesIO()
    status: list[str] = []
    body = app(environ, lambda s, h, e=None: status.append(s))
    try:
        return status[0], b"".join(body).decode()
    finally:
        getattr(body, "close", lambda: None)()


def measure(count: int, workdir: Path) -> dict[str, float]:
    source = content_for(count, workdir)
    content = workdir / f"edit-content-{count}"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(source, content)
    database = workdir / f"edit-index-{count}.sqlite3"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    full = sync(content, url, include_drafts=True, full=True).seconds
    print(f"  full sync of {count:,} briefings: {full:.2f} s", flush=True)

    app = create_app({"ENV": "development", "CONTENT_DIR": str(content), "DATABASE_URL": url})
    files = sorted((content / "briefings").glob("*.md"))
    get(app, "/")
    times = []
    for edit in range(EDITS):
        path = files[(edit + 1) * len(files) // (EDITS + 2)]
        number = int(re.search(r"(?m)^number: (\d+)$", path.read_text("utf-8"))[1])
        title = f"Edited Title {edit}"
        started = time.perf_counter()
        text = re.sub(r"(?m)^title: .*$", f"title: {title}", path.read_text("utf-8"), count=1)
        path.write_text(text, "utf-8")
        status, body = get(app, f"/briefings/{number}-{title.lower().replace(' ', '-')}")
        seconds = time.perf_counter() - started
        if not status.startswith("200") or title not in body:
            raise RuntimeError(f"edit {edit} not visible: {status}")
        times.append(seconds)
        print(f"  edit {edit + 1} ({'first after start' if edit == 0 else 'later'}): visible in {seconds * 1000:.0f} ms",
              flush=True)
    later = statistics.median(times[1:])
    print(f"  {count:,} briefings: full sync {full:.2f} s; edit visible on the next request: first "
          f"{times[0] * 1000:.0f} ms, then median {later * 1000:.0f} ms", flush=True)
    return {"briefings": count, "full_sync_s": full, "first_edit_s": times[0], "edit_median_s": later}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    measure(args.count, args.workdir)


if __name__ == "__main__":
    main()
