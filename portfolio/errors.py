"""Styled error pages: every failure a visitor can cause gets a clear 4xx, never a 500."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .content import state

MESSAGES = {
    400: "The address asked for something this site cannot answer.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    500: "Something went wrong on our side. Please try again in a moment.",
    503: "The site's content is not published yet.",
}


def render_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    detail = error.description if code in (400, 503) else MESSAGES.get(code, "")
    return render_template("errors/error.html", code=code, name=error.name, detail=detail), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError())

    @app.before_request
    def require_index() -> tuple[str, int] | None:
        if not state().ready:
            return render_error(ServiceUnavailable(MESSAGES[503]))
        return None


