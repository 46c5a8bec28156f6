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

# One process per core, each with a pool of threads. The app is CPU-bound, so threads add no
# speed; they are there so that clients which connect and then send nothing, or send their
# headers a line at a time, cannot take every worker: gunicorn's gthread worker parks an idle
# connection in its event loop, but a new connection holds a thread for up to 5 s while it
# waits for a first byte, and a slow-header client holds one until its headers are complete.
# 32 threads per worker keep `make serve` answering within milliseconds with 20 idle and 5
# slow clients open even if one worker accepts them all (bench/idle_clients.py measures it;
# sync workers took 30 s per request). More hostile clients than threads still need a proxy
# that buffers requests, such as deploy/nginx.
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
worker_class = "gthread"
threads = 32
timeout = 30
graceful_timeout = 20
keepalive = 5

# Only the proxy on loopback may say the request was HTTPS (X-Forwarded-Proto); no client may
# set SCRIPT_NAME or PATH_INFO through a request header (gunicorn's default trusts both).
forwarded_allow_ips = "127.0.0.1,::1"
forwarder_headers = ""
# Request line and header limits at gunicorn's maximum, above nginx's defaults (8 KB), so that
# behind deploy/nginx an oversized request is refused by nginx, never by gunicorn's bare page.
limit_request_line = 8190
limit_request_field_size = 8190

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# One gunicorn per machine should not need a control socket, and several (tests, benchmarks)
# must not fight over the default path in the home directory.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Sync the content index once, in the master, before any worker starts.

    Workers then only read it. Broken content keeps the last good index (the problems are
    logged); broken content and no earlier index stops the server here.
    """
    from portfolio import create_app
    from portfolio.content import state
    from portfolio.extensions import db

    app = create_app()
    with app.app_context():
        index = state()
        index.build()
        if not index.ready:
            problems = "\n".join(str(problem) for problem in index.problems)
            raise SystemExit(f"no content index to serve; fix the content first:\n{problems}")
        server.log.info("content index ready: version %s", index.version)
        db.engine.dispose()
