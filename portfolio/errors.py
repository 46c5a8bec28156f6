"""Styled error pages: every failure a visitor can cause gets a clear 4xx, never a 500."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template
from werkzeug.exceptions import BadHost, HTTPException, InternalServerError, SecurityError

from .content.state import NOT_PUBLISHED

MESSAGES = {
    400: "The address asked for something this site cannot answer.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    500: "Something went wrong on our side. Please try again in a moment.",
    503: NOT_PUBLISHED,  # IndexState.check answers 503 until there is an index to serve
}
BAD_HOST = "This site does not answer to that Host header."


def render_error(error: HTTPException) -> Response:
    """The error page, with the error's own headers (a 405's ``Allow``)."""
    code = error.code or 500
    if isinstance(error, (BadHost, SecurityError)):
        # No URL can be built for a Host the site does not answer to, so no styled page either.
        return current_app.response_class(f"Bad Request: {BAD_HOST}\n", status=400, mimetype="text/plain")
    detail = error.description if code in (400, 503) else MESSAGES.get(code, "")
    body = render_template("errors/error.html", code=code, name=error.name, detail=detail)
    response = current_app.response_class(body, status=code, mimetype="text/html")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError())
