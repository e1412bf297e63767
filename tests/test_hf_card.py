"""The Hugging Face dataset card, read by the real `datasets` and `huggingface_hub`, offline and over loopback HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hrc_corpus.dataset import load

from .test_dataset import serving

# Run in a child process: `datasets` reads these when imported. The Hub's address is a closed loopback port,
# so even a request that slipped past offline mode could not leave the machine.
LOADER = r"""
import json, sys
from datasets import load_dataset
source, names, over_http = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
out = {}
for name, path in names.items():
    if over_http:
        ds = load_dataset("parquet", data_files={"train": source + path}, split="train")
    else:
        ds = load_dataset(source, name, split="train")
    out[name] = {"rows": ds.num_rows, "columns": ds.column_names, "first": {k: str(v) for k, v in ds[0].items()}}
print(json.dumps(out))
"""


def front_matter(text: str) -> dict:
    """The YAML front matter of a card."""
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def run_datasets(source: str, configs: dict[str, str], tmp_path: Path, offline: bool) -> dict:
    """load_dataset for every config in a child process with its own cache; returns what it read."""
    env = dict(os.environ, HF_HOME=str(tmp_path / "hf"), HF_DATASETS_CACHE=str(tmp_path / "hf-datasets"),
               HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_DISABLE_TELEMETRY="1",
               HF_DATASETS_OFFLINE="1" if offline else "0", HF_HUB_OFFLINE="1" if offline else "0")
    result = subprocess.run([sys.executable, "-c", LOADER, source, json.dumps(configs), "0" if offline else "1"],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def configs_of(card: str) -> dict[str, str]:
    """config name -> its one Parquet path, from the card's front matter."""
    out = {}
    for config in front_matter(card)["configs"]:
        (entry,) = config["data_files"]
        out[config["config_name"]] = entry["path"]
    return out


def assert_same(read: dict, released: Path) -> None:
    """What datasets read equals the tables."""
    tables = load(released)
    assert set(read) == set(tables)
    for name, frame in tables.items():
        assert read[name]["rows"] == len(frame), name
        assert read[name]["columns"] == list(frame.columns), name
        raw = pd.read_parquet(released / f"{name}.parquet").iloc[0]
        assert read[name]["first"] == {k: str(v if not pd.isna(v) else None) for k, v in raw.items()}, name


def test_card_front_matter(released: Path) -> None:
    card = (released / "README.md").read_text(encoding="utf-8")
    meta = front_matter(card)
    names = [r["name"] for r in load(released).descriptor["resources"]]
    assert configs_of(card) == {n: f"{n}.parquet" for n in names}
    default = [c["config_name"] for c in meta["configs"] if c.get("default")]
    assert default == ["claims"] and meta["configs"][0]["config_name"] == "claims"
    assert meta["license"] == "cc-by-4.0" and meta["language"] == ["en"] and meta["size_categories"] == ["n<1K"]
    assert meta["pretty_name"] and meta["task_categories"] and meta["tags"]
    for words in ("no train/test split", "group by statement", "code points"):
        assert words in card.replace("No train/test split", "no train/test split").replace("Group by", "group by") \
            or words in card.lower(), words


def test_huggingface_hub_parses_the_card(released: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(released / "README.md")
    assert card.data.license == "cc-by-4.0"
    assert [c["config_name"] for c in card.data.configs][0] == "claims"


def test_parquet_zip_carries_the_same_card(released: Path) -> None:
    (archive,) = released.glob("*-parquet.zip")
    with zipfile.ZipFile(archive) as z:
        (readme,) = [n for n in z.namelist() if n.endswith("/README.md")]
        card = z.read(readme).decode()
    assert configs_of(card) == configs_of((released / "README.md").read_text(encoding="utf-8"))


def test_load_dataset_reads_every_table_from_the_release_folder(released: Path, tmp_path: Path) -> None:
    configs = configs_of((released / "README.md").read_text(encoding="utf-8"))
    assert_same(run_datasets(str(released), configs, tmp_path, offline=True), released)


def test_load_dataset_reads_every_table_from_the_unzipped_parquet_package(released: Path, tmp_path: Path) -> None:
    (archive,) = released.glob("*-parquet.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "unzipped")
    (folder,) = (tmp_path / "unzipped").iterdir()
    configs = configs_of((folder / "README.md").read_text(encoding="utf-8"))
    read = run_datasets(str(folder), {"claims": configs["claims"], "vocabularies": configs["vocabularies"]},
                        tmp_path, offline=True)
    assert read["claims"]["rows"] == len(load(released)["claims"])


def test_load_dataset_reads_every_table_over_http(released: Path, tmp_path: Path) -> None:
    configs = configs_of((released / "README.md").read_text(encoding="utf-8"))
    with serving(released, limit=900) as base:
        assert base.startswith("http://127.0.0.1:")
        read = run_datasets(base, configs, tmp_path, offline=False)
    assert_same(read, released)


@pytest.mark.parametrize("missing", ["claims.parquet"])
def test_a_missing_table_fails_to_load(released: Path, tmp_path: Path, missing: str) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(released, copy)
    (copy / missing).unlink()
    env = dict(os.environ, HF_HOME=str(tmp_path / "hf"), HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1",
               HF_ENDPOINT="http://127.0.0.1:9")
    result = subprocess.run([sys.executable, "-c", LOADER, str(copy), json.dumps({"claims": missing}), "0"],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode != 0
