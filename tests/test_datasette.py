"""The release's SQLite database, served by the real Datasette and read back through its JSON API."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest

from hrc_corpus.dataset import load
from hrc_corpus.formats import read_package, sqlite

NAME = "cambodia-hrc-statements"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def datasette(folder: Path) -> Iterator[str]:
    """Datasette serving the release's database with its metadata; yields its base URL; stopped by its PID."""
    (database,) = folder.glob("*.sqlite")
    (meta,) = folder.glob("*-datasette.json")
    port = free_port()
    cli = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen([str(cli), "serve", "--immutable", str(database), "--metadata", str(meta),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute for it to listen (a busy machine starts it slowly)
            if proc.poll() is not None:
                raise AssertionError(f"datasette exited: {proc.stdout.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("datasette did not start listening")
        yield base
    finally:
        proc.terminate()  # by its PID, nothing else
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]


def get(url: str) -> Any:
    """A JSON answer of the API."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def served(released: Path) -> Iterator[tuple[str, str]]:
    """(base URL, database path) of Datasette serving the release."""
    with datasette(released) as base:
        databases = get(base + "/.json")
        (db,) = databases.values()
        yield base, base + db["path"]


def test_full_text_search_finds_what_pandas_finds(served: tuple[str, str], released: Path) -> None:
    _, db = served
    rows = get(db + "/claims.json?_search=peacekeepers&_shape=array&_size=max")
    claims = load(released)["claims"]
    # Porter stemming: peacekeepers, peacekeeper and peacekeeping share the stem peacekeep.
    hit = claims["quote"].str.contains(r"(?i)\bpeacekeep") | claims["summary"].str.contains(r"(?i)\bpeacekeep")
    expected = sorted(claims.loc[hit, "claim_id"])
    assert sorted(r["claim_id"] for r in rows) == expected
    assert len(expected) >= 2  # both statements give the number of peacekeepers
    texts = get(db + "/statements.json?_search=peacekeepers&_shape=array")
    assert len(texts) == 2


def test_facet_counts_are_the_tables_counts(served: tuple[str, str], released: Path) -> None:
    _, db = served
    answer = get(db + "/claims.json?_size=0")  # the metadata's facets are on by default
    claims = load(released)["claims"]
    for column in ("claim_type", "checkworthy", "attribution"):
        got = {r["value"]: r["count"] for r in answer["facet_results"][column]["results"]}
        assert got == {k: v for k, v in claims[column].astype(str).value_counts().items()}, column


def test_canned_query_figures_in_several_statements(served: tuple[str, str], released: Path) -> None:
    _, db = served
    rows = get(db + "/figures_in_several_statements.json?_shape=array")
    t = load(released)
    figures = t["quantities"].merge(t["claims"][["claim_id", "statement_id"]], on="claim_id")
    per = figures.groupby(["measure", "unit"], observed=True)["statement_id"].nunique()
    expected = sorted((m, str(u), n) for (m, u), n in per.items() if n > 1)
    assert sorted((r["measure"], r["unit"], r["statements"]) for r in rows) == expected
    peace = next(r for r in rows if r["measure"] == "peacekeepers-deployed")
    assert "9,000 (2023-07-16)" in peace["as_written"] and "9,281 (2024-02-26)" in peace["as_written"]


def test_metadata_describes_every_table_and_column(served: tuple[str, str], released: Path) -> None:
    base, _ = served
    meta = get(base + "/-/metadata.json")
    descriptor = json.loads((released / "datapackage.json").read_text(encoding="utf-8"))
    (db,) = meta["databases"].values()
    assert meta["license"] == "CC-BY-4.0" and "Source documents:" in meta["source"]
    for resource in descriptor["resources"]:
        entry = db["tables"][resource["name"]]
        assert entry["description"] == resource["description"]
        assert entry["columns"] == {f["name"]: f["description"] for f in resource["schema"]["fields"]}
    assert db["tables"]["claims"]["facets"] == ["claim_type", "attribution", "checkworthy"]


def test_database_has_every_row_and_key(released: Path) -> None:
    (path,) = released.glob("*.sqlite")
    tables = load(released)
    descriptor = json.loads((released / "datapackage.json").read_text(encoding="utf-8"))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for resource in descriptor["resources"]:
            name, schema = resource["name"], resource["schema"]
            pk = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info('{name}')"), key=lambda r: r[5]) if r[5]]
            assert pk == schema["primaryKey"], name
            grouped: dict[int, list] = {}
            for r in conn.execute(f"PRAGMA foreign_key_list('{name}')"):  # id, seq, table, from, to, ...
                grouped.setdefault(r[0], []).append(r)
            fks = {(tuple(r[3] for r in rows), rows[0][2], tuple(r[4] for r in rows)) for rows in grouped.values()}
            assert fks == {(tuple(fk["fields"]), fk["reference"]["resource"] or name, tuple(fk["reference"]["fields"]))
                           for fk in schema.get("foreignKeys", [])}, name
            got = pd.read_sql(f"SELECT * FROM '{name}'", conn)
            want = tables[name]
            assert list(got.columns) == list(want.columns)
            for f in schema["fields"]:
                column = want[f["name"]].astype(object)
                if f["type"] == "date":
                    column = want[f["name"]].dt.strftime("%Y-%m-%d").astype(object)
                expected = [None if pd.isna(v) else (str(v) if f["type"] in ("string", "date") else v) for v in column]
                actual = [None if pd.isna(v) else v for v in got[f["name"]].astype(object)]
                assert actual == expected, (name, f["name"])
        views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        assert views == set(sqlite.VIEWS)
        n = conn.execute("SELECT count(*) FROM claims_in_context").fetchone()[0]
        assert n == len(tables["claims"])


def test_database_bytes_depend_only_on_the_package(released: Path, tmp_path: Path) -> None:
    (path,) = released.glob("*.sqlite")
    package = read_package(_unzipped_csv(released, tmp_path))
    assert sqlite.database(package) == path.read_bytes()
    header = path.read_bytes()[:100]
    assert int.from_bytes(header[16:18], "big") == sqlite.PAGE_SIZE


def _unzipped_csv(released: Path, tmp_path: Path) -> Path:
    """The release's CSV package, unzipped: the input the formats are built from."""
    import zipfile

    (archive,) = released.glob("*-csv.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
    (folder,) = tmp_path.glob("*-csv")
    return folder
