"""Development only: live reload. Registered by the factory in development, absent (404) otherwise.

An open page's script (static/js/live-reload.js) long-polls ``/_dev/reload?since=N``. The
first poll starts a watcher thread (watchfiles) over the content, the templates and the static
files. On a change the counter moves and every waiting poll answers; the script then fetches the
page (whose request syncs the edited content, as every development request does: see
``IndexState.check``), checks that it still renders, and reloads it. A refused sync keeps the last
good index and the reloaded page shows the problems banner. Each poll holds one dev-server thread for at most
``POLL_SECONDS`` and the dev server is threaded, so pages keep being served meanwhile.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from watchfiles import watch


POLL_SECONDS = 20.0
bp = Blueprint("devtools", __name__)
log = logging.getLogger(__name__)


class Watcher:
    """Counts changes to the watched folders."""

    def __init__(self, app: Flask, folders: list[Path]):
        self.app = app
        self.folders = [folder for folder in folders if folder.is_dir()]
        self.changes = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self.changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self.run, name="live-reload-watcher", daemon=True)
                self._thread.start()

    def run(self) -> None:
        for _batch in watch(*self.folders, stop_event=self.stop, debounce=40, step=20, raise_interrupt=False):
            with self.changed:
                self.changes += 1
                self.changed.notify_all()

    def close(self) -> None:
        """Stop watching (tests and benchmarks; the development server just exits)."""
        self.stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.changes != since, timeout)
            return self.changes


def watcher() -> Watcher:
    found: Watcher = current_app.extensions["live_reload"]
    return found


@bp.get("/_dev/reload")
def reload() -> Any:
    """Answer at once without ``since``; else when the count of changes moves (or after POLL_SECONDS)."""
    watching = watcher()
    watching.start()
    since = request.args.get("since", "")
    if since == "":
        response = jsonify(changes=watching.changes)
    elif not since.isdigit() or len(since) > 12:
        abort(400)
    else:
        response = jsonify(changes=watching.wait(int(since), POLL_SECONDS))
    response.cache_control.no_store = True  # an answer about this moment, for this page only
    return response


def init_app(app: Flask) -> None:
    """Only in development: the endpoint, the watcher (started by the first poll) and the script tag."""
    if not app.config["DEVELOPMENT"]:
        return
    root = Path(app.root_path).parent
    folders = [Path(app.config["CONTENT_DIR"]), Path(app.template_folder or root / "templates"),
               Path(app.static_folder or root / "static")]
    app.extensions["live_reload"] = Watcher(app, folders)
    app.register_blueprint(bp)
    app.jinja_env.globals["live_reload"] = True
