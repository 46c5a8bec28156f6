"""The framework floor: a bare Flask app answering each benchmarked URL with the site's response as a constant.

The same body and the same headers (Content-Type, Vary, Cache-Control, ETag, the security
headers): everything but what gunicorn adds itself. It runs under the same gunicorn settings
as the site, so the difference between the two is what the site itself costs beyond Flask and
gunicorn. ``BENCH_PAGES`` names a JSON manifest ``{"/path?query": {"file": "...", "headers":
[[name, value], ...]}}`` written by bench/http.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request

manifest_path = Path(os.environ["BENCH_PAGES"])
PAGES = {
    url: (Path(manifest_path.parent, entry["file"]).read_bytes(), [tuple(header) for header in entry["headers"]])
    for url, entry in json.loads(manifest_path.read_text("utf-8")).items()
}

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def constant(path: str) -> Response:
    body, headers = PAGES[request.full_path.rstrip("?")]
    return Response(body, headers=headers)
