"""Citation keys: ``vaswani2017attention``, unique across the briefings.

A key is the first author's family name, the year and the first significant word of the title,
folded to lower-case ASCII letters and digits. When two briefings would share a key, the one
with the lower number keeps it and the others get ``b``, ``c``, ... so adding a briefing never
changes an existing briefing's key. The base key depends on one file alone, so it is computed
when the file is parsed (and remembered with the parse); only the suffixes need the whole set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .schema import OTHERS

STOPWORDS = frozenset(
    "a an and are as at by do does for from how in is it its of on or the to towards toward via we what "
    "when where which who why with your you".split()
)
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_TITLE_WORDS = re.compile(r"[\s/]+")


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Ünal-Šimić' → 'unalsimic'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", ascii_text.lower())


def family_name(author: str) -> str:
    """The last word of a name as printed ('Ashish Vaswani' → 'Vaswani'); an organisation whole."""
    words = author.split()
    return words[-1] if len(words) > 1 and not looks_like_organisation(author) else author


ORGANISATION_WORDS = frozenset(
    "team teams institute institution inc ltd llc lab labs laboratory council department forum office "
    "commission committee government ministry agency foundation centre center university group "
    "openai anthropic deepmind google meta deepseek microsoft".split()
)


def looks_like_organisation(author: str, organisations: Iterable[str] = ()) -> bool:
    """A name that is an organisation: one of ``organisations``, one word, or with a telling word."""
    if author in set(organisations):
        return True
    words = author.split()
    return len(words) == 1 or any(fold(word) in ORGANISATION_WORDS for word in words)


def base_key(authors: Sequence[str], organisation: str, year: int, title: str) -> str:
    names = [name for name in authors if name != OTHERS]
    who = fold(family_name(names[0])) if names else fold(organisation)
    folded = (fold(word) for word in _TITLE_WORDS.split(title))  # lazily: the first significant word ends it
    what = next((word for word in folded if word and word not in STOPWORDS), "")
    return f"{who or 'anon'}{year}{what}"


def suffix(index: int) -> str:
    """'' for the first holder of a key, then 'b' ... 'z', 'ba', ... for the others."""
    if index == 0:
        return ""
    letters = ""
    while index:  # base 26 with digits a-z: 1 is 'b', 26 is 'ba'
        index, rest = divmod(index, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def assign_keys(bases: dict[int, str]) -> dict[int, str]:
    """Each briefing number's key, from its ``base_key``: unique across all of them, lower numbers first."""
    taken: dict[str, int] = {}
    used: set[str] = set()
    keys: dict[int, str] = {}
    for number in sorted(bases):
        base = bases[number]
        index = taken.get(base, 0)
        key = base + suffix(index)
        while key in used:  # 'smith2020ab' could also be a base: skip it
            index += 1
            key = base + suffix(index)
        taken[base] = index + 1
        used.add(key)
        keys[number] = key
    return keys
