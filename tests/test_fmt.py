"""`hrc-corpus fmt`: the canonical form keeps every value and comment, orders keys by the schema,
quotes one way, and reads back what a Windows editor writes (CRLF, byte-order mark)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from hrc_corpus.curate.yamlstyle import Layout, canonical, dump, styled
from hrc_corpus.load import BACKENDS, parse_yaml, read_document
from hrc_corpus.schema import Schemas

from .conftest import REPO, hrc

CLAIMS = "records/statements/khm-hrc55-2024-02-26-high-level-segment/claims.yaml"


@pytest.fixture(scope="module")
def layout() -> Layout:
    """The layout of this repository's schemas."""
    return Layout(Schemas(REPO / "schema"))


@pytest.mark.parametrize("value, flow, shown", [
    ("Geneva", False, "Geneva"),
    ("38", True, '"38"'),  # plain, it would be a number
    ("no", False, '"no"'),  # plain, YAML 1.1 reads a boolean
    ("Geneva, 16 July 2023", True, '"Geneva, 16 July 2023"'),  # a comma ends a plain value in flow
    ("Geneva, 16 July 2023", False, "Geneva, 16 July 2023"),
    ('a "dropped half" reading: odd', False, "'a \"dropped half\" reading: odd'"),  # fewer escapes in single quotes
    ("it's: odd", False, "\"it's: odd\""),
    ('Cambodia\'s "a" and "b": odd', False, "'Cambodia''s \"a\" and \"b\": odd'"),  # more double quotes than single
    ('it\'s "a": it\'s', False, '"it\'s \\"a\\": it\'s"'),  # more single quotes than double
])
def test_one_quoting_style(value: str, flow: bool, shown: str) -> None:
    """Plain where it reads back as the same text; else double quotes, or single ones to spare escapes."""
    mapping = CommentedMap(k=styled(value, flow))
    if flow:
        mapping.fa.set_flow_style()
    written = dump(mapping).strip()
    assert written == (f"{{k: {shown}}}" if flow else f"k: {shown}")
    assert parse_yaml(written, "t").data == {"k": value}


def test_keys_in_schema_order_comments_kept(layout: Layout) -> None:
    """Keys follow the schema; a comment introducing a key moves with it; values are unchanged."""
    messy = ("# The claims.\n"
             "claims:\n"
             "  - id: c001\n"
             "    type: statistic  # the type\n"
             "    quote: 'Cambodia has trained 1,200 judges.'\n"
             "    # why cfs\n"
             "    checkworthy: cfs\n"
             "    attribution: own_voice\n"
             "    summary: Cambodia trained judges.\n"
             "    topics: [SDG16.3]\n"
             "\n"
             "non_claims: []\n")
    tidy = canonical(messy, CLAIMS, layout)
    assert tidy == ("# The claims.\n"
                    "claims:\n"
                    "  - id: c001\n"
                    "    quote: Cambodia has trained 1,200 judges.\n"
                    "    type: statistic  # the type\n"
                    "    attribution: own_voice\n"
                    "    # why cfs\n"
                    "    checkworthy: cfs\n"
                    "    summary: Cambodia trained judges.\n"
                    "    topics: [SDG16.3]\n"
                    "\n"
                    "non_claims: []\n")
    assert canonical(tidy, CLAIMS, layout) == tidy  # idempotent
    assert parse_yaml(tidy, "t").data == parse_yaml(messy, "t").data


def test_every_record_file_formats_to_a_fixed_point(layout: Layout) -> None:
    """On the real records: formatting twice gives the first result, with the same values and comments."""
    for path in sorted((REPO / "records").rglob("*.yaml")):
        rel = path.relative_to(REPO).as_posix()
        text = path.read_text(encoding="utf-8")
        once = canonical(text, rel, layout)
        assert canonical(once, rel, layout) == once, rel
        assert parse_yaml(once, rel).data == parse_yaml(text, rel).data, rel
        comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
        assert comments == [line.strip() for line in once.splitlines() if line.strip().startswith("#")], rel


def test_windows_line_ends_and_bom_are_formatted_back(repo_copy: Path) -> None:
    """A claims.yaml saved with CRLF and a BOM: fmt --check flags it, fmt writes it back with LF, no BOM."""
    path = repo_copy / CLAIMS
    assert hrc(repo_copy, "fmt")[0] == 0
    canonical_bytes = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + canonical_bytes.replace(b"\n", b"\r\n"))
    code, err = hrc(repo_copy, "fmt", "--check")
    assert code == 1 and f"not canonical: {CLAIMS}" in err
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # --check writes nothing
    assert hrc(repo_copy, "fmt")[0] == 0
    assert path.read_bytes() == canonical_bytes
    assert hrc(repo_copy, "fmt", "--check")[0] == 0


def test_a_file_yaml_cannot_read_is_refused_and_nothing_written(repo_copy: Path) -> None:
    """A syntax error: fmt names the file, writes no file at all."""
    assert hrc(repo_copy, "fmt")[0] == 0
    broken = repo_copy / CLAIMS
    broken.write_text(broken.read_text(encoding="utf-8") + "  - {quote: [unclosed\n", encoding="utf-8")
    sessions = repo_copy / "records" / "sessions.yaml"
    sessions.write_text(sessions.read_text(encoding="utf-8").replace("  number: 53", "  number:    53"), encoding="utf-8")
    before = sessions.read_bytes()
    code, err = hrc(repo_copy, "fmt")
    assert code == 1 and f"{CLAIMS}:0:0: cannot be read as YAML" in err and "nothing was written" in err
    assert sessions.read_bytes() == before  # the other file's fix waits until every file can be formatted


@pytest.mark.parametrize("backend", BACKENDS)
def test_windows_bytes_are_read_as_yaml_reads_them(backend: str) -> None:
    """A record file with a BOM and CRLF line ends has the values and positions of its LF original; a lone CR is refused."""
    lf = (REPO / CLAIMS).read_bytes()
    plain, problems = read_document(lf, CLAIMS, backend)
    windows, windows_problems = read_document(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"), CLAIMS, backend)
    assert plain is not None and windows is not None and not problems and not windows_problems
    assert windows.data == plain.data
    assert windows.positions == plain.positions and windows.key_positions == plain.key_positions
    lone, refused = read_document(lf.replace(b"\n", b"\r", 1), CLAIMS, backend)
    assert lone is None and "CR (Windows or old Mac) line ends" in refused[0].message
