"""The built data packages: valid, equal in both formats, typed as documented, spans exact, fresh."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from frictionless import Package, system

from hrc_corpus.schema import Schemas
from hrc_corpus.tableschema import tables

from .conftest import REPO, copy_repo, run_cli

# The dtypes README.md documents for pd.read_parquet, per Table Schema type.
PARQUET_DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "date": "object"}


def descriptor(root: Path, parquet: bool = False) -> dict:
    """A package descriptor as built."""
    path = root / ("dist/parquet/datapackage.json" if parquet else "datapackage.json")
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv_typed(root: Path, resource: dict) -> pd.DataFrame:
    """The README's recipe: read a CSV table with the types its Table Schema declares."""
    fields = resource["schema"]["fields"]
    dtype = {f["name"]: {"integer": "Int64", "number": "float64", "string": "str"}[f["type"]]
             for f in fields if f["type"] != "date"}
    frame = pd.read_csv(root / resource["path"], dtype=dtype, keep_default_na=False, na_values=[""])
    for f in fields:
        if f["type"] == "date":
            frame[f["name"]] = pd.to_datetime(frame[f["name"]]).dt.date.astype(object).where(frame[f["name"]].notna(), None)
    return frame


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
def test_frictionless_validates_the_package(built: Path, parquet: bool) -> None:
    path = built / ("dist/parquet/datapackage.json" if parquet else "datapackage.json")
    with system.use_context(trusted=True):
        report = Package(str(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_frictionless_cli_validates(built: Path) -> None:
    import subprocess
    import sys
    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=built, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]


def test_csv_and_parquet_hold_the_same_tables(built: Path) -> None:
    csv_package, parquet_dir = descriptor(built), built / "dist/parquet"
    assert [r["name"] for r in csv_package["resources"]] == [r["name"] for r in descriptor(built, parquet=True)["resources"]]
    for resource in csv_package["resources"]:
        from_csv = read_csv_typed(built, resource)
        from_parquet = pd.read_parquet(parquet_dir / f"{resource['name']}.parquet")
        pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=True)


def test_read_parquet_gives_the_documented_dtypes(built: Path) -> None:
    for resource in descriptor(built, parquet=True)["resources"]:
        frame = pd.read_parquet(built / "dist/parquet" / resource["path"])
        for field in resource["schema"]["fields"]:
            assert str(frame[field["name"]].dtype) == PARQUET_DTYPES[field["type"]], (resource["name"], field["name"])


def test_read_csv_plain_keeps_text_and_integers(built: Path) -> None:
    claims = pd.read_csv(built / "data/claims.csv")
    assert claims["char_start"].dtype == "int64" and claims["quote"].dtype == "str"
    statements = pd.read_csv(built / "data/statements.csv")
    assert statements.loc[0, "text"].count("\n") > 10  # multi-line text survives CSV quoting


@pytest.mark.parametrize("root", ["committed", "built"])
def test_every_span_is_the_exact_slice(root: str, built: Path) -> None:
    base = REPO if root == "committed" else built
    texts = pd.read_csv(base / "data/statements.csv", keep_default_na=False).set_index("statement_id")["text"]
    claims = pd.read_csv(base / "data/claims.csv", keep_default_na=False)
    assert len(claims) > 0
    spans = {}
    for c in claims.itertuples():
        assert texts[c.statement_id][c.char_start : c.char_end] == c.quote, c.claim_id
        spans[c.claim_id] = (c.statement_id, c.char_start, c.char_end)
    for table in ("quantities", "claim_entities"):
        rows = pd.read_csv(base / f"data/{table}.csv", keep_default_na=False)
        assert len(rows) > 0
        for r in rows.itertuples():
            statement_id, start, end = spans[r.claim_id]
            assert start <= r.char_start < r.char_end <= end, (table, r.claim_id)
            assert texts[statement_id][r.char_start : r.char_end] == r.as_written
    non_claims = pd.read_csv(base / "data/non_claims.csv", keep_default_na=False)
    for r in non_claims.itertuples():
        assert texts[r.statement_id][r.char_start : r.char_end] == r.quote


def test_statement_text_is_the_normalized_source(built: Path) -> None:
    from hrc_corpus.text import normalize
    statements = pd.read_csv(built / "data/statements.csv", keep_default_na=False)
    for s in statements.itertuples():
        source = (REPO / "records/statements" / s.statement_id / "source.md").read_bytes()
        assert s.text == normalize(source.decode("utf-8"))
        assert s.source_url == ""  # no public address is known: null, never guessed


def test_committed_outputs_are_what_the_records_produce() -> None:
    result = run_cli("build", "--check", root=REPO)
    assert result.returncode == 0, result.stderr


def test_build_check_notices_stale_outputs(repo_copy: Path) -> None:
    (repo_copy / "data/claims.csv").write_text("stale\n", encoding="utf-8")
    result = run_cli("build", "--check", root=repo_copy)
    assert result.returncode == 1 and "data/claims.csv: differs" in result.stderr
    assert (repo_copy / "data/claims.csv").read_text(encoding="utf-8") == "stale\n"  # --check writes nothing


def test_two_builds_are_byte_identical(tmp_path: Path, built: Path) -> None:
    again = copy_repo(tmp_path / "again")
    assert run_cli("build", root=again).returncode == 0
    for rel in ["datapackage.json", *[f"data/{p.name}" for p in (built / "data").iterdir()],
                *[f"dist/parquet/{p.name}" for p in (built / "dist/parquet").iterdir()]]:
        assert (again / rel).read_bytes() == (built / rel).read_bytes(), rel


def test_table_schemas_derive_from_schema_folder(built: Path) -> None:
    schemas = Schemas(REPO / "schema")
    expected = {t.name: t.descriptor() for t in tables(schemas)}
    for package in (descriptor(built), descriptor(built, parquet=True)):
        for resource in package["resources"]:
            assert resource["schema"] == expected[resource["name"]]
            assert all(f["description"] for f in resource["schema"]["fields"]), resource["name"]
    claims = expected["claims"]
    field = next(f for f in claims["fields"] if f["name"] == "claim_type")
    assert field["constraints"]["enum"] == [t.id for t in schemas.vocabularies["claim_type"]]
    assert {"fields": ["statement_id"], "reference": {"resource": "statements", "fields": ["statement_id"]}} in claims["foreignKeys"]


def test_parquet_files_carry_the_same_schema(built: Path) -> None:
    for resource in descriptor(built, parquet=True)["resources"]:
        schema = pq.read_schema(built / "dist/parquet" / resource["path"])
        assert schema.names == [f["name"] for f in resource["schema"]["fields"]]


def test_parquet_pandas_metadata_is_what_pandas_gives() -> None:
    """write.pandas_metadata (written without importing pandas) is what pyarrow writes for pandas' empty frame of each table."""
    import pyarrow as pa

    from hrc_corpus.tables import arrow_schema
    from hrc_corpus.write import pandas_metadata

    for table in tables(Schemas(REPO / "schema")):
        schema = arrow_schema(table)
        empty = schema.empty_table().to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        expected = pa.Table.from_pandas(empty, schema=schema, preserve_index=False).schema.metadata
        assert pandas_metadata(schema) == expected, table.name
    with pytest.raises(KeyError):  # a type the map does not know is a bug, never a guess
        pandas_metadata(pa.schema([pa.field("x", pa.int8())]))


def test_an_invalid_output_is_never_committed(repo_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hrc_corpus import cli
    before = (repo_copy / "data/claims.csv").read_bytes()
    monkeypatch.setattr(cli, "verify_staged", lambda staging, arrow, **options: ["claims: simulated validation failure"])
    assert cli.main(["--root", str(repo_copy), "build"]) == 3
    assert "nothing was written" in capsys.readouterr().err
    assert (repo_copy / "data/claims.csv").read_bytes() == before
    assert not any((repo_copy / ".hrc-build").glob("staging-*"))


def test_readme_counts_match_the_tables() -> None:
    import re
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \|.*\| (\d+) \|$", readme, flags=re.MULTILINE))
    package = descriptor(REPO)
    assert set(rows) == {r["name"] for r in package["resources"]}
    for resource in package["resources"]:
        assert int(rows[resource["name"]]) == len(pd.read_csv(REPO / resource["path"])), resource["name"]
