"""Reading the data: pandas from URLs, the typed loader (local, downloaded, cached, offline, tampered). The README's snippets: test_readme_snippets.py."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest

import hrc_corpus
from hrc_corpus.dataset import CACHE_ENV, DatasetError, load
from hrc_corpus.schema import Schemas
from hrc_corpus.tableschema import tables

from .conftest import REPO

DESCRIPTOR = json.loads((REPO / "datapackage.json").read_text())
RESOURCES = DESCRIPTOR["resources"]


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serving(folder: Path, limit: float = 60.0) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (ephemeral port, a thread per request); yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    # However a test ends, the server stops: at the end of the block, or by itself after `limit` seconds.
    guard = threading.Timer(limit, server.shutdown)
    guard.daemon = True
    guard.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        guard.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty download cache, also set as the default (so no test writes to the user's cache)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def assert_typed(frames: dict[str, pd.DataFrame]) -> None:
    """Frames have every table, the schema's columns, and the dtypes their Table Schema fields imply."""
    assert list(frames) == [r["name"] for r in RESOURCES]
    for resource in RESOURCES:
        df = frames[resource["name"]]
        assert list(df.columns) == [f["name"] for f in resource["schema"]["fields"]]
        for field in resource["schema"]["fields"]:
            dtype, enum = df[field["name"]].dtype, field.get("constraints", {}).get("enum")
            if enum:
                assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == enum
            else:
                expected = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                            "date": "datetime64[ns]"}[field["type"]]
                assert str(dtype) == expected, (resource["name"], field["name"], dtype)


def test_every_table_reads_from_urls_with_pandas(released: Path) -> None:
    with serving(released) as base:
        for resource in RESOURCES:
            name = resource["name"]
            from_parquet = pd.read_parquet(base + f"{name}.parquet")
            from_csv = pd.read_csv(base + f"{name}.csv")
            local = pd.read_csv(REPO / "data" / f"{name}.csv")
            assert list(from_parquet.columns) == [f["name"] for f in resource["schema"]["fields"]]
            pd.testing.assert_frame_equal(from_csv, local)
            assert len(from_parquet) == len(local)
            if len(local):  # the Parquet file holds the same values as the CSV file
                key = resource["schema"]["primaryKey"][0]
                assert from_parquet[key].astype(str).tolist() == local[key].astype(str).tolist()


def test_load_downloads_then_works_offline(released: Path, cache: Path) -> None:
    with serving(released) as base:
        downloaded = load(base)
    assert_typed(downloaded)
    assert {p.name for p in next(cache.iterdir()).iterdir()} >= {"SHA256SUMS", "datapackage.json", "claims.csv"}
    offline = load(base)  # the server is gone: everything comes from the cache
    local = load()
    for name in downloaded:
        pd.testing.assert_frame_equal(offline[name], downloaded[name])
        pd.testing.assert_frame_equal(local[name], downloaded[name])


def test_load_without_server_or_cache_says_so(released: Path, cache: Path) -> None:
    with serving(released) as base:
        pass
    with pytest.raises(DatasetError, match="could not download .*SHA256SUMS.*not in the cache"):
        load(base)


def test_tampered_download_is_refused(released: Path, cache: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(released, tmp_path / "tampered")
    claims = folder / "claims.csv"
    claims.write_bytes(claims.read_bytes().replace(b"cfs", b"ufs", 1))
    with serving(folder) as base:
        with pytest.raises(DatasetError, match=r"refused .*claims\.csv: it does not match its SHA-256 in SHA256SUMS"):
            load(base)
    assert not list(cache.rglob("claims.csv"))  # the bad file is not kept


def test_tampered_cache_is_refused_offline(released: Path, cache: Path) -> None:
    with serving(released) as base:
        load(base)
    (cached,) = cache.rglob("claims.csv")
    cached.write_bytes(cached.read_bytes() + b"\n")
    with pytest.raises(DatasetError, match="claims.csv.*the cached copy does not match its checksum"):
        load(base)


def test_version_placeholder_and_check(released: Path, cache: Path) -> None:
    version = hrc_corpus.__version__
    with serving(released.parent) as base:
        frames = load(base + "cambodia-hrc-statements-{version}/", version=version)
    assert len(frames) == len(RESOURCES)
    with pytest.raises(DatasetError, match="expected version 9.9.9"):
        load(version="9.9.9")


def test_local_load_is_typed_and_nulls_are_na() -> None:
    frames = load()
    assert_typed(frames)
    statements = frames["statements"].set_index("statement_id")
    press = statements.loc["khm-hrc53-2023-07-16-press-release"]
    assert press["speaker_id"] is pd.NA and press["statement_type"] == "press_release"
    assert statements["date"].dt.year.tolist() == [2023, 2024]
    # Categories are the vocabulary's terms in vocabulary order (as schema/ lists them).
    vocabulary = [t.id for t in Schemas(REPO / "schema").vocabularies["claim_type"]]
    assert list(frames["claims"]["claim_type"].cat.categories) == vocabulary


def test_dtypes_come_from_the_descriptor(tmp_path: Path) -> None:
    shutil.copytree(REPO / "data", tmp_path / "data")
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    claims = next(r for r in descriptor["resources"] if r["name"] == "claims")
    field = next(f for f in claims["schema"]["fields"] if f["name"] == "claim_type")
    field["constraints"]["enum"].reverse()
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    frames = load(tmp_path)
    assert list(frames["claims"]["claim_type"].cat.categories) == field["constraints"]["enum"]
    # And from the schema/ that generates the descriptor: one field per column, in order.
    schema_fields = {t.name: [f.name for f in t.fields] for t in tables(Schemas(REPO / "schema"))}
    assert {name: list(df.columns) for name, df in frames.items()} == schema_fields


def test_locally_edited_file_is_refused(tmp_path: Path) -> None:
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy2(REPO / "datapackage.json", tmp_path / "datapackage.json")
    sessions = tmp_path / "data" / "sessions.csv"
    sessions.write_text(sessions.read_text().replace("Geneva", "Genevx", 1))
    with pytest.raises(DatasetError, match="sessions.csv does not match the SHA-256 in the package descriptor"):
        load(tmp_path)


def test_value_outside_the_vocabulary_is_refused(tmp_path: Path) -> None:
    shutil.copytree(REPO / "data", tmp_path / "data")
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    for resource in descriptor["resources"]:  # no hashes, so the value check is what refuses
        resource.pop("hash"), resource.pop("bytes")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    claims = tmp_path / "data" / "claims.csv"
    claims.write_text(claims.read_text().replace(",statistic,", ",statistik,", 1))
    with pytest.raises(DatasetError, match=r"claims\.claim_type: .*'statistik'"):
        load(tmp_path)


def test_release_zips_folder_and_checkout_load_the_same(released: Path) -> None:
    local = load()
    version = hrc_corpus.__version__
    for source in (released, released / f"cambodia-hrc-statements-{version}-csv.zip",
                   released / f"cambodia-hrc-statements-{version}-parquet.zip"):
        frames = load(source)
        for name in local:
            pd.testing.assert_frame_equal(frames[name], local[name])
