"""Load the dataset into pandas with the documented dtypes, from this checkout or from a release.

    from hrc_corpus.dataset import load
    tables = load()             # this checkout: datapackage.json and data/
    tables = load(base_url)     # a release's files: checked against its SHA256SUMS, cached, then offline

Dtypes come from the Table Schemas in the package descriptor (generated from schema/), never
from a list kept here: string -> pandas "string"; a field whose values are a vocabulary (an
enum constraint) -> Categorical with the vocabulary's terms as categories, in vocabulary order;
integer -> Int64; number -> Float64; boolean -> boolean; date -> datetime64[ns]. Nulls are <NA>
(NaT for dates).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Mapping

import pandas as pd

from . import __version__

DESCRIPTOR = "datapackage.json"
SUMS = "SHA256SUMS"
CACHE_ENV = "HRC_CORPUS_CACHE"  # overrides the default cache folder
DATE = "datetime64[ns]"
_SCALARS = {"string": pd.StringDtype(), "integer": pd.Int64Dtype(), "number": pd.Float64Dtype(),
            "boolean": pd.BooleanDtype(), "date": DATE}
# Table Schema's default true and false values for booleans in CSV.
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "1": True, "false": False, "False": False, "FALSE": False, "0": False}
Reader = Callable[[str], bytes]  # a package-relative path -> the file's verified bytes


class DatasetError(Exception):
    """The data could not be loaded as published: missing, unreachable, or not matching its checksums."""


class Dataset(dict[str, pd.DataFrame]):
    """load()'s result: table name -> DataFrame, in package order, with the package it came from."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]):
        super().__init__(frames)
        self.descriptor: dict[str, Any] = dict(descriptor)  # datapackage.json as read
        self.version: str | None = descriptor.get("version")  # the version loaded (tables.version)


def pandas_dtype(field: Mapping[str, Any]) -> Any:
    """The pandas dtype of a Table Schema field descriptor."""
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        return pd.CategoricalDtype(categories=list(enum), ordered=False)
    return _SCALARS[field["type"]]


def dtype_label(field: Mapping[str, Any]) -> str:
    """The pandas dtype of a field as documented (category, string, Int64, ...)."""
    dtype = pandas_dtype(field)
    return "category" if isinstance(dtype, pd.CategoricalDtype) else str(dtype)


def load(source: str | os.PathLike[str] | None = None, *, version: str | None = None,
         cache: str | os.PathLike[str] | None = None, verbose: bool = False) -> Dataset:
    """Every table as a typed DataFrame, keyed by table name, in package order (.version: the version loaded).

    source: None for this checkout; a folder or datapackage.json (a checkout, an unzipped
    package, a release folder) or a release's zip; or the http(s) URL of a release's files,
    where "{version}" is replaced by version (default: this package's version).
    version: the package version expected; a different one is an error.
    cache: where downloads are kept (default: $HRC_CORPUS_CACHE, else the user cache folder).
    verbose: report each download (pooch's log); by default downloads are silent.
    """
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        read = _remote_reader(source, version, cache, verbose)
    else:
        read = _local_reader(source)
    descriptor = json.loads(read(DESCRIPTOR))
    if version is not None and descriptor.get("version") != version:
        raise DatasetError(f"expected version {version} of the dataset, found {descriptor.get('version')}")
    return Dataset({r["name"]: frame(r, read(_safe_path(r["path"]))) for r in descriptor["resources"]}, descriptor)


def frame(resource: Mapping[str, Any], data: bytes) -> pd.DataFrame:
    """One resource's file (CSV or Parquet) as a DataFrame typed by its Table Schema."""
    schema, name = resource["schema"], resource["name"]
    _check_declared(resource, data)
    if resource.get("format") == "parquet":
        raw = pd.read_parquet(io.BytesIO(data))
    else:
        # Everything as text first; only the schema's missing values are null ("NA" is a string).
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                          na_values=schema.get("missingValues", [""]), encoding="utf-8")
    names = [f["name"] for f in schema["fields"]]
    if list(raw.columns) != names:
        raise DatasetError(f"{name}: columns {list(raw.columns)} differ from the schema's {names}")
    return pd.DataFrame({f["name"]: _column(name, raw[f["name"]], f) for f in schema["fields"]})


def _column(table: str, values: pd.Series, field: Mapping[str, Any]) -> pd.Series:
    """One column converted to its field's dtype; a value that does not fit is an error."""
    dtype, kind = pandas_dtype(field), field["type"]
    try:
        if isinstance(dtype, pd.CategoricalDtype):
            unknown = sorted(set(values.dropna().astype(str)) - set(dtype.categories))
            if unknown:
                raise ValueError(f"values outside the vocabulary: {unknown}")
            return values.astype(dtype)
        if kind == "date":
            # Text and Parquet dates alike go through their ISO form, so both read the same.
            return pd.to_datetime(values.astype("string"), format="%Y-%m-%d").astype(DATE)
        if kind == "boolean" and not pd.api.types.is_bool_dtype(values):
            return values.map(_BOOLEANS, na_action="ignore").astype(dtype)
        return values.astype(dtype)
    except (ValueError, TypeError, KeyError) as exc:
        raise DatasetError(f"{table}.{field['name']}: cannot read as {dtype_label(field)}: {exc}") from exc


def _check_declared(resource: Mapping[str, Any], data: bytes) -> None:
    """Refuse a file whose size or SHA-256 differs from what the descriptor declares."""
    declared = resource.get("hash", "")
    if declared.startswith("sha256:") and hashlib.sha256(data).hexdigest() != declared.removeprefix("sha256:"):
        raise DatasetError(f"{resource['path']} does not match the SHA-256 in the package descriptor: "
                           "the file is corrupt or was changed after the package was built")
    if "bytes" in resource and resource["bytes"] != len(data):
        raise DatasetError(f"{resource['path']} is {len(data)} bytes, the descriptor says {resource['bytes']}")


def _safe_path(path: str) -> str:
    """A resource path that stays inside its package (no absolute paths, URLs or '..')."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "://" in path or "\\" in path:
        raise DatasetError(f"refusing resource path {path!r}: it points outside the package")
    return path


def parse_sums(text: str) -> dict[str, str]:
    """A SHA256SUMS file (sha256sum's format) as file name -> hex digest."""
    sums = {}
    for line in text.splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            sums[name.removeprefix("*")] = digest.lower()
    return sums


def _local_reader(source: str | os.PathLike[str] | None) -> Reader:
    """Read files of a local package: a folder, a descriptor, or a zip."""
    if source is None:
        here = Path(__file__).resolve().parents[2]  # the checkout this package is installed from
        folder = here if (here / DESCRIPTOR).is_file() else Path.cwd()
    else:
        folder = Path(source)
    if folder.is_file() and zipfile.is_zipfile(folder):
        return _zip_reader(folder)
    descriptor = folder if folder.is_file() else folder / DESCRIPTOR
    if not descriptor.is_file():
        raise DatasetError(f"no {DESCRIPTOR} at {folder}: pass a checkout, a package folder, a zip or a release URL")
    sums_file = descriptor.parent / SUMS
    sums = parse_sums(sums_file.read_text(encoding="utf-8")) if sums_file.is_file() else {}

    def read(rel: str) -> bytes:
        path = descriptor if rel == DESCRIPTOR else descriptor.parent / rel
        if not path.is_file():
            raise DatasetError(f"{path} is missing")
        data = path.read_bytes()
        if rel in sums and hashlib.sha256(data).hexdigest() != sums[rel]:
            raise DatasetError(f"{path} does not match its checksum in {sums_file}: refusing a corrupt or tampered file")
        return data

    return read


def _zip_reader(path: Path) -> Reader:
    """Read files of a zipped package (its descriptor may sit in one top folder)."""
    with zipfile.ZipFile(path) as archive:  # packages are small: read once, keep no file open
        members = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    tops = sorted((n for n in members if PurePosixPath(n).name == DESCRIPTOR), key=lambda n: n.count("/"))
    if not tops:
        raise DatasetError(f"{path} holds no {DESCRIPTOR}")
    prefix = tops[0].removesuffix(DESCRIPTOR)

    def read(rel: str) -> bytes:
        if prefix + rel not in members:
            raise DatasetError(f"{path} has no {prefix + rel}")
        return members[prefix + rel]

    return read


def _remote_reader(url: str, version: str | None, cache: str | os.PathLike[str] | None, verbose: bool = False) -> Reader:
    """Read files of a release over HTTP(S), each checked against the release's SHA256SUMS and cached."""
    base = url.replace("{version}", version or __version__)
    base = base if base.endswith("/") else base + "/"
    root = Path(cache or os.environ.get(CACHE_ENV) or _default_cache())
    # One folder per release address, so two releases never share (or overwrite) a file.
    folder = root / hashlib.sha256(base.encode()).hexdigest()[:16]
    sums = parse_sums(_fetch(base, SUMS, folder, None, verbose).read_text(encoding="utf-8"))

    def read(rel: str) -> bytes:
        if rel not in sums:
            raise DatasetError(f"{rel} is not listed in {base}{SUMS}: refusing a file without a checksum")
        return _fetch(base, rel, folder, sums[rel], verbose).read_bytes()

    return read


def _default_cache() -> Path:
    """The user's cache folder for this dataset."""
    import pooch

    return Path(pooch.os_cache("hrc-corpus"))


def _fetch(base: str, name: str, folder: Path, sha256: str | None, verbose: bool = False) -> Path:
    """A release file from the cache if its checksum matches, else downloaded (again) and checked."""
    import pooch
    import requests

    cached = folder / name
    had_copy = cached.is_file()
    logger = pooch.get_logger()
    level = logger.level
    # pooch logs every download at INFO, with advice ("Use this value as the 'known_hash'") that reads like an error.
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        path = Path(pooch.retrieve(base + name, known_hash=f"sha256:{sha256}" if sha256 else None, fname=name,
                                   path=folder, progressbar=False))
    except requests.HTTPError as exc:
        state = ("the cached copy does not match its checksum" if had_copy else "it is not in the cache")
        response = exc.response
        status = f"HTTP {response.status_code} {response.reason}".rstrip() if response is not None else "HTTP error"
        raise DatasetError(f"could not download {base}{name} ({status}) and {state} ({folder})") from exc
    except ValueError as exc:  # pooch's word for "the download's hash is not the known hash"
        raise DatasetError(f"refused {base}{name}: it does not match its SHA-256 in {SUMS} (expected {sha256}); "
                           "the file is corrupt or was tampered with, and was not used") from exc
    except (requests.RequestException, OSError) as exc:
        state = ("the cached copy does not match its checksum" if had_copy else "it is not in the cache")
        raise DatasetError(f"could not download {base}{name} ({exc.__class__.__name__}) and {state} ({folder})") from exc
    finally:
        logger.setLevel(level)
    if sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:  # never trust a cache blindly
        raise DatasetError(f"{path} does not match its SHA-256 in {SUMS}: refusing a tampered file")
    return path
