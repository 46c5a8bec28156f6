"""Fill in deploy/nginx/*.conf for one installation (any python3; it imports nothing of the app's
but the list of security headers, read from portfolio/security_headers.py by its path).

For a server (include the output in nginx's http block, e.g. Debian's conf.d), one --upstream
per app node:

    python3 deploy/nginx/render.py --listen 80 --upstream 10.0.0.11:8000 --upstream 10.0.0.12:8000 \\
        --cache-dir /var/cache/nginx/portfolio --server-name silvia.example --out /etc/nginx/conf.d

Self-contained, in a directory of its own (what the tests and benchmarks do):

    python3 deploy/nginx/render.py --standalone --listen 127.0.0.1:8080 \\
        --upstream 127.0.0.1:5000 --out /tmp/portfolio-nginx
    nginx -p /tmp/portfolio-nginx -c /tmp/portfolio-nginx/nginx.conf -e stderr
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"@([A-Z_]+)@")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
ERROR_PAGES = {
    "400": ("This request cannot be answered", "The address or the request is not one this site answers."),
    "429": ("Too many requests", "Please wait a moment before asking again."),
    "503": ("The site is unavailable for a moment", "Please try again shortly."),
}


class Limits(NamedTuple):
    """Per client address: requests a second, the burst allowed above it, open connections."""

    rate: int = 20
    burst: int = 60
    connections: int = 32
    fail_timeout: int = 2  # seconds a failing node is left out of the pool (then tried again)


def security_headers() -> ModuleType:
    """portfolio/security_headers.py, loaded by its path (no package, so no app dependencies)."""
    spec = importlib.util.spec_from_file_location("security_headers", HERE.parent.parent / "portfolio" / "security_headers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_error_pages(root: Path) -> Path:
    """nginx's own error pages (a plain page each: the policy forbids inline style), under ``root``."""
    folder = root / "_portfolio_errors"
    folder.mkdir(parents=True, exist_ok=True)
    for code, (title, text) in ERROR_PAGES.items():
        (folder / f"{code}.html").write_text(
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body><h1>{title}</h1><p>{text}</p></body></html>\n", "utf-8")
    return root


def fill(template: str, values: dict[str, str]) -> str:
    """Replace every ``@NAME@``; a name without a value is an error, not a silent blank."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise KeyError(f"no value for @{name}@")
        return values[name]

    return TOKEN.sub(value, template)


def render_site(listen: str, upstreams: str | list[str], cache_dir: Path, server_name: str = "_",
                unlimited: list[str] | None = None, limits: Limits | None = None, hsts: bool = False,
                errors_dir: Path | None = None) -> str:
    """portfolio.conf filled in; its error pages are written to ``errors_dir`` (default: beside the cache)."""
    nodes = [upstreams] if isinstance(upstreams, str) else upstreams
    limits = limits or Limits()
    errors_root = write_error_pages(errors_dir or cache_dir.parent / "errors")
    headers = security_headers().response_headers(hsts)
    return fill(
        (HERE / "portfolio.conf").read_text("utf-8"),
        {"LISTEN": listen, "CACHE_DIR": str(cache_dir), "SERVER_NAME": server_name,
         "SERVERS": "\n".join(f"    server {node} max_fails=1 fail_timeout={limits.fail_timeout}s;" for node in nodes),
         "UNLIMITED": "\n".join(f"    {address} 0;" for address in unlimited or []),
         "RATE": str(limits.rate), "BURST": str(limits.burst), "CONNECTIONS": str(limits.connections),
         "FAIL_TIMEOUT": f"{limits.fail_timeout} s", "ERRORS_ROOT": str(errors_root),
         "SECURITY_HEADERS": "\n".join(f'        add_header {name} "{value}" always;' for name, value in headers)},
    )


def render_standalone(prefix: Path, site_conf: Path, access_log: str = "off") -> str:
    """The main config; when started as root, workers stay root so they can use ``prefix``."""
    user_line = "user root root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    return fill(
        (HERE / "nginx.conf").read_text("utf-8"),
        {"PREFIX": str(prefix), "SITE_CONF": str(site_conf), "ACCESS_LOG": access_log, "USER_LINE": user_line},
    )


def write_standalone(out: Path, site_text: str, access_log: str = "off") -> Path:
    """Write nginx.conf and the site config into ``out`` with the folders nginx needs."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TEMP_DIRS:
        (out / "tmp" / name).mkdir(parents=True, exist_ok=True)
    site_conf = out / "site.conf"
    site_conf.write_text(site_text, "utf-8")
    main_conf = out / "nginx.conf"
    main_conf.write_text(render_standalone(out, site_conf, access_log), "utf-8")
    return main_conf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the portfolio's nginx caching-proxy config.")
    parser.add_argument("--listen", required=True, help="nginx listen value, e.g. 80 or 127.0.0.1:8080")
    parser.add_argument("--upstream", required=True, action="append",
                        help="an app node's address, e.g. 127.0.0.1:5000 (repeat for each node)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--cache-dir", type=Path, help="proxy cache folder (default: OUT/cache)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--unlimited", action="append", default=[],
                        help="an address or network without the per-client limits (repeatable), e.g. a CDN's")
    parser.add_argument("--rate", type=int, default=Limits.rate, help="requests a second per client")
    parser.add_argument("--burst", type=int, default=Limits.burst, help="requests above the rate at once")
    parser.add_argument("--connections", type=int, default=Limits.connections, help="connections per client")
    parser.add_argument("--hsts", action="store_true", help="Strict-Transport-Security on nginx's error pages")
    parser.add_argument("--errors-dir", type=Path, help="where nginx's own error pages go (default: OUT/errors)")
    parser.add_argument("--standalone", action="store_true", help="also write a main nginx.conf for nginx -p OUT")
    parser.add_argument("--access-log", default="off", help="access_log value for --standalone (default off)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    cache_dir = (args.cache_dir or out / "cache").resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    limits = Limits(args.rate, args.burst, args.connections)
    site_text = render_site(args.listen, args.upstream, cache_dir, args.server_name, args.unlimited, limits, args.hsts,
                            (args.errors_dir or out / "errors").resolve())
    if args.standalone:
        main_conf = write_standalone(out, site_text, args.access_log)
        print(f"nginx -p {out} -c {main_conf} -e stderr")
    else:
        out.mkdir(parents=True, exist_ok=True)
        (out / "portfolio.conf").write_text(site_text, "utf-8")
        print(out / "portfolio.conf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
