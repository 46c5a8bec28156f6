"""Markdown to safe HTML: cmark-gfm (GitHub Flavored Markdown) for the syntax, nh3 for the sanitising."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from urllib.parse import urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from ..config import REPO_ROOT

# Raw HTML in the Markdown is kept for nh3 to judge (as before): the sanitiser is the one safety line.
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES

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


# Keep formatting; drop scripts, frames, event handlers, non-web URLs and off-site images (an
# off-site image would be a request to another origin, which the CSP blocks anyway). Built once:
# setting a sanitiser up cost more than cleaning a briefing's summary with it (measured).
CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_filter_attribute,
)


def sanitise(raw_html: str) -> str:
    return CLEANER.clean(raw_html)


_HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.DOTALL)


def anchor_headings(fragment: str) -> str:
    """Give each heading an id from its words (``#data-we-collect``), unique within the fragment."""
    if "<h" not in fragment:
        return fragment
    taken: set[str] = set()

    def with_id(match: re.Match[str]) -> str:
        anchor = slugify(plain_text(match[2]), 50)
        while anchor in taken:
            anchor += "-2"
        taken.add(anchor)
        return f'<h{match[1]} id="{anchor}">{match[2]}</h{match[1]}>'

    return _HEADING.sub(with_id, fragment)


def to_html(text: str) -> str:
    """The Markdown as HTML, not yet sanitised (what a browser would get without nh3)."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=OPTIONS)


def render(text: str) -> str:
    return sanitise(anchor_headings(to_html(text)))


_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, for search and feeds."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:  # end on a whole word
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    return slug.rstrip("-") or "item"
