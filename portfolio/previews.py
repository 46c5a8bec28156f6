"""Social preview images: a 1200 × 630 PNG for every briefing and one for the rest of the site.

Drawn by Pillow with the font it bundles (``ImageFont.load_default(size=...)``, Aileron), so
nothing is downloaded or read from the system at run time. Each URL carries a fingerprint of
the words drawn on it (``/previews/briefing-54.<hash>.png``): a page names the current image,
the image is cached for a year as immutable, and a changed title makes a new URL. An old
fingerprint redirects to the current one. Drawing one image takes a few tens of milliseconds
(``python -m bench.previews``); the last drawn images are kept in memory, and the response goes
through the same caching as any page (strong ETag, render cache).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import astuple, dataclass
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, redirect, url_for
from PIL import Image, ImageDraw, ImageFont

from .content import state
from .extensions import db
from .models import Briefing

bp = Blueprint("previews", __name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BRIEFINGS = "Frontier AI Paper Briefings"
IMMUTABLE = "public, max-age=31536000, immutable"
# Colours of the light theme (static/css/site.css).
BACKGROUND, TEXT, MUTED, ACCENT, BORDER = "#fbfaf8", "#1d1f24", "#4f5563", "#1f5fa8", "#d9d6cf"


@dataclass(frozen=True)
class Card:
    """The words on one preview image; its fingerprint names the image's URL."""

    kicker: str  # the small line at the top
    number: str  # "54." for a briefing, "" for the site
    title: str
    meta: str  # category · organisation · month, or the site's description
    site: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join(astuple(self)).encode()).hexdigest()[:12]


def briefing_card(briefing: Briefing, site_title: str) -> Card:
    meta = f"{briefing.category} · {', '.join(briefing.organizations)} · {briefing.month_label}"
    return Card(BRIEFINGS, f"{briefing.number}.", briefing.title, meta, site_title)


def site_card() -> Card:
    site = state().site
    title, description = (site.title, site.description) if site else ("", "")
    return Card(f"Projects · {BRIEFINGS}", "", title, description, title)


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; a word longer than a line is cut with an ellipsis."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font(size)) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return [fit(draw, line, size, width) for line in lines] or [""]


def fit(draw: ImageDraw.ImageDraw, line: str, size: int, width: int) -> str:
    """``line`` shortened with an ellipsis until it fits ``width`` pixels."""
    if draw.textlength(line, font=font(size)) <= width:
        return line
    while line and draw.textlength(line + "…", font=font(size)) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def title_lines(draw: ImageDraw.ImageDraw, title: str, width: int, max_lines: int) -> tuple[int, list[str]]:
    """The largest size at which the title fits in ``max_lines``; else the smallest, cut short."""
    for size in (68, 60, 54, 48, 44):
        lines = wrap(draw, title, size, width)
        if len(lines) <= max_lines:
            return size, lines
    lines = wrap(draw, title, 44, width)[:max_lines]
    return 44, lines[:-1] + [fit(draw, lines[-1] + " …", 44, width)]


@lru_cache(maxsize=128)
def render(card: Card) -> bytes:
    """The PNG for ``card``: white space, an accent band, the kicker, number and title, the meta line, the site."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    width = WIDTH - 2 * MARGIN
    draw.text((MARGIN, 64), fit(draw, card.kicker.upper(), 30, width), font=font(30), fill=ACCENT)

    top = 130
    if card.number:
        draw.text((MARGIN, top), card.number, font=font(80), fill=ACCENT, stroke_width=2, stroke_fill=ACCENT)
        top += 104
    size, lines = title_lines(draw, card.title, width, 3 if card.number else 4)
    for line in lines:
        draw.text((MARGIN, top), line, font=font(size), fill=TEXT, stroke_width=1, stroke_fill=TEXT)
        top += int(size * 1.22)

    meta_lines = wrap(draw, card.meta, 34, width)[:2]
    meta_top = top + 18
    if card.number:  # a briefing's meta line sits just above the rule, however long its title
        meta_top = max(meta_top, HEIGHT - 130 - 44 * (len(meta_lines) - 1))
    for line in meta_lines:
        draw.text((MARGIN, meta_top), line, font=font(34), fill=MUTED)
        meta_top += 44
    draw.line((MARGIN, HEIGHT - 72, WIDTH - MARGIN, HEIGHT - 72), fill=BORDER, width=2)
    draw.text((MARGIN, HEIGHT - 58), fit(draw, card.site, 30, width), font=font(30), fill=TEXT)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def site_title() -> str:
    site = state().site
    return site.title if site else ""


@bp.app_template_global()
def preview_image_url(briefing: Briefing | None = None) -> str:
    """The fingerprinted URL of a briefing's preview image, or of the site's."""
    if briefing is None:
        return url_for("previews.image", name="site", fingerprint=site_card().fingerprint)
    card = briefing_card(briefing, site_title())
    return url_for("previews.image", name=f"briefing-{briefing.number}", fingerprint=card.fingerprint)


def card_named(name: str) -> Card:
    if name == "site":
        return site_card()
    prefix, _, number = name.partition("-")
    if prefix != "briefing" or not number.isdigit() or len(number) > 7 or number.startswith("0"):
        abort(404)
    briefing = db.get_or_404(Briefing, int(number))
    return briefing_card(briefing, site_title())


@bp.get("/previews/<name>.<fingerprint>.png")
def image(name: str, fingerprint: str) -> Response:
    """The PNG itself: immutable at its current fingerprint; an old fingerprint redirects."""
    card = card_named(name)
    if fingerprint != card.fingerprint:
        return redirect(url_for("previews.image", name=name, fingerprint=card.fingerprint), code=302)  # type: ignore[return-value]
    response = current_app.response_class(render(card), mimetype="image/png")
    response.headers["Cache-Control"] = IMMUTABLE
    return response
