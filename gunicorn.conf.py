"""Gunicorn settings for the production server: ``make serve``, the container image, the systemd unit.

Environment: PORT (default 5000), WEB_CONCURRENCY (workers; default one per core) and the
site's PORTFOLIO_* settings, of which PORTFOLIO_SITE_URL is required in production and
PORTFOLIO_TRUSTED_PROXIES names the proxies whose X-Forwarded-* headers are believed. The
server listens on loopback unless told otherwise (``--bind``; the image binds 0.0.0.0:8000).

The master never imports the app: the index is brought up to date by ``python -m
portfolio.startup`` in a process of its own, before the workers start and on every reload
(``kill -HUP``, ``systemctl reload portfolio``), so a reload's new workers load new code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

# Every worker counts requests into this folder, and /metrics adds them up (prometheus_client's
# multiprocess mode): it must be set before a worker imports prometheus_client.
METRICS_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"portfolio-metrics-{os.getpid()}"))

from prometheus_client import multiprocess  # after the folder is named


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


wsgi_app = "wsgi:app"
bind = [f"127.0.0.1:{os.environ.get('PORT') or '5000'}"]

# One process per core, each serving many connections on gevent's event loop. The app is
# CPU-bound, so concurrency adds no speed; it is there so that clients which connect and send
# nothing, one byte, or their headers a line at a time cannot take every worker: each holds a
# greenlet (a few KB), not a thread, and gevent's worker gives a request head `keepalive`
# seconds to arrive before it closes the connection. With 500 such clients on the published
# port a visitor was still answered in tens of milliseconds, where gthread with 32 threads per
# worker stopped answering at 64 (bench/idle_clients.py, docs/deploying.md).
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
worker_class = "gevent"
worker_connections = 2000
timeout = 30
graceful_timeout = 20
keepalive = 5  # seconds an idle connection stays open, and a request head has to arrive

# Only the proxy may say the request was HTTPS (X-Forwarded-Proto); the app believes its
# X-Forwarded-For for the access log from the same peers. No client may set SCRIPT_NAME or
# PATH_INFO through a request header (gunicorn's default trusts both).
forwarded_allow_ips = os.environ.get("PORTFOLIO_TRUSTED_PROXIES") or "127.0.0.1,::1"
forwarder_headers = ""
# Request line and header limits at gunicorn's maximum, above nginx's defaults (8 KB), so that
# behind deploy/nginx an oversized request is refused by nginx, never by gunicorn's bare page.
limit_request_line = 8190
limit_request_field_size = 8190

# The app writes one access line per request itself (portfolio/observability.py); gunicorn's
# own lines (start, stop, workers) begin with the date and time ("[2026-12-07 10:00:00 +0000]").
accesslog = None
errorlog = "-"

# One gunicorn per machine should not need a control socket, and several (tests, benchmarks)
# must not fight over the default path in the home directory.
control_socket_disable = True


def _prepare_index(server: Any) -> None:
    """Run portfolio.startup (SITE_URL check, index sync); stop the server if there is nothing to serve."""
    done = subprocess.run([sys.executable, "-m", "portfolio.startup"], check=False)
    if done.returncode != 0:
        raise SystemExit(f"portfolio.startup exited {done.returncode}: not serving (see above)")
    server.log.info("content index ready")


def on_starting(server: Any) -> None:
    shutil.rmtree(METRICS_DIR, ignore_errors=True)  # counts of an earlier server with this pid
    os.makedirs(METRICS_DIR, exist_ok=True)
    _prepare_index(server)


def on_reload(server: Any) -> None:
    """``kill -HUP``: new code may need a new index before the new workers start."""
    _prepare_index(server)


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
