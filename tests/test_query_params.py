"""Unknown query parameters never cost a render: each endpoint lists the parameters it reads
(portfolio/query_params.py), and a request naming any other is sent to its URL without them
before any view runs. So ``/sitemap.xml?x=1``, ``?x=2``, ... are one cheap redirect each, not a
new page for every cache in front of the app."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portfolio.query_params import ALLOWED
from tests.helpers import make_app


@pytest.fixture
def views_called(app: Flask) -> Counter[str]:
    """How many times each view function ran (wrapped in place, so routing is unchanged)."""
    calls: Counter[str] = Counter()

    def counted(endpoint: str, view: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls[endpoint] += 1
            return view(*args, **kwargs)
        return run

    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = counted(endpoint, view)
    return calls


@pytest.mark.parametrize("query", ["x=1", "utm_source=feed&x=%FF", "lanes=organization", "=1", "q=a"])
def test_an_unknown_parameter_on_the_sitemap_costs_no_render(client: FlaskClient, views_called: Counter[str],
                                                            query: str) -> None:
    response = client.get(f"/sitemap.xml?{query}")
    assert response.status_code == 301
    assert response.headers["Location"] in ("/sitemap.xml", "http://localhost/sitemap.xml")
    assert len(response.get_data()) < 1000
    assert views_called["publishing.sitemap"] == 0
    assert client.get("/sitemap.xml").status_code == 200
    assert views_called["publishing.sitemap"] == 1


def test_known_parameters_are_kept_and_unknown_ones_dropped(client: FlaskClient,
                                                                    views_called: Counter[str]) -> None:
    response = client.get("/briefings/?fbclid=abc&category=Safety&q=reward+model&utm_medium=x&category=Alignment")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/briefings/?category=Safety&category=Alignment&q=reward+model")
    assert views_called["briefings.explorer"] == 0
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(("path", "query"), [
    ("/briefings/", "sort=oldest&page=1&key=1"),
    ("/briefings/map", "category=Safety&year=2025"),
    ("/briefings/concepts", "q=reward&page=1"),
    ("/briefings/feed.xml", "organization=Anthropic"),
    ("/briefings/export.bib", "category=Safety&sort=oldest"),
    ("/briefings/54-activating-ai-safety-level-3-protections", "from=category%3DSafety"),
    ("/briefings/path", "from=19&to=54"),
    ("/projects/", "tag=Python"),
])
def test_the_parameters_an_endpoint_reads_are_served(client: FlaskClient, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code in (200, 400), (path, query)  # a value may be refused, the name never redirected


@pytest.mark.parametrize("path", ["/", "/about", "/healthz", "/robots.txt", "/llms.txt", "/briefings/feed.xml",
                                  "/briefings/map", "/briefings/54.bib"])
def test_pages_that_read_no_such_parameter_redirect_it_away(client: FlaskClient, path: str) -> None:
    for name in ("sort", "page", "tag", "junk"):
        if name in ALLOWED.get(endpoint_of(client, path), ()):
            continue
        response = client.get(f"{path}?{name}=2")
        assert response.status_code == 301, (path, name)
        assert response.headers["Location"].endswith(path)


def endpoint_of(client: FlaskClient, path: str) -> str:
    app = client.application
    adapter = app.url_map.bind("localhost")
    return adapter.match(path)[0]


def test_every_listed_endpoint_exists(content_dir: Path, tmp_path: Path) -> None:
    # A development app has every endpoint (live reload's too): a renamed view must be renamed here.
    app = make_app(content_dir, tmp_path / "dev.sqlite3", env="development")
    assert set(ALLOWED) <= set(app.view_functions)
