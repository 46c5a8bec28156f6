"""Related briefings: for each briefing, the five most similar by their words, computed at sync time.

TF-IDF over each briefing's summary and Key Concepts, cosine similarity, top five, leaving out the
briefing itself and the ones it is already connected with (either direction). Pure Python and
deterministic (ties go to the lower number), so every node builds the same lists.

It is recomputed over the whole set on each sync (a new briefing can be the nearest neighbour of
any other). To stay fast at 10,000 briefings each briefing is reduced to its strongest terms
before the comparison (a sparse top-k): scores come from an inverted index over those terms, so
a briefing is only ever compared with briefings that share one of them. Words in more than a
tenth of the briefings (at least 25, at most 60) carry little meaning and are left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TOP_RELATED = 5
SCALE = 1_000_000
TERMS_PER_BRIEFING = 16
MAX_DOCUMENT_SHARE = 0.1
MIN_DOCUMENT_CEILING = 25  # a small corpus keeps its common words: they are all it has
MAX_DOCUMENT_CEILING = 60  # past this many briefings a shared word says little about two of them
# A word: three characters or more, hyphenated parts joined. Possessive repeats ("+" after
# a repeat) match exactly what plain greedy ones would, since nothing after them can fail,
# but skip the engine's backtracking bookkeeping: a fifth off counting a briefing's words.
WORD = re.compile(r"[a-z][a-z0-9]{2,}+(?:-[a-z0-9]++)*+")
STOP_WORDS = frozenset(
    "about after also and are been before being between both but can could does each for from had has have how "
    "into its itself may more most much not one only other our out over such than that the their them then there "
    "these they this those through under use used uses using was way were what when where which while who why "
    "will with within without would you your".split()
)


# A briefing's words and how often each occurs. A plain dict, not a Counter: it is pickled with
# every parse, and a Counter pickles and unpickles through Python (about 20 us more a briefing).
WordCounts = dict[str, int]


def terms(text: str) -> WordCounts:
    counts = dict(Counter(WORD.findall(text.lower())))
    for word in STOP_WORDS & counts.keys():  # from the plain dict: Counter's __delitem__ is Python
        del counts[word]
    return counts


def document_text(briefing: dict[str, Any]) -> str:
    """What similarity reads: the summary and every Key Concept (heading and text)."""
    concepts = " ".join(f"{c['heading']} {c['text']}" for c in briefing.get("concepts", []))
    return f"{briefing.get('summary_text', '')} {concepts}"


def document_terms(briefing: dict[str, Any]) -> WordCounts:
    """A briefing's words, counted once when its file is parsed (and remembered with the parse)."""
    return terms(document_text(briefing))


@dataclass(frozen=True)
class Similarity:
    """One complete answer of ``related``, with what it was computed from."""

    documents: dict[int, WordCounts]
    frequency: Counter[str]
    vectors: dict[int, list[tuple[str, int]]]
    excluded: dict[int, frozenset[int]]
    limit: int
    found: dict[int, list[int]]


# The last answer in this process. An edit changes a few vectors; only briefings that share a
# term with a changed vector (old or new) can get another list, so the rest are kept. The
# answer is the same as computing every list afresh (tested), whichever answer came before.
_last: Similarity | None = None


def forget() -> None:
    """Drop the last answer, so the next ``related`` computes every list afresh (as a cold sync does)."""
    global _last
    _last = None


def document_frequency(documents: dict[int, WordCounts], previous: Similarity | None) -> Counter[str]:
    """In how many documents each term occurs: from the last answer's counts, corrected for the
    documents whose counted words are other objects now (a file parsed again), when there is one."""
    if previous is None:
        frequency: Counter[str] = Counter()
        for counts in documents.values():
            frequency.update(counts.keys())
        return frequency
    frequency = previous.frequency.copy()
    for number, counts in previous.documents.items():
        if documents.get(number) is not counts:
            frequency.subtract(counts.keys())
    for number, counts in documents.items():
        if previous.documents.get(number) is not counts:
            frequency.update(counts.keys())
    return frequency


def strongest_terms(
    documents: dict[int, WordCounts], frequency: Counter[str]
) -> dict[int, list[tuple[str, int]]]:
    """Each document's TERMS_PER_BRIEFING heaviest terms, weights of a unit-length TF-IDF vector.

    Weights are whole numbers (millionths), so sums are exact and every machine ranks alike.
    """
    count = len(documents)
    ceiling = min(MAX_DOCUMENT_CEILING, max(MIN_DOCUMENT_CEILING, int(count * MAX_DOCUMENT_SHARE)))
    # The useful terms' inverse document frequencies, each computed once. Most of a briefing's
    # words are too common or its own alone: one set intersection (in C) with these leaves the
    # few that count, instead of a test per word in Python (the step's largest cost).
    rarity = {term: math.log(count / with_it) for term, with_it in frequency.items() if 1 < with_it <= ceiling}
    vectors = {}
    for number, counts in documents.items():
        weights = {term: (1 + math.log(counts[term])) * rarity[term] for term in counts.keys() & rarity.keys()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        top = sorted((-weight, term) for term, weight in weights.items())[:TERMS_PER_BRIEFING]
        vectors[number] = [(term, round(SCALE * -negative / norm)) for negative, term in top]
    return vectors


def related(
    documents: dict[int, WordCounts], connections: Iterable[dict[str, Any]], limit: int = TOP_RELATED
) -> dict[int, list[int]]:
    """For each briefing number (with its counted words), up to ``limit`` others, most similar first."""
    global _last
    pairs: dict[int, set[int]] = defaultdict(set)
    for connection in connections:
        pairs[connection["source"]].add(connection["target"])
        pairs[connection["target"]].add(connection["source"])
    excluded = {number: frozenset(others) for number, others in pairs.items()}
    previous = _last if _last is not None and _last.limit == limit else None
    frequency = document_frequency(documents, previous)
    vectors = strongest_terms(documents, frequency)
    postings = postings_of(vectors)
    found = {} if previous is None else {n: others for n, others in previous.found.items() if n in vectors}
    for number in vectors if previous is None else to_recompute(previous, vectors, excluded, postings):
        found[number] = most_similar(number, vectors[number], postings, excluded.get(number, frozenset()), limit)
    _last = Similarity(dict(documents), frequency, vectors, excluded, limit, found)
    return found


# For each term, the briefings whose vectors hold it and their weights for it, as two lists in
# the same order: most_similar multiplies a list by one weight in C (``map``) rather than pair by pair.
Postings = dict[str, tuple[list[int], list[int]]]


def postings_of(vectors: dict[int, list[tuple[str, int]]]) -> Postings:
    postings: Postings = {}
    for number, vector in vectors.items():
        for term, weight in vector:
            numbers, weights = postings.setdefault(term, ([], []))
            numbers.append(number)
            weights.append(weight)
    return postings


def to_recompute(
    previous: Similarity, vectors: dict[int, list[tuple[str, int]]], excluded: dict[int, frozenset[int]],
    postings: Postings,
) -> set[int]:
    """The briefings whose list may differ from ``previous``: their own vector or exclusions changed,
    or they share a term with a vector that changed (a score with it may have changed)."""
    changed = {n for n in vectors.keys() | previous.vectors.keys() if vectors.get(n) != previous.vectors.get(n)}
    touched = {term for n in changed for term, _ in vectors.get(n, []) + previous.vectors.get(n, [])}
    again = {n for n in changed if n in vectors}
    again |= {n for n in excluded.keys() | previous.excluded.keys() if excluded.get(n) != previous.excluded.get(n)}
    again |= {n for term in touched for n in postings.get(term, ((), ()))[0]}
    return again & vectors.keys()


def most_similar(
    number: int, vector: list[tuple[str, int]], postings: Postings, excluded: frozenset[int], limit: int
) -> list[int]:
    """The ``limit`` highest scores, then the lower number. Only candidates scoring at least the
    ``limit``-th highest score (found by sorting the bare scores, in C) are ranked in full."""
    scores: dict[int, int] = {}
    score_of = scores.get
    for term, weight in vector:
        numbers, weights = postings[term]
        for other, product in zip(numbers, map(weight.__mul__, weights)):
            scores[other] = score_of(other, 0) + product
    scores.pop(number, None)
    for other in excluded:
        scores.pop(other, None)
    floor = sorted(scores.values())[-limit] if len(scores) > limit else -math.inf
    ranked = sorted((-score, other) for other, score in scores.items() if score >= floor)
    return [other for _, other in ranked[:limit]]


def related_rows(documents: dict[int, WordCounts], connections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the ``related_briefing`` table: (briefing, position, related briefing)."""
    return [
        {"briefing_number": number, "position": position, "related_number": other}
        for number, others in sorted(related(documents, connections).items())
        for position, other in enumerate(others, start=1)
    ]
