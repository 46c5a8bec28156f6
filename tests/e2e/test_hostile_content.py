"""The hostile content files of test_sanitising.py, opened in a real browser: nothing runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.helpers import LiveServer, OpenPage, copy_content, serve
from tests.helpers import HOSTILE_PAGES, write_hostile_content

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hostile-site")
    content = copy_content(root)
    write_hostile_content(content)
    with serve(content, root / "index.sqlite3") as site:
        yield site


def test_hostile_pages_run_nothing_and_load_nothing_from_elsewhere(
    open_page: OpenPage, hostile_site: LiveServer
) -> None:
    visit = open_page(site=hostile_site)
    # A sanitised <img src=x onerror=...> keeps src="x": a harmless request for a missing file.
    visit.watch.allow_console_error(r"Failed to load resource: the server responded with a status of 404")
    dialogs: list[str] = []
    visit.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in HOSTILE_PAGES:
        page = visit.goto(path)
        page.wait_for_load_state("load")
        for link in page.locator("main a:visible, main [tabindex]:visible").all()[:15]:
            link.hover()  # mouseover handlers, had any survived
        assert page.evaluate("window.__pwned") is None, path
        assert page.evaluate("document.querySelectorAll('script:not([src]):not([type=\"application/ld+json\"])').length") == 0
    assert dialogs == []
