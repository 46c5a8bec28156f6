"""The explorer's state: filters, search and paging, read from and written to the query string."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from werkzeug.exceptions import BadRequest
from werkzeug.datastructures import MultiDict

from ..queryargs import BadQuery, clean_text, one_value

SORTS = {"newest": "Newest first", "oldest": "Oldest first", "added": "Recently added", "number": "By number",
         "relevance": "Relevance"}
MULTI_FIELDS = ("category", "organization", "tag", "year")
MAX_QUERY_LENGTH = 200
MAX_VALUE_LENGTH = 120
MAX_VALUES = 30
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ExplorerQuery:
    category: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    key: bool = False
    current: bool = False  # hide briefings that another one supersedes
    around: int = 0  # a briefing's neighbourhood: it and the briefings it connects with
    q: str = ""
    sort: str = ""
    page: int = 1
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, args: MultiDict[str, str]) -> ExplorerQuery:
        """Read the query string; raise ``BadQuery`` for values no form could have sent."""
        values: dict[str, tuple[str, ...]] = {}
        for name in MULTI_FIELDS:
            items = [clean_text(v, name, MAX_VALUE_LENGTH) for v in args.getlist(name)]
            unique = tuple(dict.fromkeys(v for v in items if v))
            if len(unique) > MAX_VALUES:
                raise BadQuery(f"Give at most {MAX_VALUES} values for {name!r}.")
            values[name] = unique
        years = []
        for raw in values["year"]:
            if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
                raise BadQuery(f"The 'year' value must be a four-digit year, not {raw[:40]!r}.")
            years.append(int(raw))
        key_raw = one_value(args, "key", 5)
        if key_raw not in ("", "1", "true", "on"):
            raise BadQuery("The 'key' value must be 1 (key papers only) or left out.")
        current_raw = one_value(args, "current", 5)
        if current_raw not in ("", "1", "true", "on"):
            raise BadQuery("The 'current' value must be 1 (hide superseded briefings) or left out.")
        around_raw = one_value(args, "around", 8)
        if around_raw and not (around_raw.isascii() and around_raw.isdigit() and int(around_raw) > 0):
            raise BadQuery(f"The 'around' value must be a briefing number, not {around_raw[:40]!r}.")
        sort = one_value(args, "sort", 20)
        if sort and sort not in SORTS:
            raise BadQuery(f"The 'sort' value must be one of {', '.join(SORTS)}.")
        page_raw = one_value(args, "page", 12)
        if page_raw and not (page_raw.isascii() and page_raw.isdigit()):
            raise BadQuery(f"The 'page' value must be a whole number, not {page_raw[:40]!r}.")
        page = int(page_raw) if page_raw else 1
        if not 1 <= page <= MAX_PAGE:
            raise BadQuery(f"The 'page' value must be between 1 and {MAX_PAGE}.")
        return cls(
            category=values["category"],
            organization=values["organization"],
            tag=values["tag"],
            year=tuple(dict.fromkeys(years)),
            key=bool(key_raw),
            current=bool(current_raw),
            around=int(around_raw) if around_raw else 0,
            q=one_value(args, "q", MAX_QUERY_LENGTH),
            sort=sort,
            page=page,
        )

    @classmethod
    def parse_or_400(cls, args: MultiDict[str, str]) -> ExplorerQuery:
        try:
            return cls.parse(args)
        except BadQuery as error:
            raise BadRequest(str(error)) from None

    @classmethod
    def from_query_string(cls, query_string: str) -> ExplorerQuery | None:
        """Leniently read a saved explorer state (the ``from`` of a briefing link)."""
        try:
            return cls.parse(MultiDict(parse_qsl(query_string, keep_blank_values=False)))
        except (BadQuery, ValueError):
            return None

    @property
    def default_sort(self) -> str:
        return "relevance" if self.q else "newest"

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or self.default_sort

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.organization or self.tag or self.year or self.key or self.current or self.around or self.q)

    def params(self) -> list[tuple[str, str]]:
        """The state as query parameters, in a stable order (one URL per state)."""
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in MULTI_FIELDS:
            pairs.extend((name, str(value)) for value in getattr(self, name))
        if self.key:
            pairs.append(("key", "1"))
        if self.current:
            pairs.append(("current", "1"))
        if self.around:
            pairs.append(("around", str(self.around)))
        if self.sort and self.effective_sort != self.default_sort:
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self) -> str:
        """``urlencode(self.params())``, kept: a page links to its own state once per card."""
        return self._query_string

    @cached_property
    def _query_string(self) -> str:
        return "&".join(encoded_pair(name, value) for name, value in self.params())

    def as_from(self) -> str:
        """The state as a briefing link's ``from`` parameter (read back by ``from_query_string``)."""
        return encoded_pair("from", self.query_string())

    def url(self, base: str) -> str:
        query = self.query_string()
        return f"{base}?{query}" if query else base

    def with_page(self, page: int) -> ExplorerQuery:
        return replace(self, page=page)

    def toggled(self, name: str, value: str | int) -> ExplorerQuery:
        """This state with one facet value switched on or off, back on page 1."""
        if name in ("key", "current"):
            return replace(self, **{name: not getattr(self, name)}, page=1)
        current = getattr(self, name)
        updated = tuple(v for v in current if v != value) if value in current else (*current, value)
        changes: dict[str, Any] = {name: updated, "page": 1}
        return replace(self, **changes)

    def without_search(self) -> ExplorerQuery:
        return replace(self, q="", page=1, sort="" if self.sort == "relevance" else self.sort)

    def without_around(self) -> ExplorerQuery:
        return replace(self, around=0, page=1)

    def filters_only(self) -> ExplorerQuery:
        """The view's filters without its sort or page: what a map or a feed shows."""
        return replace(self, sort="", page=1)

    def cleared(self) -> ExplorerQuery:
        return ExplorerQuery(sort=self.sort if self.sort != "relevance" else "")


@lru_cache(maxsize=2048)
def encoded_pair(name: str, value: str) -> str:
    """``name=value`` as ``urlencode`` writes it; a page's links repeat the same few pairs."""
    return f"{quote_plus(name, safe='')}={quote_plus(value, safe='')}"
