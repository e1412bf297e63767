"""Run hrc-corpus with every folder listing in a random order (seeded by HRC_LISTING_SEED).

File systems list folders in different orders (ext4 by hash, APFS by name, tmpfs by age); the
outputs must not depend on it. os.listdir serves Path.iterdir, os.scandir serves glob and rglob.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Any, Iterator

_rng = random.Random(int(os.environ.get("HRC_LISTING_SEED", "0")))
_listdir, _scandir = os.listdir, os.scandir


class _Entries:
    """A shuffled os.scandir result that is still a context manager."""

    def __init__(self, entries: list[os.DirEntry[Any]]):
        self._entries = entries

    def __iter__(self) -> Iterator[os.DirEntry[Any]]:
        return iter(self._entries)

    def __enter__(self) -> _Entries:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to close: the real iterator is already closed."""

    def close(self) -> None:
        """Nothing to close."""


def listdir(path: Any = ".") -> list[Any]:
    """os.listdir, shuffled."""
    names = _listdir(path)
    _rng.shuffle(names)
    return names


def scandir(path: Any = ".") -> _Entries:
    """os.scandir, shuffled."""
    with _scandir(path) as found:
        entries = list(found)
    _rng.shuffle(entries)
    return _Entries(entries)


if __name__ == "__main__":
    os.listdir, os.scandir = listdir, scandir  # type: ignore[assignment]
    from hrc_corpus.cli import main

    sys.exit(main(sys.argv[1:]))
