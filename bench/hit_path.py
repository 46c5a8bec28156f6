"""What a render-cache hit costs beyond the bare-Flask floor, hook by hook (in-process, no server).

The app and the floor (bench/floor_app.py: the same body and headers as constants) answer the
same WSGI request in this process, the app from its render cache; then each of the app's
request hooks is taken out in turn and the hit timed again, so the difference is that hook's
share. Times are this thread's CPU time, the fastest of many batches (the least disturbed
by other work on the machine), in microseconds per request. Under gunicorn's threads each
microsecond here costs several in server CPU (bench/http.py measures that per request), and
a system call far more: it hands the GIL to another thread (a hit makes none).

    python -m bench.hit_path [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import state

from .http import PAGES, SERVER_HEADERS

Wsgi = Callable[[dict, Callable[..., Any]], Iterable[bytes]]
BATCHES, CALLS = 25, 300


def call(app: Wsgi, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=headers)

    body = b"".join(app(dict(environ), start_response))
    return answer["status"], answer["headers"], body


def fastest(app: Wsgi, environ: dict) -> float:
    """Microseconds per request: the fastest of BATCHES batches of CALLS calls."""
    best = float("inf")
    for _ in range(BATCHES):
        start = time.thread_time()
        for _ in range(CALLS):
            call(app, environ)
        best = min(best, (time.thread_time() - start) / CALLS)
    return best * 1e6


def floor_for(app: Wsgi, folder: Path) -> Wsgi:
    """bench/floor_app.py, loaded with the app's own answers (a second call: the cached one)."""
    manifest = {}
    for index, path in enumerate(PAGES.values()):
        environ = EnvironBuilder(path=path, headers={"Host": "127.0.0.1"}).get_environ()
        call(app, environ)
        _, headers, body = call(app, environ)
        (folder / f"page-{index}.html").write_bytes(body)
        manifest[path] = {"file": f"page-{index}.html",
                          "headers": [(name, value) for name, value in headers if name.lower() not in SERVER_HEADERS]}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    os.environ["BENCH_PAGES"] = str(folder / "manifest.json")
    floor: Wsgi = importlib.import_module("bench.floor_app").app.wsgi_app
    return floor


def measure(workdir: Path) -> list[dict]:
    folder = workdir / "hit-path"
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'index.sqlite3'}"))
    with app.app_context():
        state().build()
    floor = floor_for(app.wsgi_app, folder)
    rows = []
    for label, path in PAGES.items():
        environ = EnvironBuilder(path=path, headers={"Host": "127.0.0.1"}).get_environ()
        hit, bare = fastest(app.wsgi_app, environ), fastest(floor, environ)
        row: dict = {"page": label, "app_us": hit, "floor_us": bare, "hooks": {}}
        for kind, hooks in (("before", app.before_request_funcs[None]), ("after", app.after_request_funcs[None])):
            for position, hook in enumerate(list(hooks)):
                name = getattr(hook, "__qualname__", repr(hook)).replace("init_app.<locals>.", "")
                if name == "RenderCache.answer":
                    continue  # without it there is no hit to time
                del hooks[position]
                try:
                    row["hooks"][f"{kind}: {name}"] = hit - fastest(app.wsgi_app, environ)
                finally:
                    hooks.insert(position, hook)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; fastest of {BATCHES} batches of {CALLS} requests")
    for row in measure(args.workdir):
        print(f"\n{row['page']}: a render-cache hit {row['app_us']:.1f} µs, the floor {row['floor_us']:.1f} µs"
              f" (the hit costs {row['app_us'] - row['floor_us']:.1f} µs more)")
        for name, share in sorted(row["hooks"].items(), key=lambda item: -item[1]):
            print(f"  {share:6.1f} µs  {name}")


if __name__ == "__main__":
    main()
