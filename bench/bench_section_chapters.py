"""How close section chapters come to where the sections really start in read-aloud audio.

Needs Debian's espeak-ng. The example episode's audio is espeak-ng reading the title and
the article (see scripts/make_example_media.py). espeak-ng is deterministic, so speaking
everything *before* a heading, with the same voice and speed, gives the time at which that
heading is really spoken. This prints that next to the estimate notes.py makes from word
counts, and the mean and largest difference in seconds.

    python bench/bench_section_chapters.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from podcast import pipeline

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from make_example_media import article_text  # noqa: E402 - the exact text the audio speaks


def spoken_seconds(text: str, folder: Path) -> float:
    if not text.strip():
        return 0.0
    source, wav = folder / "prefix.txt", folder / "prefix.wav"
    source.write_text(text, "utf-8")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-f", str(source), "-w", str(wav)], check=True)
    with wave.open(str(wav)) as audio:
        return audio.getnframes() / audio.getframerate()


def main() -> None:
    (episode,) = pipeline.read_catalog(REPO).published
    spoken = article_text()
    differences = []
    print(f"audio: {episode.info.duration:.1f} s\n{'estimate':>9} {'spoken':>7} {'diff':>6}  heading")
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in episode.notes.chapters:
            prefix = spoken[: spoken.index("\n" + chapter.title + "\n")] if chapter.start else ""
            actual = spoken_seconds(prefix, Path(tmp))
            differences.append(chapter.start - actual)
            print(f"{chapter.start:9.1f} {actual:7.1f} {chapter.start - actual:+6.1f}  {chapter.title}")
    mean = sum(abs(d) for d in differences) / len(differences)
    print(f"mean |difference| {mean:.1f} s, largest {max(abs(d) for d in differences):.1f} s")


if __name__ == "__main__":
    main()
