"""Citing a briefing's document: the page's authors and sources, BibTeX/RIS/CSL-JSON, Highwire tags, JSON-LD."""

from __future__ import annotations

import json
import os
import re
import shutil

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors
from pylatexenc.latex2text import LatexNodes2Text

from portfolio.briefings.citations import Citation, author_line, bibtex, split_name
from portfolio.content.citekeys import assign_keys, base_key
from portfolio.config import REPO_ROOT
from tests.helpers import make_app, parse, set_front_matter

VASWANI = ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones", "Aidan N. Gomez",
           "Łukasz Kaiser", "Illia Polosukhin"]
ATTENTION = "/briefings/1-attention-is-all-you-need"
ASL3 = "/briefings/54-activating-ai-safety-level-3-protections"


def add_known_metadata(content_dir):
    """Known metadata on #1 (an arXiv paper), #31 (et al.) and #54 (a policy by its organisation)."""
    set_front_matter(content_dir, 1, authors=VASWANI, url="https://arxiv.org/abs/1706.03762", arxiv="1706.03762",
                     code="https://github.com/tensorflow/tensor2tensor", doi=None, pdf=None, updated="2026-11-30")
    set_front_matter(content_dir, 31, authors=["Rafael Rafailov", "Archit Sharma", "Eric Mitchell", "Stefano Ermon",
                                               "Christopher D. Manning", "others"],
                     url="https://arxiv.org/abs/2305.18290", arxiv="2305.18290", doi=None, pdf=None, code=None)
    set_front_matter(content_dir, 54, authors=["Anthropic"], arxiv=None, doi=None, pdf=None, code=None,
                     url="https://www.anthropic.com/news/activating-asl3-protections")


@pytest.fixture(scope="module")
def cited(tmp_path_factory):
    """One app for the module (a sync per test would dominate its time), over a copy of the content."""
    root = tmp_path_factory.mktemp("cited")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    add_known_metadata(root / "content")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("PORTFOLIO_")]:
            patch.delenv(name)
        app = make_app(root / "content", root / "index.sqlite3")
    with app.test_client() as client:
        yield client


def decode(value: str) -> str:
    return LatexNodes2Text().latex_to_text(value)


def parse_bibtex(text: str) -> list[dict[str, object]]:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return [{"type": e.entry_type, "key": e.key, **{f.key: f.value for f in e.fields}} for e in library.entries]


# --- keys and names, as data ---------------------------------------------------------------

def test_keys_are_author_year_and_first_significant_title_word():
    assert base_key(VASWANI, "Google", 2017, "Attention Is All You Need") == "vaswani2017attention"
    assert base_key(["Łukasz Kaiser"], "Google", 2017, "One Model To Learn Them All") == "kaiser2017one"
    assert base_key(["Anthropic"], "Anthropic", 2025, "Activating AI Safety Level 3 Protections") == "anthropic2025activating"
    assert base_key([], "OpenAI", 2023, "GPT-4 Technical Report") == "openai2023gpt4"
    assert base_key(["Jan Leike", "others"], "DeepMind", 2018, "The Scalable Agent Alignment") == "leike2018scalable"


def test_keys_stay_unique_and_the_lower_number_keeps_the_plain_key():
    records = [
        {"number": 9, "authors": ["OpenAI"], "organization": "OpenAI", "year": 2024, "title": "GPT-4o System Card"},
        {"number": 3, "authors": ["OpenAI"], "organization": "OpenAI", "year": 2024, "title": "GPT-4o system card"},
        {"number": 5, "authors": [], "organization": "OpenAI", "year": 2024, "title": "GPT-4o: what changed"},
    ]
    bases = {r["number"]: base_key(r["authors"], r["organization"], r["year"], r["title"]) for r in records}
    keys = assign_keys(bases)
    assert keys == {3: "openai2024gpt4o", 5: "openai2024gpt4ob", 9: "openai2024gpt4oc"}


def test_bundled_briefings_have_unique_keys(client):
    from portfolio.extensions import db
    from portfolio.models import Briefing

    with client.application.app_context():
        keys = [briefing.cite_key for briefing in db.session.scalars(db.select(Briefing))]
    assert len(keys) == len(set(keys)) > 50
    assert all(re.fullmatch(r"[a-z]+\d{4}[a-z0-9]*", key) for key in keys), keys


def test_author_line_and_name_parts():
    assert author_line(["A One", "B Two", "C Three"], False) == "A One, B Two and C Three"
    assert author_line(["A", "B", "C", "D", "E"], True) == "A, B, C, D, E et al."
    assert split_name("Aäron van den Oord") == ("Aäron", "van den Oord")
    assert split_name("Christopher D. Manning") == ("Christopher D.", "Manning")


# --- BibTeX escaping, checked by a standard parser -----------------------------------------

HOSTILE = Citation(
    key="x2020hostile", kind="preprint", title=r"Costs & 100% {of} $x #1 back\slash under_score ~t^h GPT-4",
    names=("Ünal Şimşek", "Smith, Jr.", "Tom and Jerry"), et_al=False, organisations=("OpenAI",), year=2020, month=5,
    day=None, url="https://example.org/a_b%20c?x={1}#y", arxiv="2005.14165", doi="10.1000/a_b", pdf=None, code=None,
)


def test_bibtex_escapes_every_special_character_and_stays_parseable():
    (entry,) = parse_bibtex(bibtex(HOSTILE))
    assert decode(entry["title"]) == r"Costs & 100% {of} $x #1 back\slash under_score ~tˆh GPT-4"
    assert entry["author"] == ["Ünal Şimşek", "{Smith, Jr.}", "{Tom and Jerry}"]  # three authors, not five
    assert entry["url"] == "https://example.org/a_b%20c?x=%7B1%7D#y"
    assert (entry["eprint"], entry["archivePrefix"], entry["doi"]) == ("2005.14165", "arXiv", "10.1000/a_b")
    assert "primaryClass" not in entry


# --- the briefing page ---------------------------------------------------------------------

def test_page_shows_authors_source_links_reading_time_and_updated(cited):
    page = parse(cited.get(ATTENTION))
    header = page.find("header", class_="briefing-header")
    assert header.find(class_="authors").get_text() == "Authors: " + ", ".join(VASWANI[:-1]) + " and Illia Polosukhin"
    read = header.select_one("a.read-source")
    assert read.get_text("", strip=True) == "Read the paper on arXiv 1706.03762↗(another site)"
    assert read["href"] == "https://arxiv.org/abs/1706.03762" and "external" in read["rel"]
    links = [(a.get_text(), a["href"]) for a in header.select(".source-links a:not(.read-source)")]
    assert links == [
        ("PDF", "https://arxiv.org/pdf/1706.03762"),
        ("Code", "https://github.com/tensorflow/tensor2tensor"),
    ]
    reading = header.find(class_="reading").get_text(" ", strip=True)
    assert re.fullmatch(r"\d+ min read · Added 26 Nov 2026 · Updated 30 Nov 2026", reading), reading
    assert [time["datetime"] for time in header.find(class_="reading").find_all("time")] == ["2026-11-26", "2026-11-30"]


@pytest.mark.parametrize(("path", "label"), [
    ("/briefings/54", "Read the report on anthropic.com"),
    ("/briefings/74", "Read the report on anthropic.com"),  # www-cdn.anthropic.com: the site, not its CDN
    ("/briefings/31", "Read the paper on arXiv 2305.18290"),
])
def test_the_way_to_the_document_names_where_it_goes(cited, path, label):
    read = parse(cited.get(path, follow_redirects=True)).select_one("header a.read-source")
    assert read.get_text(" ", strip=True).startswith(label)


def test_shortened_author_list_reads_et_al(cited):
    page = parse(cited.get("/briefings/31", follow_redirects=True))
    assert page.find(class_="authors").get_text(strip=True).endswith("Christopher D. Manning et al.")
    (entry,) = parse_bibtex(cited.get("/briefings/31.bib").get_data(as_text=True))
    assert entry["author"][-1] == "others" and len(entry["author"]) == 6


def test_nothing_on_the_page_loads_from_another_origin(cited):
    page = parse(cited.get(ATTENTION))
    for element in page.find_all(["script", "img", "link", "iframe"]):
        source = element.get("src") or (element.get("href") if element.name == "link" else None)
        assert not source or source.startswith("/") or element.get("rel") == ["canonical"], element


def test_bib_download_parses_and_matches_the_page(cited):
    page = parse(cited.get(ATTENTION))
    shown = page.select_one("section.cite pre").get_text()
    response = cited.get("/briefings/1.bib")
    assert response.mimetype == "application/x-bibtex"
    assert 'filename="vaswani2017attention.bib"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == shown
    (entry,) = parse_bibtex(shown)
    assert entry["type"] == "misc" and entry["key"] == "vaswani2017attention"
    assert decode(entry["title"]) == "Attention Is All You Need"
    assert entry["author"] == VASWANI
    assert (entry["year"], entry["month"], entry["eprint"]) == ("2017", "jun", "1706.03762")
    links = [a["href"] for a in page.select("section.cite .downloads a")]
    assert links == ["/briefings/1.bib", "/briefings/1.ris", "/briefings/1.json"]


def test_a_policy_is_a_techreport_by_its_organisation(cited):
    (entry,) = parse_bibtex(cited.get("/briefings/54.bib").get_data(as_text=True))
    assert entry["type"] == "techreport"
    assert (entry["author"], entry["institution"]) == (["{Anthropic}"], "Anthropic")
    assert entry["url"] == "https://www.anthropic.com/news/activating-asl3-protections"
    assert "eprint" not in entry
    ris = cited.get("/briefings/54.ris").get_data(as_text=True)
    assert ris.startswith("TY  - RPRT\r\n") and "AU  - Anthropic\r\n" in ris and ris.endswith("ER  - \r\n")


def test_ris_and_csl_json_carry_the_same_record(cited):
    ris = cited.get("/briefings/1.ris").get_data(as_text=True).split("\r\n")
    assert ris[0] == "TY  - UNPB"
    assert [line[6:] for line in ris if line.startswith("AU  - ")][:2] == ["Vaswani, Ashish", "Shazeer, Noam"]
    assert "TI  - Attention Is All You Need" in ris and "N1  - arXiv:1706.03762" in ris
    response = cited.get("/briefings/1.json")
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    (item,) = json.loads(response.get_data())
    assert item["id"] == "vaswani2017attention" and item["type"] == "article"
    assert item["author"][6] == {"family": "Kaiser", "given": "Łukasz"}
    assert item["issued"] == {"date-parts": [[2017, 6]]} and item["number"] == "arXiv:1706.03762"


@pytest.mark.parametrize("path", ["/briefings/999.bib", "/briefings/0.ris", "/briefings/1.bibx", "/briefings/-1.json",
                                  "/briefings/1.bib/x", "/briefings/99999999999999999999.json"])
def test_unknown_citation_files_are_404(cited, path):
    assert cited.get(path).status_code == 404


def test_highwire_tags(cited):
    page = parse(cited.get(ATTENTION))
    tags = [(meta["name"], meta["content"]) for meta in page.find_all("meta", attrs={"name": re.compile("^citation_")})]
    assert tags == [
        ("citation_title", "Attention Is All You Need"),
        *[("citation_author", name) for name in VASWANI],
        ("citation_publication_date", "2017/06"),
        ("citation_arxiv_id", "1706.03762"),
        ("citation_pdf_url", "https://arxiv.org/pdf/1706.03762"),
        ("citation_abstract_html_url", "https://arxiv.org/abs/1706.03762"),
    ]


def json_ld(page, kind):
    blocks = [json.loads(script.string) for script in page.find_all("script", type="application/ld+json")]
    (found,) = [block for block in blocks if block["@type"] == kind]
    return found


def test_json_ld_describes_the_document_and_what_it_builds_on(cited):
    data = json_ld(parse(cited.get(ATTENTION)), "ScholarlyArticle")
    assert data["name"] == "Attention Is All You Need"
    assert [author["name"] for author in data["author"]] == VASWANI
    assert data["sameAs"] == ["https://arxiv.org/pdf/1706.03762", "https://github.com/tensorflow/tensor2tensor"]
    assert data["identifier"]["value"] == "1706.03762"
    policy = json_ld(parse(cited.get(ASL3)), "Report")
    assert policy["author"] == [{"@type": "Organization", "name": "Anthropic"}]


def test_is_based_on_lists_the_briefings_it_builds_on(content_dir, tmp_path):
    add_known_metadata(content_dir)
    set_front_matter(content_dir, 31, connections=[{"builds_on": 1, "note": "Why."}, {"influenced_by": 15, "note": "Why."}])
    client = make_app(content_dir, tmp_path / "rebuilt.sqlite3").test_client()
    page = parse(client.get("/briefings/31", follow_redirects=True))
    based_on = json_ld(page, "ScholarlyArticle")["isBasedOn"]
    assert [(item["name"], item["url"]) for item in based_on] == [
        ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762")]
    assert based_on[0]["subjectOf"]["url"].endswith(ATTENTION)
