"""Screenshots of the example show's episode page for the README (docs/images/).

Serves the example show with `podcast serve`'s preview server on a free loopback
port and photographs the episode page with Playwright and Debian's chromium, at a
phone's width and a desktop's, a few seconds into playback with a chapter marked.

    .venv/bin/python scripts/screenshot_pages.py
"""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from podcast.serve.preview import PreviewServer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
SLUG = "ketamine-for-chronic-migraine"


def main() -> None:
    server = PreviewServer(ROOT, port=0, say=print)
    server.build()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for name, width, height in (
                ("episode-page-phone", 390, 844),
                ("episode-page-desktop", 1280, 900),
            ):
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(server.url + f"episodes/{SLUG}/")
                page.wait_for_function("document.querySelector('audio').readyState >= 1")
                # A chapter marked as current, as a listener sees the page mid-episode.
                page.evaluate("const a = document.querySelector('audio'); a.currentTime = 60;")
                page.wait_for_function("document.querySelector('.chapters [aria-current]') !== null")
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(OUT / f"{name}.png")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
