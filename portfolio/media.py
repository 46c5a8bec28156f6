"""Images placed in texts (content/media.py), served from addresses made of the hash of their bytes:
a new version is a new address, so each may be kept for a year."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import select

from .extensions import db
from .models import Media

bp = Blueprint("media", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/media/<digest>/<name>")
def image(digest: str, name: str) -> Response:
    found = db.first_or_404(select(Media).where(Media.digest == digest, Media.name == name))
    response = current_app.response_class(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = IMMUTABLE
    return response
