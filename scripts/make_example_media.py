"""Regenerate the example show's media: the spoken episode and the artwork.

Needs Debian's espeak-ng and lame, and Pillow. The outputs are committed, so
nobody needs to run this to build the example feed; it documents how they were made.

    python scripts/make_example_media.py && podcast tag . && podcast build
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
EPISODE = ROOT / "episodes" / "ketamine-for-chronic-migraine"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_LIGHT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def article_text() -> str:
    source = (EPISODE / "episode.md").read_text("utf-8")
    _, front, article = source.split("+++", 2)
    title = next(line for line in front.splitlines() if line.startswith("title"))
    return title.split("=", 1)[1].strip().strip('"') + ".\n\n" + article.strip()


def speak(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        text = Path(tmp) / "article.txt"
        text.write_text(article_text(), "utf-8")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-f", str(text), "-w", str(wav)], check=True)
        # Mono, 22.05 kHz, constant 32 kbps: small, clear speech, exact duration.
        subprocess.run(
            ["lame", "--quiet", "-m", "m", "--resample", "22.05", "-b", "32", "--cbr", str(wav), str(out)],
            check=True,
        )


def artwork(out: Path, size: int = 1400) -> None:
    image = Image.new("RGB", (size, size), (18, 64, 74))
    draw = ImageDraw.Draw(image)
    for step in range(12):  # soft concentric rings
        inset = 120 + step * 40
        shade = (24 + step * 6, 96 + step * 6, 104 + step * 5)
        draw.ellipse([inset, inset - 60, size - inset, size - inset - 60], outline=shade, width=6)
    draw.ellipse([560, 460, 840, 740], fill=(236, 196, 120))
    big = ImageFont.truetype(FONT, 104)
    small = ImageFont.truetype(FONT_LIGHT, 60)
    for text, font, y in (
        ("The Mood Wellness", big, 930),
        ("Ketamine · Spravato · TMS", small, 1070),
        ("Center", small, 1150),
    ):
        width = draw.textlength(text, font=font)
        draw.text(((size - width) / 2, y), text, font=font, fill=(245, 245, 240))
    image.save(out, "JPEG", quality=88, optimize=True, progressive=False)


if __name__ == "__main__":
    speak(EPISODE / "ketamine-for-chronic-migraine.mp3")
    artwork(ROOT / "artwork.jpg")
