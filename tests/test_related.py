"""Related briefings: similar by their words, never ones already connected, computed at sync time."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio.content import load_content, sync
from portfolio.content import related as related_module
from portfolio.content.related import document_terms, forget, related

ASL3 = "/briefings/54-activating-asl-3-protections"


def doc(number: int, text: str) -> dict:
    return {"number": number, "summary_text": text, "concepts": []}


def words(briefings: list[dict]) -> dict:
    """Each briefing's counted words, as the parse step keeps them."""
    return {briefing["number"]: document_terms(briefing) for briefing in briefings}


def test_most_similar_first_and_connections_left_out():
    briefings = [
        doc(1, "reward model preference optimisation policy gradient"),
        doc(2, "reward model preference optimisation"),
        doc(3, "reward model"),
        doc(4, "sparse autoencoder features dictionary"),
        doc(5, "sparse autoencoder features"),
    ]
    found = related(words(briefings), [])
    assert found[1][:2] == [2, 3]
    assert found[4] == [5]  # nothing shares a word with the others
    connected = related(words(briefings), [{"source": 3, "target": 1, "kind": "builds_on"}])
    assert 3 not in connected[1] and 1 not in connected[3]
    assert all(number not in others for number, others in found.items())


def test_ties_are_broken_by_number_so_every_build_agrees():
    briefings = [doc(n, "alpha beta gamma") for n in (9, 3, 7, 1, 5, 2, 8)]
    assert related(words(briefings), [])[9] == [1, 2, 3, 5, 7]
    assert related(words(list(reversed(briefings))), []) == related(words(briefings), [])


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
    expected = related(words(bundle.briefings), bundle.tables["connection"])[54]
    assert shown == expected


def test_a_briefing_without_connections_still_gets_related_ones(client, content_dir: Path, app):
    path = content_dir / "briefings" / "054-activating-asl-3-protections.md"
    text = path.read_text()
    path.write_text(re.sub(r"connections:\n(  - .*\n)+", "", text))
    sync(content_dir, app.config["DATABASE_URL"])
    with app.test_client() as fresh:
        page = BeautifulSoup(fresh.get(ASL3).get_data(as_text=True), "html.parser")
        assert "No connections recorded yet." in page.find("section", class_="connections").get_text()
        assert len(related_section(fresh, ASL3)) == 5


def fresh_related(documents: dict, connections: list) -> dict:
    """``related`` with no earlier answer to build on: every list computed afresh."""
    forget()
    return related(documents, connections)


def test_after_any_sequence_of_edits_the_lists_equal_a_fresh_computation():
    pick = random.Random(7)
    vocabulary = [f"word{n}" for n in range(120)]

    def text() -> Counter:
        return Counter(pick.choices(vocabulary, k=pick.randint(3, 12)))

    documents = {number: text() for number in range(1, 80)}
    connections = [{"source": n, "target": pick.randint(1, n - 1)} for n in range(2, 80, 3)]
    forget()
    for step in range(60):
        change = pick.choice(("edit", "edit", "add", "remove", "connect", "disconnect"))
        if change == "edit":
            documents[pick.choice(list(documents))] = text()
        elif change == "add":
            documents[max(documents) + 1] = text()
        elif change == "remove" and len(documents) > 10:
            gone = pick.choice(list(documents))
            del documents[gone]
            connections = [c for c in connections if gone not in (c["source"], c["target"])]
        elif change == "connect":
            source, target = pick.sample(list(documents), 2)
            connections.append({"source": source, "target": target})
        elif connections:
            connections.pop(pick.randrange(len(connections)))
        answer = related(dict(documents), list(connections))
        built_on = related_module._last
        assert answer == fresh_related(dict(documents), list(connections)), (step, change)
        related_module._last = built_on  # the next step builds on the answers built step by step


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab0-- .\nZé_", max_size=60))
@example("abc- ab-cd abc--de 0abc-1- abc-de-f é-abc a_bcd-0")
def test_words_are_found_as_the_plain_greedy_pattern_finds_them(text):
    """WORD's possessive repeats are only a speed-up: on any text they find the same words."""
    assert related_module.WORD.findall(text) == re.findall(r"[a-z][a-z0-9]{2,}(?:-[a-z0-9]+)*", text)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.integers(1, 40),
        st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3), min_size=1, max_size=4),
        min_size=1,
    ),
    st.integers(1, 6),
)
def test_the_most_similar_are_the_highest_scores_then_the_lower_numbers(weights, limit):
    """most_similar ranks in full only what scores at least the limit-th best: with small weights
    (so that many scores tie, at the cut too) it must pick what ranking every candidate would."""
    vectors = {number: sorted(terms.items()) for number, terms in weights.items()}
    postings = related_module.postings_of(vectors)
    for number, vector in vectors.items():
        scores = {
            other: sum(weight * weights[other].get(term, 0) for term, weight in vector)
            for other in weights if other != number and weights[other].keys() & dict(vector).keys()
        }
        expected = sorted(scores, key=lambda other: (-scores[other], other))[:limit]
        assert related_module.most_similar(number, vector, postings, frozenset(), limit) == expected
