"""The explorer counts and orders in memory (bitsets per index version): it must answer as SQL does.

The reference here is the SQL the explorer used before (and the map and concept index still use):
``conditions`` narrowed by every filter, counted with GROUP BY, ordered with ORDER BY.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, func, select

from portfolio.briefings import queries
from portfolio.briefings.bitsets import set_indexes
from portfolio.briefings.facets import build_facets
from portfolio.briefings.filters import ExplorerQuery
from portfolio.briefings.linked import is_current
from portfolio.briefings.views import explorer_url
from portfolio.config import REPO_ROOT
from portfolio.content import sync
from portfolio.extensions import db
from portfolio.models import Briefing, BriefingTag, Connection
from tests.helpers import make_app, set_front_matter

WORDS = ["scaling", "model", "safety", "reward", "the", "superposition", "polic", "ÀLIGNMENT", "zzqx", "!!"]


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory):
    """One app over the bundled content for the whole module (the property tests only read)."""
    root = tmp_path_factory.mktemp("bits")
    return make_app(REPO_ROOT / "content", root / "index.sqlite3")


@pytest.fixture(scope="module")
def vocabulary(shared_app) -> dict[str, list]:
    with shared_app.app_context():
        return {
            "category": sorted(db.session.scalars(select(Briefing.category).distinct())),
            "organization": sorted(db.session.scalars(select(Briefing.organization).distinct())),
            "year": sorted(db.session.scalars(select(Briefing.year).distinct())),
            "tag": sorted(db.session.scalars(select(BriefingTag.tag).distinct())),
            "around": sorted(db.session.scalars(select(Connection.source).distinct()))[:8] + [1],
        }


def sql_answers(state: ExplorerQuery, page_size: int) -> dict:
    """Total, the page's numbers and every facet count, in SQL (the reference)."""
    expression = queries.fts_expression(state.q) if state.q else ""
    matches = queries.SearchMatches(expression) if expression else None
    found = queries.conditions(state, matches)
    if state.q and not expression:
        found["q"] = and_(False)
    where = queries.where_all_but

    def count(*condition) -> int:
        return db.session.scalar(select(func.count()).select_from(Briefing).where(*condition)) or 0

    counts = {}
    for name, column in (("category", Briefing.category), ("organization", Briefing.organization),
                         ("year", Briefing.year)):
        counts[name] = dict(db.session.execute(select(column, func.count()).where(where(found, name))
                                               .group_by(column)).all())
    counts["tag"] = dict(db.session.execute(
        select(BriefingTag.tag, func.count()).where(BriefingTag.briefing_number.in_(
            select(Briefing.number).where(where(found, "tag")))).group_by(BriefingTag.tag)).all())
    counts["key"] = {True: count(where(found, "key"), Briefing.key.is_(True))}
    counts["current"] = {True: count(where(found, "current"), is_current())}
    total = count(where(found))
    page = min(state.page, max(1, -(-total // page_size)))
    query = select(Briefing.number)
    sort = state.effective_sort
    if sort == "relevance" and matches is not None:
        rank = func.bm25(queries.literal_column(queries.FTS_TABLE), 10.0, 4.0, 2.0, 1.0)
        ranked = (select(queries.literal_column("rowid").label("number"), rank.label("rank"))
                  .select_from(queries.text(queries.FTS_TABLE)).where(matches.match()).subquery())
        query = query.join(ranked, ranked.c.number == Briefing.number).where(where(found, "q"))
        query = query.order_by(ranked.c.rank, Briefing.number.desc())
    else:
        query = query.where(where(found)).order_by(*{
            "oldest": (Briefing.date_key, Briefing.number), "number": (Briefing.number,),
        }.get(sort, (Briefing.date_key.desc(), Briefing.number.desc())))
    numbers = list(db.session.scalars(query.limit(page_size).offset((page - 1) * page_size))) if total else []
    return {"total": total, "page": page, "numbers": numbers, "counts": facet_lists(state, counts)}


def facet_lists(state: ExplorerQuery, counts: dict) -> dict:
    """What the facets column shows for these counts: each facet's values, counts, choices and links."""
    shown = {facet.name: facet.values for facet in build_facets(state, counts, explorer_url)}
    return shown | {"key": counts["key"], "current": counts["current"]}


def bits_answers(state: ExplorerQuery, page_size: int) -> dict:
    results = queries.run(state, page_size, explorer_url)
    shown = {facet.name: facet.values for facet in results.facets}
    shown |= {"key": {True: results.key_count}, "current": {True: results.current_count}}
    return {"total": results.total, "page": results.page, "numbers": [b.number for b, _ in results.items],
            "counts": shown}


@st.composite
def states(draw, vocabulary: dict[str, list]) -> ExplorerQuery:
    def some(name: str) -> tuple:
        return tuple(draw(st.lists(st.sampled_from(vocabulary[name]), max_size=2, unique=True)))

    return ExplorerQuery(
        category=some("category"), organization=some("organization"), tag=some("tag"), year=some("year"),
        key=draw(st.booleans()), current=draw(st.booleans()),
        around=draw(st.sampled_from([0, 0, 0, *vocabulary["around"]])),
        q=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
        sort=draw(st.sampled_from(["", "newest", "oldest", "number", "relevance"])),
        page=draw(st.integers(1, 4)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), page_size=st.sampled_from([1, 3, 12]))
def test_counts_and_pages_are_those_sql_gives(shared_app, vocabulary, data, page_size):
    state = data.draw(states(vocabulary))
    with shared_app.test_request_context("/briefings/"):
        assert bits_answers(state, page_size) == sql_answers(state, page_size)


def test_the_unfiltered_view_counts_every_briefing(shared_app):
    state = ExplorerQuery()
    with shared_app.test_request_context("/briefings/"):
        answers = bits_answers(state, 12)
        assert answers == sql_answers(state, 12)
        assert answers["total"] == sum(item["count"] for item in answers["counts"]["category"]) > 50


def test_feed_and_export_lists_follow_the_view(shared_app):
    state = ExplorerQuery(q="scaling", sort="oldest")
    with shared_app.test_request_context("/briefings/"):
        everything = sql_answers(state, 1000)["numbers"]
        assert len(everything) > 3
        assert [b.number for b in queries.all_matching(state, 1000)] == everything
        newest = sql_answers(ExplorerQuery(q="scaling", sort="newest"), 3)["numbers"]
        assert queries.newest_numbers(state, 3) == newest


def test_the_counts_follow_a_new_index(content_dir: Path, tmp_path: Path):
    app = make_app(content_dir, tmp_path / "index.sqlite3")
    with app.test_client() as client:
        before = client.get("/briefings/?category=Safety").get_data(as_text=True)
        with app.app_context():
            safety = db.session.scalar(select(func.count()).select_from(Briefing).where(Briefing.category == "Safety"))
            number = db.session.scalar(select(Briefing.number).where(Briefing.category != "Safety").limit(1))
        assert f"{safety} briefings" in before
        set_front_matter(content_dir, number, category="Safety")
        sync(content_dir, app.config["DATABASE_URL"])
        after = client.get("/briefings/?category=Safety").get_data(as_text=True)
        assert f"{safety + 1} briefings" in after


@given(text=st.text(alphabet="01", max_size=2000), start=st.integers(0, 1200), count=st.none() | st.integers(0, 40))
def test_set_indexes_skips_and_takes_like_a_list(text, start, count):
    ones = [index for index, char in enumerate(text) if char == "1"]
    assert set_indexes(text, start, count) == (ones[start:] if count is None else ones[start:start + count])


@given(text=st.text(max_size=30), values=st.lists(st.text(min_size=1, max_size=12), max_size=3), page=st.integers(1, 9))
def test_state_urls_are_what_urlencode_writes(text, values, page):
    state = ExplorerQuery(q=text, category=tuple(values), organization=tuple(reversed(values)), year=(2024,),
                          key=True, page=page)
    assert state.query_string() == urlencode(state.params())
    assert state.as_from() == urlencode({"from": urlencode(state.params())})
