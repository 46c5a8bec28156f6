"""``/llms.txt``: the site and every briefing as Markdown, as the llms.txt convention describes.

The convention (llmstxt.org): an H1 with the site's name, a blockquote summary, then H2 sections
of Markdown links, each ``- [title](URL): one line``. URLs are absolute, like the sitemap's.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, url_for
from sqlalchemy import select

from .content import state
from .extensions import db
from .models import Briefing, Page, Project, ReadingPath
from .publishing import FEED_TITLE
from .urls import absolute_url, briefing_path

bp = Blueprint("llms", __name__)

_MARKDOWN_LINK_TEXT = re.compile(r"([\\\[\]])")


def one_line(text: str) -> str:
    return " ".join(text.split())


def link(title: str, path: str, note: str = "") -> str:
    """One list item: ``- [title](https://...): note``, with the title's brackets escaped."""
    text = _MARKDOWN_LINK_TEXT.sub(r"\\\1", one_line(title))
    item = f"- [{text}]({absolute_url(path)})"
    return f"{item}: {one_line(note)}" if note.strip() else item


def llms_text() -> str:
    site = state().site
    name = site.title if site else FEED_TITLE
    summary = site.description if site else ""
    briefings = db.session.execute(
        select(Briefing.number, Briefing.slug, Briefing.title, Briefing.subtitle).order_by(Briefing.number)
    ).all()
    lines = [f"# {one_line(name)}", ""]
    if summary:
        lines += [f"> {one_line(summary)}", ""]
    lines += [
        f"{FEED_TITLE}: {len(briefings)} numbered briefings on frontier-AI papers and policy documents, "
        "each with a summary, key concepts, its connections to other briefings and a citation of the "
        "document it covers.",
        "",
        "## Frontier AI Paper Briefings",
        "",
    ]
    lines += [
        link(f"{number}. {title}", briefing_path(number, slug), subtitle)
        for number, slug, title, subtitle in briefings
    ]
    paths = db.session.execute(
        select(ReadingPath.slug, ReadingPath.title, ReadingPath.summary).order_by(ReadingPath.title)).all()
    if paths:
        lines += ["", "## Reading paths", ""]
        lines += [link(title, url_for("paths.reading_path", slug=slug), summary_text) for slug, title, summary_text in paths]
    lines += ["", "## Pages", ""]
    about = db.session.get(Page, "about")
    if about is not None:
        lines.append(link(about.title, url_for("site.about"), about.description))
    lines.append(link(FEED_TITLE, url_for("briefings.explorer"), "Filter and search the briefings"))
    lines.append(link("Reading paths", url_for("paths.index"), "Routes through the briefings, each step with why it comes next"))
    lines.append(link("The path between two briefings", url_for("paths.between"),
                      "The shortest chains of connections from one briefing to another, e.g. ?from=1&to=54"))
    for title, slug, summary_text in db.session.execute(
        select(Project.title, Project.slug, Project.summary).order_by(Project.position)
    ):
        lines.append(link(title, url_for("site.project", slug=slug), summary_text))
    lines += [
        "",
        "## Optional",
        "",
        link("All briefings as BibTeX", url_for("briefings.export_bib"), "One entry per briefing's document"),
        link("All briefings as CSL-JSON", url_for("briefings.export_json"), "The same records for citeproc and Zotero"),
        link("Atom feed of the newest briefings", url_for("publishing.briefings_feed")),
    ]
    legal = db.session.scalars(select(Page).where(Page.path.startswith("legal/")).order_by(Page.path))
    lines += [link(page.title, f"/{page.path}", page.description) for page in legal]
    return "\n".join(lines) + "\n"


@bp.get("/llms.txt")
def llms() -> Response:
    return current_app.response_class(llms_text(), mimetype="text/plain")
