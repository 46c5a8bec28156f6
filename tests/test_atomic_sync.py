"""A request during a sync sees the old content or the new, never a mix or an error."""

from __future__ import annotations

import threading
import time

from portfolio.content import sync
from tests.helpers import parse

ASL3 = "/briefings/54-activating-asl-3-protections"


def test_requests_during_repeated_syncs_see_whole_versions(app, client, content_dir):
    path = next((content_dir / "briefings").glob("054-*.md"))
    original = path.read_text("utf-8")
    versions = {
        "A": original.replace("## Summary\n", "## Summary\n\nVersion marker A.\n"),
        "B": original.replace("## Summary\n", "## Summary\n\nVersion marker B.\n"),
    }
    stop = threading.Event()
    errors: list[BaseException] = []

    def publish_repeatedly() -> None:
        try:
            while not stop.is_set():
                for text in versions.values():
                    path.write_text(text, "utf-8")
                    sync(content_dir, app.config["DATABASE_URL"])
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    publisher = threading.Thread(target=publish_repeatedly)
    path.write_text(versions["A"], "utf-8")
    sync(content_dir, app.config["DATABASE_URL"])
    publisher.start()
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    requests = 0
    try:
        while (requests < 100 or seen != {"A", "B"}) and time.monotonic() < deadline:
            requests += 1
            time.sleep(0.002)
            response = client.get(ASL3)
            assert response.status_code == 200
            summary = parse(response).find("section").get_text()
            markers = {name for name in versions if f"Version marker {name}." in summary}
            assert len(markers) == 1, summary
            seen |= markers
    finally:
        stop.set()
        publisher.join()
    assert not errors
    assert seen == {"A", "B"}
