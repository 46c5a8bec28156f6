"""Synthetic content: N briefings shaped like the real ones, beside a copy of the rest of content/.

The words come from the bundled briefings, so search terms, snippet lengths and FTS ranking
behave as they would on real text; categories, organisations and types come from
``content/site.yml``; each briefing connects to up to three earlier ones. The output is
deterministic for a given N and seed.

    python -m bench.generate 10000 /tmp/content-10k
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import yaml

from portfolio.config import REPO_ROOT

BUNDLED = REPO_ROOT / "content"
KINDS = ("influenced_by", "builds_on", "responds_to", "supersedes")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
FIRST_YEAR, LAST_YEAR = 2015, 2026


def vocabulary(source: Path = BUNDLED) -> list[str]:
    """Every word of the bundled briefings' bodies, repeats kept so common words stay common."""
    words: list[str] = []
    for path in sorted((source / "briefings").glob("*.md")):
        body = path.read_text("utf-8").split("\n---", 1)[-1]
        words.extend(WORD.findall(body))
    return words or ["frontier", "model", "safety", "scaling", "alignment", "reasoning"]


class Writer:
    def __init__(self, site: dict, words: list[str], seed: int):
        self.site = site
        self.words = words
        self.random = random.Random(seed)

    def phrase(self, low: int, high: int) -> str:
        chosen = self.random.choices(self.words, k=self.random.randint(low, high))
        return " ".join(chosen)

    def sentence(self, low: int = 12, high: int = 28) -> str:
        text = self.phrase(low, high)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: tuple[int, int]) -> str:
        return " ".join(self.sentence() for _ in range(self.random.randint(*sentences)))

    def title(self, limit: int) -> str:
        return self.phrase(3, 10).title()[:limit].strip()

    def front_matter(self, number: int, total: int) -> dict:
        pick = self.random
        span_months = (LAST_YEAR - FIRST_YEAR + 1) * 12 - 3
        month_index = min(span_months - 1, number * span_months // max(total, 1))
        year, month = FIRST_YEAR + month_index // 12, month_index % 12 + 1
        earlier = range(max(1, number - 400), number)
        links = pick.sample(list(earlier), k=min(len(earlier), pick.choice((0, 1, 1, 2, 2, 3))))
        meta = {
            "number": number,
            "title": self.title(120),
            "subtitle": self.phrase(10, 22)[:280].strip().capitalize(),
            "category": pick.choice(self.site["categories"]),
            "organizations": pick.sample(self.site["organizations"], k=pick.choice((1, 1, 1, 2))),
            "date": f"{year:04d}-{month:02d}",
            "key": pick.random() < 0.15,
            "tags": sorted(set(pick.sample(self.site["briefing_tags"], k=pick.choice((1, 1, 1, 2))))),
            "authors": [self.phrase(2, 2).title() for _ in range(pick.randint(1, 5))],
            "url": f"https://example.org/papers/{number}",
            "added": f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}",
            "sources": [f"https://example.org/papers/{number}"],
        }
        if links:
            meta["connections"] = [{pick.choice(KINDS): target, "note": self.sentence(10, 20)} for target in sorted(links)]
        return meta

    def topics(self, total: int) -> str:
        """A few rare made-up words ('topic417'), each shared by about thirty briefings: real
        briefings share such words, and without them related briefings would have nothing to find."""
        pool = max(10, total // 10)
        return " ".join(f"topic{self.random.randrange(pool)}" for _ in range(self.random.randint(2, 4)))

    def body(self, total: int) -> str:
        summary = f"{self.paragraph((4, 7))} {self.topics(total).capitalize()}."
        parts = ["## Summary", "", summary, "", "## Key Concepts", ""]
        for _ in range(self.random.randint(2, 4)):
            parts += [f"### {self.phrase(5, 12).capitalize()}", "", self.paragraph((3, 6)), ""]
        return "\n".join(parts)

    def briefing(self, number: int, total: int) -> str:
        meta = self.front_matter(number, total)
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
        return f"---\n{front}---\n{self.body(total)}"


def generate(count: int, target: Path, seed: int = 5, source: Path = BUNDLED) -> Path:
    """Write ``count`` briefings into ``target/briefings`` and copy the rest of ``source``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("briefings"))
    folder = target / "briefings"
    folder.mkdir()
    site = yaml.safe_load((source / "site.yml").read_text("utf-8"))
    writer = Writer(site, vocabulary(source), seed)
    width = max(3, len(str(count)))
    for number in range(1, count + 1):
        (folder / f"{number:0{width}d}-synthetic.md").write_text(writer.briefing(number, count), "utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    generate(args.count, args.target, args.seed)
    print(f"wrote {args.count} briefings to {args.target}")


if __name__ == "__main__":
    main()
