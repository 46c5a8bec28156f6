"""Development only: live reload. Registered by the factory in development, absent (404) otherwise.

An open page's script (static/js/live-reload.js) long-polls ``/_dev/reload?since=N``. The
first poll starts a watcher thread (watchfiles) over the content, the templates and the static
files. A content change is synced at once (incrementally, with the changed paths as a hint),
then the change counter moves and every waiting poll answers; the script then checks that
the page still renders and reloads it. A refused sync keeps the last good index and the
reloaded page shows the problems banner. Each poll holds one dev-server thread for at most
``POLL_SECONDS`` and the dev server is threaded, so pages keep being served meanwhile.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from watchfiles import watch

from .content import state

POLL_SECONDS = 20.0
bp = Blueprint("devtools", __name__)
log = logging.getLogger(__name__)


class Watcher:
    """Counts changes to the watched folders; syncs the content when a content file changed."""

    def __init__(self, app: Flask, folders: list[Path]):
        self.app = app
        self.folders = [folder for folder in folders if folder.is_dir()]
        self.content = Path(app.config["CONTENT_DIR"]).resolve()
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
        try:
            self.watch()
        finally:
            self.app.extensions["content_index"].watched = False

    def watch(self) -> None:
        index = self.app.extensions["content_index"]
        for batch in watch(*self.folders, stop_event=self.stop, debounce=40, step=20, rust_timeout=500,
                           yield_on_timeout=True, raise_interrupt=False):
            if not index.watched:  # first quiet tick: the watch is in place; catch up once, then trust it
                index.watched = True  # requests stop scanning the content folder: this thread reports edits
                with self.app.app_context():
                    state().warm()
                    state().sync_if_edited()
            if not batch:
                continue
            content = {Path(path).resolve() for _, path in batch}
            content = {path for path in content if path.is_relative_to(self.content)}
            if content:
                with self.app.app_context():
                    state().note_changes(str(path.relative_to(self.content)) for path in content)
                    state().sync_if_edited()
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
