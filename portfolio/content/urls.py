"""Every URL a content file holds, in its front matter and in its Markdown body.

``content check`` uses these to refuse link schemes other than http and https in every body (the
front matter's own fields are checked by the schema), to place images and to check links within
the site; ``content links`` uses them to find the external links to visit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from .markdown import to_html

WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop ASCII tabs and newlines anywhere in a URL and C0 controls and spaces at its ends.
_IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
# Markdown links and images "](", reference definitions "[x]: ", autolinks and raw HTML "<", and
# what GitHub Flavored Markdown links by itself: "https://...", "www.", e-mail addresses (substring
# tests: a regex over every body cost a tenth of a briefing's parse).
_MAY_LINK = ("](", "]:", "<", "://", "www.", "@")
_WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
C0_AND_SPACE = "".join(map(chr, range(0x21)))
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "cite", "background", "xlink:href"}


@dataclass
class BodyUrls:
    """What a body points at: every URL of every tag, the links (``<a href>``) and the images with their alt."""

    urls: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = BodyUrls()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.found.urls.append(value)
        if tag == "a" and values.get("href") is not None:
            self.found.links.append(values["href"] or "")
        if tag == "img" and values.get("src") is not None:
            self.found.images.append((values["src"] or "", values.get("alt") or ""))


def scan_body(text: str) -> BodyUrls:
    """The URLs, links and images of a Markdown body, as a browser would read them.

    The body is converted without sanitising, so raw HTML counts too, and character
    references are decoded (``jav&#x61;script:`` is ``javascript:``).
    """
    if not any(marker in text for marker in _MAY_LINK):
        return BodyUrls()  # no link syntax at all
    collector = _Collector()
    collector.feed(to_html(text))
    collector.close()
    return collector.found


def body_urls(text: str) -> list[str]:
    """Every URL the body's tags hold (links, images, anything else)."""
    return scan_body(text).urls


def scheme(url: str) -> str:
    """The scheme a browser would see, lower-cased; '' for a relative URL."""
    cleaned = _IGNORED_BY_BROWSERS.sub("", url).strip(C0_AND_SPACE)
    match = _SCHEME.match(cleaned)
    return match[1].lower() if match else ""


def unsafe_body_urls(text: str) -> list[str]:
    """Body links with a scheme other than http or https (javascript:, data:, ftp:, mailto: ...)."""
    return [url for url in body_urls(text) if scheme(url) and scheme(url) not in WEB_SCHEMES]


def scheme_problems(urls: list[str]) -> list[tuple[str, str]]:
    """(field, message) for each URL a body may not hold: any scheme but http and https."""
    return [
        ("body", f"link to {shown(url)}: only http and https links (or links within the site) are allowed")
        for url in urls if scheme(url) and scheme(url) not in WEB_SCHEMES
    ]


def shown(url: str, limit: int = 60) -> str:
    """A URL quoted for a message, control characters visible and long ones cut."""
    text = repr(url)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


def front_matter_urls(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field, value) for every http(s) URL anywhere in parsed front matter: ``url``, ``links[0].href`` ..."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from front_matter_urls(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from front_matter_urls(value, f"{path}[{index}]")
    elif isinstance(data, str) and _WEB_URL.match(data.strip()):
        yield path, data.strip()


def external_body_urls(text: str) -> list[str]:
    """The body's absolute http(s) links, each once, in order."""
    return list(dict.fromkeys(url.strip() for url in body_urls(text) if _WEB_URL.match(url.strip())))
