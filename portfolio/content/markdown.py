"""Markdown to safe HTML: Python-Markdown for the syntax, nh3 for the sanitising."""

from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata
from urllib.parse import urlsplit

import markdown
import nh3

from ..config import REPO_ROOT

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
CONTENT_ID_PREFIX = "content-"
_URL_IGNORED = re.compile(r"[\t\n\r]")  # browsers drop these from URLs: "/\t/evil" means "//evil"
_TEMPLATE_ID = re.compile(r'\bid="([A-Za-z][\w-]*)"')

_local = threading.local()


def _converter() -> markdown.Markdown:
    """One reusable converter per thread: building one costs more than converting a page."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        _local.converter = converter
    return converter


@functools.cache
def template_ids() -> frozenset[str]:
    """The fixed element ids the site's templates use (skip-link target, htmx targets, ...)."""
    return frozenset(
        found for path in (REPO_ROOT / "templates").rglob("*.html") for found in _TEMPLATE_ID.findall(path.read_text())
    )


def is_local_url(url: str) -> bool:
    """A URL on this site: no scheme and no host (``//host`` and ``/\\host`` count as hosts)."""
    cleaned = _URL_IGNORED.sub("", url).strip().replace("\\", "/")
    return not cleaned.startswith("//") and not urlsplit(cleaned).scheme


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """Images only from the site itself; content ids never clash with the page's own."""
    if attribute == "src":
        return value if is_local_url(value) else None
    if attribute == "id" and value in template_ids():
        return CONTENT_ID_PREFIX + value
    if attribute == "href" and value.startswith("#") and value[1:] in template_ids():
        return "#" + CONTENT_ID_PREFIX + value[1:]
    return value


def sanitise(raw_html: str) -> str:
    """Keep formatting; drop scripts, frames, event handlers, non-web URLs and off-site images.

    An off-site image would be a request to another origin (which the CSP blocks anyway).
    """
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
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
