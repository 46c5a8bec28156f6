"""Fill in deploy/nginx/*.conf for one installation.

For a server (include the output in nginx's http block, e.g. Debian's conf.d):

    python deploy/nginx/render.py --listen 80 --upstream 127.0.0.1:5000 \\
        --cache-dir /var/cache/nginx/portfolio --out /etc/nginx/conf.d

Self-contained, in a directory of its own (what the tests and benchmarks do):

    python deploy/nginx/render.py --standalone --listen 127.0.0.1:8080 \\
        --upstream 127.0.0.1:5000 --out /tmp/portfolio-nginx
    nginx -p /tmp/portfolio-nginx -c /tmp/portfolio-nginx/nginx.conf -e stderr
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"@([A-Z_]+)@")
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def fill(template: str, values: dict[str, str]) -> str:
    """Replace every ``@NAME@``; a name without a value is an error, not a silent blank."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise KeyError(f"no value for @{name}@")
        return values[name]

    return TOKEN.sub(value, template)


def render_site(listen: str, upstream: str, cache_dir: Path, server_name: str = "_") -> str:
    return fill(
        (HERE / "portfolio.conf").read_text("utf-8"),
        {"LISTEN": listen, "UPSTREAM": upstream, "CACHE_DIR": str(cache_dir), "SERVER_NAME": server_name},
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
    parser.add_argument("--upstream", required=True, help="gunicorn's address, e.g. 127.0.0.1:5000")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--cache-dir", type=Path, help="proxy cache folder (default: OUT/cache)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--standalone", action="store_true", help="also write a main nginx.conf for nginx -p OUT")
    parser.add_argument("--access-log", default="off", help="access_log value for --standalone (default off)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    cache_dir = (args.cache_dir or out / "cache").resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    site_text = render_site(args.listen, args.upstream, cache_dir, args.server_name)
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
