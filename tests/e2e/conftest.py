"""Browser fixtures: the site served for real on 127.0.0.1, driven by Debian's Chromium.

Nothing here downloads a browser: Playwright launches the system Chromium through
``executable_path`` (``PORTFOLIO_CHROMIUM``, default ``/usr/bin/chromium``). Without it the
browser tests skip, saying how to install it, unless ``PORTFOLIO_REQUIRE_BROWSER=1`` (set by
``.ci/run``) makes a missing browser a failure.

Every page a test opens is watched: a console error, an uncaught script error, a
Content-Security-Policy violation or a request to any other origin fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    INSTALL_HINT,
    REQUIRE_BROWSER,
    LiveServer,
    OpenPage,
    PageWatch,
    Visit,
    browser_missing,
    copy_content,
    serve,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium (and without PORTFOLIO_REQUIRE_BROWSER) skip every browser test, saying why."""
    if not browser_missing() or REQUIRE_BROWSER:
        return
    skip = pytest.mark.skip(reason=INSTALL_HINT)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if browser_missing() and not REQUIRE_BROWSER:
        terminalreporter.write_line(f"Browser tests SKIPPED. {INSTALL_HINT}.", yellow=True, bold=True)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The site over its own copy of the bundled content."""
    root = tmp_path_factory.mktemp("live")
    with serve(copy_content(root), root / "index.sqlite3") as site:
        yield site


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if browser_missing():
        if REQUIRE_BROWSER:
            pytest.fail(f"{INSTALL_HINT}. PORTFOLIO_REQUIRE_BROWSER is set, so this is a failure.")
        pytest.skip(INSTALL_HINT)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[OpenPage]:
    """``open_page(site=None, **context_options)`` → a watched ``Visit``; checked when the test ends."""
    visits: list[tuple[Visit, Any]] = []

    def open_(site: LiveServer | None = None, **options: Any) -> Visit:
        site = site or live_server
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        watch = PageWatch(origin=site.url)
        context.expose_function("__reportCspViolation", watch.on_csp_violation)
        context.add_init_script(CSP_LISTENER)
        context.on("request", watch.on_request)
        context.on("response", watch.on_response)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda error: watch.script_errors.append(str(error)))
        visit = Visit(page, watch, site)
        visits.append((visit, context))
        return visit

    yield open_
    problems = []
    for visit, context in visits:
        context.close()
        problems += [f"{kind}: {items}" for kind, items in visit.watch.problems().items()]
    assert not problems, "problems seen in the browser:\n" + "\n".join(problems)


@pytest.fixture
def visit(open_page: OpenPage) -> Visit:
    """A watched page at a desktop size with JavaScript on, light colour scheme."""
    return open_page(viewport={"width": 1280, "height": 900}, color_scheme="light")


