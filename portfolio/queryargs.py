"""Reading query-string values defensively: a bad value is a 400 with a reason, never a 500."""

from __future__ import annotations

import re

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.datastructures import MultiDict


class BadQuery(ValueError):
    """A query-string value the site cannot use; the message says which and why."""


CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def clean_text(value: str, name: str, max_length: int) -> str:
    if len(value) > max_length:
        raise BadQuery(f"The {name!r} value is too long (at most {max_length} characters).")
    if has_control_characters(value):
        raise BadQuery(f"The {name!r} value contains control characters.")
    return value.strip()


def one_value(args: MultiDict[str, str], name: str, max_length: int) -> str:
    """The single value of ``name`` (or ''); repeating a key that takes one value is an error."""
    values = args.getlist(name)
    if len(values) > 1:
        raise BadQuery(f"Give {name!r} at most once.")
    return clean_text(values[0], name, max_length) if values else ""


def single(name: str, max_length: int) -> str:
    """``one_value`` for the current request, answering a bad value with a 400 page."""
    try:
        return one_value(request.args, name, max_length)
    except BadQuery as error:
        raise BadRequest(str(error)) from None
