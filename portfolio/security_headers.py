"""The security headers every answer carries, as plain data.

The app adds them to its responses (security.py); deploy/nginx/render.py loads this file by its
path (no package import, so any python3 can render the proxy's config) and puts the same headers
on the error pages nginx writes itself (429, 502, 504, ...). One list for both.

The policy allows only the site's own files: no inline script or style, no eval, no frames,
no plugins. htmx runs under it because base.html configures it (``htmx-config``) to inject
no indicator styles and to evaluate nothing.
"""

from __future__ import annotations

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
    """The headers every answer of the site carries."""
    headers = list(HEADERS.items())
    if https:
        headers.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    return headers
