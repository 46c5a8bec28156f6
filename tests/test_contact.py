"""A way to reach the author: contact links in site.yml, shown on About and in the footer; no page
promises a contact that is not there; a project with only a summary still reads as a finished page."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from tests.helpers import make_app, parse

CONTACTS = [{"label": "E-mail", "href": "mailto:owner@example.org"}, {"label": "GitHub", "href": "https://github.com/example"}]


def with_contacts(content: Path, contacts: list) -> None:
    site = content / "site.yml"
    data = yaml.safe_load(site.read_text("utf-8"))
    data["contact"] = contacts
    site.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def check(content: Path, tmp_path: Path) -> str:
    return make_app(content, tmp_path / "check.sqlite3", sync_first=False).test_cli_runner() \
        .invoke(args=["content", "check"]).output


def test_contact_links_show_on_about_and_in_the_footer(content_dir: Path, tmp_path: Path) -> None:
    with_contacts(content_dir, CONTACTS)
    client = make_app(content_dir, tmp_path / "index.sqlite3").test_client()
    about = parse(client.get("/about"))
    assert [(a.get_text(), a["href"]) for a in about.select("#contact ~ ul a")] == [
        ("E-mail", "mailto:owner@example.org"), ("GitHub", "https://github.com/example")]
    footer = parse(client.get("/briefings/")).select_one("footer nav[aria-label=Contact]")
    assert [a["href"] for a in footer.select("a")] == [c["href"] for c in CONTACTS]


def test_without_contact_links_no_page_offers_one(client: FlaskClient) -> None:
    for path in ("/about", "/legal/privacy", "/", "/legal/terms"):
        page = parse(client.get(path))
        assert page.find(id="contact") is None and page.select_one("nav[aria-label=Contact]") is None
        assert "contact" not in page.select_one("main").get_text().lower(), path


def test_a_link_to_the_contact_details_without_any_is_named(content_dir: Path, tmp_path: Path) -> None:
    privacy = content_dir / "legal" / "privacy.md"
    privacy.write_text(privacy.read_text("utf-8") + "\n## Questions\n\nWrite to [the owner](/about#contact).\n", "utf-8")
    output = check(content_dir, tmp_path)
    assert "legal/privacy.md: body: links to the contact details (/about#contact), but site.yml lists no contact links" in output
    with_contacts(content_dir, CONTACTS)
    assert check(content_dir, tmp_path).startswith("ok:")


@pytest.mark.parametrize("href", ["javascript:alert(1)", "http://example.org", "/about", "mailto:"])
def test_a_contact_link_must_leave_the_site_safely(content_dir: Path, tmp_path: Path, href: str) -> None:
    with_contacts(content_dir, [{"label": "Odd", "href": href}])
    assert "site.yml: contact[0].href: must be an https address or a mailto: link" in check(content_dir, tmp_path)


def test_a_project_with_only_a_summary_reads_as_a_finished_page(client: FlaskClient) -> None:
    page = parse(client.get("/projects/pokebowl"))
    assert page.h1.get_text(strip=True) == "Pokebowl"
    assert page.select_one(".lede").get_text(strip=True)
    others = [a.get_text(strip=True) for a in page.select(".other-projects h3 a")]
    assert "Frontier AI Paper Briefings" in others and "Pokebowl" not in others
