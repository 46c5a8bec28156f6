"""Being found: sitemap, robots.txt, the Atom feed, and each page's title, description, canonical, cards and JSON-LD."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from portfolio.content import load_content
from tests.helpers import make_app, parse

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
W3C_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
BRIEFING = "/briefings/54-activating-ai-safety-level-3-protections"
PAGES = ["/", "/about", "/projects/", "/projects/pokebowl", "/legal/privacy", "/legal/terms",
         "/legal/disclaimers", "/briefings/", BRIEFING]


@pytest.fixture
def bundle(content_dir: Path):
    loaded, problems = load_content(content_dir)
    assert problems == []
    return loaded


@pytest.fixture
def site_client(content_dir: Path, tmp_path: Path) -> FlaskClient:
    """The site as deployed behind a CDN: absolute URLs from SITE_URL, not from the request."""
    app = make_app(content_dir, tmp_path / "site.sqlite3", site_url="https://silvia.example/")
    return app.test_client()


def xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.get_data())


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def json_ld(page: BeautifulSoup) -> list[dict]:
    return [json.loads(script.string) for script in page.find_all("script", type="application/ld+json")]


# robots.txt and the sitemap ---------------------------------------------------------------


def test_robots_txt_points_at_the_sitemap(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def test_robots_txt_uses_the_configured_site_url(site_client: FlaskClient) -> None:
    lines = site_client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert "Sitemap: https://silvia.example/sitemap.xml" in lines


def test_sitemap_lists_every_page_and_briefing(client: FlaskClient, bundle) -> None:
    root = xml(client.get("/sitemap.xml"))
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    assert len(locations) == len(set(locations))
    paths = {local_path(loc) for loc in locations}
    expected = {"/", "/projects/", "/briefings/"} | {f"/{page['path']}" for page in bundle.pages}
    expected |= {f"/projects/{project['slug']}" for project in bundle.projects}
    expected |= {f"/briefings/{b['number']}-{b['slug']}" for b in bundle.briefings}
    expected |= {"/paths/"} | {f"/paths/{path['slug']}" for path in bundle.paths}
    assert paths == expected
    assert all(loc.startswith("http://localhost/") for loc in locations)


def test_every_sitemap_address_answers_200(client: FlaskClient) -> None:
    root = xml(client.get("/sitemap.xml"))
    for loc in root.iter(f"{SITEMAP}loc"):
        assert client.get(local_path(loc.text)).status_code == 200, loc.text


def test_sitemap_dates_come_from_the_content(client: FlaskClient, bundle) -> None:
    root = xml(client.get("/sitemap.xml"))
    lastmod = {local_path(url.findtext(f"{SITEMAP}loc")): url.findtext(f"{SITEMAP}lastmod")
               for url in root.findall(f"{SITEMAP}url")}
    assert all(value and W3C_DATE.match(value) for value in lastmod.values())
    for briefing in bundle.briefings:  # when the briefing changed on the site, not its document's month
        assert lastmod[f"/briefings/{briefing['number']}-{briefing['slug']}"] == briefing["updated"] or briefing["added"]
    for page in bundle.pages:
        if page["updated"]:
            assert lastmod[f"/{page['path']}"] == page["updated"]


def test_sitemap_uses_the_configured_site_url(site_client: FlaskClient) -> None:
    root = xml(site_client.get("/sitemap.xml"))
    assert all(loc.text.startswith("https://silvia.example/") for loc in root.iter(f"{SITEMAP}loc"))


# The Atom feed ----------------------------------------------------------------------------


def test_feed_is_atom_with_the_required_elements(client: FlaskClient) -> None:
    response = client.get("/briefings/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = xml(response)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Frontier AI Paper Briefings"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/briefings/feed.xml"
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Silvia Seceleanu"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": "http://localhost/briefings/feed.xml", "alternate": "http://localhost/briefings/"}


def test_feed_entries_are_the_newest_additions_with_their_whole_summary(client: FlaskClient, bundle) -> None:
    feed = xml(client.get("/briefings/feed.xml"))
    entries = feed.findall(f"{ATOM}entry")
    newest = sorted(bundle.briefings, key=lambda b: (b["added"], b["number"]), reverse=True)
    assert len(entries) == min(50, len(newest))
    by_number = {b["number"]: b for b in bundle.briefings}
    ids = set()
    for entry, expected in zip(entries, newest):
        title = entry.findtext(f"{ATOM}title")
        assert title == f"{expected['number']}. {expected['title']}"
        ids.add(entry.findtext(f"{ATOM}id"))
        assert entry.findtext(f"{ATOM}published") == f"{expected['added']}T00:00:00Z"
        assert entry.findtext(f"{ATOM}updated") == f"{expected['updated'] or expected['added']}T00:00:00Z"
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link == entry.findtext(f"{ATOM}id")
        assert client.get(local_path(link)).status_code == 200
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        summary = BeautifulSoup(content.text, "html.parser").get_text(" ", strip=True)
        expected_text = BeautifulSoup(by_number[expected["number"]]["summary_html"], "html.parser")
        assert summary == expected_text.get_text(" ", strip=True)
    assert len(ids) == len(entries)
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert feed.findtext(f"{ATOM}updated") == max(updated)


def test_a_new_briefing_on_an_old_document_leads_the_feed(content_dir, tmp_path) -> None:
    """A briefing added today on a 2017 paper is the newest entry: a subscriber learns what is new here."""
    (content_dir / "briefings" / "900-again.md").write_text(
        "---\nnumber: 900\ntitle: Attention Is All You Need, Again\nsubtitle: A second look\ncategory: Architecture\n"
        "organizations: [Google]\ndate: 2017-06\ntags: [Blog Post]\nurl: https://example.org/again\n"
        "added: 2026-12-24\nsources: [https://example.org/again]\n---\n## Summary\n\nA second look.\n")
    client = make_app(content_dir, tmp_path / "feed.sqlite3").test_client()
    first = xml(client.get("/briefings/feed.xml")).find(f"{ATOM}entry")
    assert first.findtext(f"{ATOM}title") == "900. Attention Is All You Need, Again"
    assert first.findtext(f"{ATOM}published") == "2026-12-24T00:00:00Z"


def test_feed_escapes_markup_in_titles(client: FlaskClient) -> None:
    feed = xml(client.get("/briefings/feed.xml"))
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert any("&" in title for title in titles)  # "Claude Opus 4 & Claude Sonnet 4" parsed back intact


@pytest.mark.parametrize("path", PAGES + ["/no-such-page"])
def test_every_page_advertises_the_feed(client: FlaskClient, path: str) -> None:
    link = parse(client.get(path)).head.find("link", rel="alternate", type="application/atom+xml")
    assert link["href"] == "/briefings/feed.xml" and link["title"]


# Page metadata ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_title_description_canonical_and_cards(site_client: FlaskClient, path: str) -> None:
    head = parse(site_client.get(path)).head
    title = head.title.get_text(strip=True)
    description = head.find("meta", attrs={"name": "description"})["content"]
    assert title and description
    canonical = head.find("link", rel="canonical")["href"]
    assert canonical == "https://silvia.example" + path
    meta = {tag.get("property") or tag.get("name"): tag["content"] for tag in head.find_all("meta", content=True)}
    assert meta["og:title"] == title and meta["twitter:title"] == title
    assert meta["og:description"] == description and meta["twitter:description"] == description
    assert meta["og:url"] == canonical
    assert meta["og:site_name"] == "Silvia Seceleanu"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == meta["twitter:image"]
    assert meta["og:image"].startswith("https://silvia.example/previews/"), "the preview image's URL comes from SITE_URL"
    assert meta["og:type"] == ("article" if path == BRIEFING else "website")


def test_titles_are_unique(client: FlaskClient) -> None:
    titles = [parse(client.get(path)).head.title.get_text(strip=True) for path in PAGES]
    assert len(set(titles)) == len(titles)


def test_canonical_drops_what_does_not_change_the_page(client: FlaskClient) -> None:
    briefing = parse(client.get(BRIEFING + "?from=category%3DSafety")).head.find("link", rel="canonical")
    assert briefing["href"] == "http://localhost" + BRIEFING
    explorer = parse(client.get("/briefings/?organization=Anthropic&category=Safety"))
    assert explorer.head.find("link", rel="canonical")["href"] == (
        "http://localhost/briefings/?category=Safety&organization=Anthropic")


def test_error_pages_are_not_indexed(client: FlaskClient) -> None:
    head = parse(client.get("/no-such-page")).head
    assert head.find("link", rel="canonical") is None
    assert head.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_about_describes_the_owner_as_a_person(site_client: FlaskClient) -> None:
    data = json_ld(parse(site_client.get("/about")))
    (person,) = [item for item in data if item["@type"] == "Person"]
    assert person["@context"] == "https://schema.org"
    assert person["name"] == "Silvia Seceleanu"
    assert person["url"] == "https://silvia.example/"
    (crumbs,) = [item for item in data if item["@type"] == "BreadcrumbList"]
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Home", "About Me"]


def test_a_briefing_is_an_article_with_breadcrumbs(site_client: FlaskClient) -> None:
    page = parse(site_client.get(BRIEFING))
    data = json_ld(page)
    (article,) = [item for item in data if item["@type"] == "Article"]
    assert article["headline"] == "54. Activating AI Safety Level 3 Protections"
    assert article["datePublished"] == "2025-05"
    assert article["author"]["name"] == "Silvia Seceleanu"
    assert article["url"] == page.head.find("link", rel="canonical")["href"]
    assert article["about"]["@type"] == "ScholarlyArticle" and article["about"]["publisher"] == ["Anthropic"]
    (crumbs,) = [item for item in data if item["@type"] == "BreadcrumbList"]
    items = crumbs["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3]
    assert [item["item"] for item in items] == [
        "https://silvia.example/", "https://silvia.example/briefings/", "https://silvia.example" + BRIEFING]


@pytest.mark.parametrize(("path", "trail"), [
    ("/projects/pokebowl", ["Home", "Projects", "Pokebowl"]),
    ("/projects/", ["Home", "Projects"]),
    ("/legal/terms", ["Home", "Terms of Use"]),
    ("/briefings/", ["Home", "Frontier AI Paper Briefings"]),
])
def test_pages_have_breadcrumbs(client: FlaskClient, path: str, trail: list[str]) -> None:
    (crumbs,) = [item for item in json_ld(parse(client.get(path))) if item["@type"] == "BreadcrumbList"]
    assert [item["name"] for item in crumbs["itemListElement"]] == trail
    for item in crumbs["itemListElement"]:
        assert client.get(local_path(item["item"])).status_code == 200


def test_json_ld_cannot_break_out_of_its_script(content_dir: Path, tmp_path: Path) -> None:
    about = content_dir / "about.md"
    text = re.sub(r"^description: .*$", "description: '</script><script>alert(1)</script> & more'",
                  about.read_text("utf-8"), count=1, flags=re.MULTILINE)
    about.write_text(text, "utf-8")
    page = parse(make_app(content_dir, tmp_path / "x.sqlite3").test_client().get("/about"))
    scripts = page.find_all("script")
    assert all(s.get("src") or s.get("type") == "application/ld+json" for s in scripts)
    (person,) = [item for item in json_ld(page) if item["@type"] == "Person"]
    assert person["description"] == "</script><script>alert(1)</script> & more"
