"""``flask --app portfolio content check | sync | new | links``: the owner's publishing commands."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content import ContentError, load_content, state
from .content.markdown import slugify
from .content.schema import SHORT_TEXT_MAX
from .links import links_command

content_cli = AppGroup("content", help="Validate, publish and create content files.")


def _content_dir(option: str | None) -> Path:
    return Path(option or current_app.config["CONTENT_DIR"])


@content_cli.command("check")
@click.option("--content-dir", type=click.Path(file_okay=False), help="Defaults to PORTFOLIO_CONTENT_DIR.")
@click.option("--drafts", is_flag=True, help="Check drafts too, as the development site does.")
def check_command(content_dir: str | None, drafts: bool) -> None:
    """Validate every content file as production publishes it (with --drafts, drafts too); print one
    line per problem, exit 1 if any.

    Never reads or writes the index: checking publishes nothing.
    """
    root = _content_dir(content_dir)
    if not root.is_dir():
        raise click.ClickException(f"{root}: not a directory")
    bundle, problems = load_content(root, include_drafts=drafts)
    for problem in problems:
        click.echo(str(problem))
    skipped = (f"; {len(bundle.drafts)} draft(s) left out (content check --drafts checks them as if published)"
               if bundle.drafts else "")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}{skipped}", err=True)
        raise SystemExit(1)
    click.echo(
        f"ok: {len(bundle.briefings)} briefings, {len(bundle.projects)} projects, "
        f"{len(bundle.pages)} pages in {root}{skipped}"
    )


@content_cli.command("sync")
def sync_command() -> None:
    """Validate, then write a new index in place of the old; on any problem change nothing."""
    index = state()
    try:
        result = index.run_sync()
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        click.echo("sync refused: the index was not changed", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"synced {result.briefings} briefings, {result.projects} projects, {result.pages} pages "
        f"(version {result.version}) into {result.path} in {result.seconds:.2f}s"
    )


BRIEFING_TEMPLATE = """---
number: {number}
title: {title}
subtitle:             # one line on what the document is
category:             # one of: {categories}
organizations: []     # every organisation that wrote or issued it, from site.yml
date:                 # the month it was first released, YYYY-MM
key: false            # true for a key paper (★)
tags: []              # from: {tags}
authors: []           # as printed, in order; more than 10: the first 5, then others
url:                  # the document's landing page (http or https)
arxiv:                # optional, in quotes: "2305.18290"
doi:                  # optional: a DOI of exactly this version
pdf:                  # optional
code:                 # optional
added: {today}
updated:              # when you revise it in substance, YYYY-MM-DD
sources: []           # the addresses where you checked its facts
connections: []       # e.g. - builds_on: 15, with a note: "why it matters" under it
draft: true           # remove to publish
---
## Summary

What the document is, what it showed, and why it matters.

## Key Concepts

### The first idea, as a short sentence

A paragraph explaining it.
"""

PROJECT_TEMPLATE = """---
title: {title}
summary: One sentence on what the project is.
status: in development
order: {order}
tags: []
links: []
draft: true
---
A few paragraphs about the project.
"""


def _yaml_string(value: str) -> str:
    """Quote a title for YAML when it holds characters YAML would misread."""
    if re.search(r"[:#\[\]{}&*!|>'\"%@`,]|^[-?\s]|\s$", value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _one_line_title(_context: click.Context, _param: click.Parameter, title: str) -> str:
    """The title on one line; refused here when ``content check`` would refuse it in the new file."""
    line = " ".join(title.split())
    if not line:
        raise click.BadParameter("a title needs at least one word")
    if len(line) > SHORT_TEXT_MAX:
        raise click.BadParameter(f"at most {SHORT_TEXT_MAX} characters (this one has {len(line)})")
    return line


@content_cli.command("new")
@click.argument("kind", type=click.Choice(["project", "briefing"]))
@click.option("--title", required=True, callback=_one_line_title, help="The title of the new item.")
def new_command(kind: str, title: str) -> None:
    """Write a ready-to-edit draft with the right front matter (the index is not touched)."""
    root = _content_dir(None)
    bundle, _ = load_content(root, include_drafts=True)
    slug = slugify(title)
    if kind == "project":
        path = root / "projects" / f"{slug}.md"
        order = max((p["position"] for p in bundle.projects), default=0) + 1
        text = PROJECT_TEMPLATE.format(title=_yaml_string(title), order=order)
    else:
        site = bundle.site
        if site is None:
            raise click.ClickException("content/site.yml must be valid before adding a briefing")
        number = next_briefing_number(root)
        path = root / "briefings" / f"{number:03d}-{slug}.md"
        text = BRIEFING_TEMPLATE.format(
            number=number,
            title=_yaml_string(title),
            categories=", ".join(site.categories),
            tags=", ".join(site.briefing_tags),
            today=dt.date.today().isoformat(),
        )
    if path.exists():
        raise click.ClickException(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(str(path))


def next_briefing_number(root: Path) -> int:
    """One past the highest number in use, read from the files themselves (even invalid ones)."""
    highest = 0
    for path in (root / "briefings").glob("*.md"):
        match = re.search(r"^number:\s*(\d+)\s*$", path.read_text("utf-8", "replace"), re.MULTILINE)
        if match:
            highest = max(highest, int(match[1]))
    return highest + 1


def init_app(app: Flask) -> None:
    content_cli.add_command(links_command)
    app.cli.add_command(content_cli)
