"""Gunicorn settings for the production server (``make serve``, or ``gunicorn -c gunicorn.conf.py``).

Environment: PORT (default 5000), WEB_CONCURRENCY (workers; default one per core) and the
site's own PORTFOLIO_* settings. The server listens on loopback only: put nginx (see
deploy/nginx/) or another proxy or CDN in front of it.
"""

from __future__ import annotations

import os
from typing import Any


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


wsgi_app = "wsgi:app"
bind = [f"127.0.0.1:{os.environ.get('PORT') or '5000'}"]

# The app is CPU-bound (SQLite reads come from the page cache; rendered pages from memory), so
# one single-threaded worker per core is the fastest arrangement: more workers only add
# context switches. A slow client never ties a worker up for long because a proxy buffers it.
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
worker_class = "sync"
timeout = 30
graceful_timeout = 20

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# One gunicorn per machine should not need a control socket, and several (tests, benchmarks)
# must not fight over the default path in the home directory.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Build or check the content index once, in the master, before any worker starts.

    Workers then find an index that matches the content and only read it, instead of
    racing to build it. Without valid content and no earlier index the server stops here.
    """
    from portfolio import create_app
    from portfolio.content import state
    from portfolio.extensions import db

    app = create_app()
    with app.app_context():
        index = state()
        if not index.ready:
            problems = "\n".join(str(problem) for problem in index.problems)
            raise SystemExit(f"no content index to serve; fix the content first:\n{problems}")
        server.log.info("content index ready: version %s", index.version)
        db.engine.dispose()
