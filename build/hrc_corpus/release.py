"""Releases: versioned, checksummed, reproducible files, and a record of what each version held.

`hrc-corpus release` writes dist/<name>-<version>/ (version: hrc_corpus.__version__):

    <name>-<version>-csv.zip       the CSV data package: descriptor, data/, README, licence, citation, data dictionary,
                                   codebook
    <name>-<version>-parquet.zip   the Parquet data package, with the same documents
    datapackage.json, <table>.csv  the CSV package as loose files (pd.read_csv(url), frictionless, hrc_corpus.dataset.load)
    <table>.parquet                each table as Parquet (pd.read_parquet(url), DuckDB)
    <name>-<version>.sqlite        SQLite database for Datasette; <name>-<version>-datasette.json its metadata
    <name>-<version>.xlsx          spreadsheet workbook: a sheet per table, README, data dictionary
    README.md                      Hugging Face dataset card (also the Parquet zip's README.md)
    <name>-<version>-spans.jsonl   standoff spans per statement; -annotations.jsonld: W3C Web Annotations
    <name>-<version>-site.zip      the reading site (site.py): open <name>-<version>-site/index.html
    RELEASE_NOTES.md               what changed since the previous release
    SHA256SUMS                     the SHA-256 of every file above (`sha256sum -c SHA256SUMS`)

Every byte is a function of the records, schema/, CITATION.cff and the version: zip entries are
sorted and carry a fixed time and fixed permissions, so releasing a version twice gives
identical files. A version's content fingerprint and per-statement and per-claim digests are
recorded in releases/<version>.json and its notes in CHANGELOG.md; releasing a version already
recorded, with different content, is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml
from packaging.version import InvalidVersion, Version

from . import docs, formats, notes, site, write
from .check import CheckedCorpus
from .files import fresh_folder
from .formats import card as dataset_card
from .schema import Schemas
from .tables import build_tables
from .tableschema import tables
from .write import PACKAGE, descriptor, differences, json_bytes, locked, stage, verify_staged

NAME = PACKAGE["name"]
RECORDS = "releases"
CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry; any fixed time would do
_CHANGELOG_HEAD = ("# Changelog\n\nOne section per release, written by `hrc-corpus release`: what each version "
                   "added, changed and removed, and the fingerprint of its content (also in releases/).\n\n")


class ReleaseError(Exception):
    """A release was refused; the message says why and what to do."""


@dataclass(frozen=True)
class Staged:
    """Both packages as built from the records, checked and in memory."""

    version: str
    csv: dict[str, bytes]  # package path (datapackage.json, data/<table>.csv) -> bytes
    parquet: dict[str, bytes]  # package path (datapackage.json, <table>.parquet) -> bytes
    loose_descriptor: bytes  # the CSV descriptor with the CSV files beside it
    rows: dict[str, int]
    digests: dict[str, dict[str, str]]
    titles: dict[str, str]  # statement id -> title


def make_release(root: Path, corpus: CheckedCorpus, *, frozen: bool = False, today: str | None = None) -> Path:
    """Build, check and write a release folder; record the version if new (unless frozen). Return the folder."""
    version = write.__version__  # hrc_corpus.__version__, as the package descriptors carry it
    with locked(root) as work:
        check_new_version(root, version, frozen)  # before the slow part, for a quick refusal
        staged = _stage(root, work, corpus)
        content = fingerprint(staged.csv)
        existing = recorded_release(root, version, content)
        record = existing or {"name": NAME, "version": version, "date": today or dt.date.today().isoformat(),
                              "fingerprint": content, "rows": staged.rows, **staged.digests}
        metadata = _metadata(root, version, record["date"])
        stale = [path.name for path, text in metadata.items() if path.read_text(encoding="utf-8") != text]
        if frozen and stale:
            raise ReleaseError(f"{' and '.join(stale)} do not give version {version} of {record['date']}: "
                               "run `make release` and commit them")
        section = notes.render(record, previous_record(root, version), staged.titles)
        folder = root / "dist" / f"{NAME}-{version}"
        _replace_folder(folder, release_files(staged, corpus.schemas, metadata[root / CITATION].encode(), section))
        if not frozen:
            for path, text in metadata.items():
                path.write_text(text, encoding="utf-8")
            if existing is None:
                _write_record(root, record, section)
    return folder


def _stage(root: Path, work: Path, corpus: CheckedCorpus) -> Staged:
    """Build both packages into a scratch folder, refuse if stale or invalid, and read them back."""
    schema_tables = tables(corpus.schemas)
    arrow = build_tables(corpus)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=work))
    try:
        stage(staging, schema_tables, arrow)
        stale = differences(root, staging)
        if stale:
            raise ReleaseError("the committed data package is not what the records produce ("
                               + "; ".join(stale[:3]) + "): run `make build` and commit before releasing")
        errors = verify_staged(staging, arrow)
        if errors:
            raise ReleaseError("the built packages failed validation:\n  " + "\n  ".join(errors))
        csv = {"datapackage.json": (staging / "datapackage.json").read_bytes()}
        csv |= {f"data/{p.name}": p.read_bytes() for p in sorted((staging / "data").iterdir())}
        parquet = {p.name: p.read_bytes() for p in sorted((staging / "parquet").iterdir())}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    loose = descriptor(schema_tables, {t.name: csv[f"data/{t.name}.csv"] for t in schema_tables}, "csv", "")
    statements = arrow["statements"]
    titles = dict(zip(statements.column("statement_id").to_pylist(), statements.column("title").to_pylist()))
    rows = {n: t.num_rows for n, t in arrow.items()}
    version = json.loads(csv["datapackage.json"])["version"]
    return Staged(version, csv, parquet, json_bytes(loose), rows, notes.digests(arrow), titles)


def fingerprint(files: Mapping[str, bytes]) -> str:
    """The content fingerprint of a package: SHA-256 over its files' names and SHA-256s, in name order."""
    return "sha256:" + hashlib.sha256(sha256sums(files)).hexdigest()


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """A SHA256SUMS file (sha256sum's format) for files, in name order."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()


def recorded_release(root: Path, version: str, content: str) -> dict[str, Any] | None:
    """The version's record when it was released with this content; None when it is new; else refuse."""
    path = root / RECORDS / f"{version}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if record["fingerprint"] != content:
        raise ReleaseError(
            f"version {version} was already released with different content (fingerprint {record['fingerprint']}, "
            f"now {content}); a released version never changes: raise __version__ in build/hrc_corpus/__init__.py, "
            "run `make build`, then release")
    return record


def check_new_version(root: Path, version: str, frozen: bool) -> None:
    """Refuse a malformed version, or an unrecorded one that is in CHANGELOG.md, not newer, or (frozen) new at all."""
    try:
        if str(Version(version)) != version:
            raise InvalidVersion(version)
    except InvalidVersion:
        raise ReleaseError(f"{version!r} is not a version in canonical form (like 0.1.0)") from None
    if (root / RECORDS / f"{version}.json").is_file():
        return
    if in_changelog(root, version):
        raise ReleaseError(f"version {version} is already in {CHANGELOG} but {RECORDS}/{version}.json, its content "
                           "fingerprint, is missing, so the content cannot be compared; raise __version__ instead")
    if frozen:
        raise ReleaseError(f"version {version} is not recorded in {RECORDS}/: run `make release` locally, commit "
                           f"{RECORDS}/{version}.json, {CHANGELOG}, {CITATION} and {ZENODO}, then tag v{version}")
    later = [v for v in recorded_versions(root) if v >= Version(version)]
    if later:
        raise ReleaseError(f"version {version} is not newer than the last release, {max(later)}")


def recorded_versions(root: Path) -> list[Version]:
    """Every version recorded under releases/, oldest first."""
    folder = root / RECORDS
    return sorted(Version(p.stem) for p in folder.glob("*.json")) if folder.is_dir() else []


def previous_record(root: Path, version: str) -> dict[str, Any] | None:
    """The record of the latest release before version, if any."""
    earlier = [v for v in recorded_versions(root) if v < Version(version)]
    if not earlier:
        return None
    return json.loads((root / RECORDS / f"{max(earlier)}.json").read_text(encoding="utf-8"))


def in_changelog(root: Path, version: str) -> bool:
    """Whether CHANGELOG.md has a section for version (## 0.1.0 or ## [0.1.0])."""
    path = root / CHANGELOG
    pattern = rf"^##\s+\[?v?{re.escape(version)}\]?(\s|$)"
    return path.is_file() and re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE) is not None


def release_files(staged: Staged, schemas: Schemas, citation: bytes, section: str) -> dict[str, bytes]:
    """Every file of the release folder, by name, SHA256SUMS last."""
    base = f"{NAME}-{staged.version}"
    # A release's descriptors also say where the data come from, who made them and when they were released.
    statements_csv = staged.csv["data/statements.csv"]
    csv_files = staged.csv | {"datapackage.json": provenance(staged.csv["datapackage.json"], statements_csv, citation)}
    parquet_files = staged.parquet | {"datapackage.json": provenance(staged.parquet["datapackage.json"], statements_csv,
                                                                     citation)}
    package = json.loads(csv_files["datapackage.json"])
    shared = {"CITATION.cff": citation, "LICENSE.md": licence(package).encode(),
              "data-dictionary.md": docs.render(schemas).encode()}
    codebook = schemas.folder / "CODEBOOK.md"
    if codebook.is_file():  # at the path the package description cites
        shared["schema/CODEBOOK.md"] = codebook.read_bytes()
    # The users' formats (SQLite, workbook, dataset card, standoff), built from the CSV package as published.
    with tempfile.TemporaryDirectory(prefix="hrc-formats-") as tmp:
        for name, data in csv_files.items():
            (Path(tmp) / "release" / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / "release" / name).write_bytes(data)
        try:
            extra = formats.build_all(Path(tmp) / "release", readme(package, "parquet", staged.rows))
        except formats.FormatError as exc:
            raise ReleaseError(f"the release's formats cannot be built: {exc}") from None
        parquet_card = extra["README.md"]
        extra["README.md"] = dataset_card.card(formats.read_package(Path(tmp) / "release"),
                                               release_readme(package, staged.rows)).encode()
        pages = site.site_files(Path(tmp) / "release", schemas.folder.parent, citation)  # the reading site, likewise
    extra[f"{base}-site.zip"] = zip_bytes({f"{base}-site/{name}": data for name, data in pages.items()})
    files: dict[str, bytes] = {}
    for fmt, members in (("csv", csv_files), ("parquet", parquet_files)):
        card = parquet_card if fmt == "parquet" else readme(package, fmt, staged.rows).encode()
        contents = members | shared | {"README.md": card}
        files[f"{base}-{fmt}.zip"] = zip_bytes({f"{base}-{fmt}/{name}": data for name, data in contents.items()})
    files["datapackage.json"] = provenance(staged.loose_descriptor, statements_csv, citation)
    files |= {path.removeprefix("data/"): data for path, data in staged.csv.items() if path.startswith("data/")}
    files |= {name: data for name, data in staged.parquet.items() if name.endswith(".parquet")}
    files |= extra
    files["RELEASE_NOTES.md"] = section.encode()
    files["SHA256SUMS"] = sha256sums(files)
    return files


def provenance(descriptor: bytes, statements_csv: bytes, citation: bytes) -> bytes:
    """A descriptor with sources (the statements' documents), contributors (CITATION.cff's authors), created (its date-released)."""
    doc = json.loads(descriptor)
    cff = yaml.safe_load(citation)
    sources = []
    for row in csv.DictReader(io.StringIO(statements_csv.decode("utf-8"))):
        source = {"title": f"{row['title']} ({row['statement_type']}, {row['date']}); received as {row['source_file']}, "
                           f"SHA-256 {row['source_sha256']}"}
        if row["source_url"]:  # never invented: only a recorded address
            source["path"] = row["source_url"]
        sources.append(source)
    contributors = [{"title": a.get("name") or " ".join(filter(None, [a.get("given-names"), a.get("family-names")])),
                     "role": "author"} for a in cff.get("authors", [])]
    doc |= {"sources": sources, "contributors": contributors}
    if cff.get("date-released"):  # the release's date, never the build's time: releasing again gives the same bytes
        doc["created"] = f"{cff['date-released']}T00:00:00Z"
    return json_bytes(doc)


def zip_bytes(entries: Mapping[str, bytes]) -> bytes:
    """A zip of entries whose bytes depend only on their names and contents."""
    with tempfile.SpooledTemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.create_system = 3  # Unix, so the permission bits below are read
                info.external_attr = (0o100644 << 16)  # a regular file, rw-r--r--
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name], compresslevel=9)
        buffer.seek(0)
        return buffer.read()


def readme(package: Mapping[str, Any], fmt: str, rows: Mapping[str, int]) -> str:
    """The README.md of a zipped package, from its descriptor."""
    data = "data/<table>.csv" if fmt == "csv" else "<table>.parquet"  # the descriptors' paths
    lines = [f"# {package['title']}", "",
             f"Version {package['version']} of the `{package['name']}` data package, in {fmt.upper()} format.", "",
             package["description"], "",
             "## Files", "",
             "- `datapackage.json`: the Frictionless Data Package descriptor: every table's fields, types, constraints "
             "and keys" + (", and each file's size and SHA-256." if fmt == "csv" else "."),
             f"- `{data}`: one file per table (below).",
             "- `data-dictionary.md`: every table, field and vocabulary term, with its definition.",
             "- `schema/CODEBOOK.md`: how the statements were curated into claims: the decision rules, with examples.",
             "- `CITATION.cff`: how to cite the dataset.",
             "- `LICENSE.md`: the licence of the data.", "",
             "## Tables", "", "| Table | Rows | Contents |", "| --- | ---: | --- |"]
    lines += [f"| `{r['name']}` | {rows[r['name']]} | {r['description']} |" for r in package["resources"]]
    lines += ["", "## Use", "",
              "Check the package: `frictionless validate datapackage.json`. Read a table with pandas: "
              + ("`pd.read_csv(\"data/claims.csv\")`." if fmt == "csv" else "`pd.read_parquet(\"claims.parquet\")`."), "",
              "## Licence and citation", "",
              f"{licence_line(package)} Cite it as `CITATION.cff` says.", ""]
    return "\n".join(lines)


def release_readme(package: Mapping[str, Any], rows: Mapping[str, int]) -> str:
    """The README text of a release folder (below the dataset card's front matter)."""
    stem = f"{package['name']}-{package['version']}"
    lines = [f"# {package['title']}", "",
             f"Version {package['version']} of the `{package['name']}` dataset: the files of one release.", "",
             package["description"], "",
             "## Files", "",
             "- `<table>.parquet`: one file per table; the configurations below read them.",
             "- `<table>.csv` and `datapackage.json`: the CSV data package as loose files (Frictionless Data Package).",
             f"- `{stem}-csv.zip`, `{stem}-parquet.zip`: each data package whole, with its documents.",
             f"- `{stem}.sqlite` and `{stem}-datasette.json`: a SQLite database and its Datasette metadata.",
             f"- `{stem}.xlsx`: a spreadsheet workbook, a sheet per table.",
             f"- `{stem}-spans.jsonl`, `{stem}-annotations.jsonld`: standoff annotations (spans; W3C Web Annotation).",
             "- `RELEASE_NOTES.md`: what changed; `SHA256SUMS`: the checksum of every file.", "",
             "## Tables", "", "| Table | Rows | Contents |", "| --- | ---: | --- |"]
    lines += [f"| `{r['name']}` | {rows[r['name']]} | {r['description']} |" for r in package["resources"]]
    lines += ["", "## Licence and citation", "", f"{licence_line(package)} Cite it as `CITATION.cff` says.", ""]
    return "\n".join(lines)


def licence_line(package: Mapping[str, Any]) -> str:
    """One sentence naming the data's licence(s)."""
    names = [f"{lic['title']} ({lic['name']}, {lic['path']})" for lic in package["licenses"]]
    return f"The data are licensed under the {' and the '.join(names)}."


def licence(package: Mapping[str, Any]) -> str:
    """The LICENSE.md of a zipped package: the data licence, as the descriptor declares it."""
    return "\n".join([
        "# Licence", "",
        f"{licence_line(package)} The licence's full legal code is at the address given.", "",
        "You may share and adapt the data for any purpose, provided you give appropriate credit (see CITATION.cff), "
        "link to the licence, and indicate if you made changes.", ""])


def _metadata(root: Path, version: str, date: str) -> dict[Path, str]:
    """CITATION.cff and .zenodo.json as they must read for this release (version and date set)."""
    for name in (CITATION, ZENODO):
        if not (root / name).is_file():
            raise ReleaseError(f"{name} is missing from {root}")
    citation = (root / CITATION).read_text(encoding="utf-8")
    citation = _set_line(_set_line(citation, "version", version), "date-released", date)
    zenodo = json.loads((root / ZENODO).read_text(encoding="utf-8")) | {"version": version, "publication_date": date}
    return {root / CITATION: citation, root / ZENODO: json_bytes(zenodo).decode()}


def _set_line(text: str, key: str, value: str) -> str:
    """A CFF document with a top-level `key: "value"` line set (added at the end when absent)."""
    line = f'{key}: "{value}"'
    pattern = rf"^{re.escape(key)}:.*$"
    if re.search(pattern, text, re.MULTILINE):
        return re.sub(pattern, line, text, count=1, flags=re.MULTILINE)
    return text.rstrip("\n") + "\n" + line + "\n"


def _write_record(root: Path, record: Mapping[str, Any], section: str) -> None:
    """Record a new release: releases/<version>.json, and its section at the top of CHANGELOG.md."""
    folder = root / RECORDS
    folder.mkdir(exist_ok=True)
    (folder / f"{record['version']}.json").write_bytes(json_bytes(dict(record)))
    path = root / CHANGELOG
    text = path.read_text(encoding="utf-8") if path.is_file() else _CHANGELOG_HEAD
    first = re.search(r"^## (?!Unreleased)", text, re.MULTILINE)  # releases go below "## Unreleased"
    text = (text[: first.start()] + section + "\n" + text[first.start():]) if first else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def _replace_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Make target a folder holding exactly files: written beside it, then swapped in."""
    with fresh_folder(target) as fresh:
        for name, data in files.items():
            (fresh / name).write_bytes(data)
            os.chmod(fresh / name, 0o644)
