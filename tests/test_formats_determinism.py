"""The users' formats are a function of the package alone: the same bytes in any time zone, locale and hash seed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SCRIPT = """
import hashlib, json, sys
from hrc_corpus.formats import build_all
print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in build_all(sys.argv[1]).items()}))
"""


@pytest.mark.parametrize("tz,locale,seed", [("Pacific/Kiritimati", "tr_TR.UTF-8", "1"), ("America/St_Johns", "C", "4242"),
                                            ("Etc/GMT+12", "POSIX", "0")])
def test_same_bytes_everywhere(released: Path, tmp_path: Path, tz: str, locale: str, seed: str) -> None:
    (archive,) = released.glob("*-csv.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
    (package,) = tmp_path.glob("*-csv")
    env = os.environ | {"TZ": tz, "LC_ALL": locale, "LANG": locale, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(package)], capture_output=True, text=True, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    digests = json.loads(result.stdout)
    compared = [name for name in digests if name != "README.md"]  # the folder's card has the release folder's text
    assert len(compared) == 5
    for name in compared:
        assert digests[name] == hashlib.sha256((released / name).read_bytes()).hexdigest(), name
