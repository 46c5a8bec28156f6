"""A briefing's document as a citation: BibTeX, RIS and CSL-JSON, plus the author line.

Plain functions over a ``Citation`` (built from a ``Briefing`` row), so every format is tested
as data. The kind of document decides the entry type:

=============  ====================  ======  ==============
kind           BibTeX                RIS     CSL-JSON
=============  ====================  ======  ==============
report         @techreport           RPRT    report
blog           @misc                 BLOG    post-weblog
preprint       @misc + eprint        UNPB    article
paper          @misc                 GEN     article
=============  ====================  ======  ==============

A preprint is a paper with an arXiv id (``eprint`` and ``archivePrefix = {arXiv}``, no
``primaryClass``, which the content does not record). Policies, technical reports and system
cards are reports, issued by their organisation as ``institution``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from ..content.citekeys import looks_like_organisation
from ..content.schema import OTHERS
from ..dates import MONTH_ABBR

REPORT_TAGS = ("Policy", "Technical Report", "System Card")
BLOG_TAGS = ("Blog Post",)
ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"
DOI_RESOLVER = "https://doi.org/"
PARTICLES = frozenset("da de del della der di du la le van von den ter ten dos das".split())


class Source(Protocol):
    """What a citation reads from a briefing (a ``Briefing`` row fits)."""

    title: str
    organizations: list[str]
    year: int
    month: int
    day: int | None
    tags: list[str]
    authors: list[str]
    url: str | None
    arxiv: str | None
    doi: str | None
    pdf: str | None
    code: str | None
    cite_key: str


@dataclass(frozen=True)
class Citation:
    key: str
    kind: str
    title: str
    names: tuple[str, ...]  # as printed, without the final 'others'
    et_al: bool
    organisations: tuple[str, ...]
    year: int
    month: int
    day: int | None
    url: str | None
    arxiv: str | None
    doi: str | None
    pdf: str | None
    code: str | None
    connections: tuple[str, ...] = ()  # each written connection as a sentence, with why it matters

    @property
    def organisation(self) -> str:
        """The organisations as one name: 'Anthropic and Redwood Research'."""
        return " and ".join(self.organisations)

    @property
    def arxiv_url(self) -> str | None:
        return ARXIV_ABS + self.arxiv if self.arxiv else None

    @property
    def doi_url(self) -> str | None:
        return DOI_RESOLVER + self.doi if self.doi else None

    @property
    def landing_url(self) -> str | None:
        return self.url or self.arxiv_url or self.doi_url

    def is_literal(self, name: str) -> bool:
        """A name to print whole, never split into given and family: an organisation, or one
        holding a comma ('Smith, Jr.') that no splitting rule would read right."""
        return "," in name or looks_like_organisation(name, self.organisations)


def kind_of(tags: list[str], arxiv: str | None) -> str:
    if any(tag in REPORT_TAGS for tag in tags):
        return "report"
    if any(tag in BLOG_TAGS for tag in tags) and not arxiv:
        return "blog"
    return "preprint" if arxiv else "paper"


def citation(source: Source, connections: tuple[str, ...] = ()) -> Citation:
    authors = list(source.authors or [])
    et_al = bool(authors) and authors[-1] == OTHERS
    return Citation(
        key=source.cite_key,
        kind=kind_of(list(source.tags), source.arxiv),
        title=source.title,
        names=tuple(authors[:-1] if et_al else authors),
        et_al=et_al,
        organisations=tuple(source.organizations),
        year=source.year,
        month=source.month,
        day=source.day,
        url=source.url,
        arxiv=source.arxiv,
        doi=source.doi,
        pdf=source.pdf,
        code=source.code,
        connections=connections,
    )


def author_line(names: tuple[str, ...] | list[str], et_al: bool) -> str:
    """'A, B and C' for a full list, 'A, B, C, D, E et al.' for a shortened one."""
    names = list(names)
    if not names:
        return ""
    if et_al:
        return ", ".join(names) + " et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def split_name(name: str) -> tuple[str, str]:
    """(given, family) of a personal name as printed: 'Aäron van den Oord' → ('Aäron', 'van den Oord')."""
    words = name.split()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


# --- BibTeX -------------------------------------------------------------------------------

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_TEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_WORD = re.compile(r"\S+")
BIBTEX_MONTHS = [name.lower() for name in MONTH_ABBR]


def tex(text: str) -> str:
    """Text as a BibTeX field value: TeX's special characters escaped, braces always balanced."""
    return _TEX_SPECIAL.sub(lambda match: _TEX_SPECIALS[match[0]], " ".join(text.split()))


def tex_title(title: str) -> str:
    """Escape, then brace words whose capitals must survive a style's lower-casing (GPT-4, LLMs)."""

    def protect(match: re.Match[str]) -> str:
        word = match[0]
        letters = [char for char in word if char.isalpha()]
        return "{" + word + "}" if any(char.isupper() for char in letters[1:]) else word

    return _WORD.sub(protect, tex(title))


def tex_url(url: str) -> str:
    """A URL for a verbatim ``url`` field: only characters that would unbalance it are encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibtex_name(name: str, literal: bool) -> str:
    """A person as printed (BibTeX reads 'First von Last' itself); an organisation braced whole."""
    value = tex(name)
    if literal or re.search(r"(?i)\band\b", name):
        return "{" + value + "}"
    return value


def bibtex(item: Citation) -> str:
    fields: list[tuple[str, str]] = [("title", "{" + tex_title(item.title) + "}")]
    names = [bibtex_name(name, item.is_literal(name)) for name in item.names]
    if item.et_al:
        names.append(OTHERS)
    if names:
        fields.append(("author", "{" + " and ".join(names) + "}"))
    elif item.kind != "report":
        fields.append(("author", "{" + " and ".join("{" + tex(name) + "}" for name in item.organisations) + "}"))
    if item.kind == "report":
        fields.append(("institution", "{" + tex(item.organisation) + "}"))
    fields += [("year", "{" + str(item.year) + "}"), ("month", BIBTEX_MONTHS[item.month - 1])]
    if item.arxiv:
        fields += [("eprint", "{" + item.arxiv + "}"), ("archivePrefix", "{arXiv}")]
    if item.doi:
        fields.append(("doi", "{" + tex_url(item.doi) + "}"))
    if item.landing_url:
        fields.append(("url", "{" + tex_url(item.landing_url) + "}"))
    entry_type = "techreport" if item.kind == "report" else "misc"
    width = max(len(name) for name, _ in fields)
    lines = [f"  {name.ljust(width)} = {value}," for name, value in fields]
    return f"@{entry_type}{{{item.key},\n" + "\n".join(lines)[:-1] + "\n}\n"


# --- RIS ----------------------------------------------------------------------------------

RIS_TYPES = {"report": "RPRT", "blog": "BLOG", "preprint": "UNPB", "paper": "GEN"}


def ris_name(name: str, literal: bool) -> str:
    if literal:
        return name
    given, family = split_name(name)
    return f"{family}, {given}" if given else family


def ris(item: Citation) -> str:
    """RIS, the tagged format of EndNote and Zotero: ``TAG  - value`` lines, CRLF, ending in ER."""
    lines = [("TY", RIS_TYPES[item.kind]), ("ID", item.key), ("TI", item.title)]
    lines += [("AU", ris_name(name, item.is_literal(name))) for name in item.names]
    if not item.names:
        lines += [("AU", name) for name in item.organisations]
    day = f"{item.day:02d}" if item.day else ""
    lines += [("PY", str(item.year)), ("DA", f"{item.year:04d}/{item.month:02d}/{day}/")]
    if item.kind == "report":
        lines.append(("PB", item.organisation))
    if item.kind == "preprint":
        lines.append(("PB", "arXiv"))
    if item.arxiv:
        lines.append(("N1", f"arXiv:{item.arxiv}"))
    if item.doi:
        lines.append(("DO", item.doi))
    if item.landing_url:
        lines.append(("UR", item.landing_url))
    if item.pdf:
        lines.append(("L1", item.pdf))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


# --- CSL-JSON -----------------------------------------------------------------------------

CSL_TYPES = {"report": "report", "blog": "post-weblog", "preprint": "article", "paper": "article"}


def csl_name(name: str, literal: bool) -> dict[str, str]:
    if literal:
        return {"literal": name}
    given, family = split_name(name)
    return {"family": family, "given": given} if given else {"literal": name}


def csl(item: Citation) -> dict[str, Any]:
    """One CSL-JSON item, the format citeproc, Zotero and Pandoc read."""
    data: dict[str, Any] = {"id": item.key, "type": CSL_TYPES[item.kind], "title": item.title}
    authors = [csl_name(name, item.is_literal(name)) for name in item.names]
    data["author"] = authors or [{"literal": name} for name in item.organisations]
    parts = [item.year, item.month] + ([item.day] if item.day else [])
    data["issued"] = {"date-parts": [parts]}
    if item.kind == "report":
        data["publisher"] = item.organisation
    if item.kind == "preprint":
        data["publisher"] = "arXiv"
    if item.arxiv:
        data["number"] = f"arXiv:{item.arxiv}"
    if item.doi:
        data["DOI"] = item.doi
    if item.landing_url:
        data["URL"] = item.landing_url
    notes = ["Author list shortened to the first five names."] if item.et_al else []
    notes += item.connections
    if notes:
        data["note"] = "\n".join(notes)
    return data


def csl_json(items: list[Citation]) -> str:
    return json.dumps([csl(item) for item in items], ensure_ascii=False, indent=2) + "\n"
