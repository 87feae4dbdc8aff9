"""Make a show directory of N episodes of real MP3s, shaped like a real back catalog.

    python bench/make_show.py DIR --episodes 1000 [--seed 1]

What a long-running show's folder holds, so that the build does the work it does in
life:
- audio encoded with lameenc: mostly short (20–90 s), one in a hundred long (30 min);
  CBR; VBR without a Xing header (what lameenc and streaming encoders write); and VBR
  with a Xing header (added here as an encoder that seeks back would write it);
- ID3 tags, v2.3 and v2.4 alternating, with a title, artist, date and a 1–3 KB comment;
  one in five with CHAP/CTOC chapters, one in ten with cover art;
- an article of 1–3 KB in each episode.md, half plain text, half Markdown.

The same seed makes the same show. Encoding is done once per audio variant; episodes
copy a variant and add their own tags, so making 10,000 episodes takes minutes, not hours.
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import sys
import time
from pathlib import Path

import lameenc
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TDRC, TIT2, TPE1, TYER, CTOCFlags

SAMPLE_RATE = 22050
WORDS = (
    "ketamine infusion migraine relief clinic patient dose session treatment nasal spray "
    "therapy research study evidence careful monitor comfort quiet room chair nurse doctor "
    "pain signal receptor brain calm recovery week month daily periodic benefit risk cost "
    "insurance coverage history medication evaluation pressure heart future combination "
    "home safety durable follow question answer listener episode show notes story"
).split()


def tone(seconds: float, frequency: float) -> bytes:
    """PCM of a tone that swells and fades each second, so VBR really varies its frame sizes."""
    import array
    import math

    second = array.array(
        "h",
        (
            int(
                6000
                * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)
                * math.sin(math.pi * i / SAMPLE_RATE)
            )
            for i in range(SAMPLE_RATE)
        ),
    ).tobytes()
    return second * int(seconds)


def encode(seconds: float, *, vbr: bool, frequency: float = 330.0) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    if vbr:
        encoder.set_vbr(4)
        encoder.set_vbr_quality(6)
    else:
        encoder.set_bit_rate(32)
    return bytes(encoder.encode(tone(seconds, frequency)) + encoder.flush())


def with_xing(mp3: bytes) -> bytes:
    """Put a Xing frame (frame and byte counts) in front, as an encoder that seeks back does."""

    header = struct.unpack(">I", mp3[:4])[0]
    version_bits = (header >> 19) & 3
    mono = ((header >> 6) & 3) == 3
    mpeg1 = version_bits == 3
    side_info = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    frames = count_frames(mp3)
    # The first frame's header, reused: same size, so the Xing frame is a valid frame.
    size = frame_size(header)
    frame = bytearray(size)
    frame[:4] = mp3[:4]
    offset = 4 + side_info
    frame[offset : offset + 16] = b"Xing" + struct.pack(">III", 3, frames, len(mp3) + size)
    return bytes(frame) + mp3


BITRATES = {
    True: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    False: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def frame_size(header: int) -> int:
    version_bits = (header >> 19) & 3
    mpeg1 = version_bits == 3
    bitrate = BITRATES[mpeg1][(header >> 12) & 15] * 1000
    rate = RATES[version_bits][(header >> 10) & 3]
    padding = (header >> 9) & 1
    return (144 if mpeg1 else 72) * bitrate // rate + padding


def count_frames(mp3: bytes) -> int:
    position, frames = 0, 0
    while position + 4 <= len(mp3):
        header = struct.unpack(">I", mp3[position : position + 4])[0]
        if header >> 21 != 0x7FF:
            break
        position += frame_size(header)
        frames += 1
    return frames


def artwork() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (600, 600), (40, 90, 140))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def prose(rng: random.Random, size: int) -> list[str]:
    """Sentences of plausible words, about `size` bytes in all."""
    sentences, total = [], 0
    while total < size:
        words = rng.choices(WORDS, k=rng.randint(8, 18))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        total += len(sentence) + 1
    return sentences


def article(rng: random.Random, markdown: bool) -> str:
    sentences = prose(rng, rng.randint(1000, 3000))
    parts, heading = [], 0
    while sentences:
        take, sentences = sentences[:4], sentences[4:]
        if len(parts) % 3 == 0:
            heading += 1
            title = f"Part {heading}: " + " ".join(rng.choices(WORDS, k=3))
            parts.append(f"## {title}" if markdown else title)
        parts.append(" ".join(take))
    return "\n\n".join(parts) + "\n"


def tags(rng: random.Random, number: int, seconds: float, *, chapters: bool, cover: bytes | None) -> ID3:
    tag = ID3()
    tag.add(TIT2(encoding=1 if number % 2 else 3, text=f"Episode {number}"))
    tag.add(TPE1(encoding=1 if number % 2 else 3, text="Bench Host"))
    tag.add(TYER(encoding=0, text="2024") if number % 2 else TDRC(encoding=3, text="2024-05-01"))
    tag.add(
        COMM(
            encoding=1 if number % 2 else 3,
            lang="eng",
            desc="",
            text=" ".join(prose(rng, rng.randint(1000, 3000))),
        )
    )
    if chapters:
        count = 4
        step = int(seconds * 1000 / count)
        ids = [f"ch{i}" for i in range(count)]
        for i, element in enumerate(ids):
            tag.add(
                CHAP(
                    element_id=element,
                    start_time=i * step,
                    end_time=(i + 1) * step,
                    sub_frames=[TIT2(encoding=3, text=f"Chapter {i + 1}")],
                )
            )
        tag.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids))
    if cover:
        tag.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=cover))
    return tag


def make_show(root: Path, episodes: int, seed: int = 1, *, quiet: bool = False) -> None:
    rng = random.Random(seed)
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    (root / "podcast.toml").write_text(
        'title = "Bench Show"\n'
        'description = "A long-running show for benchmarks."\n'
        'author = "Bench Host"\n'
        'language = "en"\n'
        'link = "https://example.com/"\n'
        'base_url = "https://media.example.com/bench/"\n'
        'guid = "9b1f3c1e-6a54-5d0a-8f0e-0d5c2a7e4b11"\n'
        'categories = ["Health & Fitness > Medicine"]\n'
        "[owner]\n"
        'name = "Bench Host"\n'
        'email = "bench@example.com"\n'
    )
    (root / "episodes").mkdir(exist_ok=True)
    variants = {}
    for kind in ("cbr", "vbr", "xing"):
        for seconds in (20, 45, 90, 1800):
            audio = encode(seconds, vbr=kind != "cbr", frequency=220 + seconds)
            variants[kind, seconds] = with_xing(audio) if kind == "xing" else audio
    cover = artwork()
    for number in range(episodes):
        kind = ("cbr", "vbr", "xing")[number % 3]
        seconds = 1800 if number % 100 == 7 else rng.choice((20, 45, 90))
        slug = f"episode-{number:05d}"
        folder = root / "episodes" / slug
        folder.mkdir(exist_ok=True)
        audio_path = folder / f"{slug}.mp3"
        audio_path.write_bytes(variants[kind, seconds])
        tag = tags(rng, number, seconds, chapters=number % 5 == 0, cover=cover if number % 10 == 3 else None)
        tag.save(audio_path, v2_version=3 if number % 2 else 4)
        markdown = number % 2 == 0
        day = f"{2000 + number // 365 % 26:04d}-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
        front = [
            "+++",
            f'title = "Episode {number}: {" ".join(rng.choices(WORDS, k=4))}"',
            f"date = {day}T{number % 24:02d}:{number % 60:02d}:00Z",
            f'guid = "bench-{seed}-{number:06d}"',
            f'audio = "{slug}.mp3"',
            'hosts = ["Bench Host"]',
        ]
        if markdown:
            front.append('format = "markdown"')
        front.append("+++")
        (folder / "episode.md").write_text("\n".join(front) + "\n" + article(rng, markdown), "utf-8")
        if not quiet and number and number % 1000 == 0:
            print(f"  {number} episodes made ({time.monotonic() - started:.0f} s)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make_show(args.directory, args.episodes, args.seed)
    print(f"made {args.episodes} episodes in {args.directory}")


if __name__ == "__main__":
    main()
