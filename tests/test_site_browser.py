"""The reading site in a real browser: Debian's chromium, headless, driven by Playwright, opened from file://.

One browser for the module; each test opens its own page. axe-core (npm, package-lock.json) is
injected into each page type and must find no serious or critical violation. Outside CI a
missing browser skips these tests with the command to run; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest

from . import sitedata
from .conftest import REPO
from .test_site import build

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"]
PRESS = "khm-hrc53-2023-07-16-press-release"
SPEECH = "khm-hrc55-2024-02-26-high-level-segment"


def _missing(what: str, remedy: str) -> None:
    """Fail in CI, skip elsewhere, saying what to run."""
    message = f"{what} is missing: {remedy}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run the browser tests)")
    pytest.skip(f"{message}; `make test` does this (skipped here, not in CI)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium from Debian, through Playwright (nothing downloads a browser)."""
    if not CHROMIUM.is_file():
        _missing(str(CHROMIUM), "run: sudo apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright", "run: make env")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the repository's data package."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(REPO, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated package of hostile text and non-BMP characters, and its site."""
    folder = tmp_path_factory.mktemp("hostile")
    package = sitedata.write_package(folder / "package", sitedata.tables(statements=3, claims_per=9, seed=11))
    result = build(package, folder / "site")
    assert result.returncode == 0, result.stderr
    return package, folder / "site"


class Watched:
    """A page with every console message, page error and request recorded."""

    def __init__(self, browser: Any, width: int = 1280, javascript: bool = True):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, url: str) -> Any:
        """Go to url and wait until it has loaded."""
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        return self.page

    def clean(self) -> None:
        """No console error or warning, and no request other than file://."""
        assert self.errors == []
        assert [u for u in self.requests if not u.startswith("file://")] == []

    def close(self) -> None:
        """Close the context."""
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh watched page at desktop width."""
    w = Watched(browser)
    yield w
    w.close()


def page_url(site: Path, name: str) -> str:
    """The file:// address of a page of the site."""
    return (site / name).as_uri()


def statement(site: Path, sid: str, claim: str | None = None) -> str:
    """A statement page's address, or a claim's permalink."""
    return page_url(site, f"statements/{sid}.html") + (f"#{claim}" if claim else "")


def quotes_on(page: Any) -> dict[str, str]:
    """Every claim element's id and text, as the browser has them."""
    return page.eval_on_selector_all("a.claim", "els => Object.fromEntries(els.map(e => [e.id, e.textContent]))")


def visible_cards(page: Any) -> list[str]:
    """The ids of the cards shown."""
    return page.eval_on_selector_all(".card", "els => els.filter(e => !e.hidden && e.offsetParent !== null).map(e => e.dataset.claim)")


def test_every_claim_has_its_element_with_exactly_its_quote(site: Path, watched: Watched) -> None:
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str, keep_default_na=False)
    for sid, group in claims.groupby("statement_id"):
        page = watched.open(statement(site, sid))
        assert quotes_on(page) == dict(zip(group.claim_id, group.quote))
    watched.clean()


def test_selecting_a_claim_shows_its_card_with_its_quantities(site: Path, watched: Watched) -> None:
    quantities = pd.read_csv(REPO / "data" / "quantities.csv", dtype=str, keep_default_na=False)
    cid = quantities.claim_id.iloc[0]
    expected = list(quantities[quantities.claim_id == cid].as_written)
    page = watched.open(statement(site, PRESS))
    assert visible_cards(page) == []
    page.click(f'[id="{cid}"]')
    page.wait_for_function(f'() => document.getElementById("card-{cid}") && !document.getElementById("card-{cid}").hidden')
    assert visible_cards(page) == [cid]
    assert page.url.endswith(f"#{cid}")
    shown = page.eval_on_selector_all(f'[id="card-{cid}"] table.quantities tbody tr td:first-child', "els => els.map(e => e.textContent)")
    assert shown == expected
    # The card names the type by its label from the vocabulary.
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str)
    assert "Statistic" in page.inner_text(f'[id="card-{cid}"]') if claims.set_index("claim_id").claim_type[cid] == "statistic" else True
    watched.clean()


def test_keyboard_and_anchor_open_a_card(site: Path, watched: Watched) -> None:
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str)
    first, second = claims[claims.statement_id == SPEECH].claim_id.iloc[[0, 5]]
    page = watched.open(statement(site, SPEECH, second))  # arriving by the permalink
    assert visible_cards(page) == [second]
    page.focus(f'[id="{first}"]')
    assert page.evaluate("document.activeElement.id") == first
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the keyboard focus is visible
    page.keyboard.press("Enter")
    page.wait_for_function(f'() => !document.getElementById("card-{first}").hidden')
    assert visible_cards(page) == [first]
    assert page.evaluate("document.activeElement.id") == f"card-{first}"  # focus moves to the card
    page.keyboard.press("Escape")
    assert visible_cards(page) == []
    assert page.evaluate("document.activeElement.id") == first  # and back to the claim
    watched.clean()


def test_a_link_goes_to_the_target_claim_on_the_other_statement(site: Path, watched: Watched) -> None:
    links = pd.read_csv(REPO / "data" / "claim_links.csv", dtype=str)
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str).set_index("claim_id")
    across = links[[claims.statement_id[a] != claims.statement_id[b] for a, b in zip(links.claim_id, links.target_claim_id)]]
    link = across.iloc[0]
    source, target = link.claim_id, link.target_claim_id
    page = watched.open(statement(site, claims.statement_id[source], source))
    card = f'[id="card-{source}"]'
    assert claims.quote[target] in page.inner_text(card)  # the target's quote is on the card
    page.click(f'{card} ul.links a[href$="#{target}"]')
    page.wait_for_url(f"**/{claims.statement_id[target]}.html#{target}")
    assert page.evaluate(f'document.getElementById("{target}").textContent') == claims.quote[target]
    assert visible_cards(page) == [target]
    watched.clean()


def claims_shown(page: Any) -> list[str]:
    """The claim ids of the claims index's rows shown."""
    return page.eval_on_selector_all("#claims tbody tr", "els => els.map(e => e.id.slice(4))")


def test_filter_by_type_shows_the_rows_pandas_counts_and_the_address_keeps_it(site: Path, watched: Watched) -> None:
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str)
    page = watched.open(page_url(site, "claims.html"))
    assert len(claims_shown(page)) == len(claims)
    page.select_option("#f-claim_type", "statistic")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    expected = claims[claims.claim_type == "statistic"]
    assert sorted(claims_shown(page)) == sorted(expected.claim_id) and len(expected) > 0
    assert f"{len(expected)} of {len(claims)} claims match" in page.inner_text("#status")
    assert page.url.endswith("#claim_type=statistic")
    again = watched.open(page.url)  # a shared address opens the same view
    again.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    assert sorted(claims_shown(again)) == sorted(expected.claim_id)
    assert again.input_value("#f-claim_type") == "statistic"
    again.click("#f-reset")
    again.wait_for_function(f"() => document.querySelectorAll('#claims tbody tr').length === {len(claims)}")
    assert not again.url.split("/")[-1].count("#")
    watched.clean()


def test_search_finds_exactly_the_claims_whose_quote_or_summary_contains_it(site: Path, watched: Watched) -> None:
    claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str, keep_default_na=False)
    hit = claims.quote.str.contains("peacekeepers", case=False) | claims.summary.str.contains("peacekeepers", case=False)
    page = watched.open(page_url(site, "claims.html"))
    page.fill("#f-q", "peacekeepers")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    assert sorted(claims_shown(page)) == sorted(claims[hit].claim_id) and hit.sum() > 0
    assert "q=peacekeepers" in page.url
    page.select_option("#f-claim_type", "statistic")  # filters combine
    page.wait_for_function(f"() => document.getElementById('status').textContent.startsWith('{(hit & (claims.claim_type == 'statistic')).sum()} of')")
    assert sorted(claims_shown(page)) == sorted(claims[hit & (claims.claim_type == "statistic")].claim_id)
    watched.clean()


def test_without_javascript_the_full_table_renders(site: Path, browser: Any) -> None:
    w = Watched(browser, javascript=False)
    try:
        page = w.open(page_url(site, "claims.html"))
        claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str)
        assert sorted(claims_shown(page)) == sorted(claims.claim_id)
        page = w.open(statement(site, PRESS))
        assert page.locator(".card").count() == (claims.statement_id == PRESS).sum()  # every card, in the page
        w.clean()
    finally:
        w.close()


PAGES = ["index.html", f"statements/{PRESS}.html", f"statements/{SPEECH}.html", "claims.html", "figures.html", "about.html"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_only_files_and_logs_no_error(site: Path, watched: Watched, name: str) -> None:
    page = watched.open(page_url(site, name))
    if name == "claims.html":  # the lazily loaded data too
        page.select_option("#f-checkworthy", "cfs")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    watched.clean()
    assert all(u.startswith(site.as_uri()) for u in watched.requests)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (injected, which the page's CSP does not govern)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_serious_or_critical_violation(site: Path, browser: Any, width: int) -> None:
    if not AXE.is_file():
        _missing(str(AXE.relative_to(REPO)), "run: npm ci")
    w = Watched(browser, width=width)
    try:
        claims = pd.read_csv(REPO / "data" / "claims.csv", dtype=str)
        for url in [page_url(site, p) for p in PAGES] + [statement(site, SPEECH, claims.claim_id.iloc[-1]),
                                                        page_url(site, "claims.html") + "#claim_type=statistic"]:
            page = w.open(url)
            page.wait_for_timeout(50)
            assert axe_violations(page) == [], url
    finally:
        w.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_phone_layout_does_not_scroll_sideways(site: Path, browser: Any, name: str) -> None:
    w = Watched(browser, width=375)
    try:
        page = w.open(page_url(site, name))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        w.clean()
    finally:
        w.close()


def test_hostile_records_render_as_text_and_run_nothing(hostile: tuple[Path, Path], watched: Watched) -> None:
    package, site = hostile
    claims = pd.read_csv(package / "data" / "claims.csv", dtype=str, keep_default_na=False)
    statements = pd.read_csv(package / "data" / "statements.csv", dtype=str, keep_default_na=False)
    names = ["index.html", "claims.html", "figures.html", "about.html"] + [f"statements/{s}.html" for s in statements.statement_id]
    for name in names:
        page = watched.open(page_url(site, name))
        assert page.evaluate("window.__pwned") is None, name
        assert page.locator("img, iframe, textarea, object, embed").count() == 0, name
        assert page.evaluate("document.scripts.length") <= 1, name
    for s in statements.itertuples():
        page = watched.open(statement(site, s.statement_id))
        assert page.inner_text("h1") == s.title  # shown as text
        assert sitedata.HOSTILE[0] in page.inner_text("main")
        mine = claims[claims.statement_id == s.statement_id]
        assert quotes_on(page) == dict(zip(mine.claim_id, mine.quote))  # non-BMP spans exact
        cid = mine.claim_id.iloc[1]
        page.click(f'[id="{cid}"]')
        page.wait_for_function(f'() => !document.getElementById("card-{cid}").hidden')
        assert mine.summary.iloc[1] in page.inner_text(f'[id="card-{cid}"]')
        # The source_url is a javascript: address: shown as text, never a link.
        assert page.locator('a[href^="javascript:"]').count() == 0
        assert page.evaluate("window.__pwned") is None
    page = watched.open(page_url(site, "claims.html"))
    page.fill("#f-q", "<script>")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
    hit = claims.quote.str.contains("<script>", regex=False) | claims.summary.str.contains("<script>", regex=False)
    assert sorted(claims_shown(page)) == sorted(claims[hit].claim_id)
    shown = page.eval_on_selector_all("#claims tbody tr td:last-child a", "els => els.map(e => e.textContent)")
    assert sorted(shown) == sorted(claims[hit].quote)
    assert page.evaluate("window.__pwned") is None
    watched.clean()


def test_outside_the_bmp_a_browser_slice_by_code_points_is_the_quote(hostile: tuple[Path, Path], watched: Watched) -> None:
    package, site = hostile
    claims = pd.read_csv(package / "data" / "claims.csv", dtype=str, keep_default_na=False)
    statements = pd.read_csv(package / "data" / "statements.csv", dtype=str, keep_default_na=False).set_index("statement_id")
    wide = claims[[len(q.encode("utf-16-le")) // 2 > len(q) for q in claims.quote]]
    assert len(wide) > 0
    page = watched.open(statement(site, wide.statement_id.iloc[0]))
    for c in wide[wide.statement_id == wide.statement_id.iloc[0]].itertuples():
        text = statements.text[c.statement_id]
        # JavaScript's own count differs from the span (UTF-16) ...
        utf16 = page.evaluate("([t, s, e]) => t.slice(s, e)", [text, int(c.char_start), int(c.char_end)])
        if utf16 != c.quote:
            # ... while code points, as the site slices, give the quote exactly.
            assert page.evaluate("([t, s, e]) => Array.from(t).slice(s, e).join('')", [text, int(c.char_start), int(c.char_end)]) == c.quote
        assert page.evaluate(f'document.getElementById("{c.claim_id}").textContent') == c.quote
    watched.clean()


def test_a_paged_index_filters_across_all_its_pages(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("paged")
    package = sitedata.write_package(folder / "package", sitedata.tables(statements=50, claims_per=50, seed=5))
    assert build(package, folder / "site").returncode == 0
    claims = pd.read_csv(package / "data" / "claims.csv", dtype=str, keep_default_na=False)
    w = Watched(browser)
    try:
        page = w.open(page_url(folder / "site", "claims-3.html"))
        assert len(claims_shown(page)) == len(claims) - 2000  # the third page's own rows
        page.select_option("#f-checkworthy", "nfs")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('match')")
        expected = claims[claims.checkworthy == "nfs"]
        assert page.inner_text("#status").startswith(f"{len(expected)} of {len(claims)} claims match")
        shown = claims_shown(page)
        assert shown == list(expected.claim_id[:300])  # the first matches of every page, in order, at most 300
        assert page.locator("nav.pager").is_hidden()
        hit = (claims.checkworthy == "nfs") & (claims.quote.str.contains(sitedata.HOSTILE[1], regex=False)
                                               | claims.summary.str.contains(sitedata.HOSTILE[1], regex=False))
        page.fill("#f-q", sitedata.HOSTILE[1])
        page.wait_for_function(f"() => document.getElementById('status').textContent.startsWith('{hit.sum()} of')")
        assert sorted(claims_shown(page)) == sorted(claims[hit].claim_id) and 0 < hit.sum() < 300
        w.clean()
    finally:
        w.close()
