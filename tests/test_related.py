"""Related briefings: nearest by their words (the highest dot products of their TF-IDF vectors),
never ones already connected, ties to the lower number so every node agrees."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from portfolio.briefings import queries
from portfolio.content import load_content, sync
from portfolio.content.related import SCALE, TERMS_PER_BRIEFING, document_frequency, document_terms, strongest_terms
from portfolio.extensions import db
from portfolio.models import BriefingTerm, Connection
from tests.helpers import make_app

ASL3 = "/briefings/54-activating-ai-safety-level-3-protections"
NUMBERS = range(1, 41)


def with_vectors(app: Flask, vectors: dict[int, dict[str, int]], connections: list[tuple[int, int]] = ()) -> None:
    """Replace the index's word vectors (and connections) with these, for ``queries.related`` to read."""
    db.session.execute(delete(BriefingTerm))
    db.session.execute(delete(Connection))
    rows = [{"briefing_number": n, "term": t, "weight": w} for n, terms in vectors.items() for t, w in terms.items()]
    if rows:
        db.session.execute(insert(BriefingTerm), rows)
    for source, target in connections:
        db.session.execute(insert(Connection).values(source=source, target=target, kind="builds_on", note="Why."))
    db.session.commit()


def nearest(app: Flask, number: int, limit: int = 5) -> list[int]:
    return [briefing.number for briefing in queries.related(number, limit)]


def test_most_similar_first_and_connections_left_out(app):
    with app.app_context():
        with_vectors(app, {1: {"reward": 6, "model": 5, "policy": 2}, 2: {"reward": 6, "model": 5},
                           3: {"reward": 1}, 4: {"sparse": 7, "feature": 3}, 5: {"sparse": 7}})
        assert nearest(app, 1) == [2, 3]
        assert nearest(app, 4) == [5]  # nothing else shares a word with it
        with_vectors(app, {1: {"reward": 6, "model": 5}, 2: {"reward": 6, "model": 5}, 3: {"reward": 1}}, [(2, 1)])
        assert nearest(app, 1) == [3] and nearest(app, 2) == [3]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(NUMBERS), st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 3),
                                                                   min_size=1, max_size=4), min_size=1),
       st.integers(1, 6))
def test_the_nearest_are_the_highest_dot_products_then_the_lower_numbers(app, vectors, limit):
    """Small weights, so that many scores tie, at the cut too."""
    with app.app_context():
        with_vectors(app, vectors)
        for number, mine in vectors.items():
            scores = {other: sum(weight * theirs.get(term, 0) for term, weight in mine.items())
                      for other, theirs in vectors.items() if other != number and theirs.keys() & mine.keys()}
            assert nearest(app, number, limit) == sorted(scores, key=lambda other: (-scores[other], other))[:limit]


def test_vectors_keep_the_strongest_rare_words_at_unit_length():
    texts = {n: f"common words everywhere topic{n % 20} detail{n} detail{n} shared{n % 3} pair{n // 2}" for n in range(1, 301)}
    counts = {n: document_terms({"summary_text": text}) for n, text in texts.items()}
    vectors = strongest_terms(counts, document_frequency(counts))
    for number, vector in vectors.items():
        terms = dict(vector)
        assert len(terms) <= TERMS_PER_BRIEFING
        assert "common" not in terms and "everywhere" not in terms  # in every briefing: says nothing
        assert f"detail{number}" not in terms  # in this briefing alone: links it to nothing
        assert f"topic{number % 20}" in terms
        assert math.isclose(math.sqrt(sum(w * w for w in terms.values())), SCALE, rel_tol=1e-3)


def related_section(client, path: str) -> list[int]:
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    section = page.find("section", class_="related")
    return [int(re.match(r"(\d+)\.", a.get_text()).group(1)) for a in section.find_all("a")]


def test_each_page_ends_with_up_to_five_not_connected(client, content_dir: Path):
    bundle, _ = load_content(content_dir)
    connected = {(c["source"], c["target"]) for c in bundle.tables["connection"]}
    shown = related_section(client, ASL3)
    assert 1 <= len(shown) <= 5 and 54 not in shown
    assert not any((54, n) in connected or (n, 54) in connected for n in shown)


def test_a_briefing_without_connections_still_gets_related_ones(client, content_dir: Path, app):
    (path,) = (content_dir / "briefings").glob("071-*.md")  # nothing connects to #71
    path.write_text(re.sub(r"connections:\n(  .*\n)+", "", path.read_text()))
    sync(content_dir, app.config["DATABASE_URL"])
    with app.test_client() as fresh:
        response = fresh.get("/briefings/71", follow_redirects=True)
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert "No connections recorded yet." in page.find("section", class_="connections").get_text()
        assert len(related_section(fresh, response.request.path)) == 5


@pytest.mark.parametrize("number", [1, 19, 54])
def test_every_build_of_the_same_content_lists_the_same(app, content_dir, tmp_path, number):
    other = tmp_path / "other.sqlite3"
    sync(content_dir, f"sqlite:///{other}")
    with app.app_context():
        first = nearest(app, number)
    second_app = make_app(content_dir, other, sync_first=False)
    with second_app.app_context():
        assert nearest(second_app, number) == first
