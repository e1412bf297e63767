"""The fast backends answer exactly as the reference ones, or step aside: differential tests of each backend.

The load step's reference YAML backend is load.parse_yaml (PyYAML's events, our scalar rules);
its fast one is load.rapid (rapidyaml behind a screen). The check step's reference validator
is jsonschema; its fast one jsonschema-rs (check.validate). Inputs: the real records, the
generated corpus, hand-picked YAML edge cases, and seeded random mutations of all of these
(most of which are broken YAML). tests/test_pipeline.py compares whole runs.
"""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import pytest

from hrc_corpus.check.validate import Validators
from hrc_corpus.load import Document, YamlProblem, load_corpus, parse_yaml, rapid
from hrc_corpus.schema import Schemas

from .conftest import REPO


def _yaml_files(root: Path) -> list[Path]:
    return sorted((root / "records").rglob("*.yaml"))


def _reference(text: str) -> tuple[str, Any]:
    """('ok', value) or ('error', message) from the reference loader."""
    try:
        return "ok", parse_yaml(text, "x.yaml").data
    except YamlProblem as exc:
        return "error", exc.message


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)) \
            and not (isinstance(a, list) and isinstance(b, list)):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


def _assert_agrees(text: str) -> bool:
    """The fast path gives the reference's value, or None; return whether it answered."""
    fast = rapid.parse(text, "x.yaml")
    if fast is None:
        return False
    outcome, value = _reference(text)
    assert outcome == "ok", f"fast path accepted what the reference refuses ({value}):\n{text}"
    assert _same(fast.data, value), f"fast path read differently:\n{text}"
    return True


def test_real_and_generated_records_take_the_fast_path(generated: Path) -> None:
    """Every curated and generated record file is read by the fast path, with the reference's values."""
    files = _yaml_files(REPO) + _yaml_files(generated)
    assert all(_assert_agrees(f.read_text(encoding="utf-8")) for f in files)


EDGE_CASES = [
    "a: 762", 'a: "762"', "a: '762'", "a: ~", "a: True", "a: true", "a: null", "a: Null", "a: NULL", "a:", 'a: ""',
    "a: .5", "a: +1", "a: -0", "a: 1e3", "a: 1E3", "a: 1.", "a: 012", "a: 0x1F", "a: 0o17", "a: 1_000", "a: 12:30",
    "a: yes", "a: No", "a: on", "a: .inf", "a: -.inf", "a: .nan", "a: nan", "a: inf", "a: infinity", "a: Infinity",
    "a: NaN", 'a: "nan"', 'a: "true"', 'a: "null"', 'a: "~"', 'a: ".inf"', "a: !!str 12", "a: !x 1", "a: &x 1\nb: *x",
    "a: 1\na: 2", "a: {b: 1, b: 2}", "1: a", "true: a", "~: a", '"1": a', "null: a", "? a\n: 1", "[a]: 1",
    "a: b: c", "a:b", "a: %x", "a: @x", "a: `x", "a: ]x", "a: }x", "a: ,x", "a:\n  b: 1\n c: 2", "a: [1, 2",
    "a: {b: 1", 'a: "x\n  y"', "a: x\n  y", "a: x\n\n  y", "a: 'x\n\n  y'", "a: b #c", "a: b#c", "a: #c",
    "a: [b: c]", "a: {b}", "a: [a, b,]", "a: {b: 1,}", "a: [b,,c]", "a: {b: c\n}", "a: [b\n c]", "a: {b:c}",
    "a: {b: http://x}", "a: http://x", "a: |\n  x\n  y\n", "a: |-\n  x\n", "a: |+\n  x\n\n", "a: >\n  x\n\n   y\n  z\n",
    "a: >-\n  x\n  y\n", "a: |2\n   x\n", 'a: "tab\\there"', 'a: "x\\u001cy"', 'a: "\\N"', "a: x\u0085y", "a: x\u2028y",
    "a:\tb", "---\na: 1", "a: 1\n---\nb: 2", "a: 1\n...\n", "%YAML 1.2\n---\na: 1", "", "# only a comment\n", "a",
    "- a\n- b", "[a, b]", "{a: 1}", "a: [b] c", "a: [b]  # c", "a: {b: c} - d", "- {a: 1}      - {b: 2}",
    "a: {b: 1, c:, d: 2}", "a: {b: 1, c:? 2}", "a: 'it''s'", 'a: "say \\"no\\""', "a: b\n  c: d", "a:\n- b\n- c",
    "a: -", "a: - b", "- - a", "a: 1\n- b", "  a: 1\nb: 2", "a: [[1, 2], {b: [3]}]", "a: 99999999999999999999999",
    "a: 1e400", "a: -1.5e-3", "a: 00.5", "a: 0.", "a: +.5", "a: 1.2.3", "a: 2023-07-16", "a: 2023-07/2024-01",
    "a: -.5", "a: [-.5]", "- -.25", "a: {b: -.5}", "a: -.5e1", "a: x -.5",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_agree(text: str) -> None:
    """YAML that rapidyaml reads differently from the reference is refused by the fast path."""
    _assert_agrees(text)


_PIECES = [" ", "\n", ":", "-", '"', "'", "#", "[", "]", "{", "}", ",", "~", "1", "0", ".", "+", "e", "y", "n",
           "True", "null", "  ", "|", ">", "?", "x", "no", "012", ".5", "1_0", "0x1", "12:30", " #", ": ", "- ",
           "\n  ", '""', "''", "\\", "&a", "*a", "!", "inf", "nan", ".inf", "@", "%", "\t", "\u00e9", "’"]


def _mutate(rng: random.Random, text: str) -> str:
    """Insert, delete or replace a few characters, YAML punctuation most of all."""
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text) + 1)
        op = rng.random()
        if op < 0.45:
            text = text[:i] + rng.choice(_PIECES) + text[i:]
        elif op < 0.75:
            text = text[:i] + text[i + rng.randint(1, 3):]
        else:
            j = min(len(text), i + rng.randint(1, 6))
            text = text[:i] + rng.choice(_PIECES) + text[j:]
    return text


def test_mutated_records_agree(generated: Path) -> None:
    """Thousands of broken or altered record files: the fast path never answers differently."""
    seeds = [f.read_text(encoding="utf-8")[:2500] for f in _yaml_files(REPO) + _yaml_files(generated)[:6]]
    rng = random.Random(20240226)
    answered = sum(_assert_agrees(_mutate(rng, rng.choice(seeds))) for _ in range(2500))
    assert answered > 500  # the fast path is not just refusing everything


def test_positions_come_from_the_reference_parser(generated: Path) -> None:
    """A fast document locates places exactly as the reference document does."""
    path = _yaml_files(generated)[-1]
    text = path.read_text(encoding="utf-8")
    fast, reference = rapid.parse(text, "x.yaml"), parse_yaml(text, "x.yaml")
    assert fast is not None and fast.screened and not reference.screened
    places = list(reference.positions) + [p + ("nowhere",) for p in reference.key_positions]
    for place in places:
        assert fast.locate(place) == reference.locate(place)
        assert fast.locate(place, key=True) == reference.locate(place, key=True)


def _vary(rng: random.Random, value: Any) -> Any:
    """A record with one value changed to something a curator might mistype."""
    value = copy.deepcopy(value)
    holders: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            holders.append((node, key))
            walk(child)

    walk(value)
    node, key = rng.choice(holders)
    node[key] = rng.choice([None, "", " x", "x ", "x\n", "2023-02-30", "2023-2-1", "SDG99", "c1", "C001", 1, 1.0, 1.5, -1,
                            0, True, [], {}, "not-a-url", "http://example.org/x", "Geneva", "a" * 81, "ftp://x", "KHM",
                            "2023-07", "2023/2024", "HRC", "speaker-1", "\u00a0x", "x\u3000", "e\u0301"])
    if isinstance(node, dict) and rng.random() < 0.2:
        node["unexpected"] = "x"
    return value


def test_jsonschema_rs_never_says_yes_when_jsonschema_says_no(generated: Path) -> None:
    """Over generated records and thousands of variations of them, a fast yes implies a jsonschema yes."""
    validators = Validators(Schemas(REPO / "schema"), "fast")
    corpus = load_corpus(generated)
    assert corpus.sessions and corpus.actors and corpus.entities and not corpus.problems
    docs = [("sessions", corpus.sessions.data), ("actors", corpus.actors.data), ("entities", corpus.entities.data)]
    for folder in corpus.statements:  # three claims a file keep jsonschema's side of this test quick
        assert folder.meta.screened and folder.claims.screened
        claims = {key: value[:3] for key, value in folder.claims.data.items()}
        docs += [("statement", folder.meta.data), ("claims", claims)]
    rng = random.Random(55)
    vouched = refused = 0
    for _ in range(600):
        kind, data = rng.choice(docs)
        varied = _vary(rng, data)
        fast_yes = validators.fast_yes(kind, Document("x.yaml", varied, screened=True))
        reference_yes = not list(validators.errors(kind, varied))
        assert not fast_yes or reference_yes, (kind, varied)
        vouched += fast_yes
        refused += not reference_yes
    assert vouched > 40 and refused > 40  # both answers were exercised


def test_jsonschema_rs_yes_needs_the_screen() -> None:
    """Records that did not come through the fast YAML backend are always judged by jsonschema."""
    fast = Validators(Schemas(REPO / "schema"), "fast")
    record = {"claims": [], "non_claims": []}
    assert fast.fast_yes("claims", Document("x.yaml", record, screened=True))
    assert not fast.fast_yes("claims", Document("x.yaml", record))
    assert not Validators(Schemas(REPO / "schema"), "reference").fast_yes("claims", Document("x.yaml", record, screened=True))


def test_coverage_counts_as_the_quadratic_rule(generated: Path) -> None:
    """The bisection in the coverage rule counts the sentences the any()-over-all-spans rule counted."""
    from hrc_corpus.check import check_shared, check_statement
    from hrc_corpus.text import sentences

    validators = Validators(Schemas(REPO / "schema"), "reference")
    corpus = load_corpus(generated, "reference")
    shared, problems = check_shared(corpus, validators)
    assert not problems
    for folder in corpus.statements:
        folder.meta.data["curation"] = "in_progress"  # uncovered sentences are counted, not refused
        folder.claims.data["non_claims"] = folder.claims.data["non_claims"][::2]  # so that some are uncovered
        result = check_statement(folder, shared, validators)
        assert result.checked is not None, result.problems
        spans = [x.span for x in result.checked.claims + result.checked.non_claims]
        expected = sum(any(s.start < t.end and t.start < s.end for s in spans) for t in sentences(result.checked.text))
        assert result.checked.sentences_covered == expected < result.checked.sentences_total


def _nested(depth: int, empty: bool, escapes: bool) -> str:
    """A mapping whose deepest value sits `depth` levels down (a scalar, or an empty list), beside strings holding brackets."""
    inner = "[]" if empty else "x"
    flow = "[" * (depth - 2) + inner + "]" * (depth - 2)
    quoted = "d: 'he said \"no\"'\n" if escapes else ""  # an escaped quote in rapidyaml's JSON
    return f"a:\n  b: {flow}\nc: x[}}\n{quoted}"


@pytest.mark.parametrize("depth", [19, 20, 21, 22])
@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize("escapes", [False, True])
def test_depth_is_judged_as_the_reference_judges_it(depth: int, empty: bool, escapes: bool) -> None:
    """The fast path reads values nested up to MAX_DEPTH (20) and leaves deeper ones to the reference, which refuses them."""
    text = _nested(depth, empty, escapes)
    assert _reference(text)[0] == ("ok" if depth <= 20 else "error")
    assert _assert_agrees(text) == (depth <= 20)


@pytest.mark.parametrize("length", [999, 1000, 1001])
@pytest.mark.parametrize("quoted", ["plain", "with an escaped quote"])
def test_long_keys_are_judged_as_the_reference_judges_them(length: int, quoted: str) -> None:
    """A key of more than 1,000 characters is left to the reference (which refuses it), also when its JSON has escapes."""
    key = "k" * length if quoted == "plain" else "'" + '"' + "k" * (length - 1) + "'"
    text = f"a: 1\n{key}: 2\n"
    assert _assert_agrees(text) == (length <= 1000)


def test_numbers_are_read_as_the_reference_reads_them() -> None:
    """Whole numbers and decimals of every length (around 2**53, with a sign, -0, 1.0, beyond the largest float):
    the fast path gives the reference's value and type, or leaves the file to the reference; plain ones it reads."""
    rng = random.Random(53)
    tokens = ["0", "-0", "7", "-7", "0.5", "-0.5", "1.0", "-0.0", "2.50", str(2**53), str(2**53 + 1), str(-2**53),
              str(-2**53 - 1), "1" + "0" * 400 + ".5", "0." + "0" * 400 + "1", "12.", ".5", "1e3", "1.5e3"]
    tokens += [str(rng.randrange(10 ** rng.randint(1, 18))) for _ in range(300)]
    tokens += [f"{rng.randrange(10 ** rng.randint(1, 6))}.{rng.randrange(10 ** rng.randint(1, 8))}" for _ in range(300)]
    for token in tokens + ["-" + t for t in tokens if not t.startswith("-")]:
        text = f"a: {token}\nb: [{token}, '{token}']\n"
        answered = _assert_agrees(text)
        whole = re.fullmatch(r"-?(?:0|[1-9][0-9]*)", token) and abs(int(token)) <= 2**53
        if whole or re.fullmatch(r"-?(?:0|[1-9][0-9]{0,5})\.[0-9]{0,7}[1-9]", token):
            assert answered, token
