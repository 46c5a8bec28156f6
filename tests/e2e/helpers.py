"""Browser-test helpers: the site served for real in a thread, Chromium's launch options, and the
watch kept on every page (console errors, CSP violations, requests to other origins).

Nothing here downloads a browser: Playwright launches the system Chromium through
``executable_path`` (``PORTFOLIO_CHROMIUM``, default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from portfolio.config import REPO_ROOT
from tests.helpers import make_app

CHROMIUM = Path(os.environ.get("PORTFOLIO_CHROMIUM") or "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("PORTFOLIO_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}: the browser tests need Debian's Chromium "
    "(`sudo apt-get install chromium`, or point PORTFOLIO_CHROMIUM at a Chromium binary)"
)

# Quiet, offline Chromium: no sandbox (CI runs as root), no GPU, and none of the background
# services that would otherwise phone home (and fail) from a machine without internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Patient enough for a loaded 2-core CI machine; a failure still names what it waited for.
expect.set_options(timeout=10_000)

HEADERS_ON_EVERY_RESPONSE = ["content-security-policy", "x-content-type-options", "referrer-policy", "permissions-policy"]

# Reports securitypolicyviolation events from every document, before any page script runs.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def browser_missing() -> bool:
    return not CHROMIUM.is_file()


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: failures print what the browser saw, not every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def copy_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    return content


@contextmanager
def serve(content: Path, database: Path, env: str = "production") -> Iterator[LiveServer]:
    """The app (in production mode unless told) on a free local port, in a background thread."""
    if not (REPO_ROOT / "static" / "vendor" / "htmx.min.js").is_file():
        pytest.fail("static/vendor/htmx.min.js is missing: run `make vendor` (or `make test`)")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("PORTFOLIO_")]:
            patch.delenv(name)
        app = make_app(content, database, env=env)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server, thread)
    finally:
        if "live_reload" in app.extensions:
            app.extensions["live_reload"].close()
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class PageWatch:
    """What went wrong while a page was open; the test fails unless it stays empty."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    unprotected_responses: list[str] = field(default_factory=list)
    allowed_console: list[re.Pattern[str]] = field(default_factory=list)

    def allow_console_error(self, pattern: str) -> None:
        """Expect one kind of console error (e.g. the 404 of a page that is meant to be missing)."""
        self.allowed_console.append(re.compile(pattern))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)
        elif not any(pattern.search(text) for pattern in self.allowed_console):
            self.console_errors.append(f"{text} ({message.location.get('url', '')})")

    def on_csp_violation(self, description: str) -> None:
        self.csp_violations.append(description)

    def on_request(self, request: Request) -> None:
        url = request.url
        if not (url == self.origin or url.startswith(self.origin + "/")):
            self.foreign_requests.append(url)

    def on_response(self, response: Response) -> None:
        """Every answer from the site, fragments and static files included, carries the policy."""
        headers = response.headers
        missing = [name for name in HEADERS_ON_EVERY_RESPONSE if name not in headers]
        if response.url.startswith(self.origin) and missing:
            self.unprotected_responses.append(f"{response.status} {response.url} lacks {missing}")

    def problems(self) -> dict[str, list[str]]:
        found = {
            "console errors": self.console_errors,
            "script errors": self.script_errors,
            "CSP violations": self.csp_violations,
            "requests to other origins": self.foreign_requests,
            "responses without security headers": self.unprotected_responses,
        }
        return {kind: items for kind, items in found.items() if items}


@dataclass
class Visit:
    """A watched page in a fresh browser context, plus the site's address."""

    page: Page
    watch: PageWatch
    site: LiveServer

    def goto(self, path: str, expect_status: int = 200) -> Page:
        response = self.page.goto(self.site(path))
        assert response is not None and response.status == expect_status, (
            f"{path} answered {response.status if response else 'nothing'}, expected {expect_status}"
        )
        return self.page


OpenPage = Callable[..., Visit]


AXE = Axe()  # axe-core as shipped inside the pinned axe-playwright-python wheel


# Experimental in axe-core, so off unless asked for: a link's accessible name must contain its visible text.
AXE_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}}


def assert_accessible(page: Page) -> None:
    """Run axe-core (all WCAG A/AA and best-practice rules, and the name/label match) on the page as it is now."""
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    summary = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
    ]
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(summary)


# The focused element: its name, where it is, its outline and the colour behind it.
FOCUS_PROBE = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  let behind = el.parentElement, background = 'rgba(0, 0, 0, 0)';
  while (behind) {
    background = getComputedStyle(behind).backgroundColor;
    if (!background.endsWith(', 0)') && background !== 'transparent') break;
    behind = behind.parentElement;
  }
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim(),
    inMain: !!el.closest('main'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
    background,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}
"""

# Text colour and the first opaque background behind it, for each element matching a selector.
COLOURS_PROBE = """
(selector) => [...document.querySelectorAll(selector)].slice(0, 20).map((el) => {
  let behind = el, background = 'rgba(0, 0, 0, 0)';
  while (behind) {
    background = getComputedStyle(behind).backgroundColor;
    if (!background.endsWith(', 0)') && background !== 'transparent') break;
    behind = behind.parentElement;
  }
  return [getComputedStyle(el).color, background];
})
"""


def rgb(css_colour: str) -> tuple[float, float, float]:
    channels = re.findall(r"[\d.]+", css_colour)[:3]
    assert len(channels) == 3, f"not an rgb() colour: {css_colour!r}"
    red, green, blue = (float(value) for value in channels)
    return red, green, blue


def luminance(css_colour: str) -> float:
    """WCAG relative luminance."""

    def linear(channel: float) -> float:
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(value) for value in rgb(css_colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUS_PROBE)


def assert_focus_visible(focus: dict[str, Any]) -> None:
    """A solid outline at least 2px wide with 3:1 contrast against what is behind it (WCAG 2.4.7, 1.4.11)."""
    assert focus["visible"], f"focused element is off screen: {focus}"
    assert focus["outlineStyle"] not in ("none", "hidden") and focus["outlineWidth"] >= 2, focus
    assert contrast(focus["outlineColor"], focus["background"]) >= 3, focus


def tab(page: Page) -> dict[str, Any]:
    """Press Tab; the element that takes focus must show it (the page itself excepted)."""
    page.keyboard.press("Tab")
    focus = focused(page)
    if focus["tag"] != "body":
        assert_focus_visible(focus)
    return focus


def tab_until(page: Page, condition: str, limit: int = 80) -> dict[str, Any]:
    """Tab (checking each stop shows focus) until ``condition`` holds for the focused element."""
    for _ in range(limit):
        focus = tab(page)
        if page.evaluate(condition):
            return focus
    pytest.fail(f"no element with {condition} within {limit} Tab presses")
