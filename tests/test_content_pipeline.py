"""The content pipeline on good and broken files: check names every problem, sync changes nothing on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.content import ContentError, load_content, state, sync
from portfolio.content.index import read_meta
from tests.helpers import briefing_file, make_app, parse

NEW_PROJECT = "---\ntitle: New Thing\nsummary: Just added.\nstatus: active\norder: 7\n---\nHello.\n"


def check(runner, content: Path):
    return runner.invoke(args=["content", "check", "--content-dir", str(content)])


def test_bundled_content_is_valid():
    bundle, problems = load_content(Path(__file__).parent.parent / "content")
    assert problems == []
    assert len(bundle.briefings) >= 30
    assert {p["slug"] for p in bundle.projects} >= {
        "frontier-ai-paper-briefings", "pokebowl", "clinical-trial-enroller", "little-human-names"}
    assert {p["path"] for p in bundle.pages} == {"about", "legal/privacy", "legal/terms", "legal/disclaimers"}


def test_check_passes_on_good_content(runner, content_dir):
    result = check(runner, content_dir)
    assert result.exit_code == 0
    assert result.output.startswith("ok: ")


BROKEN_FILES = {
    "projects/bad-yaml.md": (b"---\ntitle: [unclosed\nsummary: x\n---\nbody\n", "front matter", "malformed YAML"),
    # A value that does not fit its explicit tag made PyYAML raise a bare KeyError or ValueError.
    "projects/bad-bool.md": (b"---\ntitle: T\nsummary: x\norder: 3\ndraft: !!bool maybe\n---\nb\n",
                             "front matter", "malformed YAML at line 5, column 8: 'maybe' is not a !!bool"),
    "projects/bad-int.md": (b"---\ntitle: T\nsummary: x\norder: !!int soon\n---\nb\n",
                            "front matter", "malformed YAML at line 4, column 8: 'soon' is not a !!int"),
    "projects/missing.md": (b"---\nsummary: x\nstatus: active\norder: 9\n---\nbody\n", "title", "required field is missing"),
    "projects/wrong-type.md": (b"---\ntitle: T\nsummary: x\nstatus: active\norder: soon\n---\nb\n", "order", "integer"),
    "projects/unknown.md": (b"---\ntitle: T\nsummary: x\nstatus: active\norder: 3\ncolour: red\n---\nb\n", "colour", "unknown field"),
    "projects/empty.md": (b"", "file", "empty"),
    "projects/latin1.md": ("---\ntitle: Café\nsummary: x\nstatus: active\norder: 3\n---\n".encode("latin-1"), "file", "not valid UTF-8"),
    "projects/zz-dupe.md": (b"---\ntitle: T\nsummary: x\nstatus: active\norder: 3\nslug: pokebowl\n---\nb\n", "slug", "also used by"),
}


def test_check_names_every_problem_by_file_and_field(runner, content_dir):
    for rel, (data, _, _) in BROKEN_FILES.items():
        (content_dir / rel).write_bytes(data)
    result = check(runner, content_dir)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    for rel, (_, field, message) in BROKEN_FILES.items():
        matching = [line for line in lines if line.startswith(f"{rel}: {field}: ")]
        assert matching, f"no problem reported for {rel} {field}: {result.output}"
        assert message in matching[0]


def test_a_folder_or_a_dangling_link_named_like_a_briefing_is_skipped(content_dir):
    count = len(load_content(content_dir)[0].briefings)
    (content_dir / "briefings" / "098-folder.md").mkdir()
    (content_dir / "briefings" / "099-dangling.md").symlink_to(content_dir / "nowhere.md")
    bundle, problems = load_content(content_dir)
    assert problems == []
    assert len(bundle.briefings) == count


BRIEFING_BREAKAGES = [
    ("number: 54", "number: 19", "number", "also used by"),
    ("  - influenced_by: 19", "  - influenced_by: 9999", "connections[0].influenced_by", "#9999 does not exist"),
    ("  - influenced_by: 19", "  - influenced_by: 54", "connections[0].influenced_by", "itself"),
    ("date: 2025-05", "date: 2025-13", "date", "not a real month"),
    ("category: Safety", "category: Astrology", "category", "not in the categories list"),
    ("organizations: [Anthropic]", "organizations: [Anthropic, Acme Labs]", "organizations", "not in the organizations list"),
    ("## Summary", "## Overview", "body", "missing '## Summary'"),
    ("  - influenced_by: 19", "  - inspired_by: 19", "connections", "unknown connection kind"),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), BRIEFING_BREAKAGES)
def test_check_reports_briefing_rules(runner, content_dir, old, new, field, message):
    path = briefing_file(content_dir, 54)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    result = check(runner, content_dir)
    assert result.exit_code == 1
    rel = str(path.relative_to(content_dir))
    assert any(
        line.startswith(f"{rel}: {field}") and message in line for line in result.output.splitlines()
    ), result.output


def test_bom_and_crlf_files_are_valid(content_dir):
    path = briefing_file(content_dir, 54)
    text = path.read_text("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    bundle, problems = load_content(content_dir)
    assert problems == []
    (briefing,) = [b for b in bundle.briefings if b["number"] == 54]
    assert briefing["title"] == "Activating AI Safety Level 3 Protections"
    assert len(briefing["concepts"]) == 3


def test_full_date_is_allowed(content_dir):
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text("utf-8").replace("date: 2025-05", "date: 2025-05-22"), "utf-8")
    bundle, problems = load_content(content_dir)
    assert problems == []
    (briefing,) = [b for b in bundle.briefings if b["number"] == 54]
    assert (briefing["year"], briefing["month"], briefing["day"]) == (2025, 5, 22)


def test_failed_sync_leaves_the_served_site_unchanged(app, client, runner, content_dir):
    before = client.get("/briefings/54-activating-ai-safety-level-3-protections")
    version = client.get("/healthz").get_json()["content_version"]
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text("utf-8").replace("title: Activating AI Safety Level 3 Protections", "title: Changed"), "utf-8")
    (content_dir / "projects" / "broken.md").write_bytes(b"---\ntitle: [\n---\n")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "projects/broken.md: front matter: malformed YAML" in result.output
    after = client.get("/briefings/54-activating-ai-safety-level-3-protections")
    assert after.status_code == 200
    assert after.get_data() == before.get_data()
    assert client.get("/healthz").get_json()["content_version"] == version


def test_successful_sync_publishes_the_change(client, runner, content_dir):
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text("utf-8").replace("title: Activating AI Safety Level 3 Protections", "title: ASL-3 Is On"), "utf-8")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    response = client.get("/briefings/54", follow_redirects=True)
    assert parse(response).find("h1").get_text(" ", strip=True).endswith("54. ASL-3 Is On")


def test_sync_refuses_broken_content_without_touching_the_index(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    good = sync(content_dir, f"sqlite:///{database}")
    (content_dir / "about.md").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ContentError) as caught:
        sync(content_dir, f"sqlite:///{database}")
    assert [str(p) for p in caught.value.problems] == ["about.md: file: not valid UTF-8 (byte 0xff at offset 0)"]
    assert read_meta(database)["content_version"] == good.version


def test_development_mode_shows_edits_on_next_load(content_dir, tmp_path):
    app = make_app(content_dir, tmp_path / "dev.sqlite3", auto_reload=True)
    client = app.test_client()
    assert client.get("/projects/new-thing").status_code == 404
    new = content_dir / "projects" / "new-thing.md"
    new.write_text(NEW_PROJECT, "utf-8")
    assert parse(client.get("/projects/new-thing")).find("h1").get_text() == "New Thing"
    new.write_text(NEW_PROJECT.replace("title: New Thing", "title: Renamed Thing"), "utf-8")
    assert parse(client.get("/projects/new-thing")).find("h1").get_text() == "Renamed Thing"
    new.unlink()
    assert client.get("/projects/new-thing").status_code == 404


def test_development_mode_keeps_last_good_content_and_names_the_problem(content_dir, tmp_path):
    app = make_app(content_dir, tmp_path / "dev.sqlite3", auto_reload=True)
    client = app.test_client()
    client.get("/")
    (content_dir / "about.md").write_text("---\ntitle: [\n---\n", "utf-8")
    response = client.get("/about")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").get_text() == "About Me"
    problems = page.find("aside", attrs={"aria-label": "Content problems"})
    assert problems is not None and "about.md: front matter: malformed YAML" in problems.get_text()


def test_production_server_start_syncs_a_stale_index(content_dir, tmp_path):
    database = tmp_path / "prod.sqlite3"
    make_app(content_dir, database, env="production")
    (content_dir / "projects" / "new-thing.md").write_text(NEW_PROJECT, "utf-8")
    app = make_app(content_dir, database, sync_first=False, env="production")
    assert app.test_client().get("/projects/new-thing").status_code == 404  # creating the app synced nothing
    with app.app_context():
        state().build()  # what gunicorn's master runs before forking (gunicorn.conf.py)
    assert app.test_client().get("/projects/new-thing").status_code == 200


def test_production_server_start_with_broken_content_serves_last_good_index(content_dir, tmp_path):
    database = tmp_path / "prod.sqlite3"
    make_app(content_dir, database, env="production")
    (content_dir / "about.md").write_text("", "utf-8")
    app = make_app(content_dir, database, sync_first=False, env="production")
    with app.app_context():
        state().build()
        assert [str(p) for p in state().problems] == ["about.md: file: the file is empty"]
    assert parse(app.test_client().get("/about")).find("h1").get_text() == "About Me"


def test_no_index_and_broken_content_answers_503(content_dir, tmp_path):
    (content_dir / "site.yml").write_text("owner: [", "utf-8")
    client = make_app(content_dir, tmp_path / "none.sqlite3").test_client()
    response = client.get("/")
    assert response.status_code == 503


def without_fields(text: str, *fields: str) -> str:
    """The file with the named front-matter lines taken out, so a test can write its own values."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(tuple(f"{f}:" for f in fields)))


METADATA_BREAKAGES = [
    ("url: https://www.anthropic.com/news/x", "url", "javascript:alert(1)", "must be an http or https URL (got scheme 'javascript')"),
    ("url: https://www.anthropic.com/news/x", "url", "ftp://example.org/paper", "must be an http or https URL (got scheme 'ftp')"),
    ("pdf: https://example.org/a.pdf", "pdf", "data:application/pdf;base64,AAAA", "got scheme 'data'"),
    ("code: https://example.org/code", "code", "https://", "not a well-formed http(s) URL"),
    ('arxiv: "2305.18290"', "arxiv", '"2313.18290"', "not an arXiv id"),
    ('arxiv: "2305.18290"', "arxiv", "2305.18290", "write the arXiv id in quotes"),
    ("doi: 10.1038/nature14539", "doi", "11.1038/nature14539", "is not a DOI"),
    ("authors: [A One, others]", "authors", "[A One, others]", "list the first 5 authors"),
    ("authors: [A, others, B]", "authors", "[A, others, B]", "may only be the last author"),
    ("authors: [eleven names]", "authors", "[" + ", ".join(f"Author {i}" for i in range(11)) + "]", "more than 10"),
    ("updated: 2026-11-30", "updated", "2026-02-30", "date"),
]


@pytest.mark.parametrize(("_label", "field", "value", "message"), METADATA_BREAKAGES)
def test_check_names_malformed_source_metadata(runner, content_dir, _label, field, value, message):
    path = briefing_file(content_dir, 54)
    text = without_fields(path.read_text("utf-8"), field)
    path.write_text(text.replace("tags: [Policy]", f"tags: [Policy]\n{field}: {value}", 1), "utf-8")
    result = check(runner, content_dir)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if f": {field}" in line]
    assert lines and message in lines[0], result.output
    assert lines[0].startswith("briefings/054-"), lines[0]


def test_source_metadata_reaches_the_index(content_dir):
    path = briefing_file(content_dir, 31)
    text = without_fields(path.read_text("utf-8"), "authors", "url", "arxiv", "doi", "pdf", "code", "updated")
    metadata = (
        "tags: [Paper]\n"
        "authors: [Rafael Rafailov, Archit Sharma, Eric Mitchell, Stefano Ermon, Christopher D. Manning, Chelsea Finn]\n"
        "url: https://arxiv.org/abs/2305.18290\n"
        'arxiv: "2305.18290v3"\n'
        "pdf: https://arxiv.org/pdf/2305.18290\n"
        "updated: 2026-11-30"
    )
    path.write_text(text.replace("tags: [Paper]", metadata, 1), "utf-8")
    bundle, problems = load_content(content_dir)
    assert problems == []
    (record,) = [item for item in bundle.briefings if item["number"] == 31]
    assert record["authors"][-1] == "Chelsea Finn" and len(record["authors"]) == 6
    assert (record["url"], record["arxiv"], record["doi"]) == ("https://arxiv.org/abs/2305.18290", "2305.18290v3", None)
    assert record["updated"] == "2026-11-30"


def test_an_impossible_date_is_named_not_a_crash(runner, content_dir):
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text("utf-8").replace("date: 2025-05", "date: 2025-02-30", 1), "utf-8")
    result = check(runner, content_dir)
    assert result.exit_code == 1
    assert "briefings/054-activating-ai-safety-level-3-protections.md: date: '2025-02-30' is not a real date" in result.output
