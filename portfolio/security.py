"""Security headers on every response. The site sets no cookies and loads nothing from elsewhere.

The policy allows only the site's own files: no inline script or style, no eval, no frames,
no plugins. htmx runs under it because base.html configures it (``htmx-config``) to inject
no indicator styles and to evaluate nothing.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.exceptions import BadHost

from .queryargs import has_control_characters

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# Powerful browser features the site never uses, switched off for it and anything it could embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def response_headers(https: bool) -> list[tuple[str, str]]:
    """The headers every answer of the app carries."""
    headers = list(HEADERS.items())
    if https:
        headers.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    return headers


def init_app(app: Flask) -> None:
    """Add the headers to every response: pages, fragments, static files, redirects and errors."""

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
