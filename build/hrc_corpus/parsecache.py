"""Parsed record files kept between runs, by content hash, in the ignored .hrc-build/ folder.

The reference pipeline (cli.run_check) runs when the records have a problem; at 100,000
claims it would re-parse every file each time a curator reruns the check while fixing it.
With this cache it re-reads every file (reading is cheap) but parses only the files whose
bytes changed. Only what the fast path vouched for is cached, so a cached value is the
reference loader's value for those bytes. The cache is keyed by the code that made it, too:
a new version of this package, of rapidyaml, or of the loaders' source invalidates it as a
whole. A missing, stale or unreadable cache is simply rebuilt. (A clean corpus is handled by
fastbuild.py, which keeps whole statements' results the same way.)
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from . import __version__

CACHE_FILE = "parsed.marshal"  # inside write.WORK (.hrc-build/)
_active: ParseCache | None = None


def _code_fingerprint() -> str:
    """What the cached values depend on besides the file bytes: the loaders' code and versions."""
    here = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for name in ("load.py", "fastyaml.py", "parsecache.py"):
        digest.update((here / name).read_bytes())
    try:
        import ryml

        digest.update(str(ryml.version).encode())
    except ImportError:  # pragma: no cover - without rapidyaml nothing is cached anyway
        pass
    return digest.hexdigest()


class ParseCache:
    """File hash -> parsed value, read at the start of a run and written back at its end."""

    def __init__(self, path: Path):
        self.path = path
        self.fingerprint = _code_fingerprint()
        self.entries: dict[bytes, Any] = {}
        self.used: dict[bytes, Any] = {}
        self.hits = self.misses = 0
        try:
            with open(path, "rb") as f:
                stored = marshal.load(f)
            if stored.get("fingerprint") == self.fingerprint:
                self.entries = stored["entries"]
        except (OSError, EOFError, ValueError, TypeError, AttributeError):
            pass  # no cache yet, or one from another version: start empty

    @staticmethod
    def key(text: str) -> bytes:
        """The content hash a file is cached under."""
        return hashlib.blake2b(text.encode("utf-8"), digest_size=20).digest()

    def get(self, key: bytes) -> Any:
        """The cached value for a file's hash, or None."""
        value = self.entries.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self.used[key] = value
        return value

    def put(self, key: bytes, value: Any) -> None:
        """Remember a value the fast path vouched for."""
        self.used[key] = value

    def save(self) -> None:
        """Write the entries this run used (so the cache holds the current files only), atomically."""
        if self.used.keys() == self.entries.keys():
            return  # nothing changed since it was read
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            with open(temporary, "wb") as f:
                marshal.dump({"fingerprint": self.fingerprint, "entries": self.used}, f)
            os.replace(temporary, self.path)
        except BaseException:  # a full disk: leave no torn temporary file behind
            temporary.unlink(missing_ok=True)
            raise


def active() -> ParseCache | None:
    """The cache of the current run, if the command opened one."""
    return _active


@contextmanager
def parse_cache(work: Path) -> Iterator[ParseCache]:
    """Use (and afterwards save) the parse cache in a work folder for the duration of a run."""
    global _active
    cache = ParseCache(work / CACHE_FILE)
    _active = cache
    try:
        yield cache
    finally:
        _active = None
    try:
        cache.save()
    except OSError:  # a read-only checkout still checks; it just does not remember
        pass


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small acyclic values are built.

    Each pass scans every container alive; loading 100,000 claims triggered enough passes to
    double the load time. Record values hold no cycles, so nothing is lost by waiting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
