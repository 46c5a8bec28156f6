"""Shared pieces for the benchmarks: loopback ports, child servers, percentiles."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from portfolio.config import REPO_ROOT

from .generate import generate

START_TIMEOUT = 30.0

STATIC_SITE = """
server {{
    listen 127.0.0.1:{port};
    root {root};
    default_type text/html;
{extra}
    location / {{
        try_files $uri $uri/index.html =404;
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_program(name: str, *fallbacks: str) -> str | None:
    return shutil.which(name) or next((path for path in fallbacks if os.path.exists(path)), None)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without PORTFOLIO_* settings, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTFOLIO_")}
    env.update(extra)
    return env


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT:.0f}s")


@contextmanager
def running(command: list[str], ready_url: str, log: Path,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Run a server in its own process group until the block ends; stop exactly that group.

    Yields the group's leader (its pid is the group's id)."""
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_until_up(ready_url, process, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def gunicorn_command(*app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *app]


def nginx_renderer() -> ModuleType:
    """deploy/nginx/render.py, which is a script rather than part of the package."""
    spec = importlib.util.spec_from_file_location("nginx_render", REPO_ROOT / "deploy" / "nginx" / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_nginx(out: Path, listen_port: int, upstream_port: int) -> Path:
    """The repo's caching-proxy config, standalone in ``out``; returns nginx.conf."""
    render = nginx_renderer()
    cache_dir = out / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    site = render.render_site(f"127.0.0.1:{listen_port}", f"127.0.0.1:{upstream_port}", cache_dir)
    return render.write_standalone(out, site)


def static_nginx(out: Path, listen_port: int, root: Path, extra: str = "") -> Path:
    """A plain static file server under the same main config as the caching proxy (``extra``:
    more server-level directives, such as ``add_header`` lines)."""
    site = STATIC_SITE.format(port=listen_port, root=root, extra=extra)
    return nginx_renderer().write_standalone(out, site)


def nginx_command(nginx: str, conf: Path) -> list[str]:
    return [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]


def content_for(count: int, workdir: Path) -> Path:
    """Synthetic content of ``count`` briefings, made once per work folder and generator version.

    The marker records the count and a hash of ``bench/generate.py``, so content written by an
    older generator (one that predates a schema change, say) is made again, not reused.
    """
    target = workdir / f"content-{count}"
    marker = target / ".generated"
    version = f"{count} {hashlib.sha256((REPO_ROOT / 'bench' / 'generate.py').read_bytes()).hexdigest()[:16]}"
    if not marker.is_file() or marker.read_text() != version:
        generate(count, target)
        marker.write_text(version)
    return target
