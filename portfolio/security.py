"""Security headers on every response, and requests refused before any view: a control character
in the path, a Host the site does not answer to, an htmx header sent twice.

The site sets no cookies and loads nothing from elsewhere; the headers themselves are listed in
security_headers.py, which deploy/nginx shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.exceptions import BadHost

from .content.state import OPERATIONAL_PATHS
from .queryargs import has_control_characters
from .rendering import VARY_HEADERS
from .security_headers import response_headers


def refuse_repeated_htmx_headers() -> None:
    """An htmx header sent twice reaches the app joined by a comma ("load-more,load-more"): a cache
    that keys on the first copy would store the page the app renders for the joined one under the
    fragment's key. No htmx value holds a comma, so such a request is a 400 (never stored)."""
    for name in VARY_HEADERS:
        if "," in request.headers.get(name, ""):
            abort(400, description=f"Send the {name} header once.")


WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def any_host_for_operations(wsgi_app: WSGIApp, host: str) -> WSGIApp:
    """Health and metrics name no URL, and a load balancer asks by address: for those paths the
    request is routed as if it named the site's own ``host``, whatever Host it sent."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in OPERATIONAL_PATHS:
            environ["HTTP_HOST"] = host
        return wsgi_app(environ, start_response)

    return app


def init_app(app: Flask) -> None:
    """Add the headers to every response: pages, fragments, static files, redirects and errors."""
    app.wsgi_app = any_host_for_operations(app.wsgi_app, app.config.get("SERVER_NAME") or "localhost")  # type: ignore[method-assign,assignment]

    @app.before_request
    def check_path_and_host() -> None:
        """No real address holds a NUL or other control character: answer 400 before any view
        (or the filesystem, for static files) sees one.

        Absolute URLs and cache keys are built from the Host: werkzeug gives '' for a missing one,
        fails to route a malformed one (and raises for one outside TRUSTED_HOSTS), and each is a
        400, as is an IDNA name that cannot be decoded (``xn--zz``)."""
        current = request
        if has_control_characters(current.path):
            abort(400, description="The address contains control characters.")
        refuse_repeated_htmx_headers()
        host = current.host
        # werkzeug's routing refuses a malformed Host (no URL can be built for it); refuse it
        # here too, before a hook such as the no-index 503 page tries to build one.
        if not host or isinstance(current.routing_exception, BadHost):
            raise BadHost()
        if "xn--" in host.lower():
            try:
                current.host_url  # noqa: B018 - decodes the IDNA labels, as building a URL will
            except UnicodeError:
                raise BadHost() from None

    headers = response_headers(app.config["HTTPS"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # No view sets any of them: add them all at once (one pass over the headers, not seven).
        if "Content-Security-Policy" not in response.headers:
            response.headers.extend(headers)
        return response
