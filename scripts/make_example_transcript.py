"""Write the example episode's HTML transcript from its article.

The example episode's audio is the article read aloud (see make_example_media.py:
the title, then the article as written), so the article's words, in order, are an
honest transcript. It is HTML, the Podcasting 2.0 format for a transcript without
time codes; `podcast build` links it with podcast:transcript type="text/html".
The output is committed; rerun this after editing the article.

    python scripts/make_example_transcript.py
"""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

from podcast.config import split_front_matter

ROOT = Path(__file__).resolve().parent.parent
EPISODE = ROOT / "episodes" / "ketamine-for-chronic-migraine"


def transcript_html(source: str) -> str:
    problems: list = []
    parts = split_front_matter(source, "episode.md", problems)
    if parts is None:
        raise SystemExit("; ".join(str(p) for p in problems))
    front, _, article = parts
    title = tomllib.loads(front)["title"]
    # The reader speaks the title, then each block of the article (headings and
    # paragraphs alike), in order; a block is text between blank lines.
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", article.strip()) if b.strip()]
    spoken = [title + "."] + blocks
    body = "\n".join(f"<p>{html.escape(text, quote=False)}</p>" for text in spoken)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Transcript: {html.escape(title, quote=False)}</title>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def main() -> None:
    source = (EPISODE / "episode.md").read_text("utf-8")
    (EPISODE / "transcript.html").write_text(transcript_html(source), "utf-8")


if __name__ == "__main__":
    main()
