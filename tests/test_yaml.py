"""Front matter YAML: PyYAML's safe loader, with dates kept as text and every failure a named problem."""

from __future__ import annotations

from portfolio.content.parsing import FileProblem, parse_yaml


def test_aliases_share_one_object_instead_of_copying_it():
    """An alias bomb stays small: each level refers to the one below instead of copying it."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 5)]
    loaded = parse_yaml("\n".join(levels) + "\n", "front matter")
    assert loaded["a4"][0] is loaded["a3"]


def test_a_value_its_tag_refuses_is_a_named_problem():
    for text, message in [("draft: !!bool maybe\n", "'maybe' is not a !!bool"),
                          ("order: !!int soon\n", "'soon' is not a !!int"),
                          ("<<: {a: !!bool maybe}\n", "maybe"),
                          ("? [a, b]\n: c\n", "malformed YAML")]:
        try:
            parse_yaml(text, "front matter")
        except FileProblem as problem:
            assert problem.field == "front matter" and message in problem.message
        else:
            raise AssertionError(f"{text!r} was read without a problem")


def test_dates_stay_text_for_the_schema_to_judge():
    assert parse_yaml("date: 2025-02-30\nadded: 2025-01-02\n", "front matter") == {
        "date": "2025-02-30", "added": "2025-01-02"}
