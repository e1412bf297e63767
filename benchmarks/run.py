"""Benchmark: the build at 1k, 10k and 100k synthetic claims, against the floor and the peers, in one run.

For each size it generates a corpus (benchmarks/generate.py, kept between runs), then times
each stage in a fresh process and reports its wall time, CPU time and peak memory (the
process's maximum resident set):

- floor: reading every record file's bytes; the fastest YAML parse (rapidyaml, parse only);
- ours: cold check, cold check + build (no cache, frictionless not run), the build with
  nothing changed, the rebuild after editing one statement (the median of three edits in three
  statements), and (up to --reference-up-to
  claims) `hrc-corpus --strict check` (the reference backends, one process, no cache); and
  `hrc-corpus check` on a copy of the real records, cold and with its cache;
- peers on the same data: check-jsonschema on the record files; frictionless validate on the
  CSV package and on the Parquet package;
- the reading site (`hrc-corpus site`) from the built CSV package: its build time, its largest
  page, the claims index's data file, and how fast a filter of the claims index answers in
  headless Chromium (Debian's, through Playwright), the first time (loading the data) and after.

It prints one table per size and the targets with PASS or FAIL, and writes the figures to
OUT/results.json. Timings on a shared machine vary; CPU time varies less than wall time. Peak
memory is the largest resident set of any one process of the stage (for a build: the main
process or one of its workers, not their sum).

    python benchmarks/run.py [--sizes 1000,10000,100000] [--out DIR] [--no-peers]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent

READ = """
import sys
from pathlib import Path
n = sum(len(p.read_bytes()) for p in Path(sys.argv[1], "records").rglob("*") if p.is_file())
print(n)
"""
PARSE = """
import sys
from pathlib import Path
import ryml
files = [p.read_bytes() for p in Path(sys.argv[1], "records").rglob("*.yaml")]
for data in files:
    ryml.parse_in_arena(data)
"""
# Times the claims index's filter in headless Chromium: the first filter (which loads the data) and
# then filters on loaded data, each until the table has its new rows laid out.
FILTER = r"""
import json, sys, time
from playwright.sync_api import sync_playwright
from tests.test_site_browser import CHROMIUM, FLAGS
TIMED = '''([name, value]) => {
    const el = document.getElementById("f-" + name), t0 = performance.now();
    el.value = value;
    el.dispatchEvent(new Event("change", {bubbles: true}));
    document.body.offsetHeight;  // the new rows laid out
    return performance.now() - t0; }'''
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
    page = browser.new_page()
    page.goto(sys.argv[1])
    start = time.perf_counter()
    page.select_option("#f-claim_type", "statistic")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    first = (time.perf_counter() - start) * 1000
    timed = [page.evaluate(TIMED, [name, value]) for name, value in
             (("claim_type", "fact"), ("checkworthy", "cfs"), ("q", "the"), ("claim_type", ""), ("q", "zzzz"), ("q", ""))]
    print(json.dumps({"first_ms": first, "filter_ms": max(timed)}))
    browser.close()
"""
FRICTIONLESS = """
import sys
from frictionless import Package, system
with system.use_context(trusted=True):
    report = Package(sys.argv[1]).validate()
sys.exit(0 if report.valid else 1)
"""


def measure(cmd: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run a command; its wall time, CPU time (user + system) and peak resident memory."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:  # files: a full pipe would block the child
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen, so it does not wait again
        stdout.seek(0), stderr.seek(0)  # type: ignore[func-returns-value]
        out, err = stdout.read(), stderr.read()
    code = proc.returncode
    if code != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {code}:\n{err.decode()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "out": out.decode()[-500:]}


def corpus(out: Path, claims: int) -> Path:
    """The generated corpus of this size (made once, then reused)."""
    # Kept corpora are named by the hash of the generator and of schema/ (which it copies): a change to
    # either makes fresh ones.
    digest = hashlib.sha256((HERE / "generate.py").read_bytes())
    for path in sorted((REPO / "schema").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    generator = digest.hexdigest()[:12]
    root = out / f"corpus-{claims}-{generator}"
    if not (root / "records").is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--claims", str(claims)], check=True)
    return root


def edit_one_statement(root: Path, n: int, at: float = 0.5) -> None:
    """Change one claim's summary in one statement (the one `at` this fraction of the folders), as a curator's edit would."""
    folders = sorted((root / "records" / "statements").iterdir())
    claims = folders[int(len(folders) * at)] / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    marker = "    summary: "
    at = text.index(marker) + len(marker)
    claims.write_text(text[:at] + f"Edit {n} " + text[at:], encoding="utf-8")


def run_size(out: Path, claims: int, peers: bool, reference: bool) -> dict[str, Any]:
    """Every stage for one corpus size."""
    root = corpus(out, claims)
    cli = [str(BIN / "hrc-corpus"), "--root", str(root)]
    yaml_bytes = sum(p.stat().st_size for p in (root / "records").rglob("*.yaml"))
    all_bytes = sum(p.stat().st_size for p in (root / "records").rglob("*") if p.is_file())
    stages: dict[str, Any] = {}

    def fresh() -> None:
        shutil.rmtree(root / ".hrc-build", ignore_errors=True)

    stages["read bytes (floor)"] = measure([sys.executable, "-c", READ, str(root)])
    stages["rapidyaml parse (floor)"] = measure([sys.executable, "-c", PARSE, str(root)])
    fresh()
    stages["check, cold"] = measure(cli + ["check"])
    fresh()
    stages["check + build, cold"] = measure(cli + ["build", "--no-frictionless"])
    stages["build, nothing changed"] = measure(cli + ["build", "--no-frictionless"])
    # Three edits, each in another statement and each followed by a build; the median is the figure (one run
    # varies by a tenth of a second with what the file system is doing), all three are kept.
    edits = []
    for n, at in enumerate((0.25, 0.5, 0.75), start=1):
        edit_one_statement(root, n, at)
        edits.append(measure(cli + ["build", "--no-frictionless"]))
    stages["rebuild after one edit"] = {**sorted(edits, key=lambda e: e["wall"])[1], "runs": [e["wall"] for e in edits]}
    site = root / "dist" / "site"
    stages["site build"] = measure(cli + ["site", "--out", str(site)])
    site_figures = site_sizes(site)
    if site_figures is not None and Path("/usr/bin/chromium").is_file():
        run = measure([sys.executable, "-c", FILTER, (site / "claims.html").as_uri()], cwd=REPO)
        site_figures |= json.loads(run["out"].strip().splitlines()[-1])
    if reference:
        stages["strict check (reference backends)"] = measure(cli[:1] + ["--strict"] + cli[1:] + ["check"])
    if peers:
        schema = root / "schema"
        statements = sorted((root / "records" / "statements").iterdir())
        peer = [str(BIN / "check-jsonschema"), "--schemafile"]
        claims_run = measure(peer + [str(schema / "claims.schema.json"), "--base-uri", (schema / "claims.schema.json").as_uri()]
                             + [str(s / "claims.yaml") for s in statements])
        meta_run = measure(peer + [str(schema / "statement.schema.json"), "--base-uri", (schema / "statement.schema.json").as_uri()]
                           + [str(s / "statement.yaml") for s in statements])
        stages["check-jsonschema (peer)"] = {"wall": claims_run["wall"] + meta_run["wall"], "cpu": claims_run["cpu"] + meta_run["cpu"],
                                             "peak_mb": max(claims_run["peak_mb"], meta_run["peak_mb"]), "out": ""}
        stages["frictionless, CSV package (peer)"] = measure([sys.executable, "-c", FRICTIONLESS, str(root / "datapackage.json")])
        stages["frictionless, Parquet package (peer)"] = measure(
            [sys.executable, "-c", FRICTIONLESS, str(root / "dist" / "parquet" / "datapackage.json")])
    for stage in stages.values():
        stage.pop("out", None)
    return {"claims": claims, "yaml_mb": yaml_bytes / 1e6, "all_mb": all_bytes / 1e6,
            "statements": len(list((root / "records" / "statements").iterdir())), "stages": stages, "site": site_figures}


def site_sizes(site: Path) -> dict[str, Any] | None:
    """The site's largest page and its claims data file, in MB."""
    pages = sorted(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    if not pages:
        return None
    return {"largest_page": pages[-1].relative_to(site).as_posix(), "largest_page_mb": pages[-1].stat().st_size / 1e6,
            "pages": len(pages), "claims_data_mb": (site / "assets" / "claims-data.js").stat().st_size / 1e6}


def real_records(out: Path) -> dict[str, Any]:
    """`hrc-corpus check` on a copy of the curated records: cold (no cache), then with its cache."""
    root = out / "real-records"
    shutil.rmtree(root, ignore_errors=True)
    for name in ("records", "schema"):
        shutil.copytree(REPO / name, root / name)
    cli = [str(BIN / "hrc-corpus"), "--root", str(root), "check"]
    return {"real records: check, cold": measure(cli), "real records: check, cached": measure(cli)}


def table(result: dict[str, Any]) -> str:
    """One size's figures as a Markdown table, with ratios to the floor and to the peer checker."""
    stages = result["stages"]
    read, parse = stages["read bytes (floor)"]["wall"], stages["rapidyaml parse (floor)"]["wall"]
    lines = [f"#### {result['claims']:,} claims ({result['statements']:,} statements; "
             f"{result['yaml_mb']:.1f} MB of YAML, {result['all_mb']:.1f} MB with the source texts)", "",
             "| stage | wall s | CPU s | peak MB | × read floor | × parse floor |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in stages.items():
        lines.append(f"| {name} | {s['wall']:.2f} | {s['cpu']:.2f} | {s['peak_mb']:.0f} | "
                     f"{s['wall'] / read:.0f} | {s['wall'] / parse:.1f} |")
    runs = stages["rebuild after one edit"].get("runs")
    if runs:
        lines += ["", "rebuild after one edit: the median of three edits, each in another statement (wall s: "
                      + ", ".join(f"{r:.2f}" for r in runs) + ")"]
    site = result.get("site")
    if site:
        lines += ["", f"site: {site['pages']:,} pages, the largest {site['largest_page']} ({site['largest_page_mb']:.2f} MB); "
                      f"claims data {site['claims_data_mb']:.1f} MB (loaded on the first filter)"
                  + (f"; first filter {site['first_ms']:.0f} ms (with the data's loading), then at most "
                     f"{site['filter_ms']:.0f} ms per filter" if "filter_ms" in site else "; Chromium not found, filter not timed")]
    peer = stages.get("check-jsonschema (peer)")
    if peer:
        ours = stages["check, cold"]
        lines += ["", f"check vs check-jsonschema: {peer['wall'] / ours['wall']:.1f}× faster (wall), "
                      f"{peer['cpu'] / ours['cpu']:.1f}× (CPU)"]
    return "\n".join(lines)


def targets(results: list[dict[str, Any]]) -> list[str]:
    """The issue's targets at the largest size, each PASS or FAIL with the figure."""
    by_size = {r["claims"]: r["stages"] for r in results}
    top = max(by_size)
    s = by_size[top]
    rows = []

    def verdict(ok: bool, what: str) -> None:
        rows.append(f"{'PASS' if ok else 'FAIL'}  {what}")

    cold = s["check + build, cold"]
    verdict(cold["wall"] <= 5, f"cold check + build at {top:,} claims: {cold['wall']:.2f} s wall, {cold['cpu']:.2f} s CPU (target ≤ 5 s)")
    if "check-jsonschema (peer)" in s:
        ratio = s["check-jsonschema (peer)"]["wall"] / s["check, cold"]["wall"]
        verdict(ratio >= 50, f"check vs check-jsonschema: {ratio:.1f}× faster (target ≥ 50×)")
    edit = s["rebuild after one edit"]
    runs = "" if "runs" not in edit else " (median of " + ", ".join(f"{r:.2f}" for r in edit["runs"]) + ")"
    verdict(edit["wall"] <= 1, f"rebuild after one edit: {edit['wall']:.2f} s wall{runs}, {edit['cpu']:.2f} s CPU (target ≤ 1 s)")
    same = s["build, nothing changed"]
    verdict(same["wall"] <= 0.5, f"build with nothing changed: {same['wall']:.2f} s wall, {same['cpu']:.2f} s CPU (target ≤ 0.5 s)")
    peak = max(st["peak_mb"] for name, st in s.items() if "peer" not in name and "reference" not in name)
    verdict(peak <= 1024, f"peak memory of our stages: {peak:.0f} MB (target ≤ 1024 MB)")
    if "site build" in s:
        site, build = next(r["site"] for r in results if r["claims"] == top), s["site build"]
        verdict(build["wall"] <= 15, f"site build at {top:,} claims: {build['wall']:.2f} s wall, {build['cpu']:.2f} s CPU (target ≤ 15 s)")
        if site:
            verdict(site["largest_page_mb"] <= 2, f"largest site page: {site['largest_page']}, {site['largest_page_mb']:.2f} MB "
                                                  "(target ≤ 2 MB; the claims data, loaded only when filtering, aside)")
            if "filter_ms" in site:
                verdict(site["filter_ms"] <= 300, f"claims index filter in headless Chromium: at most {site['filter_ms']:.0f} ms "
                                                  f"once the data is loaded; the first, loading {site['claims_data_mb']:.0f} MB of "
                                                  f"data, {site['first_ms']:.0f} ms (target ≤ 300 ms)")
    lower = [n for n in by_size if n * 10 == top]
    if lower:
        growth = cold["wall"] / by_size[lower[0]]["check + build, cold"]["wall"]
        verdict(growth <= 11, f"growth {lower[0]:,} → {top:,} claims (cold check + build): {growth:.1f}× (target ≤ 11×)")
    real = results[0].get("real", {}).get("real records: check, cold")
    if real:
        verdict(real["wall"] <= 0.3, f"hrc-corpus check on the real records: {real['wall']:.2f} s wall, cold (target ≤ 0.3 s)")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="claims per corpus, comma-separated")
    # Not inside .hrc-build/: a build's recovery step clears the folders it finds there.
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "hrc-corpus-bench",
                   help="where corpora and results go (corpora are kept for the next run)")
    p.add_argument("--no-peers", dest="peers", action="store_false", help="skip check-jsonschema and frictionless")
    p.add_argument("--reference-up-to", type=int, default=10_000, help="time the reference path up to this many claims")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [int(n) for n in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; Python {sys.version.split()[0]}")
    results = []
    real = real_records(args.out)
    print("| real records | wall s | CPU s | peak MB |\n| --- | ---: | ---: | ---: |")
    print("\n".join(f"| {name} | {st['wall']:.2f} | {st['cpu']:.2f} | {st['peak_mb']:.0f} |" for name, st in real.items()), end="\n\n")
    for claims in sizes:
        result = run_size(args.out, claims, args.peers, claims <= args.reference_up_to)
        results.append(result)
        print(table(result), end="\n\n", flush=True)
    results[0]["real"] = {name: {k: v for k, v in st.items() if k != "out"} for name, st in real.items()}
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("\n".join(targets(results)))
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
