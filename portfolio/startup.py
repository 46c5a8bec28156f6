"""``python -m portfolio.startup``: what gunicorn's master runs before its workers start, and again
on a reload (gunicorn.conf.py), in a process of its own so the master never imports the app and
a reload loads new code.

It refuses a production start without PORTFOLIO_SITE_URL (pages, feeds and caches would
otherwise depend on the Host a client sends), then brings the index up to date: an index this
release already published from the same files (an image's baked index) is kept as it is;
broken content keeps the last good index (the problems are logged); broken content and no
earlier index is an exit status of 1, and the server does not start.
"""

from __future__ import annotations

import logging
import sys

from . import create_app
from .config import Settings
from .content import state
from .extensions import db

NO_SITE_URL = ("PORTFOLIO_SITE_URL is required in production: the public base URL, such as "
               "https://silvia.example. Every absolute URL and redirect comes from it, and requests "
               "naming another Host are refused (see docs/deploying.md).")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [startup] %(message)s",
                        datefmt="%Y-%m-%dT%H:%M:%S%z")
    settings = Settings()
    if settings.env == "production" and not settings.site_url:
        print(NO_SITE_URL, file=sys.stderr)
        return 2
    app = create_app(settings)
    with app.app_context():
        index = state()
        index.build()
        db.engine.dispose()
        if not index.ready:
            problems = "\n".join(str(problem) for problem in index.problems)
            print(f"no content index to serve; fix the content first:\n{problems}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
