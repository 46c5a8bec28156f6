"""The container image as an operator meets it: built by deploy/container/build.sh, run with
podman, asked over real HTTP on a published loopback port.

The image is built once for this module (a few minutes from nothing, seconds when podman's
build cache holds it); ``PORTFOLIO_CONTAINER_BUILT=1`` uses the image already built instead
(``PORTFOLIO_IMAGE`` names it, localhost/portfolio:latest by default). Without podman these tests
are skipped, unless ``PORTFOLIO_REQUIRE_CONTAINER=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

import pytest
from bs4 import BeautifulSoup

from bench.common import free_port
from bench.idle_clients import hostile_clients, visitor_latencies
from portfolio.config import REPO_ROOT

pytestmark = pytest.mark.container


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# Read at import: the suite's autouse fixture clears PORTFOLIO_* variables around each test.
REQUIRE_CONTAINER = _flag("PORTFOLIO_REQUIRE_CONTAINER")
ALREADY_BUILT = _flag("PORTFOLIO_CONTAINER_BUILT")
IMAGE = os.environ.get("PORTFOLIO_IMAGE") or "localhost/portfolio:latest"
BUILD_SCRIPT = REPO_ROOT / "deploy" / "container" / "build.sh"
# The limits and runtime this machine needs (podman's default runtime may refuse; a container's
# nproc may not exceed 8192 here).
PODMAN_OPTS = ["--runtime", "runc", "--ulimit", "nofile=16384:16384", "--ulimit", "nproc=8192:8192"]
BUILD_TIMEOUT = 1800
START_TIMEOUT = 60.0

ACCESS_LINE = re.compile(r'"(GET|HEAD) /\S* HTTP/1\.[01]" \d{3}')
ISO_TIMESTAMP = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
BRIEFING_HREF = re.compile(r"^/briefings/\d+-[a-z0-9-]+$")


def podman(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"podman {' '.join(args)} exited {result.returncode}:\n"
                    f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str, timeout: float = 10) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


@dataclass
class Container:
    id: str
    base_url: str

    def logs(self) -> str:
        result = podman("logs", self.id)
        return result.stdout + result.stderr


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("podman") is None:
        if REQUIRE_CONTAINER:
            pytest.fail("podman is required (PORTFOLIO_REQUIRE_CONTAINER=1) but is not installed")
        pytest.skip("podman is not installed (apt-get install podman runc mmdebstrap); "
                    "set PORTFOLIO_REQUIRE_CONTAINER=1 to require it")
    if ALREADY_BUILT:
        if podman("image", "exists", IMAGE, check=False).returncode != 0:
            pytest.fail(f"PORTFOLIO_CONTAINER_BUILT=1 but podman has no image {IMAGE}: "
                        f"run {BUILD_SCRIPT.relative_to(REPO_ROOT)}")
        return IMAGE
    log = tmp_path_factory.mktemp("container") / "build.log"
    started = time.monotonic()
    with log.open("w") as out:
        build = subprocess.run(["bash", str(BUILD_SCRIPT)], cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, "PORTFOLIO_IMAGE": IMAGE}, timeout=BUILD_TIMEOUT, check=False)
    if build.returncode != 0:
        pytest.fail(f"{BUILD_SCRIPT.relative_to(REPO_ROOT)} exited {build.returncode} after "
                    f"{time.monotonic() - started:.0f}s:\n{log.read_text(errors='replace')[-5000:]}")
    return IMAGE


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[Container]:
    port = free_port()
    # A read-only root: the baked index is served as it is, nothing is rebuilt at start.
    run = podman("run", *PODMAN_OPTS, "--rm", "-d", "--read-only", "-p", f"127.0.0.1:{port}:8000",
                 "-e", f"PORTFOLIO_SITE_URL=http://127.0.0.1:{port}", image)
    # Without systemd podman cannot schedule the HEALTHCHECK and says so on stderr; the container runs.
    container_id = run.stdout.strip().splitlines()[-1]
    running = Container(container_id, f"http://127.0.0.1:{port}")
    try:
        wait_for_health(running)
        yield running
    finally:
        podman("stop", "--time", "10", container_id, check=False, timeout=60)
        podman("rm", "--force", "--ignore", container_id, check=False, timeout=60)


def wait_for_health(container: Container) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = podman("inspect", "--format", "{{.State.Running}}", container.id, check=False)
        if state.returncode != 0 or state.stdout.strip() != "true":
            pytest.fail(f"the container stopped while starting:\n{container.logs()[-4000:]}")
        try:
            if get(f"{container.base_url}/healthz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f}s:\n{container.logs()[-4000:]}")


def test_healthz_answers_json(container: Container) -> None:
    answer = get(f"{container.base_url}/healthz")
    assert answer.status == 200
    assert answer.content_type.startswith("application/json")
    health = json.loads(answer.body)
    assert health["status"] == "ok"
    assert health["briefings"] > 0
    assert health["content_version"]
    assert "no-store" in answer.headers.get("Cache-Control", "")


def test_pages_answer_html(container: Container) -> None:
    listing = get(f"{container.base_url}/briefings/")
    assert listing.status == 200
    assert listing.content_type.startswith("text/html")
    links = [a["href"] for a in BeautifulSoup(listing.text, "html.parser").find_all("a", href=BRIEFING_HREF)]
    assert links, "the explorer lists no briefing page"
    for path in ["/", links[0]]:
        answer = get(f"{container.base_url}{path}")
        assert answer.status == 200, path
        assert answer.content_type.startswith("text/html"), path
        page = BeautifulSoup(answer.text, "html.parser")
        assert page.find("html") is not None and page.find("h1") is not None, path


def test_static_files_and_htmx_are_in_the_image(container: Container) -> None:
    page = BeautifulSoup(get(f"{container.base_url}/").text, "html.parser")
    scripts = [tag["src"] for tag in page.find_all("script", src=True)]
    htmx = next((src for src in scripts if "/static/vendor/htmx.min.js" in src), None)
    assert htmx, f"the home page loads no htmx: {scripts}"
    answer = get(f"{container.base_url}{htmx}")
    assert answer.status == 200
    assert b"htmx" in answer.body[:5000]
    assert get(f"{container.base_url}/static/css/site.css").status == 200


def test_the_server_does_not_run_as_root(container: Container) -> None:
    assert podman("exec", container.id, "id", "-u").stdout.strip() not in {"", "0"}
    # Every process in the container, gunicorn's master (PID 1) and its workers alike.
    statuses = podman("exec", container.id, "sh", "-c", "grep -H '^Uid:' /proc/[0-9]*/status").stdout
    uids = {line.split(":", 1)[0]: line.split()[1:] for line in statuses.splitlines()}
    assert "/proc/1/status" in uids
    for process, ids in uids.items():
        assert ids and "0" not in ids, f"{process} runs with a root id: {ids}"
    command = podman("exec", container.id, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")
    assert "gunicorn" in command and "0.0.0.0:8000" in command


def test_every_log_line_carries_a_timestamp(container: Container) -> None:
    get(f"{container.base_url}/about")
    time.sleep(0.5)  # the access line is written once the answer is sent
    lines = container.logs().splitlines()
    access = [line for line in lines if ACCESS_LINE.search(line)]
    assert any('"GET /about HTTP/1.1" 200' in line for line in access), "no access line for GET /about in podman logs"
    untimed = [line for line in lines if line.strip() and not ISO_TIMESTAMP.search(line[:40])]
    assert not untimed, f"log lines that do not start with a date and time: {untimed[:3]}"
    assert any("Listening at: http://0.0.0.0:8000" in line for line in lines)


def test_the_image_has_a_healthcheck_that_passes(container: Container, image: str) -> None:
    (inspected,) = json.loads(podman("image", "inspect", image).stdout)
    healthcheck = inspected.get("Healthcheck") or inspected.get("HealthCheck")
    assert healthcheck, "the image defines no HEALTHCHECK (was it built with --format docker?)"
    assert any("/healthz" in part for part in healthcheck["Test"])
    # podman runs the check on demand without systemd: it must pass in the running container.
    result = podman("healthcheck", "run", container.id, check=False)
    assert result.returncode == 0, f"healthcheck failed: {result.stdout} {result.stderr}"


def test_the_index_is_baked_and_the_environment_is_production(container: Container) -> None:
    env = podman("exec", container.id, "env").stdout.splitlines()
    assert "PORTFOLIO_ENV=production" in env
    assert "PORTFOLIO_DATABASE_URL=sqlite:////srv/index/index.sqlite3" in env
    assert podman("exec", container.id, "test", "-s", "/srv/index/index.sqlite3", check=False).returncode == 0
    # Built once, in the image: the server kept it (the root file system is read-only anyway).
    assert "content index current" in container.logs()
    # No build tools or pip cache in the release.
    leftovers = podman("exec", "--user", "root", container.id, "sh", "-c",
                       "command -v gcc cc make pip pip3 curl; ls -d /root/.cache /wheels 2>/dev/null; true").stdout
    assert leftovers.strip() == "", leftovers


def test_five_hundred_one_byte_clients_leave_a_visitor_answered_within_a_second(container: Container) -> None:
    port = int(container.base_url.rsplit(":", 1)[1])
    with hostile_clients(port, idle=0, slow=0, one_byte=500):
        times = visitor_latencies(f"{container.base_url}/briefings/", seconds=6, timeout=10)
    assert len(times) >= 5
    assert max(times) < 1.0, times


def test_metrics_answer_on_the_app_port(container: Container) -> None:
    answer = get(f"{container.base_url}/metrics")
    assert answer.status == 200 and b"portfolio_index_ready 1.0" in answer.body
    assert b'portfolio_http_requests_total{method="GET",route="site.healthz",status="200"}' in answer.body


def test_without_a_site_url_the_container_refuses_to_start_and_says_why(image: str) -> None:
    done = podman("run", *PODMAN_OPTS, "--rm", image, check=False, timeout=120)
    assert done.returncode != 0
    assert "PORTFOLIO_SITE_URL is required in production" in done.stdout + done.stderr
