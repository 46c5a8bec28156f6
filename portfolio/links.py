"""``flask content links``: visit every external URL in the content and name the broken ones.

URLs come from the front matter (``url``, ``pdf``, ``code``, project links, anything that is an
http(s) URL) and from the Markdown bodies. Each distinct URL is fetched once with httpx (a GET,
since many servers answer HEAD wrongly; only the headers are read), a few at a time, following
redirects. A 4xx or 5xx answer, a timeout or a failed connection is broken; a permanent
redirect (301, 308) is a suggestion to link to the new address.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from pathlib import Path

import click
import httpx
import yaml
from flask import current_app
from flask.cli import with_appcontext

from .content.parsing import FileProblem, decode, split_front_matter
from .content.urls import external_body_urls, front_matter_urls

USER_AGENT = "portfolio-link-checker/1.0 (checks that the sources a site cites still answer)"
PERMANENT = (301, 308)
REFUSES_ROBOTS = (401, 403, 429)


@dataclass(frozen=True)
class Occurrence:
    path: str  # relative to the content folder
    field: str  # 'url', 'links[0].href', 'body' ...
    url: str


@dataclass(frozen=True)
class Outcome:
    broken: str | None = None  # what is wrong, if anything
    moved_to: str | None = None  # where a permanent redirect leads


def content_paths(root: Path) -> list[Path]:
    """site.yml and every Markdown file, skipping dot- and underscore-files and folders."""
    found = [root / "site.yml"] if (root / "site.yml").is_file() else []
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts
        if not any(part.startswith((".", "_")) for part in parts):
            found.append(path)
    return found


def occurrences(root: Path) -> tuple[list[Occurrence], list[str]]:
    """Every external URL with where it was written, and a line for each file that could not be read."""
    found: list[Occurrence] = []
    unreadable: list[str] = []
    for path in content_paths(root):
        rel = path.relative_to(root).as_posix()
        try:
            text = decode(path.read_bytes())
            if path.suffix == ".yml":
                front, body = yaml.safe_load(text), ""
            else:
                front, body = split_front_matter(text)
        except (OSError, FileProblem, yaml.YAMLError) as error:
            unreadable.append(f"{rel}: file: not checked: {getattr(error, 'message', error)}")
            continue
        found += [Occurrence(rel, field, url) for field, url in front_matter_urls(front)]
        found += [Occurrence(rel, "body", url) for url in external_body_urls(body)]
    return found, unreadable


def describe(error: Exception, timeout: float) -> str:
    """What went wrong with a request, in words an owner can act on."""
    if isinstance(error, (httpx.TimeoutException, asyncio.TimeoutError)):
        return f"no answer within {timeout:g} s (timeout)"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return f"not a URL that can be fetched ({error})"
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "DNS lookup failed (no such host)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.ConnectError):
        return f"connection failed ({error or 'refused'})"
    return f"request failed ({type(error).__name__}: {error})"


def outcome_of(response: httpx.Response) -> Outcome:
    moved_to = None
    for hop in response.history:  # the leading run of permanent redirects says where it lives now
        if hop.status_code not in PERMANENT or "location" not in hop.headers:
            break
        moved_to = str(hop.url.join(hop.headers["location"]))
    status = response.status_code
    if status >= 400:
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status in REFUSES_ROBOTS:
            reason += " (the site may refuse automated clients: check it in a browser)"
        return Outcome(broken=reason)
    return Outcome(moved_to=moved_to)


async def check_one(client: httpx.AsyncClient, url: str, timeout: float) -> Outcome:
    async def fetch() -> Outcome:
        async with client.stream("GET", url) as response:
            return outcome_of(response)  # headers only: the body is never read

    try:
        return await asyncio.wait_for(fetch(), timeout)
    except (httpx.HTTPError, asyncio.TimeoutError, OSError) as error:
        return Outcome(broken=describe(error, timeout))


async def check_urls(
    urls: list[str], timeout: float, concurrency: int, done: Callable[[], None] = lambda: None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Outcome]:
    """Each URL's outcome, at most ``concurrency`` requests in flight."""
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8"}
    async with httpx.AsyncClient(
        follow_redirects=True, timeout=timeout, limits=limits, headers=headers, transport=transport
    ) as client:

        async def one(url: str) -> tuple[str, Outcome]:
            async with gate:
                result = await check_one(client, url, timeout)
            done()
            return url, result

        return dict(await asyncio.gather(*(one(url) for url in urls)))


T = TypeVar("T")


def run_on_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the checks on a new event loop in a thread of their own: the caller may already be
    running a loop (asyncio.run refuses then), as a test session driving a browser does."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def report(found: list[Occurrence], outcomes: dict[str, Outcome]) -> Iterator[tuple[bool, str]]:
    """(is broken, line) per problem: ``PATH: field: URL: what is wrong``, suggestions after."""
    for item in found:
        result = outcomes[item.url]
        if result.broken:
            yield True, f"{item.path}: {item.field}: {item.url}: {result.broken}"
    for item in found:
        moved_to = outcomes[item.url].moved_to
        if moved_to and not outcomes[item.url].broken:
            yield False, f"{item.path}: {item.field}: {item.url}: suggestion: permanently moved to {moved_to}"


@click.command("links")
@click.option("--content-dir", type=click.Path(file_okay=False), help="Defaults to PORTFOLIO_CONTENT_DIR.")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=15.0, show_default=True,
              help="Seconds to wait for each link.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Links checked at once.")
@with_appcontext
def links_command(content_dir: str | None, timeout: float, concurrency: int) -> None:
    """Visit every external link in the content; print each broken one and exit 1 if any."""
    root = Path(content_dir or current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"{root}: not a directory")
    found, unreadable = occurrences(root)
    urls = list(dict.fromkeys(item.url for item in found))
    click.echo(f"checking {len(urls)} links from {len(found)} places in {root}", err=True)
    if sys.stderr.isatty():
        with click.progressbar(length=len(urls), label="Checking links", file=sys.stderr) as bar:
            outcomes = run_on_own_loop(check_urls(urls, timeout, concurrency, lambda: bar.update(1)))
    else:
        outcomes = run_on_own_loop(check_urls(urls, timeout, concurrency))
    broken = suggestions = 0
    for line in unreadable:
        click.echo(line)
    for is_broken, line in report(found, outcomes):
        click.echo(line)
        broken += is_broken
        suggestions += not is_broken
    click.echo(
        f"{broken} broken link(s), {suggestions} permanent redirect(s) to update, "
        f"{len(unreadable)} unreadable file(s); {len(urls)} links checked",
        err=True,
    )
    if broken or unreadable:
        raise SystemExit(1)
