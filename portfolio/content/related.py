"""Related briefings: each briefing's words as a TF-IDF vector, computed at sync time.

The vector is made of the briefing's summary and Key Concepts, reduced to its strongest terms
(a sparse top-k) and scaled to unit length; the index keeps it (table ``briefing_term``). The
related briefings of one are those with the largest dot products with its vector (cosine
similarity), found by one query when its page is asked for (``queries.related``): ties go to
the lower number, and the briefing itself and those it is connected with are left out.
Weights are whole numbers, so every node ranks alike. Words in more than a tenth of the
briefings (at least 25, at most 60) carry little meaning and are left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

SCALE = 1_000_000
TERMS_PER_BRIEFING = 16
MAX_DOCUMENT_SHARE = 0.1
MIN_DOCUMENT_CEILING = 25  # a small corpus keeps its common words: they are all it has
MAX_DOCUMENT_CEILING = 60  # past this many briefings a shared word says little about two of them
# A word: three characters or more, hyphenated parts joined.
WORD = re.compile(r"[a-z][a-z0-9]{2,}(?:-[a-z0-9]+)*")
STOP_WORDS = frozenset(
    "about after also and are been before being between both but can could does each for from had has have how "
    "into its itself may more most much not one only other our out over such than that the their them then there "
    "these they this those through under use used uses using was way were what when where which while who why "
    "will with within without would you your".split()
)

WordCounts = dict[str, int]  # a briefing's words and how often each occurs


def terms(text: str) -> WordCounts:
    return dict(Counter(word for word in WORD.findall(text.lower()) if word not in STOP_WORDS))


def document_text(briefing: dict[str, Any]) -> str:
    """What similarity reads: the summary and every Key Concept (heading and text)."""
    concepts = " ".join(f"{c['heading']} {c['text']}" for c in briefing.get("concepts", []))
    return f"{briefing.get('summary_text', '')} {concepts}"


def document_terms(briefing: dict[str, Any]) -> WordCounts:
    """A briefing's words, counted once when its file is parsed."""
    return terms(document_text(briefing))


def document_frequency(documents: dict[int, WordCounts]) -> Counter[str]:
    """In how many documents each term occurs."""
    frequency: Counter[str] = Counter()
    for counts in documents.values():
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
    # The useful terms' inverse document frequencies: a word in one briefing alone, or in too many, says nothing.
    rarity = {term: math.log(count / with_it) for term, with_it in frequency.items() if 1 < with_it <= ceiling}
    vectors = {}
    for number, counts in documents.items():
        weights = {term: (1 + math.log(counts[term])) * rarity[term] for term in counts.keys() & rarity.keys()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        top = sorted((-weight, term) for term, weight in weights.items())[:TERMS_PER_BRIEFING]
        vectors[number] = [(term, round(SCALE * -negative / norm)) for negative, term in top]
    return vectors


def term_rows(documents: dict[int, WordCounts]) -> list[dict[str, Any]]:
    """Rows of the ``briefing_term`` table: each briefing's vector, term by term."""
    vectors = strongest_terms(documents, document_frequency(documents))
    return [
        {"briefing_number": number, "term": term, "weight": weight}
        for number, vector in vectors.items() for term, weight in vector
    ]
