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
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but dates stay text: the schemas parse them and name the field of an
    impossible one (PyYAML itself raises a bare ValueError for ``2025-02-30``)."""


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
        return plain_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + first_line}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FileProblem(field_name, f"malformed YAML{where}: {problem}") from None
    except (KeyError, ValueError) as error:  # PyYAML's own constructor, on a value its explicit tag refuses
        raise FileProblem(field_name, f"malformed YAML: {error}") from None


class NotPlain(Exception):
    """A node the short constructor leaves to PyYAML's own (a merge key, an alias, an explicit tag)."""


_SCALARS = SafeConstructor()
PLAIN_SCALARS = {
    "tag:yaml.org,2002:str": lambda node: node.value,
    "tag:yaml.org,2002:timestamp": lambda node: node.value,  # dates stay text, as in YamlLoader
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": lambda node: SafeConstructor.bool_values[node.value.lower()],
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
}


def plain_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=YamlLoader)``, in half the time for front matter made of plain
    mappings, lists and scalars (the usual kind).

    PyYAML's C parser composes the nodes and resolves every scalar's type as usual; only the last
    step, making Python objects of the nodes, is this short walk instead of the safe
    constructor's general machinery, which was most of a briefing's YAML time (README,
    Performance). Anything else is handed to YamlLoader whole, so it gives the same value or error.
    """
    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None
    try:
        return _plain(node, set())
    except (NotPlain, TypeError, RecursionError):
        return yaml.load(text, Loader=YamlLoader)


def _plain(node: Node, seen: set[int]) -> Any:
    if id(node) in seen:  # an alias: PyYAML shares one object, a copy per use could grow exponentially
        raise NotPlain
    seen.add(id(node))
    kind, tag = type(node), node.tag
    if kind is ScalarNode:
        construct = PLAIN_SCALARS.get(tag)
        if construct is None:
            raise NotPlain
        try:
            return construct(node)
        except (KeyError, ValueError):  # only an explicit tag can ask for a type the text is not
            short = tag.removeprefix("tag:yaml.org,2002:")
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a !!{short}", node.start_mark
            ) from None
    if kind is SequenceNode and tag == "tag:yaml.org,2002:seq":
        return [_plain(item, seen) for item in node.value]
    if kind is MappingNode and tag == "tag:yaml.org,2002:map":
        mapping = {}
        for key, value in node.value:  # a merge key '<<' has a tag of its own: NotPlain
            mapping[_plain(key, seen)] = _plain(value, seen)  # an unhashable key: TypeError
        return mapping
    raise NotPlain


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        raise FileProblem("front matter", "missing: the file must start with a '---' line")
    meta = parse_yaml(match.group(1) or "", "front matter", first_line=2)  # after the opening '---' line
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FileProblem("front matter", "must be a mapping of 'field: value' lines")
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


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(item["msg"])
    return message.removeprefix("Value error, ")
