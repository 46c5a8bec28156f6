"""The site's own pages: home, about, projects, legal pages and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import func, select

from .content import state
from .extensions import db
from .models import Briefing, Page, Project, ProjectTag
from .queryargs import single
from .rendering import render_page

bp = Blueprint("site", __name__)

LATEST_BRIEFINGS = 6


@bp.get("/")
def home() -> str:
    """Who the author is, her projects and the briefings most recently added."""
    about = db.session.get(Page, "about")
    projects = db.session.scalars(select(Project).order_by(Project.position)).all()
    latest = db.session.scalars(
        select(Briefing).order_by(Briefing.added.desc(), Briefing.number.desc()).limit(LATEST_BRIEFINGS)
    ).all()
    return render_template("site/home.html", about=about, projects=projects, latest=latest)


@bp.get("/about")
def about() -> str:
    page = db.first_or_404(select(Page).where(Page.path == "about"))
    return render_template("site/page.html", page=page)


@bp.get("/projects/")
def projects() -> Response:
    """Project cards, filtered by one tag; htmx swaps just the results block."""
    tag = single("tag", 60)
    query = select(Project).order_by(Project.position)
    if tag:
        query = query.join(ProjectTag).where(ProjectTag.tag == tag)
    results = db.session.scalars(query).all()
    tag_counts = db.session.execute(
        select(ProjectTag.tag, func.count()).group_by(ProjectTag.tag).order_by(ProjectTag.tag)
    ).all()
    facets = [
        {"value": value, "count": count, "selected": value == tag} for value, count in tag_counts
    ]
    return render_page(
        "site/projects.html",
        blocks={"project-results": "results"},
        projects=results,
        tag=tag,
        facets=facets,
    )


@bp.get("/projects/<slug>")
def project(slug: str) -> str:
    item = db.first_or_404(select(Project).where(Project.slug == slug))
    others = db.session.scalars(select(Project).where(Project.slug != slug).order_by(Project.position)).all()
    return render_template("site/project.html", project=item, others=others)


@bp.get("/legal/<slug>")
def legal(slug: str) -> str:
    page = db.first_or_404(select(Page).where(Page.path == f"legal/{slug}"))
    return render_template("site/page.html", page=page)


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the index opens and is sound (with a warning if the last publish was refused), else 503.

    It names no URL, so it answers any Host (a load balancer asks by address): see OPERATIONAL_PATHS."""
    status, body = state().health()
    response = jsonify(body)
    response.status_code = status
    response.cache_control.no_store = True  # a cache must never answer for a node's health
    return response
