"""DuckDB reads the release's Parquet files over HTTP, with its httpfs extension from the pinned PyPI package."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from hrc_corpus.dataset import load

from .test_dataset import serving


def extension_folder() -> str:
    """Where the duckdb-ext-httpfs package keeps the extension, in DuckDB's own layout (v<version>/<platform>/)."""
    import duckdb_ext  # the namespace package that duckdb-ext-httpfs installs

    folder = Path(list(duckdb_ext.__path__)[0]) / "extensions"
    assert (folder / f"v{duckdb.__version__}").is_dir(), f"no httpfs for DuckDB {duckdb.__version__} in {folder}"
    return str(folder)


def connect() -> duckdb.DuckDBPyConnection:
    """A connection that can only use the packaged extension: nothing is installed or downloaded."""
    return duckdb.connect(config={"extension_directory": extension_folder(), "autoinstall_known_extensions": False,
                                  "autoload_known_extensions": False})


def test_select_from_a_parquet_url(released: Path) -> None:
    con = connect()
    con.sql("LOAD httpfs")
    with serving(released) as base:
        url = f"{base}claims.parquet"
        counts = con.sql(f"SELECT claim_type, count(*) AS n FROM '{url}' GROUP BY claim_type").fetchall()
        joined = con.sql(f"SELECT count(*) FROM '{base}quantities.parquet' q JOIN '{url}' c USING (claim_id)").fetchone()
    claims = load(released)["claims"]
    assert dict(counts) == {k: v for k, v in claims["claim_type"].astype(str).value_counts().items()}
    assert joined == (len(load(released)["quantities"]),)


def test_without_the_extension_http_is_refused(released: Path) -> None:
    # The control: the same query fails when httpfs is not loaded, so the test above proves the package works.
    con = connect()
    with serving(released) as base, pytest.raises(duckdb.Error):
        con.sql(f"SELECT count(*) FROM '{base}claims.parquet'").fetchall()
