"""Lighthouse (mobile) on the home page, the explorer, a briefing and the map: the four scores each.

Lighthouse comes from the npm registry (pinned below) through ``npx`` and runs on the system
Chromium (``CHROME_PATH``, default /usr/bin/chromium); the site is served by gunicorn on a free
local port. Not part of ``make bench``: it needs node and takes about a minute per page.

    python -m bench.lighthouse [--pages / /briefings/ ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from .common import clean_environment, free_port, gunicorn_command, running

LIGHTHOUSE = "lighthouse@12.8.2"
PAGES = ["/", "/briefings/", "/briefings/54-activating-asl-3-protections", "/briefings/map"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


def audit(url: str, report: Path) -> dict[str, int | None]:
    """One mobile run (Lighthouse's default form factor and throttling); a failed trace is retried once."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for _ in range(2):
        subprocess.run(["npx", "--yes", LIGHTHOUSE, url, "--quiet", f"--chrome-flags={CHROME_FLAGS}",
                        "--output=json", f"--output-path={report}"], env=env, check=False, timeout=600)
        categories = json.loads(report.read_text())["categories"]
        scores = {name: None if item["score"] is None else round(item["score"] * 100) for name, item in categories.items()}
        if None not in scores.values():
            break
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", nargs="+", default=PAGES)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = clean_environment(PORT=str(port), PORTFOLIO_DATABASE_URL=f"sqlite:///{folder}/index.sqlite3",
                                PORTFOLIO_SITE_URL=base)
        with running(gunicorn_command(), base + "/healthz", Path(folder) / "app.log", env):
            for page in args.pages:
                scores = audit(base + page, Path(folder) / "report.json")
                print(f"  {page:50} " + "  ".join(f"{name} {score}" for name, score in scores.items()), flush=True)


if __name__ == "__main__":
    main()
