"""Site pages, checked by parsing their HTML: shell, navigation, footer, projects and errors."""

from __future__ import annotations

import re

from urllib.parse import urlsplit

import pytest

from tests.helpers import make_app, parse

PAGES = ["/", "/about", "/projects/", "/projects/pokebowl", "/legal/privacy", "/legal/terms",
         "/legal/disclaimers", "/briefings/", "/briefings/54-activating-ai-safety-level-3-protections"]
NAV_LABELS = ["About Me", "Frontier AI Paper Briefings", "Pokebowl", "Clinical Trial Enroller", "Little Human Names"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_site_shell(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response)
    assert page.html["lang"] == "en"
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main" and page.find("main", id="main")
    header = page.find("header", class_="site-header")
    monogram = header.find("a", class_="monogram")
    assert monogram["href"] == "/" and monogram.get_text(" ", strip=True).startswith("SS")
    nav = page.find("nav", attrs={"aria-label": "Main"})
    assert [a.get_text(strip=True) for a in nav.find_all("a")] == NAV_LABELS
    footer = page.find("footer")
    assert [a.get_text(strip=True) for a in footer.find_all("a")] == ["Privacy Policy", "Terms of Use", "Disclaimers"]
    assert "Silvia Seceleanu" in footer.find(class_="copyright").get_text()
    assert len(page.find_all("h1")) == 1


@pytest.mark.parametrize(("path", "current"), [
    ("/about", "About Me"),
    ("/briefings/", "Frontier AI Paper Briefings"),
    ("/briefings/54-activating-ai-safety-level-3-protections", "Frontier AI Paper Briefings"),
    ("/projects/pokebowl", "Pokebowl"),
])
def test_navigation_marks_the_current_page(client, path, current):
    nav = parse(client.get(path)).find("nav", attrs={"aria-label": "Main"})
    marked = [a.get_text(strip=True) for a in nav.find_all("a", attrs={"aria-current": "page"})]
    assert marked == [current]


def test_navigation_follows_the_site_config(client, content_dir):
    config = content_dir / "site.yml"
    text = config.read_text("utf-8").replace("label: About Me", "label: Who I Am")
    config.write_text(text, "utf-8")
    other = make_app(content_dir, content_dir.parent / "other.sqlite3").test_client()
    nav = parse(other.get("/")).find("nav", attrs={"aria-label": "Main"})
    assert nav.find("a").get_text(strip=True) == "Who I Am"


def test_every_internal_link_resolves(client):
    seen, queue = set(), ["/"]
    while queue:
        path = queue.pop(0)  # breadth first: the site's own pages before the hundreds of filter links
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        if not response.content_type.startswith("text/html"):
            continue
        for link in parse(response).find_all("a", href=True):
            url = urlsplit(link["href"])
            if not url.scheme and url.path.startswith("/") and not url.path.startswith("/static/"):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
        if len(seen) > 400:
            break
    assert "/legal/privacy" in seen and "/about" in seen


def test_home_shows_author_projects_and_latest_briefings(client):
    page = parse(client.get("/"))
    assert page.find("h1").get_text(strip=True) == "Silvia Seceleanu"
    sections = {s.find("h2").get_text(strip=True): s for s in page.find_all("section") if s.find("h2")}
    project_titles = [h.get_text(strip=True) for h in sections["Projects"].find_all("h3")]
    assert project_titles == ["Frontier AI Paper Briefings", "Pokebowl", "Clinical Trial Enroller", "Little Human Names"]
    latest = sections["Recently added briefings"].find_all("article")
    assert len(latest) == 6
    numbers = [int(re.search(r"(\d+)\.", article.find("a").get_text()).group(1)) for article in latest]
    assert numbers == [81, 80, 79, 78, 77, 76]  # newest added first (81-77 on 2026-12-07), the higher number first on a day


def test_about_page_renders_markdown(client):
    page = parse(client.get("/about"))
    assert page.find("h1").get_text() == "About Me"
    assert page.find("article").find("strong").get_text() == "Frontier AI Paper Briefings"


def test_project_page_has_status_and_links(client):
    page = parse(client.get("/projects/frontier-ai-paper-briefings"))
    assert page.find("h1").get_text() == "Frontier AI Paper Briefings"
    assert page.find(class_="status").get_text(strip=True) == "Status: active"
    links = page.find("ul", class_="project-links").find_all("a")
    assert [(a.get_text(), a["href"]) for a in links] == [("Open the explorer", "/briefings/")]


def project_titles(page):
    return [h.get_text(strip=True) for h in page.select("#project-results article h3")]


def test_projects_filter_by_tag_full_page(client):
    page = parse(client.get("/projects/?tag=AI"))
    assert project_titles(page) == ["Frontier AI Paper Briefings"]
    current = page.select('nav.tag-filter a[aria-current="true"]')
    assert [a.get_text(" ", strip=True) for a in current] == ["AI (1)"]
    assert page.find("title").get_text().startswith("Projects tagged AI")


def test_projects_filter_htmx_partial_is_just_the_results(client):
    response = client.get("/projects/?tag=AI", headers={"HX-Request": "true", "HX-Target": "project-results"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<header" not in body
    fragment = parse(response)
    assert [h.get_text(strip=True) for h in fragment.select("article h3")] == ["Frontier AI Paper Briefings"]
    tag_links = fragment.select("nav.tag-filter a")
    assert all(a["hx-target"] == "#project-results" and a["hx-get"] == a["href"] for a in tag_links)


def test_projects_history_restore_gets_the_full_page(client):
    response = client.get("/projects/?tag=AI", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "project-results"})
    assert parse(response).find("header", class_="site-header") is not None


def test_projects_unknown_tag_is_an_empty_state(client):
    page = parse(client.get("/projects/?tag=Nope"))
    assert project_titles(page) == []
    assert "No project is tagged “Nope”" in page.find(class_="empty").get_text()


@pytest.mark.parametrize("query", ["tag=a&tag=b", "tag=" + "x" * 300, "tag=%00"])
def test_projects_bad_query_is_400_page(client, query):
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 400
    assert parse(response).find("h1").get_text() == "Bad Request"


@pytest.mark.parametrize("path", ["/nope", "/projects/nope", "/legal/nope", "/briefings/9999", "/briefings/x-y",
                                  "/about/extra", "/static/nope.css"])
def test_unknown_paths_get_the_styled_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if response.content_type.startswith("text/html"):
        page = parse(response)
        assert page.find("h1").get_text() == "Not Found"
        assert page.find("nav", attrs={"aria-label": "Main"}) is not None


def test_healthz_reports_the_content_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and len(data["content_version"]) == 16 and data["briefings"] >= 30


def test_legal_pages_are_true_of_the_software(client):
    privacy = parse(client.get("/legal/privacy")).find("article").get_text(" ")
    assert "no cookies" in privacy and "nothing from other websites" in privacy


@pytest.mark.parametrize("path", PAGES + ["/projects/?tag=AI", "/nope", "/healthz"])
def test_no_response_sets_a_cookie(client, path):
    assert "Set-Cookie" not in client.get(path).headers


@pytest.mark.parametrize("path", PAGES)
def test_no_page_references_another_origin(client, path):
    page = parse(client.get(path))
    for tag, attribute in [("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action"),
                           ("iframe", "src"), ("source", "src")]:
        for element in page.find_all(tag, attrs={attribute: True}):
            url = urlsplit(element[attribute])
            own_origin = url.scheme == "http" and url.netloc == "localhost"  # absolute canonical links
            # A briefing links to its sources (a link loads nothing until followed), marked rel=external.
            source_link = tag == "a" and element.get("rel") == ["external"] and url.scheme in ("http", "https")
            assert own_origin or source_link or (not url.netloc and url.scheme in ("", "mailto")), (
                f"{path}: {tag} {element[attribute]}")
