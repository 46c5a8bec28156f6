"""The owner's edit loop at N briefings: full sync time beside "edit one file → visible on the next request".

In development an edit is synced incrementally (only the edited file is read and rendered;
the cross-checks run over all of them). This times, in one process, a cold full sync of
synthetic content, then the wall time from saving a briefing until a request for its page
shows the new title: first with no watcher, where the next request scans the files and syncs
(the first edit after start reads the remembered parses back from the index; later ones reuse
the parse kept in memory), then with the live-reload watcher running, from the save until the
page's poll has answered and the reloaded page shows the edit.

    python -m bench.edit_time 10000
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import statistics
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import sync

from .common import content_for

EDITS = 8


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

    app = create_app(Settings(env="development", content_dir=content, database_url=url))
    files = sorted((content / "briefings").glob("*.md"))
    get(app, "/")
    results: dict[str, list[float]] = {"request": [], "watcher": []}
    for edit in range(EDITS):
        how = "request" if edit < EDITS // 2 else "watcher"
        if how == "watcher" and edit == EDITS // 2:
            get(app, "/_dev/reload")  # an open page's first poll starts the watcher
            time.sleep(0.5)
        path = files[(edit + 1) * len(files) // (EDITS + 2)]
        number = int(re.search(r"(?m)^number: (\d+)$", path.read_text("utf-8"))[1])
        title = f"Edited Title {edit}"
        text = re.sub(r"(?m)^title: .*$", f"title: {title}", path.read_text("utf-8"), count=1)
        since = json.loads(get(app, "/_dev/reload")[1])["changes"] if how == "watcher" else 0
        started = time.perf_counter()
        path.write_text(text, "utf-8")
        if how == "watcher":  # what the page's script does: wait for the change, then reload
            get(app, f"/_dev/reload?since={since}")
        status, body = get(app, f"/briefings/{number}-{title.lower().replace(' ', '-')}")
        seconds = time.perf_counter() - started
        if not status.startswith("200") or title not in body:
            raise RuntimeError(f"edit {edit} not visible: {status}")
        results[how].append(seconds)
        note = "the request scans and syncs" if how == "request" else "watcher syncs, page reloads"
        print(f"  edit {edit + 1} ({note}): visible in {seconds * 1000:.0f} ms", flush=True)
    first, later = results["request"][0], statistics.median(results["request"][1:])
    watched = statistics.median(results["watcher"])
    print(f"  {count:,} briefings: full sync {full:.2f} s; edit visible on the next request: first after "
          f"start {first * 1000:.0f} ms, then median {later * 1000:.0f} ms; with the live-reload watcher: "
          f"median {watched * 1000:.0f} ms (save to reloaded page)", flush=True)
    app.extensions["live_reload"].close()
    return {"briefings": count, "full_sync_s": full, "first_edit_s": first, "edit_median_s": later,
            "watched_edit_median_s": watched}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    measure(args.count, args.workdir)


if __name__ == "__main__":
    main()
