"""How long show notes take: `python bench/bench_notes.py` prints milliseconds per render.

Figures, not assertions: the example episode's article, the same article repeated to
about 200 KB, a Markdown version of it, and the saved-page fixture.
"""

from __future__ import annotations

import timeit
from pathlib import Path

from podcast import notes
from podcast.pagetext import read_page

REPO = Path(__file__).resolve().parent.parent


def measure(label: str, call, number: int) -> None:
    best = min(timeit.repeat(call, number=number, repeat=5)) / number
    print(f"{label:<48} {best * 1000:8.2f} ms")


def main() -> None:
    article = (REPO / "episodes/ketamine-for-chronic-migraine/episode.md").read_text("utf-8").split("+++")[2]
    big = "\n\n".join([article] * (200_000 // len(article.encode()) + 1))
    markdown = "\n".join(
        f"## {line}" if line and not line.endswith(".") else line for line in big.splitlines()
    )
    page = (REPO / "tests/data/saved-page.html").read_text("utf-8")
    print(f"example article: {len(article.encode())} bytes; big: {len(big.encode())} bytes")
    measure("example article (text)", lambda: notes.render(article, more_url="https://x.example/"), 50)
    measure(
        "example article, section chapters",
        lambda: notes.render(article, chapters_from="sections", duration=700),
        50,
    )
    measure("~200 KB article (text)", lambda: notes.render(big, more_url="https://x.example/"), 3)
    measure("~200 KB article (markdown)", lambda: notes.render(markdown, format="markdown"), 3)
    measure("saved page (html) → SavedPage", lambda: read_page(page), 50)


if __name__ == "__main__":
    main()
