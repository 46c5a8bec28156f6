"""Being found: /sitemap.xml, /robots.txt, the Atom feed of briefings, and the pages' metadata.

The XML documents are Jinja templates (Flask autoescapes ``.xml``). Absolute URLs start from
``SITE_URL`` when it is set (recommended in production, so every node and cache agrees), else
from the request's own scheme and host. The JSON-LD helpers return plain data for templates
to print with ``tojson`` inside ``<script type="application/ld+json">``, a data block that the
Content-Security-Policy does not execute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for
from sqlalchemy import select

from .briefings import facets, queries
from .briefings.filters import ExplorerQuery
from .briefings.views import explorer_state
from .content import state
from .dates import atom_day, day_label
from .extensions import db
from .models import Briefing, Page, Project, ReadingPath
from .urls import absolute_url, briefing_path

bp = Blueprint("publishing", __name__)

FEED_ENTRIES = 50
SUBSCRIBE_PREVIEW = 5  # the newest entries the subscribe page lists
FEED_TITLE = "Frontier AI Paper Briefings"
SCHEMA = "https://schema.org"


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    lastmod: str


def newest(dates: list[str], default: str = "") -> str:
    """The latest of W3C dates of mixed precision (a month sorts before its days)."""
    return max(dates, key=lambda value: value if len(value) > 7 else value + "-00", default=default)


def sitemap_entries() -> list[SitemapEntry]:
    rows = db.session.execute(
        select(Briefing.number, Briefing.slug, Briefing.added, Briefing.updated).order_by(Briefing.number)
    ).all()
    briefings = [
        SitemapEntry(briefing_path(number, slug), updated or added) for number, slug, added, updated in rows
    ]
    pages = db.session.scalars(select(Page).order_by(Page.path)).all()
    latest_briefing = newest([entry.lastmod for entry in briefings])
    # Pages without a date of their own take the newest date anywhere in the content.
    latest = newest([latest_briefing, *(page.updated for page in pages if page.updated)])
    entries = [SitemapEntry(url_for("site.home"), latest)]
    entries += [SitemapEntry(f"/{page.path}", page.updated or latest) for page in pages]
    entries.append(SitemapEntry(url_for("site.projects"), latest))
    entries += [
        SitemapEntry(url_for("site.project", slug=slug), latest)
        for slug in db.session.scalars(select(Project.slug).order_by(Project.position))
    ]
    entries.append(SitemapEntry(url_for("briefings.explorer"), latest_briefing or latest))
    entries.append(SitemapEntry(url_for("paths.index"), latest))
    entries += [
        SitemapEntry(url_for("paths.reading_path", slug=slug), latest)
        for slug in db.session.scalars(select(ReadingPath.slug).order_by(ReadingPath.slug))
    ]
    return entries + briefings


def xml_response(body: str, mimetype: str) -> Response:
    return current_app.response_class(body, mimetype=mimetype)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page and briefing, each with the date it was last changed as far as the content says."""
    return xml_response(render_template("publishing/sitemap.xml", entries=sitemap_entries()), "application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl everything but the endless filter combinations; the sitemap lists every page."""
    lines = [
        "User-agent: *",
        "Disallow: /*?",
        "Disallow: /healthz",
        "Allow: /",
        "",
        f"Sitemap: {absolute_url(url_for('publishing.sitemap'))}",
        "",
    ]
    return current_app.response_class("\n".join(lines), mimetype="text/plain")


@bp.app_template_global()
def feed_url(state_: ExplorerQuery | None = None) -> str:
    """The Atom feed of an explorer view (of every briefing without one)."""
    return (state_ or ExplorerQuery()).filters_only().url(url_for("publishing.briefings_feed"))


@bp.get("/briefings/feed.xml")
def briefings_feed() -> Response:
    """The briefings of an explorer view most recently added to the site, as an Atom feed with each
    one's whole summary: an entry is dated by when it was added (and revised), not by its document.

    It reads the explorer's filters with the explorer's parser (bad values are the same 400).
    """
    view = explorer_state().filters_only()
    entries = []
    for item in queries.recently_added(view, FEED_ENTRIES):
        url = absolute_url(briefing_path(item.number, item.slug))
        entries.append({
            "id": url,
            "title": f"{item.number}. {item.title}",
            "url": url,
            "published": atom_day(item.added),
            "updated": atom_day(item.updated or item.added),
            "category": item.category,
            "summary": item.subtitle,
            "content": item.text.summary_html,
        })
    labels = [chip["label"] for chip in facets.active_filters(view, lambda _state: "")]
    return feed_response(
        FEED_TITLE + (f" ({'; '.join(labels)})" if labels else ""),
        "Numbered briefings on frontier-AI papers and policy documents, the most recently added first.",
        entries, absolute_url(feed_url(view)), absolute_url(view.url(url_for("briefings.explorer"))),
    )


@bp.app_template_global()
def subscribe_url(state_: ExplorerQuery) -> str:
    """The page that explains how to follow an explorer view, with its feed's address to copy."""
    return state_.filters_only().url(url_for("publishing.subscribe"))


@bp.get("/briefings/subscribe")
def subscribe() -> str:
    """A page a person can read (the feed itself is for feed readers): what the feed of this view
    holds, its address to copy, and its newest entries."""
    view = explorer_state().filters_only()
    labels = [chip["label"] for chip in facets.active_filters(view, lambda _state: "")]
    return render_template(
        "publishing/subscribe.html", view=view, labels=labels, feed=absolute_url(feed_url(view)),
        explorer_url=view.url(url_for("briefings.explorer")),
        newest=[(item, briefing_path(item.number, item.slug), day_label(item.added))
                for item in queries.recently_added(view, SUBSCRIBE_PREVIEW, with_text=False)],
    )


def feed_response(title: str, subtitle: str, entries: list[dict[str, Any]], self_url: str, page_url: str) -> Response:
    """An Atom feed: ``entries`` give id, title, url, published, updated, category, summary and
    content (HTML, or None), newest first; the feed is as new as its newest entry."""
    updated = max((entry["updated"] for entry in entries), default=atom_day("2000-01-01"))
    body = render_template(
        "publishing/feed.xml",
        title=title,
        subtitle=subtitle,
        entries=entries,
        updated=updated,
        feed_url=self_url,
        page_url=page_url,
        home_url=absolute_url(url_for("site.home")),
        base_url=absolute_url("/"),
    )
    return xml_response(body, "application/atom+xml")


@bp.app_template_global()
def person_data() -> dict[str, Any]:
    """schema.org Person for the site's owner (the About page)."""
    site = state().site
    about = db.session.get(Page, "about")
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Person",
        "name": site.owner if site else "",
        "url": absolute_url(url_for("site.home")),
        "mainEntityOfPage": absolute_url(url_for("site.about")),
    }
    if about and about.description:
        data["description"] = about.description
    return data


@bp.app_template_global()
def website_data() -> dict[str, Any]:
    site = state().site
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": site.title if site else "",
        "description": site.description if site else "",
        "url": absolute_url(url_for("site.home")),
        "author": {"@type": "Person", "name": site.owner if site else ""},
    }


@bp.app_template_global()
def article_data(briefing: Briefing) -> dict[str, Any]:
    """schema.org Article for a briefing: a write-up about a paper, by the site's owner."""
    site = state().site
    url = absolute_url(briefing_path(briefing.number, briefing.slug))
    owner = {"@type": "Person", "name": site.owner if site else "", "url": absolute_url(url_for("site.home"))}
    return {
        "@context": SCHEMA,
        "@type": "Article",
        "headline": f"{briefing.number}. {briefing.title}"[:110],
        "alternativeHeadline": briefing.subtitle,
        "description": briefing.subtitle,
        "datePublished": briefing.w3c_date,
        "articleSection": briefing.category,
        "keywords": [briefing.category, *briefing.organizations, *briefing.tags],
        "about": {"@type": "ScholarlyArticle", "name": briefing.title, "publisher": briefing.organizations},
        "author": owner,
        "publisher": owner,
        "url": url,
        "mainEntityOfPage": url,
        "isPartOf": {"@type": "CreativeWorkSeries", "name": FEED_TITLE,
                     "url": absolute_url(url_for("briefings.explorer"))},
    }


@bp.app_template_global()
def breadcrumb_data(*trail: tuple[str, str]) -> dict[str, Any]:
    """schema.org BreadcrumbList from (name, path) pairs, the home page first."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(path)}
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }
