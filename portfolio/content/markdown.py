"""Markdown to safe HTML: Python-Markdown for the syntax, nh3 for the sanitising."""

from __future__ import annotations

import html
import re
import threading
import unicodedata

import markdown
import nh3

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": "#", "permalink_title": "Link to this section"}}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_local = threading.local()


def _converter() -> markdown.Markdown:
    """One reusable converter per thread: building one costs more than converting a page."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        _local.converter = converter
    return converter


def sanitise(raw_html: str) -> str:
    """Keep formatting; drop scripts, frames, event handlers and non-web URLs."""
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(text: str) -> str:
    converter = _converter()
    converter.reset()
    return sanitise(converter.convert(text))


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, for search and feeds."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"
