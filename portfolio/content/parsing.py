"""Parsing primitives shared by every kind of content file: bytes → text → front matter → model.

Each problem names the file, the field and what is wrong, as ``PATH: field: message``. Nothing
here knows about briefings, projects or the index; the modules that do depend on this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but dates stay text: the schemas parse them and name the field of an
    impossible one (PyYAML itself raises a bare ValueError for ``2025-02-30``)."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """A value its explicit tag refuses (``!!bool maybe``) is a YAML error with its place, not a bare KeyError."""
        try:
            return super().construct_object(node, deep)
        except (KeyError, ValueError):
            short = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a !!{short}",
                                                    node.start_mark) from None


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be published; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{len(self.problems)} content problem(s):\n{lines}")


class FileProblem(Exception):
    """One problem that stops a single file from being read any further."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def decode(data: bytes) -> str:
    """UTF-8 text with any BOM dropped and CRLF/CR line endings made LF."""
    if not data.strip():
        raise FileProblem("file", "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            "file", f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, field_name: str, first_line: int = 1) -> Any:
    """The YAML ``text``; a problem names the line as the file numbers it (``text`` starts at ``first_line``)."""
    try:
        return yaml.load(text, Loader=YamlLoader)
    except yaml.YAMLError as error:
        raise FileProblem(field_name, yaml_message(error, text.split("\n"), first_line)) from None


def yaml_message(error: yaml.YAMLError, lines: list[str], first_line: int) -> str:
    """What went wrong, in the owner's words where the mistake is a common one."""
    mark = getattr(error, "problem_mark", None)
    problem = str(getattr(error, "problem", None) or error)
    if mark is None:
        return f"malformed YAML: {problem}"
    number = mark.line + first_line
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[: len(line) - len(line.lstrip())]
    if "\t" in indent or "\t" in line and ("tab" in problem or "cannot start any token" in problem):
        return f"a tab at line {number}: indent with spaces"
    if problem.startswith("mapping values are not allowed"):
        field = line.split(":", 1)[0].strip(" -") or "value"
        return (f"line {number}: the {field} holds ': ', which YAML reads as the start of another field: "
                f"put the {field} in quotes")
    return f"malformed YAML at line {number}, column {mark.column + 1}: {problem}"


# Fields written as prose: a ' #' in one, unquoted, starts a YAML comment and loses the rest of the line.
PROSE_FIELDS = ("title", "subtitle", "summary", "description", "note", "why")
COMMENTED_PROSE = re.compile(rf"^\s*(?:- )?({'|'.join(PROSE_FIELDS)}):[ \t]+([^'\"\s][^#\n]*?)\s#(\S*)", re.MULTILINE)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        if re.match(r"\A---[ \t]*\n", text):
            raise FileProblem("front matter", "no closing '---' line: end the front matter with a line of "
                                              "three dashes before the body")
        raise FileProblem("front matter", "missing: the file must start with a '---' line")
    front = match.group(1) or ""
    meta = parse_yaml(front, "front matter", first_line=2)  # after the opening '---' line
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FileProblem("front matter", "must be a mapping of 'field: value' lines")
    commented = COMMENTED_PROSE.search(front)
    if commented:
        number = front.count("\n", 0, commented.start()) + 2
        raise FileProblem(commented[1], f"the '#{commented[3]}' at line {number} starts a YAML comment, so the rest "
                                        f"of the {commented[1]} is lost: put the {commented[1]} in quotes")
    return meta, text[match.end():]


def read_markdown(rel: str, data: bytes, problems: list[Problem]) -> tuple[dict[str, Any], str] | None:
    """Front matter and body of one Markdown file, or None with the problem recorded."""
    try:
        return split_front_matter(decode(data))
    except FileProblem as error:
        problems.append(Problem(rel, error.field, error.message))
        return None


def validate(model: type[Model], data: Any, rel: str, problems: list[Problem]) -> Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            problems.append(Problem(rel, _field_name(item["loc"]), _message(item)))
        return None


def _field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "front matter"


# What a missing field means, for the fields whose absence needs more than its name.
MISSING = {
    "note": "required: one sentence on why this connection matters (what the later work takes from, "
            "answers in or replaces in the earlier one)",
    "added": "required: the date the briefing first appeared on the site, YYYY-MM-DD",
    "organizations": "required: every organisation of the document, as a list, e.g. [Anthropic]",
}


def _message(item: Any) -> str:
    kind = item["type"]
    name = str(item["loc"][-1]) if item["loc"] else ""
    if kind == "missing" or (kind == "too_short" and name in MISSING):
        return MISSING.get(name, "required field is missing")
    if item.get("input") is None and kind.endswith("_type"):
        return "empty: fill it in"
    if kind == "list_type" and isinstance(item.get("input"), str | int):
        return f"a list is needed: write {item['loc'][-1]}: [{item['input']}]"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(item["msg"])
    return message.removeprefix("Value error, ")
