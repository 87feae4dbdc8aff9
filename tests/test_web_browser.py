"""The episode page in a real browser: Playwright driving Debian's chromium against `podcast serve`.

Skipped, saying why, where /usr/bin/chromium is missing (`apt-get install chromium`;
.ci/run installs it). Screenshots at 390 px and 1280 px go to a folder of the test run
(or $PODCAST_SCREENSHOTS), whose path is printed.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from podcast import scaffold
from podcast.serve.preview import PreviewServer

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium: install Debian's chromium (apt-get install chromium)"
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'"
)

SECONDS = 20.0
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
CHAPTERS = [(0, "Opening"), (5, "The middle"), (12, "Closing")]
VTT = "WEBVTT\n\n" + "\n".join(
    f"00:00:{start:02d}.000 --> 00:00:{start + 4:02d}.000\nLine spoken at {start} seconds.\n"
    for start in range(0, 20, 4)
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, mp3_factory):
    root = tmp_path_factory.mktemp("browser") / "show"
    scaffold.init_show(
        root,
        title="Browser Show",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url="https://cdn.example.com/show/",
        link="https://example.com/",
        category="Health & Fitness > Medicine",
        description="A show played in a browser.",
    )
    # Artwork, as every show should have (lint warns without it): it is also the page's icon.
    Image.new("RGB", (1400, 1400), (20, 80, 120)).save(root / "artwork.jpg", quality=80)
    toml = root / "podcast.toml"
    toml.write_text(toml.read_text().replace("# artwork = ", "artwork = ", 1))
    folder = root / "episodes" / "tone"
    folder.mkdir(parents=True)
    (folder / "tone.mp3").write_bytes(mp3_factory(SECONDS).read_bytes())
    (folder / "episode.md").write_text(
        '+++\ntitle = "A Tone to Test By"\ndate = 2025-04-02\nguid = "guid-tone-0000"\naudio = "tone.mp3"\n'
        'hosts = ["Ann Host"]\n+++\nA tone, with chapters and a transcript.\n\nIt plays for twenty seconds.\n'
    )
    (folder / "chapters.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": s, "title": t} for s, t in CHAPTERS]})
    )
    (folder / "transcript.vtt").write_text(VTT)
    # An episode whose words do not break: a title, an address in the notes and in the transcript.
    long = root / "episodes" / "long"
    long.mkdir()
    (long / "long.mp3").write_bytes(mp3_factory(2.0).read_bytes())
    (long / "episode.md").write_text(
        f'+++\ntitle = "{LONG_WORD}"\ndate = 2025-03-01\nguid = "guid-long-0000"\naudio = "long.mp3"\n+++\n'
        f"See https://example.com/{LONG_WORD}/{LONG_WORD} for more.\n"
    )
    (long / "transcript.vtt").write_text(f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n{LONG_WORD}.\n")
    server = PreviewServer(root, port=0, say=lambda text: None)
    server.build()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--autoplay-policy=no-user-gesture-required"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, site):
    """A fresh context (empty localStorage) on the episode page; any console error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(site.url + "episodes/tone/")
    tab.wait_for_function("document.querySelector('audio').readyState >= 1")
    tab.errors = errors
    yield tab
    context.close()
    assert errors == [], f"console errors: {errors}"


def audio_time(page) -> float:
    return page.evaluate("document.querySelector('audio').currentTime")


def play(page) -> None:
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("document.querySelector('audio').currentTime > 0.3", timeout=10_000)


def test_the_page_loads_without_console_errors_and_plays_the_served_audio(page, site):
    assert page.title() == "A Tone to Test By · Browser Show"
    assert page.evaluate("document.querySelector('audio').currentSrc") == site.url + "media/tone/tone.mp3"
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(SECONDS, abs=0.5)
    play(page)
    first = audio_time(page)
    page.wait_for_timeout(600)
    assert audio_time(page) > first  # currentTime advances: the audio really plays


def test_each_speed_button_sets_the_playback_rate(page):
    buttons = page.locator("button[data-speed]")
    rates = []
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        rates.append(page.evaluate("document.querySelector('audio').playbackRate"))
    assert rates == [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0]
    assert page.locator("button[data-speed][aria-pressed='true']").count() == 1


def test_speed_and_sleep_timer_work_from_the_keyboard(page):
    page.locator("button[data-speed='1.5']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    page.locator("button[data-speed='2.0']").focus()
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 2.0
    page.locator("#sleep").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("#sleep").input_value() == "5"
    assert "5 minutes" in page.locator("#player-status").inner_text()


def test_skip_buttons_move_back_fifteen_and_forward_thirty_seconds_within_the_episode(page):
    page.evaluate("document.querySelector('audio').currentTime = 2")
    page.get_by_role("button", name="Forward 30 seconds").click()
    assert audio_time(page) == pytest.approx(SECONDS, abs=0.5)  # not past the end
    page.evaluate("document.querySelector('audio').currentTime = 17")
    page.get_by_role("button", name="Back 15 seconds").click()
    assert audio_time(page) == pytest.approx(2, abs=0.3)


def test_a_chapter_seeks_the_player_and_is_marked_current(page):
    page.get_by_role("button", name="0:05 The middle").click()
    page.wait_for_function("document.querySelector('audio').currentTime >= 5", timeout=5_000)
    assert audio_time(page) < 7
    current = page.locator(".chapters button[aria-current='true']")
    current.wait_for(timeout=5_000)
    assert current.inner_text().endswith("The middle")


def test_a_transcript_cue_seeks_the_player(page):
    page.locator(".cues button[data-start='12.0']").click()
    page.wait_for_function("document.querySelector('audio').currentTime >= 12", timeout=5_000)
    page.locator(".cues button[data-start='12.0'][aria-current='true']").wait_for(timeout=5_000)


def test_the_sleep_timer_pauses_playback(page):
    page.evaluate("document.documentElement.dataset.minuteMs = '100'")  # test mode: a minute is 0.1 s
    play(page)
    page.select_option("#sleep", "5")
    page.wait_for_function("document.querySelector('audio').paused", timeout=5_000)
    assert page.locator("#sleep").input_value() == ""
    assert "paused" in page.locator("#player-status").inner_text()


def test_the_position_is_restored_after_a_reload(page):
    play(page)
    page.evaluate("document.querySelector('audio').currentTime = 9")
    page.wait_for_function("document.querySelector('audio').currentTime >= 9")
    page.evaluate("document.querySelector('audio').pause()")
    page.reload()
    page.wait_for_function("document.querySelector('audio').currentTime > 8", timeout=5_000)
    assert audio_time(page) == pytest.approx(9, abs=0.5)
    assert "Resuming at 0:09" in page.locator("#player-status").inner_text()


@pytest.mark.parametrize("path", ["episodes/tone/", ""])
def test_the_pages_pass_axe_core(page, site, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site.url + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_snapshot()


def test_screenshots_at_phone_and_desktop_widths(browser, site, tmp_path_factory, capsys):
    folder = Path(os.environ.get("PODCAST_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.goto(site.url + "episodes/tone/")
        tab.wait_for_function("document.querySelector('audio').readyState >= 1")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        for name, url in (("episode", "episodes/tone/"), ("home", "")):
            tab.goto(site.url + url)
            path = folder / f"{name}-{width}.png"
            tab.screenshot(path=str(path), full_page=True)
            saved.append(path)
        context.close()
    assert all(path.stat().st_size > 5_000 for path in saved)
    with capsys.disabled():  # shown in every run, not only when the test fails
        print(f"\nscreenshots of the pages (390 px and 1280 px): {folder}")


@pytest.mark.parametrize("path", ["", "episodes/long/"])
def test_long_unbroken_words_wrap_on_a_phone_rather_than_scroll_sideways(browser, site, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(site.url + path)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_show_without_artwork_asks_for_no_icon_it_does_not_have(browser, show):
    show.add("plain", seconds=2)
    server = PreviewServer(show.root, port=0, say=lambda text: None)
    server.build()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        for path in ("", "episodes/plain/"):
            tab.goto(server.url + path)
            tab.wait_for_load_state("networkidle")
        assert errors == []  # no "404" for /favicon.ico in the console
    finally:
        context.close()
        server.stop()
        thread.join(5)
