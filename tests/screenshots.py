"""Regenerate docs/screenshots/*.png: each page type of the reading site at desktop and phone width.

    python -m tests.screenshots      (or: make screenshots)

Builds the site of this checkout's data package into a scratch folder, opens each page in
Debian's chromium (headless, through Playwright) and saves a screenshot of the first screen.
Not run by the tests: the pictures are for the README.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from hrc_corpus.site import build_site
from tests.test_site_browser import CHROMIUM, FLAGS, SPEECH

REPO = Path(__file__).resolve().parents[1]

OUT = REPO / "docs" / "screenshots"
SIZES = {"desktop": (1280, 860), "phone": (375, 760)}
SHOTS = {  # name -> page (with the state a reader would bring it to)
    "home": "index.html",
    "statement": f"statements/{SPEECH}.html#{SPEECH}-c014",
    "claims": "claims.html#claim_type=statistic",
    "figures": "figures.html",
    "about": "about.html",
}


def main() -> int:
    """Build the site, take every screenshot, write them to docs/screenshots/."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(REPO, site, REPO)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            for size, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                page = context.new_page()
                for name, target in SHOTS.items():
                    path, _, fragment = target.partition("#")
                    page.goto((site / path).as_uri() + (f"#{fragment}" if fragment else ""))
                    page.wait_for_load_state("load")
                    page.wait_for_timeout(300)
                    file = OUT / f"{name}-{size}.png"
                    page.screenshot(path=str(file))
                    print(f"wrote {file.relative_to(REPO)}")
                context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
