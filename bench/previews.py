"""Social preview images: time to draw one PNG, and to answer one from the cache.

Draws every bundled briefing's card once (a cold draw: Pillow renders text, encodes PNG), then
asks for one image again through the app, as a crawler would a second time (answered from
memory). Medians, with a plain page render in the same run as the reference.

    python -m bench.previews
"""

from __future__ import annotations

import statistics
import tempfile
import time

from portfolio import create_app
from portfolio.config import REPO_ROOT, Settings
from portfolio.content import sync
from portfolio.models import Briefing
from portfolio.previews import briefing_card, render, site_title
from portfolio.extensions import db


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        sync(REPO_ROOT / "content", f"sqlite:///{folder}/i.db")  # creating the app builds nothing
        app = create_app(Settings(content_dir=REPO_ROOT / "content", database_url=f"sqlite:///{folder}/i.db"))
        client = app.test_client()
        with app.test_request_context():
            cards = [briefing_card(item, site_title()) for item in db.session.scalars(db.select(Briefing))]
        render(cards[0])  # load the font once
        render.cache_clear()
        draws = []
        for card in cards:
            start = time.perf_counter()
            size = len(render(card))
            draws.append(time.perf_counter() - start)
        page = client.get("/briefings/1")
        image_url = page.headers["Location"] if page.status_code == 301 else "/briefings/1"
        html = client.get(image_url).get_data(as_text=True)
        path = html.split('property="og:image" content="', 1)[1].split('"', 1)[0].split("localhost", 1)[1]
        client.get(path)
        cached, pages = [], []
        for _ in range(200):
            start = time.perf_counter()
            client.get(path)
            cached.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.get(image_url)
            pages.append(time.perf_counter() - start)
    result = {
        "images": len(cards),
        "draw_median_ms": median_ms(draws),
        "draw_max_ms": max(draws) * 1000,
        "last_png_bytes": size,
        "cached_median_ms": median_ms(cached),
        "page_median_ms": median_ms(pages),
    }
    print(f"  draw one preview (median of {len(cards)}): {result['draw_median_ms']:.1f} ms, slowest {result['draw_max_ms']:.1f} ms,"
          f" ~{size / 1024:.0f} KB PNG")
    print(f"  cached image answer: {result['cached_median_ms']:.2f} ms vs a cached briefing page {result['page_median_ms']:.2f} ms")
    return result


if __name__ == "__main__":
    measure()
