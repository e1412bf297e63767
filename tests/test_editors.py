"""The editor and commit-time helpers of docs/curating.md: schema mappings, pre-commit hooks, .gitattributes."""

from __future__ import annotations

import json
import shlex
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from hrc_corpus.curate.yamlstyle import kind_of
from hrc_corpus.schema import RECORD_SCHEMAS

from .conftest import REPO, hrc

RECORDS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "records").rglob("*.yaml"))


def test_every_record_file_is_mapped_to_its_schema() -> None:
    """The YAML language server gets exactly one existing schema for each record file."""
    mapping = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    for schema, pattern in mapping.items():
        assert (REPO / schema).is_file(), schema
        assert any(fnmatchcase(rel, pattern) for rel in RECORDS), f"{pattern} matches no record file"
    for rel in RECORDS:
        matches = [schema for schema, pattern in mapping.items() if fnmatchcase(rel, pattern)]
        assert len(matches) == 1, (rel, matches)
        assert Path(matches[0]).name == RECORD_SCHEMAS[kind_of(rel)], (rel, matches)


def test_pre_commit_hooks_run_this_checkouts_commands(repo_copy: Path) -> None:
    """Each local hook is an hrc-corpus command that passes on canonical, valid records."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [h["id"] for h in hooks] == ["hrc-corpus-check", "hrc-corpus-fmt"]
    assert hrc(repo_copy, "fmt")[0] == 0
    for hook in hooks:
        assert hook["language"] == "system" and hook["pass_filenames"] is False
        program, *args = shlex.split(hook["entry"])
        assert program == ".venv/bin/hrc-corpus"
        code, err = hrc(repo_copy, *args)
        assert code == 0, (hook["id"], err)


def _attributes(path: str) -> list[str]:
    """The attributes .gitattributes gives a path (the last matching line wins, as in git)."""
    found: list[str] = []
    for line in (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *attributes = line.split()
            if fnmatchcase(path, pattern) or ("/" not in pattern and fnmatchcase(Path(path).name, pattern)):
                found = attributes
    return found


def test_sources_are_kept_byte_for_byte_and_yaml_is_lf() -> None:
    """source.md is never converted (its hash would change); YAML is checked out with LF."""
    for source in sorted((REPO / "records" / "statements").glob("*/source.md")):
        assert "-text" in _attributes(source.relative_to(REPO).as_posix())
    assert "-text" in _attributes("records/statements/x/source.pdf") or "binary" in _attributes("records/statements/x/source.pdf")
    for rel in RECORDS:
        assert _attributes(rel) == ["text", "eol=lf"], rel
    assert "-text" in _attributes("data/claims.csv")
