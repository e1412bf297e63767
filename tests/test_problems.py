"""did_you_mean's pruned search gives difflib.get_close_matches's answer."""

from __future__ import annotations

import difflib
import random

from hrc_corpus.problems import closest_match


def test_closest_match_is_get_close_matches() -> None:
    """Over random words and lookalike ids (ties included), the same suggestion or none."""
    rng = random.Random(3)
    alphabet = "abc-0123"
    for _ in range(400):
        choices = list({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(0, 40))})
        ids = [f"khm-hrc{rng.randint(30, 60)}-2020-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}-statement-000{rng.randint(10, 99)}-c0{rng.randint(10, 99)}"
               for _ in range(rng.randint(0, 30))]
        pool = choices + ids
        for word in (rng.choice(pool) if pool else "x", "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))),
                     (rng.choice(ids)[:-1] + "7") if ids else "c001"):
            expected = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
            assert closest_match(word, pool) == (expected[0] if expected else None), (word, pool)
