"""load.py's YAML rule: a plain value means what YAML 1.2 says, and is refused where YAML 1.1 tools
(PyYAML's safe_load, many editors' plugins) would read it as something else.

Property: for any plain value, either the loader refuses it, or it reads exactly what YAML 1.1
reads (same type, same value), the one documented exception being an unquoted YYYY-MM-DD date,
which stays its own text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hrc_corpus.load import YamlProblem, parse_yaml

NUMBERISH = st.text(alphabet="0123456789+-._:eE xXoObBTtZ=<~", max_size=14)
WORDS = st.sampled_from(["yes", "No", "ON", "off", "y", "n", "true", "False", "null", "~", "NULL", "Null", ".inf", "-.Inf",
                         ".NaN", "=", "<<", "0x1F", "0o17", "0b101", "017", "1_000", "1:30", "190:20:30.15",
                         "2023-07-16", "2023-7-6 1:02:03", "2023-07-16T10:30:00Z", "2023-07-16 10:30:00.5 +07:00"])
TIMESTAMPS = st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]| +)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?( *(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?\Z")
NUMBERS = st.from_regex(r"\A[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?\Z")


def as_text(value: Any) -> Any:
    """YAML 1.1's value, with dates as the text they were written as (the documented exception)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {as_text(k): as_text(v) for k, v in value.items()}
    return value


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, all the way down (1 is not 1.0, nor True)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plain=st.one_of(NUMBERISH, WORDS, TIMESTAMPS, NUMBERS))
@example(plain="1e3")
@example(plain="+.5")
@example(plain="2023-07-16 10:30:00")
@example(plain="=")
@example(plain="1._")
def test_plain_value_reads_as_yaml_1_1_reads_it_or_is_refused(plain: str) -> None:
    """No plain value means one thing to this project and another to a YAML 1.1 tool."""
    document = f"value: {plain}\n"
    try:
        ours = parse_yaml(document, "x.yaml").data
    except YamlProblem:
        return  # refusing is always safe
    try:
        theirs = yaml.load(document, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError):  # 1.1 cannot read it at all (2023-02-30); the schema judges it later
        return
    assert same(ours, as_text(theirs)), f"{plain!r}: loader read {ours!r}, YAML 1.1 reads {theirs!r}"


@pytest.mark.parametrize("plain, value", [("2023-07-16", "2023-07-16"), ("12", 12), ("1.5", 1.5), ("1.0e+3", 1000.0),
                                          ("null", None), ("true", True), ("Geneva", "Geneva"), ("-0", 0)])
def test_plain_values_that_both_agree_on_load(plain: str, value: Any) -> None:
    """The rule refuses only what is ambiguous (and an unquoted date stays text)."""
    assert same(parse_yaml(f"value: {plain}\n", "x.yaml").data, {"value": value})


@pytest.mark.parametrize("plain", ["NO", "on", "012", "12:30", "1_000", ".inf", "0x1F", "1e3", "+.5", "=", "<<",
                                   "2023-07-16 10:30:00"])
def test_ambiguous_plain_values_are_refused_with_the_fix(plain: str) -> None:
    """Each refusal says how YAML 1.1 reads the value and to quote it (or that infinities are not numbers here)."""
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(f"value: {plain}\n", "x.yaml")
    message = caught.value.message
    assert "no infinities" in message or ("YAML 1.1" in message or "another base" in message) and "quotes" in message
