"""The Hugging Face dataset card: README.md with YAML front matter, one config per table.

`datasets.load_dataset(<folder>, <table>)` reads the folder's README.md front matter and loads
the config's Parquet file, so the card sits wherever the `<table>.parquet` files are: in the
release folder and in the Parquet zip. The front matter is a function of the package alone.
"""

from __future__ import annotations

from typing import Any

import yaml

from .package import Package

DEFAULT = "claims"
TASKS = ["text-classification", "token-classification"]  # claim types and check-worthiness; claim spans
TAGS = ["fact-checking", "claim-detection", "check-worthiness", "human-rights", "united-nations", "cambodia",
        "political-speech", "standoff-annotation"]
_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]


def front_matter(package: Package) -> dict[str, Any]:
    """The card's metadata: configs (claims first, the default), licence, language, size, tasks, tags."""
    d = package.descriptor
    names = [r["name"] for r in d["resources"]]
    order = [DEFAULT] + [n for n in names if n != DEFAULT]
    configs = [{"config_name": n, "data_files": [{"split": "train", "path": f"{n}.parquet"}]} | ({"default": True} if n == DEFAULT else {})
               for n in order]
    languages = sorted({str(v).split("-")[0] for v in package.tables["statements"]["language"].dropna()})
    return {
        "pretty_name": d["title"],
        "license": d["licenses"][0]["name"].lower(),
        "language": languages,
        "multilinguality": "monolingual",
        "size_categories": [_size(max(len(t) for t in package.tables.values()))],
        "source_datasets": ["original"],
        "task_categories": TASKS,
        "tags": TAGS,
        "configs": configs,
    }


def _size(rows: int) -> str:
    """Hugging Face's size category for a row count."""
    return next((label for limit, label in _SIZES if rows < limit), "n>1M")


def card(package: Package, body: str = "") -> str:
    """README.md: front matter, then body (the package's README text), then the Hub-specific sections."""
    meta = yaml.safe_dump(front_matter(package), sort_keys=False, allow_unicode=True, width=1000)
    rows = {n: len(t) for n, t in package.tables.items()}
    statements = rows.get("statements", 0)
    text = body.rstrip("\n") or f"# {package.descriptor['title']}\n\n{package.descriptor['description']}"
    sections = [
        "## Loading with 🤗 datasets", "",
        "Each table is a configuration; `claims` is the default. From this folder (or the repository it is "
        "uploaded to):", "",
        "```python",
        "from datasets import load_dataset",
        f'claims = load_dataset("path/to/this/folder", "{DEFAULT}", split="train")',
        'statements = load_dataset("path/to/this/folder", "statements", split="train")',
        "```", "",
        "| Configuration | Rows |", "| --- | ---: |",
        *[f"| `{n}` | {r} |" for n, r in rows.items()], "",
        "## No train/test split", "",
        f"Every configuration holds all its rows in one split, named `train` only because that is the name "
        f"`datasets` gives a single split. There is no train/test split: the corpus is {statements} statements "
        "curated for analysis, not a benchmark, and any split of claims would put sentences of the same speech, "
        "which share context, topics, figures and links, on both sides. If you split, group by statement: "
        "keep every row with the same `statement_id` (for claims; for quantities, topics, entities and links "
        "through their `claim_id`) on the same side, e.g. with scikit-learn's `GroupKFold` or "
        "`GroupShuffleSplit` on `statement_id`.", "",
        "## Spans are code points", "",
        "`char_start` and `char_end` count Unicode code points of `statements.text`, end exclusive, so in Python "
        "`text[char_start:char_end] == quote`. Tools that count UTF-16 code units (JavaScript) or UTF-8 bytes "
        "get the wrong slice from them wherever the text has characters outside the Basic Multilingual Plane "
        "(UTF-16) or outside ASCII (UTF-8); the standoff annotation files of the release state all three.", "",
        "## Labels", "",
        "Codes such as `cfs` or `statistic` are terms of controlled vocabularies: the `vocabularies` "
        "configuration gives each term's label and definition.", "",
    ]
    return f"---\n{meta}---\n\n{text}\n\n" + "\n".join(sections)
