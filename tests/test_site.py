"""The reading site, read as files: every highlight is its quote, values are escaped, the bytes are deterministic.

The browser tests (test_site_browser.py) check the same pages as a reader's browser shows them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hrc_corpus.site import CSP

from . import sitedata
from .conftest import REPO


class Elements(HTMLParser):
    """Collects the text of every element with an id, and every tag and attribute seen."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None, bool]] = []  # (tag, id, text not part of the passage)
        self.text: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.claims: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in self.VOID:
            return
        classes = (a.get("class") or "").split()
        self.open.append((tag, a.get("id"), "sr" in classes or "pi" in classes))
        if a.get("id"):
            self.text[a["id"]] = []
        if tag == "a" and "claim" in (a.get("class") or "").split():
            self.claims.append(a["id"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if any(aside for _, _, aside in self.open):  # a screen reader's note, the margin's paragraph count
            return
        for _, ident, _ in self.open:
            if ident:
                self.text[ident].append(data)


def parse(path: Path) -> Elements:
    """A page parsed; its elements' texts."""
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert not parser.open, f"{path}: unclosed {parser.open}"
    return parser


def build(package: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `hrc-corpus site` as a user would."""
    return subprocess.run([sys.executable, "-m", "hrc_corpus.cli", "--root", str(REPO), "site", "--package", str(package),
                           "--out", str(out)], capture_output=True, text=True, env={**os.environ, **env})


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the repository's data package."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(REPO, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated package full of hostile text and characters outside the BMP, and its site."""
    folder = tmp_path_factory.mktemp("gen")
    package = sitedata.write_package(folder / "package", sitedata.tables(statements=3, claims_per=9, seed=7))
    out = folder / "site"
    result = build(package, out)
    assert result.returncode == 0, result.stderr
    return package, out


def files_of(folder: Path) -> dict[str, str]:
    """Every file under folder with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_claim_is_an_element_whose_text_is_its_quote(real_site: Path) -> None:
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str, keep_default_na=False)
    for sid, group in claims.groupby("statement_id"):
        page = parse(real_site / "statements" / f"{sid}.html")
        assert page.claims == list(group.assign(at=group.char_start.astype(int)).sort_values("at").claim_id)
        for row in group.itertuples():
            assert "".join(page.text[row.claim_id]) == row.quote
            assert "".join(page.text[f"card-{row.claim_id}"])  # each claim has its card


def test_paragraphs_are_the_lines_of_the_text_with_printed_numbers(real_site: Path) -> None:
    statements = pd.read_csv(REPO / "data" / "statements.csv", dtype=str, keep_default_na=False)
    claims = pd.read_csv(REPO / "data" / "claims.csv")
    for s in statements.itertuples():
        page = parse(real_site / "statements" / f"{s.statement_id}.html")
        lines = [line for line in s.text.split("\n") if line]
        for n, line in enumerate(lines, 1):
            assert "".join(page.text[f"p{n}"]) == line
        assert f"p{len(lines) + 1}" not in page.text
        for c in claims[claims.statement_id == s.statement_id].itertuples():  # each claim in its paragraph
            assert c.quote in "".join(page.text[f"p{c.paragraph}"])


def test_generated_records_hostile_and_outside_the_bmp(generated: tuple[Path, Path]) -> None:
    package, site = generated
    claims = pd.read_csv(package / "data" / "claims.csv", dtype=str, keep_default_na=False)
    assert any(len(q.encode("utf-16-le")) // 2 > len(q) for q in claims.quote)  # some quotes hold non-BMP characters
    for sid, group in claims.groupby("statement_id"):
        page = parse(site / "statements" / f"{sid}.html")
        for row in group.itertuples():
            assert "".join(page.text[row.claim_id]) == row.quote
    for path in site.rglob("*.html"):
        page = parse(path)
        scripts = [a for tag, a in page.tags if tag == "script"]
        assert all(a.get("src", "").endswith(("site.js", "claims.js")) for a in scripts), path
        assert not [t for t, _ in page.tags if t in ("img", "textarea", "iframe", "object", "embed")], path
        for tag, attrs in page.tags:
            assert not any(k.startswith("on") for k in attrs), (path, tag, attrs)
            assert not (attrs.get("href") or "").lower().startswith("javascript:"), (path, tag, attrs)
        text = path.read_text(encoding="utf-8")
        assert "<script>window" not in text and not re.search(r"<[a-z][^<>]*\son[a-z]+=", text), path  # no live handler
    svgs = [a for tag, a in parse(site / "figures.html").tags if tag == "svg"]
    assert all(set(a) <= {"class", "viewbox", "role", "aria-labelledby"} for a in svgs)


def test_every_page_has_the_policy_and_loads_nothing_from_elsewhere(real_site: Path) -> None:
    for path in real_site.rglob("*.html"):
        page = parse(path)
        metas = [a for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert [m["content"] for m in metas] == [CSP], path
        for tag, attrs in page.tags:
            for key in ("src", "href"):
                value = attrs.get(key) or ""
                if key in attrs and (tag in ("script", "link") or key == "src"):
                    assert value and "://" not in value and not value.startswith("//"), (path, tag, value)
            assert "style" not in attrs, (path, tag)  # the policy forbids inline style
        assert "<style" not in path.read_text(encoding="utf-8")


def test_links_between_pages_resolve(real_site: Path) -> None:
    for path in real_site.rglob("*.html"):
        for tag, attrs in parse(path).tags:
            target = attrs.get("href") if tag in ("a", "link") else attrs.get("src") if tag == "script" else None
            if not target or "://" in target or target.startswith("mailto:"):
                continue
            file, _, fragment = target.partition("#")
            dest = (path.parent / file).resolve() if file else path
            assert dest.is_file(), (path, target)
            if fragment and dest.suffix == ".html":
                from urllib.parse import unquote
                assert unquote(fragment) in parse(dest).text or fragment in ("main",), (path, target)


def test_same_package_same_bytes_in_any_timezone_and_locale(real_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = build(REPO, again, TZ="Pacific/Kiritimati", LC_ALL="tr_TR.UTF-8", PYTHONHASHSEED="123")
    assert result.returncode == 0, result.stderr
    assert files_of(again) == files_of(real_site)


def test_downloads_are_the_package_byte_for_byte(real_site: Path) -> None:
    descriptor = json.loads((REPO / "datapackage.json").read_bytes())
    assert (real_site / "download" / "datapackage.json").read_bytes() == (REPO / "datapackage.json").read_bytes()
    for r in descriptor["resources"]:
        assert (real_site / "download" / r["path"]).read_bytes() == (REPO / r["path"]).read_bytes()


def test_labels_and_definitions_come_from_the_vocabularies(real_site: Path) -> None:
    vocab = json.loads((REPO / "schema" / "vocab" / "checkworthy.json").read_text(encoding="utf-8"))
    page = (real_site / "statements" / "khm-hrc53-2023-07-16-press-release.html").read_text(encoding="utf-8")
    from markupsafe import escape
    for term in vocab["anyOf"]:
        assert str(escape(term["description"])) in page or term["const"] not in page


def test_figures_chart_the_measures_stated_in_several_statements(real_site: Path) -> None:
    q = pd.read_csv(REPO / "data" / "quantities.csv").merge(pd.read_csv(REPO / "data" / "claims.csv")[["claim_id", "statement_id"]])
    several = q.dropna(subset=["value"]).groupby("measure").filter(lambda g: g.statement_id.nunique() > 1 and g.unit.nunique() == 1)
    page = (real_site / "figures.html").read_text(encoding="utf-8")
    assert page.count("<svg") == several.measure.nunique() > 0
    for measure in several.measure.unique():
        from markupsafe import escape
        assert f">{escape(measure)}</h2>" in page


def test_a_missing_package_is_a_clear_error(tmp_path: Path) -> None:
    result = build(tmp_path / "nowhere", tmp_path / "site")
    assert result.returncode == 1
    assert "no datapackage.json" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_quote_that_is_not_its_span_is_refused_and_nothing_is_written(generated: tuple[Path, Path], tmp_path: Path) -> None:
    rows = sitedata.tables(statements=1, claims_per=3)
    rows["claims"][1]["char_start"] += 1  # the span no longer slices to the quote
    package = sitedata.write_package(tmp_path / "package", rows)
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    result = build(package, out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "gen-0001-statement-c002" in result.stderr and "not its quote" in result.stderr
    assert [p.name for p in out.iterdir()] == ["index.html"] and (out / "index.html").read_text() == "old"


def test_pages_stay_small(real_site: Path) -> None:
    for path in real_site.rglob("*.html"):
        assert path.stat().st_size < 2_000_000, path
    assert re.search(r"window\.HRC_CLAIMS = \{", (real_site / "assets" / "claims-data.js").read_text(encoding="utf-8"))


def test_the_release_carries_the_site_reproducibly(released: Path, real_site: Path, tmp_path: Path) -> None:
    import zipfile

    from hrc_corpus import __version__, release

    name = f"{release.NAME}-{__version__}-site.zip"
    with zipfile.ZipFile(released / name) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert all(i.date_time == release.ZIP_TIME and i.external_attr >> 16 == 0o100644 for i in infos)
        top = f"{release.NAME}-{__version__}-site/"
        files = {n.removeprefix(top): archive.read(n) for n in names}
    # The site of the release's own CSV package: its descriptor is the one in the CSV zip ...
    with zipfile.ZipFile(released / f"{release.NAME}-{__version__}-csv.zip") as archive:
        descriptor = archive.read(f"{release.NAME}-{__version__}-csv/datapackage.json")
    assert files["download/datapackage.json"] == descriptor
    # ... and otherwise the site `hrc-corpus site` builds from the committed package (the release
    # dates its descriptor and citation, which the home and about pages show).
    ours = {p.relative_to(real_site).as_posix(): p.read_bytes() for p in real_site.rglob("*") if p.is_file()}
    assert set(files) == set(ours)
    differ = sorted(n for n in files if files[n] != ours[n])
    assert set(differ) <= {"index.html", "about.html", "download/datapackage.json"}, differ
    assert "index.html" in files and f"{top}index.html" in names


def test_a_large_package_pages_its_index_and_figures_and_forked_workers_write_the_same_bytes(tmp_path: Path) -> None:
    from hrc_corpus import site

    package = sitedata.write_package(tmp_path / "package", sitedata.tables(statements=50, claims_per=50, seed=3))
    one, two = tmp_path / "one", tmp_path / "two"
    site.build_site(package, one, REPO, workers=1)
    site.build_site(package, two, REPO, workers=2)  # forked workers
    assert files_of(one) == files_of(two)
    claims = pd.read_csv(package / "data" / "claims.csv", dtype=str, keep_default_na=False)
    pages = sorted(one.glob("claims*.html"), key=lambda p: (len(p.name), p.name))
    assert [p.name for p in pages] == ["claims.html", "claims-2.html", "claims-3.html"]  # 2,500 claims
    shown = [i for p in pages for i in parse(p).text if i.startswith("row-")]
    assert shown == ["row-" + c for c in claims.claim_id]  # every claim once, in order, across the pages
    assert len(list(one.glob("figures*.html"))) > 1
    for path in one.rglob("*.html"):
        assert path.stat().st_size < 2_000_000, path
