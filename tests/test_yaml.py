"""The short YAML constructor (``parsing.plain_yaml``) gives what PyYAML's safe loader gives.

It builds plain mappings, lists and scalars itself and hands anything else to YamlLoader, so on
any document it must give the same value, or fail where YamlLoader fails.
"""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio.content.parsing import FileProblem, YamlLoader, parse_yaml, plain_yaml

# Plain scalars whose type YAML 1.1 resolves (or nearly does), and the constructs the walk must
# leave to PyYAML: explicit tags, anchors and aliases, merge keys, complex keys, flow collections.
SCALARS = [
    "yes", "No", "on", "OFF", "~", "null", "", "0x1F", "0o17", "017", "0b101", "1_000", "1:20", "-7", "+.inf",
    ".NaN", "3.5e3", "1.", "2025-01-02", "2025-01", "2025-01-02T03:04:05Z", "true", "text with: colon",
    "'quoted'", '"esc\\tape"', "!!str 5", "!!int 0b101", "!!float 1", "!!bool maybe", "!!int soon",
    "!!binary aGk=", "!!set {a, b}", "!!omap [{a: 1}]", "!custom x", "[1, two, {three: 3}]", "{a: 1, b: [c]}",
    "&anchor shared", "*anchor", "*missing", "[unclosed", "'unclosed", "@reserved", "|\n  literal\n  block",
]
KEYS = ["number", "title", "date", "tags", "<<", "? [a, b]", "1", "true", "~", "x"]


def documents() -> st.SearchStrategy[str]:
    scalar = st.sampled_from(SCALARS)
    line = st.tuples(st.sampled_from(KEYS), scalar).map(lambda pair: f"{pair[0]}: {pair[1]}")
    item = scalar.map(lambda value: f"  - {value}")
    block = st.tuples(st.sampled_from(KEYS), st.lists(item, min_size=1, max_size=3)).map(
        lambda pair: "\n".join([f"{pair[0]}:", *pair[1]]))
    return st.lists(st.one_of(line, block), max_size=6).map(lambda lines: "\n".join(lines) + "\n")


def outcome(load, text: str) -> str:
    try:
        return "value " + repr(load(text))
    except (yaml.YAMLError, KeyError, ValueError, TypeError, RecursionError):
        return "error"


@settings(max_examples=400, deadline=None)
@given(documents())
@example("base: &b {a: 1}\nmerged:\n  <<: *b\n  c: 2\n")
@example("<<: {a: 1, b: [c]}\nx: yes\n")
@example("? [a, b]\n: c\n")
@example("tags: !!set {a, b}\nwhen: 2025-01-02\nn: 0x1F\nt: 1:20\nf: .NaN\n")
def test_the_short_constructor_agrees_with_the_safe_loader(text):
    expected = outcome(lambda source: yaml.load(source, Loader=YamlLoader), text)
    assert outcome(plain_yaml, text) == expected


@settings(max_examples=100, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
), st.booleans())
def test_values_dumped_by_pyyaml_read_back_the_same(value, flow):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert plain_yaml(text) == yaml.load(text, Loader=YamlLoader)


def test_aliases_share_one_object_instead_of_copying_it():
    """An alias bomb stays small: each level refers to the one below instead of copying it."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 5)]
    loaded = plain_yaml("\n".join(levels) + "\n")
    assert loaded["a4"][0] is loaded["a3"]


def test_a_value_its_tag_refuses_is_a_named_problem():
    for text, message in [("draft: !!bool maybe\n", "'maybe' is not a !!bool"),
                          ("order: !!int soon\n", "'soon' is not a !!int"),
                          ("<<: {a: !!bool maybe}\n", "maybe")]:
        try:
            parse_yaml(text, "front matter")
        except FileProblem as problem:
            assert problem.field == "front matter" and message in problem.message
        else:
            raise AssertionError(f"{text!r} was read without a problem")
