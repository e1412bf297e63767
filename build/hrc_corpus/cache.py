"""The one cache: results kept by content hash in .hrc-build/cache/, as JSON, each entry verified before use.

A cache may make a run faster; it must never change an answer. So:

- an entry's key is the SHA-256 of everything its result depends on: the fingerprint (this
  package's code, every file under schema/ - the schemas and the vocabularies -, the versions
  of Python and of the libraries that parse and validate, the backend) and the content it
  stands for (the caller's bytes: a statement's three files, the shared records), and of the
  cache folder's identity on disk, so that entries made in another checkout (committed to a
  repository, or copied along with one) never match;
- an entry is a file named by its key, holding its key and the SHA-256 of its value's JSON
  again, then the value: a file that does not say its own name and digest is ignored
  (deleted, when the cache is pruned);
- values are plain JSON, written and read with orjson (the standard library's json is ten
  times slower to write a statement's rows): nothing in the repository can make the cache run
  code (no marshal, no pickle);
- `build --check`, what CI runs, never opens the cache (see pipeline.Options.cache).
"""

from __future__ import annotations

import hashlib
import os
import platform
import stat
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .files import atomic_write

FOLDER = "cache"  # inside the work folder (.hrc-build/)
LIBRARIES = ("PyYAML", "rapidyaml", "google-re2", "jsonschema", "jsonschema-rs", "referencing", "pyarrow", "pandas", "orjson")
_SUFFIX = ".json"


def fingerprint(root: Path, backend: str) -> bytes:
    """What every cached result depends on besides its own input: code, schemas, vocabularies, library versions."""
    digest = hashlib.sha256(f"{__version__}\0{platform.python_version()}\0{backend}\0".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=absent\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        _add(digest, path.relative_to(package).as_posix().encode(), path.read_bytes())
    for path in sorted((root / "schema").rglob("*")):
        if path.is_file():
            _add(digest, path.relative_to(root).as_posix().encode(), path.read_bytes())
    return digest.digest()


def sha256_of(*parts: bytes) -> bytes:
    """The SHA-256 of a list of parts, framed as _add frames them (no two lists give the same digest)."""
    digest = hashlib.sha256()
    _add(digest, *parts)
    return digest.digest()


def _add(digest: Any, *parts: bytes) -> None:
    """Feed parts to a hash so that no two different lists of parts give the same stream."""
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)


class Cache:
    """Results by key in one folder; get and put during a run, prune at its end."""

    def __init__(self, folder: Path, fingerprint: bytes):
        self.folder, self.fingerprint = folder, fingerprint
        self.used: set[str] = set()
        self.hits = self.misses = 0

    @classmethod
    def open(cls, work: Path, fingerprint: bytes) -> Cache | None:
        """The cache in a work folder, or None where it must not be used (the folder, or the cache in it, is no folder)."""
        folder = work / FOLDER
        try:
            folder.mkdir(parents=True, exist_ok=True)
            info = [os.lstat(path) for path in (work, folder)]
        except OSError:  # a read-only checkout still works; it only does not remember
            return None
        if not all(stat.S_ISDIR(i.st_mode) for i in info):
            return None
        # The cache folder's identity is part of every key: entries made in another checkout (a cache
        # committed to a repository, or copied with it) never match, whatever they hold.
        identity = f"{info[1].st_dev}:{info[1].st_ino}".encode()
        return cls(folder, hashlib.sha256(fingerprint + identity).digest())

    def key(self, *parts: bytes) -> str:
        """The key of a result computed from these parts (and the fingerprint)."""
        digest = hashlib.sha256(self.fingerprint)
        _add(digest, *parts)
        return digest.hexdigest()

    def get(self, key: str) -> Any:
        """The value stored under a key, if a sound entry holds it; else None."""
        try:
            with open(self.folder / (key + _SUFFIX), "rb") as f:
                head, _, body = f.read().partition(b"\n")
            stated = orjson.loads(head)
            if stated != {"key": key, "sha256": hashlib.sha256(body).hexdigest()}:
                raise ValueError("not the entry it is named for")
            value = orjson.loads(body)
        except (OSError, ValueError):  # missing, unreadable, torn, edited or not JSON (orjson.JSONDecodeError is one): recompute
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        """Store a value under its key (best effort: a read-only checkout still works, it only does not remember)."""
        body = orjson.dumps(value)
        head = orjson.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()})
        try:
            atomic_write(self.folder / (key + _SUFFIX), head + b"\n" + body, durable=False)  # a torn entry is ignored
        except OSError:
            return
        self.used.add(key)

    def keep(self, key: str) -> None:
        """Keep an entry this run relies on without reading it (prune would delete it)."""
        self.used.add(key)

    def prune(self) -> None:
        """Delete the entries this run did not use, so the cache holds the current files' results only."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            stale = name.endswith(_SUFFIX) and name[: -len(_SUFFIX)] not in self.used and len(name) == 64 + len(_SUFFIX)
            if stale or (name.startswith(".") and name.endswith(".tmp")):  # .tmp: a write that was killed
                try:
                    (self.folder / name).unlink()
                except OSError:
                    pass
