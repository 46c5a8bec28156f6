"""Citations as files: one briefing's ``.bib``, ``.ris`` and ``.json``, and exports of explorer views.

An export reads the explorer's own query string through the same parser (a bad value is the
same 400) and holds the briefings the explorer lists for it, over all its pages, up to
EXPORT_LIMIT: at 10,000 briefings an unbounded export took about a second and 3-5 MB per
request, and each search word makes a new one (a cheap request for a costly answer).
"""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from ..content.schema import CONNECTION_KINDS
from ..extensions import db
from ..models import Briefing
from . import queries
from .citations import bibtex, citation, csl_json, ris
from .filters import ExplorerQuery
from .views import bp

BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"
CSL_JSON = "application/vnd.citationstyles.csl+json"
EXPORT_LIMIT = 200


def download(body: str, mimetype: str, filename: str) -> Response:
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def one(number: int) -> Briefing:
    return db.get_or_404(Briefing, number)


@bp.get("/<int(max=999999):number>.bib")
def briefing_bib(number: int) -> Response:
    item = one(number)
    return download(bibtex(citation(item)), BIBTEX, f"{item.cite_key}.bib")


@bp.get("/<int(max=999999):number>.ris")
def briefing_ris(number: int) -> Response:
    item = one(number)
    return download(ris(citation(item)), RIS, f"{item.cite_key}.ris")


@bp.get("/<int(max=999999):number>.json")
def briefing_json(number: int) -> Response:
    item = one(number)
    return download(csl_json([citation(item, connection_notes([number])[number])]), CSL_JSON, f"{item.cite_key}.json")


def exported() -> list[Briefing]:
    return queries.all_matching(ExplorerQuery.parse_or_400(request.args), EXPORT_LIMIT)


@bp.get("/export.bib")
def export_bib() -> Response:
    """An explorer view's briefings (up to EXPORT_LIMIT) as one BibTeX file, in the explorer's order."""
    body = "\n".join(bibtex(citation(item)) for item in exported())
    return download(body, BIBTEX, "briefings.bib")


@bp.get("/export.json")
def export_json() -> Response:
    """An explorer view's briefings (up to EXPORT_LIMIT) as a CSL-JSON array, in the explorer's order."""
    items = exported()
    notes = connection_notes([item.number for item in items])
    return download(csl_json([citation(item, notes[item.number]) for item in items]), CSL_JSON, "briefings.json")


def connection_notes(numbers: list[int]) -> dict[int, tuple[str, ...]]:
    """Each briefing's written connections as sentences for a CSL-JSON ``note``: 'Builds on #51
    Constitutional Classifiers: <why it matters>'."""
    found: dict[int, tuple[str, ...]] = {number: () for number in numbers}
    for source, kind, target, title, note in queries.written_connections(numbers):
        found[source] += (f"{CONNECTION_KINDS[kind][0]} #{target} {title}: {note}",)
    return found


@bp.app_template_global()
def export_limit() -> int:
    return EXPORT_LIMIT


@bp.app_template_global()
def export_links(state: ExplorerQuery) -> list[tuple[str, str]]:
    """(label, URL) of each export of the view ``state`` shows, without its page number."""
    whole = state.with_page(1)
    return [
        ("BibTeX", whole.url(url_for("briefings.export_bib"))),
        ("CSL-JSON", whole.url(url_for("briefings.export_json"))),
    ]


@bp.app_template_global()
def download_links(item: Briefing) -> list[tuple[str, str]]:
    """(label, URL) of one briefing's citation files."""
    return [
        ("BibTeX", url_for("briefings.briefing_bib", number=item.number)),
        ("RIS", url_for("briefings.briefing_ris", number=item.number)),
        ("CSL-JSON", url_for("briefings.briefing_json", number=item.number)),
    ]
