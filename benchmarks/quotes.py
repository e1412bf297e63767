"""How long reporting a quote that is not in the text takes: 100 KB and 1 MB quotes (issue 11's bound: 1 s for 1 MB).

The text is the speech's normalized text, as one paragraph, repeated to the quote's size; the quotes are that text
with one character changed, inserted, deleted or made invisible (at the start, the middle and
the end), in NFD, or unrelated words. Prints one line per case: size, case, seconds, message head.
Run: python benchmarks/quotes.py (part of `make bench`).
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from hrc_corpus.text import closest_passage, normalize

SPEECH = Path(__file__).resolve().parents[1] / "records/statements/khm-hrc55-2024-02-26-high-level-segment/source.md"


def cases(line: str) -> dict[str, str]:
    """Quotes that are not in a one-paragraph text, each by one kind of difference."""
    middle = len(line) // 2
    return {
        "changed at start": "X" + line[1:],
        "changed in middle": line[:middle] + "#" + line[middle + 1 :],
        "inserted in middle": line[:middle] + "zz"[:1] + line[middle:],
        "deleted in middle": line[:middle] + line[middle + 1 :],
        "zero-width space": line[:middle] + "\u200b" + line[middle:],
        "changed at end": line[:-1] + "#",
        "NFD": unicodedata.normalize("NFD", line[:middle] + "é" + line[middle:]),
        "unrelated": "lorem ipsum dolor sit amet " * (len(line) // 27),
    }


def main() -> None:
    """Time each case at each size."""
    base = normalize(SPEECH.read_text(encoding="utf-8"))
    for size in (100_000, 1_000_000):
        line = (base.replace("\n", " ") * (size // len(base) + 1))[:size]
        for name, quote in cases(line).items():
            middle = len(line) // 2
            haystack = (line[:middle] + "é" + line[middle:] if name == "NFD" else line) + "\n"
            started = time.perf_counter()
            message = closest_passage(haystack, quote)
            took = time.perf_counter() - started
            print(f"{len(quote):>9,} chars  {name:<20} {took:6.3f} s  {message[:70]}")


if __name__ == "__main__":
    main()
