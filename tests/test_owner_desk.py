"""The owner's desk: drafts that don't block, images beside the text, every link checked, mistakes
named in plain words with the line she sees, and nothing read from outside content/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from portfolio.content import ContentError, load_content, sync
from tests.helpers import briefing_file, make_app, parse

ASL3 = "/briefings/54-activating-ai-safety-level-3-protections"
BROKEN_DRAFT = "---\ntitle: Half written\nnumber: 77\nsubtitle:\ndraft: true\n---\n## Summary\n\nSoon.\n"


def check(content: Path, *options: str) -> tuple[int, list[str]]:
    runner = make_app(content, content.parent / "unused.sqlite3", sync_first=False).test_cli_runner()
    result = runner.invoke(args=["content", "check", "--content-dir", str(content), *options])
    return result.exit_code, result.output.splitlines()


def banner(client) -> str:
    found = parse(client.get("/")).find("aside", attrs={"aria-label": "Content problems"})
    return found.get_text(" ", strip=True) if found else ""


def test_check_says_drafts_are_left_out_and_check_drafts_names_their_problems(content_dir):
    (content_dir / "briefings" / "077-half-written.md").write_text(BROKEN_DRAFT)
    code, lines = check(content_dir)
    assert code == 0 and "1 draft(s) left out (content check --drafts checks them as if published)" in lines[-1]
    code, lines = check(content_dir, "--drafts")
    assert code == 1
    assert "briefings/077-half-written.md: subtitle: empty: fill it in" in lines


def test_a_half_written_draft_never_hides_another_edit_in_development(content_dir, tmp_path):
    client = make_app(content_dir, tmp_path / "dev.sqlite3", env="development").test_client()
    assert client.get("/about").status_code == 200
    (content_dir / "briefings" / "077-half-written.md").write_text(BROKEN_DRAFT)
    about = content_dir / "about.md"
    about.write_text(about.read_text().replace("title: About Me", "title: About Me, Edited"))
    assert parse(client.get("/about")).find("h1").get_text() == "About Me, Edited"
    assert "briefings/077-half-written.md: subtitle: empty: fill it in" in banner(client)


def test_a_broken_file_keeps_its_last_good_version_in_development(content_dir, tmp_path):
    client = make_app(content_dir, tmp_path / "dev.sqlite3", env="development").test_client()
    assert client.get(ASL3).status_code == 200
    path = briefing_file(content_dir, 54)
    good = path.read_text()
    path.write_text(good.replace("title: Activating", "title: Broken: Activating"))  # an unquoted ': '
    other = briefing_file(content_dir, 19)
    other.write_text(other.read_text().replace("## Summary\n", "## Summary\n\nEdited beside a broken file.\n"))
    page = parse(client.get(ASL3))
    assert page.find("h1").get_text(strip=True).endswith("54. Activating AI Safety Level 3 Protections")
    assert "Edited beside a broken file." in client.get("/briefings/19", follow_redirects=True).get_data(as_text=True)
    assert f"briefings/{path.name}: front matter: line 3: the title holds ': '" in banner(client)
    path.write_text(good.replace("title: Activating AI Safety Level 3 Protections",
                                 'title: "Mended: Activating AI Safety Level 3 Protections"'))
    assert "Mended: Activating" in parse(client.get("/briefings/54", follow_redirects=True)).find("h1").get_text()
    assert banner(client) == ""


def test_a_production_sync_stays_all_or_nothing(content_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    sync(content_dir, url)
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text().replace("title: Activating", "title: Broken: Activating"))
    with pytest.raises(ContentError):
        sync(content_dir, url)


def make_bundle(content_dir: Path, *, width: int = 1600, markdown: str = "![A red test card](figure.png)") -> Path:
    """Briefing #71 as a folder, with a picture beside it."""
    source = briefing_file(content_dir, 71)
    folder = content_dir / "briefings" / "071-classifiers"
    folder.mkdir()
    text = source.read_text().replace("## Key Concepts", f"{markdown}\n\n## Key Concepts", 1)
    (folder / "index.md").write_text(text)
    source.unlink()
    Image.new("RGB", (width, width // 2), (200, 40, 40)).save(folder / "figure.png")
    return folder


def test_an_image_beside_the_text_is_served_with_its_size_and_a_phone_rendition(content_dir, tmp_path):
    make_bundle(content_dir)
    client = make_app(content_dir, tmp_path / "i.sqlite3").test_client()
    page = parse(client.get("/briefings/71", follow_redirects=True))
    image = page.find("img", alt="A red test card")
    assert (image["width"], image["height"], image["loading"]) == ("1600", "800", "lazy")
    small, large = [part.split() for part in image["srcset"].split(", ")]
    assert small[1] == "800w" and large[1] == "1600w" and image["src"] == small[0]
    for url, width in ((small[0], 800), (large[0], 1600)):
        response = client.get(url)
        assert response.status_code == 200 and response.content_type == "image/png"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert Image.open(__import__("io").BytesIO(response.data)).width == width
    assert re.fullmatch(r"/media/[0-9a-f]{16}/figure\.png", large[0])


@pytest.mark.parametrize(("markdown", "message"), [
    ("![A chart](chart.png)", "image chart.png: no such file beside the text (in briefings/071-classifiers/)"),
    ("![](figure.png)", "image figure.png: no alt text: describe the picture in ![…](figure.png)"),
    ("![A chart](https://example.org/chart.png)", "image 'https://example.org/chart.png': from another site"),
    ("![A secret](../../../../etc/hostname)", "image ../../../../etc/hostname: no such file beside the text"),
])
def test_an_image_that_cannot_be_placed_is_named(content_dir, markdown, message):
    make_bundle(content_dir, markdown=markdown)
    _, problems = load_content(content_dir)
    assert any(str(problem).startswith(f"briefings/071-classifiers/index.md: body: {message}") for problem in problems), \
        problems


@pytest.mark.parametrize(("where", "link", "message"), [
    ("about.md", "/briefings/99", "link to /briefings/99: no such briefing"),
    ("about.md", "/projects/nothing", "link to /projects/nothing: no such project"),
    ("about.md", "/legal/privacy#no-such-heading", "link to /legal/privacy#no-such-heading: no heading #no-such-heading there"),
    ("about.md", "javascript:alert(1)", "link to 'javascript:alert(1)': only http and https links"),
    ("legal/terms.md", "/briefings/54#no-such-concept", "link to /briefings/54#no-such-concept: no heading"),
    ("projects/pokebowl.md", "/nowhere", "link to /nowhere: no page at this address"),
    ("briefings/001", "relative.md", "link to relative.md: write a link within the site from its root"),
])
def test_every_link_in_every_body_is_checked(content_dir, where, link, message):
    path = briefing_file(content_dir, 1) if where == "briefings/001" else content_dir / where
    path.write_text(path.read_text().rstrip("\n") + f"\n\nSee [this]({link}).\n")
    _, problems = load_content(content_dir)
    rel = path.relative_to(content_dir).as_posix()
    assert any(str(problem).startswith(f"{rel}: body: {message}") for problem in problems), problems


def test_links_that_lead_somewhere_pass(content_dir):
    about = content_dir / "about.md"
    about.write_text(about.read_text() + "\n\n[a](/briefings/54#key-concepts) [b](/briefings/54-any-old-slug) "
                     "[c](/legal/privacy#in-short) [d](/projects/pokebowl) [e](/briefings/?category=Safety) "
                     "[f](https://example.org/) [g](/static/css/site.css)\n")
    assert load_content(content_dir)[1] == []


def test_a_link_to_a_draft_says_so(content_dir):
    path = briefing_file(content_dir, 71)
    path.write_text(path.read_text().replace("\n---\n", "\ndraft: true\n---\n", 1))
    about = content_dir / "about.md"
    about.write_text(about.read_text() + "\n\n[draft](/briefings/71)\n")
    _, problems = load_content(content_dir)
    assert [str(p) for p in problems] == [f"about.md: body: link to /briefings/71: briefing #71 is a draft "
                                          f"(briefings/{path.name})"]


MISTAKES = [
    ("a tab", lambda t: t.replace("\nkey: true", "\n\tkey: true"), "front matter", "a tab at line 8: indent with spaces"),
    ("an unquoted colon", lambda t: t.replace("subtitle: Claude", "subtitle: Claude: Opus"), "front matter",
     "line 4: the subtitle holds ': ', which YAML reads as the start of another field: put the subtitle in quotes"),
    ("no closing ---", lambda t: t.replace("\n---\n## Summary", "\n## Summary", 1), "front matter",
     "no closing '---' line: end the front matter with a line of three dashes before the body"),
    ("a heading a level down", lambda t: t.replace("## Summary", "### Summary"), "body",
     "'### Summary' should be '## Summary'"),
    ("one value for a list", lambda t: t.replace("tags: [Policy]", "tags: Policy"), "tags",
     "a list is needed: write tags: [Policy]"),
    ("a month in words", lambda t: t.replace("date: 2025-05", "date: May 2025"), "date",
     "'May 2025' is not a month YYYY-MM: did you mean 2025-05?"),
    ("a duplicate number", lambda t: t.replace("number: 54", "number: 19"), "number", "is free"),
    ("a '#' in an unquoted note", lambda t: t.replace('note: "It is the first time', "note: It is #1, the first time"),
     "note", "starts a YAML comment, so the rest of the note is lost: put the note in quotes"),
]


@pytest.mark.parametrize(("mistake", "make", "field", "message"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_the_common_mistakes_are_named_in_plain_words(content_dir, mistake, make, field, message):
    path = briefing_file(content_dir, 54)
    text = path.read_text()
    assert make(text) != text, mistake
    path.write_text(make(text))
    _, problems = load_content(content_dir)
    mine = [str(p) for p in problems if p.path == f"briefings/{path.name}"]
    assert any(line.startswith(f"briefings/{path.name}: {field}: ") and message in line for line in mine), mine


def test_a_duplicate_number_names_the_next_free_one(content_dir):
    path = briefing_file(content_dir, 54)
    path.write_text(path.read_text().replace("number: 54", "number: 19"))
    _, problems = load_content(content_dir)
    (problem,) = [str(p) for p in problems if p.field == "number"]
    highest = max(int(p.name[:3]) for p in (content_dir / "briefings").iterdir())
    assert problem.endswith(f"; {highest + 1} is free")


def test_a_link_out_of_the_content_folder_is_named_and_never_read(content_dir, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nThe secret words.\n")
    (content_dir / "legal" / "leak.md").symlink_to(secret)
    inner = content_dir / "legal" / "terms-again.md"
    inner.symlink_to(content_dir / "legal" / "terms.md")  # inside: followed
    bundle, problems = load_content(content_dir)
    assert [str(p) for p in problems] == [f"legal/leak.md: file: a symbolic link to {secret}, outside the content "
                                          "folder: not read (copy the file in instead)"]
    assert {page["path"] for page in bundle.pages} >= {"legal/terms-again"}
    assert not any("secret words" in page["html"] for page in bundle.pages)


def test_a_linked_folder_out_of_the_content_folder_is_named_and_never_read(content_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.md").write_text("---\ntitle: Secret\n---\nThe secret words.\n")
    (content_dir / "legal" / "bundle").symlink_to(outside)  # a page bundle that is a link
    shutil.move(content_dir / "projects", tmp_path / "projects")
    (content_dir / "projects").symlink_to(tmp_path / "projects")  # a whole folder that is a link
    bundle, problems = load_content(content_dir)
    messages = [str(p) for p in problems]
    assert f"legal/bundle/index.md: file: a symbolic link to {outside / 'index.md'}, outside the content folder: " \
           "not read (copy the file in instead)" in messages
    assert any(message.startswith("projects/") and "outside the content folder" in message for message in messages)
    assert not any("secret words" in page["html"] for page in bundle.pages)
    assert not bundle.projects
