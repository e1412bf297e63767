"""The fast paths answer exactly as the reference ones, or step aside: differential tests.

The reference is load.parse_yaml (PyYAML's events, our scalar rules) and jsonschema. The fast
paths are fastyaml.load_fast (rapidyaml) and fastschema (jsonschema-rs). Inputs: the real
records, a small generated corpus, hand-picked YAML edge cases, and seeded random mutations
of all of these (most of which are broken YAML).
"""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from hrc_corpus import fastschema, fastyaml
from hrc_corpus.check import check_corpus
from hrc_corpus.fastyaml import FastDocument, ScreenedDict, ScreenedList, load_fast
from hrc_corpus.load import _YamlProblem, load_corpus, parse_yaml
from hrc_corpus.problems import RecordError
from hrc_corpus.schema import Schemas

from .conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 200 claims (4 statements)."""
    return generate(tmp_path_factory.mktemp("gen") / "repo", 200, seed=7)


def _yaml_files(root: Path) -> list[Path]:
    return sorted((root / "records").rglob("*.yaml"))


def _reference(text: str) -> tuple[str, Any]:
    """('ok', value) or ('error', message) from the reference loader."""
    try:
        return "ok", parse_yaml(text, "x.yaml").data
    except _YamlProblem as exc:
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
    fast = load_fast(text, "x.yaml")
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
    fast, reference = load_fast(text, "x.yaml"), parse_yaml(text, "x.yaml")
    assert isinstance(fast, FastDocument)
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
    schemas = Schemas(REPO / "schema")
    corpus = load_corpus(generated)
    docs = [("sessions", corpus.sessions.data), ("actors", corpus.actors.data), ("entities", corpus.entities.data)]
    for folder in corpus.statements:  # three claims a file keep jsonschema's side of this test quick
        claims = {key: value[:3] for key, value in folder.claims.data.items()}
        docs += [("statement", folder.meta.data), ("claims", ScreenedDict(claims))]
    assert all(isinstance(data, (ScreenedDict, ScreenedList)) for _, data in docs)
    rng = random.Random(55)
    vouched = refused = 0
    for _ in range(600):
        kind, data = rng.choice(docs)
        varied = _vary(rng, data)
        varied = ScreenedDict(varied) if isinstance(varied, dict) else ScreenedList(varied)
        fast_yes = schemas._fast.vouches(kind, varied)  # noqa: SLF001 - the fast path under test
        reference_yes = not list(schemas.validator(kind).iter_errors(varied))
        assert not fast_yes or reference_yes, (kind, varied)
        vouched += fast_yes
        refused += not reference_yes
    assert vouched > 40 and refused > 40  # both answers were exercised


def test_jsonschema_rs_yes_needs_the_screen() -> None:
    """Records that did not come through the fast YAML path are always judged by jsonschema."""
    schemas = Schemas(REPO / "schema")
    record = {"claims": [], "non_claims": []}
    assert schemas._fast.vouches("claims", ScreenedDict(record))  # noqa: SLF001
    assert not schemas._fast.vouches("claims", record)  # noqa: SLF001


def _break(root: Path) -> None:
    """Put several kinds of mistake into a generated corpus."""
    folders = sorted((root / "records" / "statements").iterdir())
    claims = folders[0] / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("type: statistic", "type: statistc", 1).replace("checkworthy: cfs", "checkworthy: true", 1)
    claims.write_text(text, encoding="utf-8")
    meta = folders[1] / "statement.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("language: en", "language: EN"), encoding="utf-8")
    claims = folders[2] / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("    quote: ", "    quote: Not in the text. ", 1), encoding="utf-8")
    entities = root / "records" / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("kind: ", "kind: ~ # ", 1), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    try:
        check_corpus(load_corpus(root), Schemas(root / "schema"))
    except RecordError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_problems_are_the_reference_ones(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken corpus gets the same messages, lines and columns with the fast paths as without them."""
    import shutil

    root = tmp_path / "broken"
    shutil.copytree(generated, root)
    _break(root)
    fast = _problems(root)
    monkeypatch.setattr(fastyaml, "ryml", None)
    monkeypatch.setattr(fastschema.FastValidators, "vouches", lambda self, kind, instance: False)
    reference = _problems(root)
    assert fast == reference
    assert len(reference) >= 4


def test_coverage_counts_as_the_quadratic_rule(generated: Path) -> None:
    """The bisection in check._coverage counts the sentences the any()-over-all-spans rule counted."""
    from hrc_corpus.text import sentences

    corpus = check_corpus(load_corpus(generated), Schemas(REPO / "schema"))
    for statement in corpus.statements:
        spans = [x.span for x in statement.claims + statement.non_claims[::2]]  # drop some: uncovered sentences too
        expected = sum(any(s.start < t.end and t.start < s.end for s in spans) for t in sentences(statement.text))
        statement.non_claims = statement.non_claims[::2]
        statement.sentences_covered = 0
        from hrc_corpus.check import _coverage

        _coverage(statement.folder.claims, statement, complete=False)
        assert statement.sentences_covered == expected


def test_parse_cache_gives_the_same_documents(generated: Path, tmp_path: Path) -> None:
    """Files parsed once are taken from .hrc-build/parsed.marshal next time, with the same values and positions."""
    from hrc_corpus.parsecache import CACHE_FILE, parse_cache

    with parse_cache(tmp_path) as cold:
        first = load_corpus(generated)
    assert cold.misses and not cold.hits and (tmp_path / CACHE_FILE).is_file()
    with parse_cache(tmp_path) as warm:
        second = load_corpus(generated)
    assert warm.hits and not warm.misses
    for a, b in zip([first.sessions, first.actors, first.entities] + [s.claims for s in first.statements],
                    [second.sessions, second.actors, second.entities] + [s.claims for s in second.statements]):
        assert _same(a.data, b.data) and type(a.data) is type(b.data)
        assert a.locate(("claims", 0, "quote")) == b.locate(("claims", 0, "quote"))
    (tmp_path / CACHE_FILE).write_bytes(b"\x00garbage")
    with parse_cache(tmp_path) as broken:
        load_corpus(generated)
    assert broken.misses and not broken.hits
