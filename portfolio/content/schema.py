"""Front-matter schemas: what each kind of content file may and must say.

pydantic gives precise, per-field messages; ``extra="forbid"`` turns a misspelt field into
an "unknown field" problem instead of silently ignoring it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

# connection kind -> (label on the briefing that writes it, label on the other briefing)
CONNECTION_KINDS: dict[str, tuple[str, str]] = {
    "influenced_by": ("Influenced by", "Influenced"),
    "builds_on": ("Builds on", "Built upon by"),
    "responds_to": ("Responds to", "Responded to by"),
    "supersedes": ("Supersedes", "Superseded by"),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SHORT_TEXT_MAX = 200  # characters of a title or a name
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_TEXT_MAX)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Href = Annotated[str, StringConstraints(pattern=r"^(/|https?://|mailto:)\S*$", max_length=500)]

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
MONTH_IN_WORDS = re.compile(r"^([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# arXiv identifiers: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015-), or old-style archive/YYMMNNN,
# each with an optional version suffix.
ARXIV_PATTERN = re.compile(r"^(?:\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
WEB_URL_PATTERN = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)
OTHERS = "others"  # the last entry of an author list shortened to its first five names
MAX_LISTED_AUTHORS = 10
AUTHORS_BEFORE_OTHERS = 5


def web_url(value: Any) -> str:
    """An absolute http(s) URL: any other scheme (javascript:, data:, ftp: ...) is refused."""
    if not isinstance(value, str):
        raise ValueError("must be a URL written as text")
    value = value.strip()
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in {"http", "https"}:
        shown = f"scheme {scheme!r}" if scheme else "no scheme"
        raise ValueError(f"must be an http or https URL (got {shown})")
    if len(value) > 500 or not WEB_URL_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a well-formed http(s) URL")
    return value


WebUrl = Annotated[str, BeforeValidator(web_url)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Link(Strict):
    label: ShortText
    href: Href


def contact_href(value: Any) -> str:
    """A way to reach the owner: an https address or a mailto: link (nothing on this site)."""
    if isinstance(value, str) and value.strip().lower().startswith("mailto:") and "@" in value:
        return value.strip()
    try:
        url = web_url(value)
    except ValueError:
        raise ValueError("must be an https address or a mailto: link") from None
    if not url.lower().startswith("https:"):
        raise ValueError("must be an https address or a mailto: link")
    return url


class ContactLink(Strict):
    label: ShortText  # what it is: "E-mail", "GitHub", "Google Scholar", "ORCID" ...
    href: Annotated[str, BeforeValidator(contact_href)]


class SiteConfig(Strict):
    """``content/site.yml``: the owner, navigation, footer, contact links and the briefings' vocabularies."""

    owner: ShortText
    monogram: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4)]
    title: ShortText
    description: Text
    nav: list[Link] = Field(min_length=1)
    footer: list[Link] = Field(default_factory=list)
    contact: list[ContactLink] = Field(default_factory=list)  # shown on About and in the footer
    categories: list[ShortText] = Field(min_length=1)
    organizations: list[ShortText] = Field(min_length=1)
    briefing_tags: list[ShortText] = Field(min_length=1)


class PageMeta(Strict):
    """An About or legal page."""

    title: ShortText
    description: Text = ""
    updated: dt.date | None = None


class ProjectMeta(Strict):
    title: ShortText
    summary: Text
    status: Literal["active", "in development", "paused", "archived"] | None = None
    order: int = Field(ge=0)
    slug: Slug | None = None
    tags: list[ShortText] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    draft: bool = False  # shown only in development


class PathStep(Strict):
    briefing: int = Field(ge=1, le=999_999)
    why: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]


class ReadingPathMeta(Strict):
    """A reading path: an ordered route through the briefings, each step with why it comes next."""

    title: ShortText
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    steps: list[PathStep] = Field(min_length=2)
    draft: bool = False  # shown only in development

    @field_validator("steps")
    @classmethod
    def _each_once(cls, steps: list[PathStep]) -> list[PathStep]:
        seen: set[int] = set()
        for step in steps:
            if step.briefing in seen:
                raise ValueError(f"briefing #{step.briefing} is listed twice: a path visits each briefing once")
            seen.add(step.briefing)
        return steps


class BriefingDate(Strict):
    year: int
    month: int
    day: int | None = None


def parse_briefing_date(value: Any) -> BriefingDate:
    """Accept ``2025-05`` (month precision, the norm) or a full ``2025-05-12``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return BriefingDate(year=value.year, month=value.month, day=value.day)
    if not isinstance(value, str):
        raise ValueError("must be a month YYYY-MM or a date YYYY-MM-DD")
    match = MONTH_PATTERN.match(value.strip())
    if not match:
        written = MONTH_IN_WORDS.match(value.strip())
        if written and written[1][:3].lower() in MONTH_NAMES:
            month = MONTH_NAMES.index(written[1][:3].lower()) + 1
            raise ValueError(f"{value!r} is not a month YYYY-MM: did you mean {written[2]}-{month:02d}?")
        raise ValueError(f"{value!r} is not a month YYYY-MM or a date YYYY-MM-DD")
    year, month = int(match[1]), int(match[2])
    day = int(match[3]) if match[3] else None
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} is not a real month (month {month} is not 01-12)")
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    return BriefingDate(year=year, month=month, day=day)


def written_connection(value: Any) -> Any:
    """``{builds_on: 15, note: ...}`` as ``{kind: builds_on, number: 15, note: ...}``, so that each
    part is validated (and named) on its own."""
    if not isinstance(value, dict):
        raise ValueError("each connection is a 'kind: number' line, with a 'note:' line under it")
    kinds = [key for key in value if key != "note"]
    if len(kinds) != 1:
        raise ValueError(f"each connection names one kind ({', '.join(CONNECTION_KINDS)}) and one number")
    (kind,) = kinds
    if kind not in CONNECTION_KINDS:
        raise ValueError(f"unknown connection kind {kind!r} (allowed: {', '.join(CONNECTION_KINDS)})")
    return {"kind": kind, "number": value[kind], **({"note": value["note"]} if "note" in value else {})}


class WrittenConnection(Strict):
    """One connection as its briefing writes it: what kind, to which briefing, and why it matters."""

    kind: str
    number: int
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]


class BriefingMeta(Strict):
    number: int = Field(ge=1, le=999_999)
    title: ShortText
    subtitle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    category: ShortText
    organizations: list[ShortText] = Field(min_length=1)
    date: BriefingDate
    key: bool = False
    tags: list[ShortText] = Field(default_factory=list)
    authors: list[ShortText] = Field(default_factory=list)
    url: WebUrl | None = None
    arxiv: str | None = None
    doi: str | None = None
    pdf: WebUrl | None = None
    code: WebUrl | None = None
    added: dt.date
    updated: dt.date | None = None
    sources: list[WebUrl] = Field(default_factory=list)
    connections: list[Annotated[WrittenConnection, BeforeValidator(written_connection)]] = Field(default_factory=list)
    draft: bool = False  # shown only in development

    @field_validator("authors")
    @classmethod
    def _authors(cls, value: list[str]) -> list[str]:
        if OTHERS in value[:-1]:
            raise ValueError(f"{OTHERS!r} may only be the last author")
        names = value[:-1] if value and value[-1] == OTHERS else value
        if len(names) < len(value) and len(names) != AUTHORS_BEFORE_OTHERS:
            raise ValueError(f"list the first {AUTHORS_BEFORE_OTHERS} authors before {OTHERS!r}")
        if len(names) > MAX_LISTED_AUTHORS:
            raise ValueError(
                f"{len(names)} authors: with more than {MAX_LISTED_AUTHORS}, list the first "
                f"{AUTHORS_BEFORE_OTHERS}, then {OTHERS!r}"
            )
        return value

    @field_validator("arxiv", mode="before")
    @classmethod
    def _arxiv(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"write the arXiv id in quotes, e.g. \"2305.18290\" (YAML read {value!r})")
        value = value.strip()
        if not ARXIV_PATTERN.match(value):
            raise ValueError(f"{value!r} is not an arXiv id (YYMM.NNNNN, YYMM.NNNN or archive/NNNNNNN, optional vN)")
        return value

    @field_validator("doi", mode="before")
    @classmethod
    def _doi(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not DOI_PATTERN.match(value.strip()):
            raise ValueError(f"{value!r} is not a DOI (10.NNNN/suffix)")
        return value.strip()

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> BriefingDate:
        return parse_briefing_date(value)

    @model_validator(mode="after")
    def _updated_after_added(self) -> BriefingMeta:
        if self.updated is not None and self.updated < self.added:
            raise ValueError(f"updated ({self.updated}) is before added ({self.added}): a revision comes after the first version")
        return self
