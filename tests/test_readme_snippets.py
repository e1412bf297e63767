"""README's "Use the data": every snippet runs as written, the way the README tells a reader to run it.

A fresh checkout after `make build && make release` is a copy of the repository, built and released,
with the project's .venv beside it; the shell snippets run in one bash session that activates it
(`. .venv/bin/activate`, as the README says), the Python snippets in one `python` session of that
environment. Nothing is put on PATH for them, and BASE is what the README sets.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import hrc_corpus

from .conftest import REPO, copy_for_release, hrc

SECTION = "\n## Use the data\n"
SERVER = "datasette serve"


def snippets(language: str) -> list[str]:
    """The fenced code blocks of one language in the README's "Use the data" section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[: section.find("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout after `make build && make release`: built, released, with its .venv."""
    root = copy_for_release(tmp_path_factory.mktemp("readme") / "clone")
    for command in ("build", "release"):
        code, err = hrc(root, command)
        assert code == 0, err
    (root / ".venv").symlink_to(REPO / ".venv")  # `make build` made it; the snippets activate it
    return root


def reader_env(home: Path) -> dict[str, str]:
    """A reader's environment: the system PATH without this project's .venv, a home of its own, nothing online."""
    venv_bin = str(REPO / ".venv" / "bin")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if Path(p).resolve() != Path(venv_bin).resolve())
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    # datasets: no Hub (a closed loopback port stands in for its address); every cache in the reader's home.
    return env | {"PATH": path, "HOME": str(home), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                  "HF_ENDPOINT": "http://127.0.0.1:9", "XDG_CACHE_HOME": str(home / ".cache")}


def test_snippets_name_the_current_version() -> None:
    versions = set(re.findall(r"cambodia-hrc-statements-(\d+\.\d+\.\d+)", "".join(snippets("sh") + snippets("python"))))
    assert versions == {hrc_corpus.__version__}, "update the README's snippets to the version being released"


def test_shell_snippets_run_as_written(checkout: Path, tmp_path: Path) -> None:
    blocks = snippets("sh")
    assert blocks[0].startswith(". .venv/bin/activate") and len(blocks) >= 4
    script = "\n".join(b for b in blocks if SERVER not in b)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=checkout, env=reader_env(tmp_path),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert out.count("VALID") >= 2 * len(hrc_corpus.dataset.load(checkout / "datapackage.json")) and "INVALID" not in out
    claims = pd.read_csv(checkout / "data" / "claims.csv")
    for claim_type, n in claims["claim_type"].value_counts().items():
        assert f'"claim_type": "{claim_type}", "claims": {n}' in out
    peace = claims[claims["quote"].str.contains(r"(?i)\bpeacekeep") | claims["summary"].str.contains(r"(?i)\bpeacekeep")]
    for claim_id in peace["claim_id"]:
        assert f'"claim_id": "{claim_id}"' in out


def test_datasette_snippet_serves(checkout: Path, tmp_path: Path) -> None:
    (block,) = [b for b in snippets("sh") if SERVER in b]
    (server,) = [line for line in block.splitlines() if line.startswith(SERVER)]
    setup = snippets("sh")[0].splitlines()[:2]  # activate, BASE=
    proc = subprocess.Popen(["bash", "-c", "\n".join(setup + ["exec " + server])], cwd=checkout,
                            env=reader_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:  # the README says to open http://127.0.0.1:8001/ (Datasette's default port)
        for _ in range(600):
            assert proc.poll() is None, proc.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen("http://127.0.0.1:8001/-/metadata.json", timeout=5) as answer:
                    metadata = answer.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("datasette did not answer on 127.0.0.1:8001")
    finally:
        proc.terminate()  # exec: the shell's PID is datasette's
        proc.wait(timeout=20)
        proc.stdout.close()  # type: ignore[union-attr]
    assert "figures_in_several_statements" in metadata


def test_python_snippets_run_as_written(checkout: Path, tmp_path: Path) -> None:
    blocks = snippets("python")
    assert blocks[0].startswith("BASE = ") and len(blocks) >= 8 and len(snippets("r")) == 1  # R is shown, not run
    session = tmp_path / "session.py"
    session.write_text("\n".join(blocks), encoding="utf-8")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", f". .venv/bin/activate && python {session}"],
                            cwd=checkout, env=reader_env(tmp_path / "home"), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    claims = pd.read_csv(checkout / "data" / "claims.csv")
    assert f"{len(claims)} claims" in out
    assert f"version {hrc_corpus.__version__}" in out
    assert "Check-worthy factual" in out or "Unimportant factual" in out  # labels joined from vocabularies
    assert f"num_rows: {len(claims)}" in out  # datasets' Dataset printed
    assert "9,281" in out or "2023-06/2023-07" in out  # the workbook's text read back as written
    statements = pd.read_csv(checkout / "data" / "statements.csv")
    for statement_id in statements["statement_id"]:
        assert re.search(rf"^{re.escape(statement_id)} \d+ spans$", out, re.MULTILINE)


def test_frictionless_snippet_reads_a_release_over_http(checkout: Path, tmp_path: Path) -> None:
    from .test_dataset import serving

    (block,) = [b for b in snippets("sh") if "frictionless validate" in b]
    (line,) = [x for x in block.splitlines() if "${BASE}" in x]
    release = next((checkout / "dist").glob("cambodia-hrc-statements-*"))
    with serving(release, limit=600) as base:  # BASE as the README allows it: a release's address
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", f". .venv/bin/activate\nBASE={base}\n{line}"],
                                cwd=checkout, env=reader_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "VALID" in result.stdout and "INVALID" not in result.stdout
