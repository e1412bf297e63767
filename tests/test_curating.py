"""The curator's path of docs/curating.md, on a document the test writes itself (never a real statement):
`new` → `status` → `check` (drafts listed) → drafts decided → `check` → `build`; and `text`, the PDF path, `fmt`."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest

from hrc_corpus.curate.yamlstyle import dump, load

from .conftest import run_cli

STATEMENT = "khm-hrc55-2024-03-04-interactive-dialogue"
FOLDER = f"records/statements/{STATEMENT}"
# A made-up statement in the shape of the real ones: heading block, dateline, salutation,
# numbered paragraphs with figures and a known entity, a closing formula.
SOURCE = """**Statement by the Delegation of the Kingdom of Cambodia**

**Interactive Dialogue on a made-up report**

**Geneva, 4 March 2024**

Mr. President,

1. Cambodia has trained 1,200 judges since 2020. More than half of them are women, as the Human Rights Council heard.
2. Several thousand lawyers now offer pro-bono services in twenty-five provinces.

Thank you
"""
META = ["--title", "Statement at a made-up interactive dialogue", "--type", "speech", "--date", "2024-03-04",
        "--place", "Geneva", "--session", "HRC55", "--segment", "Interactive Dialogue", "--issuer", "kingdom-of-cambodia",
        "--speaker", "sok-chenda-sophea", "--speaker-title", "Made-up title for the test"]


def new(root: Path, source: Path, *extra: str) -> tuple[int, str, str]:
    """Run `hrc-corpus new` on a source; exit code, stdout, stderr."""
    result = run_cli("new", str(source), "--id", STATEMENT, *META, *extra, root=root)
    return result.returncode, result.stdout, result.stderr


def decide(root: Path, complete: bool = True) -> None:
    """Decide every draft as a curator would: fill what the drafts leave open, delete `draft: true`."""
    claims_path = root / FOLDER / "claims.yaml"
    claims = load(claims_path.read_text(encoding="utf-8"))
    for claim in claims["claims"]:
        del claim["draft"]
        claim.update({"type": "statistic", "attribution": "own_voice", "checkworthy": "cfs",
                      "summary": "A made-up summary of " + claim["id"] + ".", "topics": ["SDG16.3"], "themes": ["uhri-access-to-justice-and-remedy"]})
        for quantity in claim.get("quantities", []):
            del quantity["draft"]
            quantity.setdefault("unit", "count")
            quantity.setdefault("qualifier", "exact")
            quantity.update({"measure": "bar-association-cases", "period": None})
        for mention in claim.get("entities", []):
            del mention["draft"]
    for item in claims["non_claims"]:
        del item["draft"]
    claims_path.write_text(dump(claims), encoding="utf-8")
    meta_path = root / FOLDER / "statement.yaml"
    meta = load(meta_path.read_text(encoding="utf-8"))
    for name in meta["null_reasons"]:
        meta["null_reasons"][name] = "Not stated in the made-up document."
    if complete:
        meta["curation"] = "complete"
    meta_path.write_text(dump(meta), encoding="utf-8")


@pytest.fixture
def drafted(repo_copy: Path, tmp_path: Path) -> Path:
    """A repository copy with the made-up statement scaffolded by `new`."""
    source = tmp_path / "incoming" / "2024-03-04_made-up.md"
    source.parent.mkdir()
    source.write_bytes(SOURCE.encode("utf-8"))
    code, out, err = new(repo_copy, source)
    assert code == 0, err
    assert f"created {FOLDER}/" in out
    assert "8 sentences: 3 draft claims, 5 candidate non-claims; 4 draft quantities, 1 draft entity mentions" in out
    assert sorted(p.name for p in (repo_copy / FOLDER).iterdir()) == ["claims.yaml", "source.md", "statement.yaml"]
    assert not list((repo_copy / "records").glob(".*"))  # the staging folder is gone
    return repo_copy


def test_new_status_check_decide_build(drafted: Path, tmp_path: Path) -> None:
    """The tutorial's path, asserting what each step reports."""
    root = drafted
    folder = root / FOLDER
    source = (tmp_path / "incoming" / "2024-03-04_made-up.md").read_bytes()
    assert (folder / "source.md").read_bytes() == source  # byte for byte
    meta_text = (folder / "statement.yaml").read_text(encoding="utf-8")
    assert f"sha256: {hashlib.sha256(source).hexdigest()}" in meta_text
    assert "file: 2024-03-04_made-up.md" in meta_text and "curation: in_progress" in meta_text
    claims_text = (folder / "claims.yaml").read_text(encoding="utf-8")
    assert STATEMENT not in run_cli("fmt", "--check", root=root).stderr  # new writes canonical files
    for name, schema in (("statement.yaml", "statement.schema.json"), ("claims.yaml", "claims.schema.json")):
        first = (folder / name).read_text(encoding="utf-8").splitlines()[0]  # the YAML language server's schema line
        assert first.startswith("# yaml-language-server: $schema=")
        assert (folder / first.split("=", 1)[1]).resolve() == (root / "schema" / schema).resolve()
    # Each draft quotes its sentence exactly; numbers as written, with the value the words give.
    assert "quote: Cambodia has trained 1,200 judges since 2020." in claims_text
    assert '{draft: true, as: "1,200", value: 1200}' in claims_text
    assert "{draft: true, as: half, value: 0.5, unit: fraction}" in claims_text
    assert "{draft: true, as: Several thousand, value: null, qualifier: indefinite}" in claims_text
    assert "{draft: true, as: twenty-five, value: 25}" in claims_text
    assert "{draft: true, id: human-rights-council, as: Human Rights Council}" in claims_text
    for guessed in ('{draft: true, quote: "Geneva, 4 March 2024", reason: dateline}',
                    '{draft: true, quote: "Mr. President,", reason: salutation}',
                    "{draft: true, quote: Thank you, reason: closing}",
                    "{draft: true, quote: Statement by the Delegation of the Kingdom of Cambodia, reason: heading}"):
        assert guessed in claims_text

    status = run_cli("status", STATEMENT, root=root)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    # 13 drafts in claims.yaml (3 claims, 4 quantities, 1 mention, 5 non-claims) and 2 null reasons to write.
    assert lines[0] == f"{STATEMENT}: in_progress, 8/8 sentences accounted for, 15 draft(s) left"
    assert f"  {FOLDER}/statement.yaml:" in status.stdout and "the reason why source.url is null is still to be written" in status.stdout
    claims_lines = claims_text.splitlines()
    for line in lines[1:-1]:  # each draft at its file:line, and that line holds the draft mark or the reason
        file, number, _ = line.strip().split(":", 2)
        text = (root / file).read_text(encoding="utf-8").splitlines()[int(number) - 1]
        assert "draft: true" in text or re.fullmatch(r"  (agenda_item|source\.url): null", text), line
    assert sum("draft: true" in line for line in claims_lines if not line.startswith("#")) == 13

    check = run_cli("check", root=root)
    assert check.returncode == 1
    assert f"{FOLDER}/claims.yaml:" in check.stderr and "draft claim c001: decide it" in check.stderr
    assert check.stderr.strip().endswith("15 problem(s); nothing was written.")

    decide(root, complete=False)
    meta = load((folder / "statement.yaml").read_text(encoding="utf-8"))
    meta["curation"] = "complete"
    claims = load((folder / "claims.yaml").read_text(encoding="utf-8"))
    claims["claims"][0]["draft"] = True  # one draft left: the statement cannot be complete
    (folder / "statement.yaml").write_text(dump(meta), encoding="utf-8")
    (folder / "claims.yaml").write_text(dump(claims), encoding="utf-8")
    check = run_cli("check", root=root)
    assert check.returncode == 1
    assert re.search(rf"{FOLDER}/statement.yaml:\d+:\d+: curation: the statement is marked complete, but 1 draft\(s\) are left",
                     check.stderr), check.stderr

    del claims["claims"][0]["draft"]
    (folder / "claims.yaml").write_text(dump(claims), encoding="utf-8")
    check = run_cli("check", root=root)
    assert check.returncode == 0, check.stderr
    assert f"{STATEMENT}: 3 claims, 5 non-claims, 8/8 sentences accounted for (100%), complete" in check.stdout

    status = run_cli("status", root=root)
    assert f"{STATEMENT}: complete, 8/8 sentences accounted for, 0 draft(s) left" in status.stdout

    build = run_cli("build", root=root)
    assert build.returncode == 0, build.stderr
    rows = list(csv.DictReader(io.StringIO((root / "data" / "claims.csv").read_text(encoding="utf-8"))))
    ours = [r for r in rows if r["statement_id"] == STATEMENT]
    assert [r["quote"] for r in ours] == [
        "Cambodia has trained 1,200 judges since 2020.",
        "More than half of them are women, as the Human Rights Council heard.",
        "Several thousand lawyers now offer pro-bono services in twenty-five provinces."]
    text = next(r for r in csv.DictReader(io.StringIO((root / "data" / "statements.csv").read_text(encoding="utf-8")))
                if r["statement_id"] == STATEMENT)["text"]
    assert all(text[int(r["char_start"]):int(r["char_end"])] == r["quote"] for r in ours)
    # decide() appended the decided fields after quantities; fmt puts them in the schema's order, values unchanged.
    assert f"not canonical: {FOLDER}/claims.yaml" in run_cli("fmt", "--check", root=root).stderr
    assert run_cli("fmt", root=root).returncode == 0
    assert run_cli("fmt", "--check", root=root).returncode == 0
    first = (folder / "claims.yaml").read_text(encoding="utf-8").split("\n\n")[0]
    assert first.index("quote:") < first.index("type:") < first.index("topics:") < first.index("quantities:")
    assert run_cli("build", "--check", root=root).returncode == 0


def test_text_shows_the_offsets_spans_use(drafted: Path) -> None:
    """`text ID` prints each paragraph with its offsets; the slice at them is the line shown."""
    result = run_cli("text", STATEMENT, root=drafted)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# ") and "8 sentences" in lines[0]
    assert "¶5 (no. 1) [" in result.stdout
    by_sentence = run_cli("text", STATEMENT, "--sentences", root=drafted).stdout
    assert re.search(r"^  \[\d+-\d+\) More than half of them are women, as the Human Rights Council heard\.$", by_sentence, re.M)
    unknown = run_cli("text", "khm-hrc55-2024-03-04-no-such-thing", root=drafted)
    assert unknown.returncode == 1 and "no such statement; did you mean" in unknown.stderr


@pytest.mark.parametrize("command", ["text", "status"])
def test_text_and_status_take_only_statement_ids(drafted: Path, command: str) -> None:
    """An id that walks out of records/statements/ (`..`) is refused, like any id that is no statement folder."""
    for walk in (f"../statements/{STATEMENT}", "..", f"{STATEMENT}/../{STATEMENT}"):
        result = run_cli(command, walk, root=drafted)
        assert result.returncode == 1 and "no such statement" in result.stderr and "Traceback" not in result.stderr, walk


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds the lines (Helvetica, one line each), written by hand."""
    stream = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_new_from_a_pdf(repo_copy: Path, tmp_path: Path) -> None:
    """A PDF is kept as received; source.md is its extracted text; both hashed; the conversion named."""
    pdf = _pdf(["Statement by the Delegation of Cambodia", "", "Mr. President,", "",
                "Cambodia has trained 1,200 judges since 2020.", "", "Thank you"])
    source = tmp_path / "made-up.pdf"
    source.write_bytes(pdf)
    code, out, err = new(repo_copy, source)
    assert code == 0, err
    folder = repo_copy / FOLDER
    assert (folder / "source.pdf").read_bytes() == pdf
    text = (folder / "source.md").read_bytes()
    assert b"Cambodia has trained 1,200 judges since 2020." in text
    meta = load((folder / "statement.yaml").read_text(encoding="utf-8"))
    assert meta["source"]["file"] == "made-up.pdf"
    assert meta["source"]["sha256"] == hashlib.sha256(text).hexdigest()
    assert meta["source"]["original"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert meta["source"]["original"]["conversion"].startswith("pypdf ")
    # The same PDF gives the same text again (the extraction is deterministic).
    again = tmp_path / "again"
    again.mkdir()
    from .conftest import copy_repo

    other = copy_repo(again / "repo")
    assert new(other, source)[0] == 0
    assert (other / FOLDER / "source.md").read_bytes() == text
    claims = (folder / "claims.yaml").read_text(encoding="utf-8")
    assert "quote: Cambodia has trained 1,200 judges since 2020." in claims
    assert "problem:" not in run_cli("status", STATEMENT, root=repo_copy).stdout
    (folder / "source.pdf").write_bytes(pdf + b"\n")  # a PDF that changed after it was received
    assert f"problem: {FOLDER}/source.pdf: SHA-256 " in run_cli("status", STATEMENT, root=repo_copy).stdout


def test_new_refuses_a_pdf_without_text(repo_copy: Path, tmp_path: Path) -> None:
    """A PDF with no text layer (a scan) is refused: no OCR, nothing written."""
    source = tmp_path / "scan.pdf"
    source.write_bytes(_pdf([]))
    code, _, err = new(repo_copy, source)
    assert code == 1 and "no text layer" in err and "Traceback" not in err
    assert not (repo_copy / FOLDER).exists()
