"""Page weight of a first view of the explorer: every byte a browser downloads, compressed (target < 60 KB).

The page and each resource it references (stylesheet, icon, scripts, images) are requested
as a browser would, with ``Accept-Encoding: br, gzip``; the count is the response bodies as
sent plus the status lines and headers.

    python -m bench.page_weight
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from werkzeug.test import TestResponse

from portfolio import create_app
from portfolio.config import REPO_ROOT, Settings
from portfolio.content import sync

ACCEPT = {"Accept-Encoding": "br, gzip", "Accept": "text/html,*/*"}


def wire_bytes(response: TestResponse) -> tuple[int, int]:
    """(body bytes, header bytes) as they would cross the network."""
    headers = len(f"HTTP/1.1 {response.status}\r\n".encode())
    headers += sum(len(f"{name}: {value}\r\n".encode("latin-1")) for name, value in response.headers.items()) + 2
    return len(response.get_data()), headers


def resources(page: BeautifulSoup) -> list[str]:
    """What a browser fetches for the first view: stylesheets, icons, scripts and images."""
    found = [link["href"] for link in page.find_all("link", href=True)
             if set(link.get("rel", [])) & {"stylesheet", "icon", "preload", "modulepreload"}]
    found += [script["src"] for script in page.find_all("script", src=True)]
    found += [image["src"] for image in page.find_all("img", src=True)]
    return list(dict.fromkeys(found))


def measure(path: str = "/briefings/", content: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        source = content or REPO_ROOT / "content"
        sync(source, f"sqlite:///{folder}/index.sqlite3")  # the factory builds nothing
        app = create_app(Settings(content_dir=source, database_url=f"sqlite:///{folder}/index.sqlite3",
                                  access_log=False))
        client = app.test_client()
        first = client.get(path, headers=ACCEPT)
        plain = BeautifulSoup(client.get(path).get_data(), "html.parser")
        items = [(path, first)] + [(url, client.get(url, headers=ACCEPT)) for url in resources(plain)]
        rows = []
        for url, response in items:
            body, headers = wire_bytes(response)
            rows.append({"url": url, "status": response.status_code, "encoding": response.headers.get(
                "Content-Encoding", "identity"), "body": body, "headers": headers})
    total = sum(row["body"] + row["headers"] for row in rows)
    for row in rows:
        print(f"  {row['url'][:60]:60} {row['status']} {row['encoding']:8} {row['body']:7,} B body"
              f" + {row['headers']:5,} B headers", flush=True)
    print(f"  total {total:,} B ({total / 1024:.1f} KB) in {len(rows)} requests", flush=True)
    return {"path": path, "requests": len(rows), "bytes": total, "bodies": sum(r["body"] for r in rows),
            "items": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/briefings/")
    args = parser.parse_args()
    measure(args.path)


if __name__ == "__main__":
    main()
