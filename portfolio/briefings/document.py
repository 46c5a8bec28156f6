"""What a briefing page says about the document it briefs: authors, source links, citation and metadata.

``panel`` gathers it for the template; ``highwire_tags`` are the ``citation_*`` meta tags that
Zotero, Mendeley and Google Scholar read; ``scholarly_data`` is the document as schema.org
JSON-LD (a ScholarlyArticle, or a Report), based on the documents of the briefings it builds on.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..content.citekeys import looks_like_organisation
from ..dates import day_label
from ..models import Briefing
from .citations import ARXIV_ABS, ARXIV_PDF, Citation, author_line, bibtex, citation

NOUNS = {"report": "report", "blog": "post", "preprint": "paper", "paper": "paper"}
SCHEMA = "https://schema.org"


@dataclass(frozen=True)
class SourceLink:
    label: str
    url: str


@dataclass(frozen=True)
class Panel:
    citation: Citation
    authors: str
    noun: str  # what the document is: paper, report or post
    read: SourceLink | None  # the document itself: "Read the paper on arXiv 2305.18290"
    sources: list[SourceLink]  # the other ways to it (PDF, DOI, code)
    bibtex: str
    reading_minutes: int
    added: str  # ISO date it first appeared on the site
    added_label: str
    updated: str | None  # ISO date
    updated_label: str | None
    highwire: list[tuple[str, str]]
    json_ld: dict[str, Any]


def source_links(item: Citation) -> list[SourceLink]:
    """Paper (or Report, Post), arXiv, PDF, DOI, Code: whichever the document has, each once."""
    candidates = [
        (NOUNS[item.kind].capitalize(), item.url),
        ("arXiv", item.arxiv_url),
        ("PDF", item.pdf or (ARXIV_PDF + item.arxiv if item.arxiv else None)),
        ("DOI", item.doi_url),
        ("Code", item.code),
    ]
    seen: set[str] = set()
    links = []
    for label, url in candidates:
        if url and url not in seen:
            seen.add(url)
            links.append(SourceLink(label, url))
    return links


def where(url: str, arxiv: str | None) -> str:
    """Where a link leads, as a reader recognises it: 'arXiv 2305.18290', or the site's name."""
    if arxiv and url.startswith(ARXIV_ABS):
        return f"arXiv {arxiv}"
    return re.sub(r"^www[\w-]*\.", "", urlsplit(url).hostname or url)  # www., www-cdn., www2.


def panel(item: Briefing, page_url: str, based_on: list[tuple[Briefing, str]]) -> Panel:
    """Everything the page shows and declares about the document; URLs are absolute."""
    cited = citation(item)
    links = source_links(cited)
    noun = NOUNS[cited.kind]
    read = SourceLink(f"Read the {noun} on {where(links[0].url, cited.arxiv)}", links[0].url) if links else None
    return Panel(
        citation=cited,
        authors=author_line(cited.names, cited.et_al),
        noun=noun,
        read=read,
        sources=links[1:],
        bibtex=bibtex(cited),
        reading_minutes=item.reading_minutes,
        added=item.added,
        added_label=day_label(item.added),
        updated=item.updated,
        updated_label=day_label(item.updated) if item.updated else None,
        highwire=highwire_tags(cited, page_url),
        json_ld=scholarly_data(cited, page_url, [(citation(other), url) for other, url in based_on]),
    )


def publication_date(item: Citation) -> str:
    """Highwire wants YYYY/MM/DD; at month precision, YYYY/MM."""
    date = f"{item.year:04d}/{item.month:02d}"
    return date + (f"/{item.day:02d}" if item.day else "")


def highwire_tags(item: Citation, page_url: str) -> list[tuple[str, str]]:
    """(name, content) of each ``citation_*`` meta tag, in the order Google Scholar documents."""
    tags = [("citation_title", item.title)]
    tags += [("citation_author", name) for name in item.names] or [("citation_author", name) for name in item.organisations]
    tags.append(("citation_publication_date", publication_date(item)))
    if item.kind == "report":
        tags.append(("citation_technical_report_institution", item.organisation))
    if item.arxiv:
        tags.append(("citation_arxiv_id", item.arxiv))
    if item.doi:
        tags.append(("citation_doi", item.doi))
    pdf = item.pdf or (ARXIV_PDF + item.arxiv if item.arxiv else None)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    tags.append(("citation_abstract_html_url", item.landing_url or page_url))
    return tags


def schema_person(name: str, item: Citation) -> dict[str, str]:
    kind = "Organization" if looks_like_organisation(name, item.organisations) else "Person"
    return {"@type": kind, "name": name}


def scholarly_data(item: Citation, page_url: str, based_on: list[tuple[Citation, str]]) -> dict[str, Any]:
    """The document itself as JSON-LD; ``based_on`` pairs each document it builds on with its briefing URL."""
    links = [link.url for link in source_links(item)]
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Report" if item.kind == "report" else "ScholarlyArticle",
        "@id": item.landing_url or page_url,
        "name": item.title,
        "headline": item.title[:110],
        "author": [schema_person(name, item) for name in item.names]
        or [{"@type": "Organization", "name": name} for name in item.organisations],
        "datePublished": f"{item.year:04d}-{item.month:02d}" + (f"-{item.day:02d}" if item.day else ""),
        "publisher": [{"@type": "Organization", "name": name}
                      for name in (["arXiv"] if item.kind == "preprint" else item.organisations)],
        "url": item.landing_url or page_url,
        "sameAs": [url for url in links if url != item.landing_url],
        "subjectOf": {"@type": "Article", "url": page_url},
    }
    if item.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": item.doi}
    elif item.arxiv:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv", "value": item.arxiv}
    if based_on:
        data["isBasedOn"] = [
            {
                "@type": "Report" if other.kind == "report" else "ScholarlyArticle",
                "name": other.title,
                "url": other.landing_url or briefing_url,
                "subjectOf": {"@type": "Article", "url": briefing_url},
            }
            for other, briefing_url in based_on
        ]
    if not data["sameAs"]:
        del data["sameAs"]
    return data
