"""The benchmark harness runs end to end on a tiny corpus (its timings are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO


def test_benchmark_runs_on_200_claims(tmp_path: Path) -> None:
    """Generate 200 claims, time every stage of ours and the reference, print the table and the targets."""
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "200", "--no-peers",
                             "--reference-up-to", "200", "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for stage in ("read bytes (floor)", "rapidyaml parse (floor)", "check + build, cold", "build, nothing changed",
                  "rebuild after one edit", "strict check (reference backends)", "real records: check, cold"):
        assert f"| {stage} |" in result.stdout
    assert "peak memory" in result.stdout
    assert "| site build |" in result.stdout and "site build at 200 claims" in result.stdout
    assert (tmp_path / "results.json").is_file()
