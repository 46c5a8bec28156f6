"""One date format per purpose: every <time datetime>, the sitemap and JSON-LD state a briefing's
date at the precision the content knows (a month, or a day when one is given)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from tests.helpers import make_app


def machine_dates(html: str) -> set[str]:
    page = BeautifulSoup(html, "html.parser")
    return {time["datetime"] for time in page.find_all("time") if time.get("datetime")}


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_a_briefing_with_a_day_states_that_day_everywhere(content_dir: Path, tmp_path: Path) -> None:
    path = next((content_dir / "briefings").glob("054-*.md"))
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^date: .*$", "date: 2025-05-22", text, count=1, flags=re.MULTILINE), "utf-8")
    client = make_app(content_dir, tmp_path / "dates.sqlite3").test_client()
    briefing = client.get("/briefings/54-activating-ai-safety-level-3-protections").get_data(as_text=True)
    assert "2025-05-22" in machine_dates(briefing)
    assert "May 2025" in briefing
    article = next(json.loads(tag.string) for tag in parse_html(briefing).find_all("script", type="application/ld+json")
                   if json.loads(tag.string).get("@type") == "Article")
    assert article["datePublished"] == "2025-05-22"
    explorer = client.get("/briefings/?q=ASL-3").get_data(as_text=True)
    assert "2025-05-22" in machine_dates(explorer)
    # The sitemap says when the page changed: the day the briefing was added or revised, not its document's.
    assert "<lastmod>2025-05-22</lastmod>" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_a_briefing_known_to_the_month_states_the_month(client: FlaskClient) -> None:
    page = parse_html(client.get("/briefings/54-activating-ai-safety-level-3-protections").get_data(as_text=True))
    reading = page.find(class_="reading")
    site_days = {time["datetime"] for time in reading.find_all("time")}  # added and revised: days the site knows
    assert site_days and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for value in site_days)
    reading.decompose()
    dates = {time["datetime"] for time in page.find_all("time") if time.get("datetime")}
    assert dates and all(re.fullmatch(r"\d{4}-\d{2}", value) for value in dates)
