"""Take the README's screenshots with Debian's headless Chromium.

    python scripts/screenshots.py news.db docs/screenshots

Serves the archive on a free port, opens the search page, an article page, the
home page, a comparison of searches and a phrase in context, and saves one
viewport-sized PNG of each.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def main(db: str, out: str, query: str = "cocoa prices") -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    server = Server(db)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{server.url}/search?q={query.replace(' ', '+')}")
            page.screenshot(path=str(folder / "search.png"))
            page.locator(".result-headline a").first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(folder / "article.png"))
            page.goto(server.url + "/")
            page.screenshot(path=str(folder / "home.png"))
            page.goto(f"{server.url}/compare?q=cocoa&q=coffee&q=%22interest+rates%22&by=month&timeline=share")
            page.screenshot(path=str(folder / "compare.png"))
            page.goto(f"{server.url}/concordance?q=%22oil+prices%22&arrange=left")
            page.screenshot(path=str(folder / "concordance.png"))
            browser.close()
    finally:
        server.stop()
    print(f"saved search.png, article.png, home.png, compare.png and concordance.png in {folder}")


if __name__ == "__main__":
    main(*sys.argv[1:])
