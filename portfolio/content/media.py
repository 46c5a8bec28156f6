"""Images beside the text: ``![A chart of the results](figure.png)`` in a bundle's ``index.md``.

Each image the Markdown names is read from the file's own folder, measured with Pillow and
served from an address made of a hash of its bytes (``/media/<hash>/figure.png``), so it can be
cached for a year and a new version gets a new address. Its ``<img>`` gets its width and height
(no layout shift while it loads) and ``loading="lazy"``; one wider than ``SMALL_WIDTH`` also gets
a narrower rendition for phones, offered through ``srcset``. An image that is missing, has no alt
text or lives on another site is a named problem, never a silently broken picture.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, UnidentifiedImageError

from ..config import REPO_ROOT
from .sources import inside

MEDIA_PREFIX = "/media/"
STATIC = REPO_ROOT / "static"
SMALL_WIDTH = 800  # CSS pixels a phone's column is at most, twice over for a sharp picture
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


@dataclass(frozen=True)
class Media:
    """One image file as served: its bytes, type and size, at an address made from its hash."""

    digest: str
    name: str
    content_type: str
    width: int
    height: int
    data: bytes

    @property
    def path(self) -> str:
        return f"{MEDIA_PREFIX}{self.digest}/{self.name}"

    def row(self) -> dict[str, object]:
        return {"digest": self.digest, "name": self.name, "content_type": self.content_type,
                "width": self.width, "height": self.height, "data": self.data}


def load_image(data: bytes, name: str) -> tuple[Media, Media | None]:
    """The image and, when it is wider than SMALL_WIDTH, a narrower rendition of it."""
    with Image.open(io.BytesIO(data)) as image:
        kind, width, height = image.format or "", image.width, image.height
        if kind not in CONTENT_TYPES:
            raise UnidentifiedImageError(f"{kind or 'unknown'} is not an image format the site serves")
        full = Media(hashlib.sha256(data).hexdigest()[:16], name, CONTENT_TYPES[kind], width, height, data)
        if width <= SMALL_WIDTH or kind == "GIF":
            return full, None
        small_height = round(height * SMALL_WIDTH / width)
        output = io.BytesIO()
        image.resize((SMALL_WIDTH, small_height), Image.Resampling.LANCZOS).save(output, format=kind)
    small_data = output.getvalue()
    small = Media(hashlib.sha256(small_data).hexdigest()[:16], name, full.content_type, SMALL_WIDTH, small_height,
                  small_data)
    return full, small


def image_tag(alt: str, full: Media, small: Media | None) -> str:
    """The ``<img>`` for an image placed in a page, written here (after sanitising) from known values."""
    source = small or full
    tag = (f'<img src="{source.path}" alt="{html.escape(alt)}" width="{full.width}" height="{full.height}" '
           'loading="lazy" decoding="async"')
    if small:
        tag += (f' srcset="{small.path} {small.width}w, {full.path} {full.width}w"'
                f' sizes="(max-width: {SMALL_WIDTH}px) 100vw, {SMALL_WIDTH}px"')
    return tag + ">"


def is_relative(src: str) -> bool:
    """A path to a file beside the text: no scheme, no host, not from the site's root."""
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/\\#]", src.strip())


Placed = dict[str, tuple[str, Media, Media | None]]  # src as written -> (alt, image, rendition)


def resolve_images(images: list[tuple[str, str]], root: Path, folder: str) -> tuple[Placed, list[Media], list[str]]:
    """Read the images a text names (``(src, alt)`` pairs, from its unsanitised HTML) from its folder.
    Returns them by src, the media to serve, and a message for each image that cannot be placed."""
    placed: Placed = {}
    media: list[Media] = []
    problems: list[str] = []
    for src, alt in images:
        address = re.sub(r"[\t\n\r]", "", src).strip().replace("\\", "/")  # as a browser reads it
        if re.match(r"^(https?:)?//", address, re.IGNORECASE):
            problems.append(f"image {src!r}: from another site (pages load nothing from elsewhere): save it "
                            "beside the text and name it by its file name")
            continue
        if address.startswith("/"):
            if not (address.startswith("/static/") and (STATIC / address.removeprefix("/static/")).is_file()):
                problems.append(f"image {src!r}: no such file on the site (put it beside the text instead)")
            continue
        if not is_relative(address):
            continue  # another scheme (data:, javascript: ...): named with the links
        if not alt.strip():
            problems.append(f"image {src}: no alt text: describe the picture in ![…]({src})")
            continue
        path = root / folder / PurePosixPath(src)
        if ".." in PurePosixPath(src).parts or not inside(root, path) or not path.is_file():
            problems.append(f"image {src}: no such file beside the text (in {folder or 'content'}/)")
            continue
        try:
            full, small = load_image(path.read_bytes(), path.name)
        except (OSError, UnidentifiedImageError, ValueError) as error:
            problems.append(f"image {src}: not an image the site can show ({error})")
            continue
        placed[src] = (alt, full, small)
        media += [full, *([small] if small else [])]
    return placed, media, problems


def place_images(rendered: str, placed: Placed) -> str:
    """``rendered`` (sanitised HTML) with the tags of the placed images written anew."""
    if not placed:
        return rendered

    def rewrite(match: re.Match[str]) -> str:
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(match[0])}
        found = placed.get(attributes.get("src", ""))
        return image_tag(*found) if found else match[0]

    return _IMG.sub(rewrite, rendered)
