"""Real audio for the tests: lameenc for MP3, Debian's ffmpeg for everything else.

Each helper writes a file made by a real encoder; `decoded_seconds` is the
reference every duration is checked against: a full decode by ffmpeg.
"""

from __future__ import annotations

import array
import hashlib
import math
import random
import struct
import subprocess
from pathlib import Path

import lameenc
from PIL import Image

RATE = 44100
SIGNAL = "sine=frequency=330:sample_rate=44100:duration={seconds}"


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *map(str, args)], check=True)


def decoded_seconds(path: Path) -> float:
    """The length a player plays: ffmpeg decodes every packet to 48 kHz mono PCM, we count samples."""
    done = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            "48000",
            "-",
        ],
        capture_output=True,
        check=False,
    )
    return len(done.stdout) / 2 / 48000


def audio_md5(path: Path) -> str:
    """A hash of the audio packets alone (stream-copied by ffmpeg), whatever the tags around them."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def varied_signal(seconds: float) -> bytes:
    """Silence, a tone and noise in turn, so a VBR encoder's frame sizes vary a lot."""
    noise = random.Random(7)
    samples = array.array("h")
    for i in range(int(seconds * RATE)):
        phase = int(i / RATE) % 4
        if phase == 0:
            samples.append(0)
        elif phase == 1:
            samples.append(int(8000 * math.sin(2 * math.pi * 440 * i / RATE)))
        else:
            samples.append(noise.randint(-12000, 12000))
    return samples.tobytes()


def lame(pcm: bytes, *, vbr: bool) -> bytes:
    """lameenc's raw frames: no Xing/Info header, so nothing in the file states its length."""
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    if vbr:
        encoder.set_vbr(4)
        encoder.set_vbr_quality(4)
    else:
        encoder.set_bit_rate(64)
    return bytes(encoder.encode(pcm) + encoder.flush())


def frame_count(mp3: bytes) -> int:
    """Frames in a headerless MPEG-1 layer III stream, by its own frame lengths (an independent count)."""
    bitrates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
    pos = count = 0
    while pos + 4 <= len(mp3) and mp3[pos] == 0xFF:
        length = 144 * bitrates[mp3[pos + 2] >> 4] * 1000 // RATE + ((mp3[pos + 2] >> 1) & 1)
        pos += length
        count += 1
    return count


def with_vbri_header(mp3: bytes) -> bytes:
    """Prepend a VBRI header frame (as Fraunhofer encoders write) stating the frames and bytes."""
    header = bytes([0xFF, 0xFB, 0x90, 0xC4])  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, mono: 417 bytes
    length = 417
    frames = frame_count(mp3)
    body = b"VBRI" + struct.pack(">HHHIIHHHH", 1, 576, 75, length + len(mp3), frames, 0, 1, 2, 1)
    frame = header + bytes(32) + body
    return frame + bytes(length - len(frame)) + mp3


def cover(path: Path, size: tuple[int, int] = (600, 600), color: str = "purple") -> Path:
    Image.new("RGB", size, color).save(path)
    return path


FFMPEG_FORMATS = {
    # name: (suffix, ffmpeg output options)
    "mp3-xing": (".mp3", ["-c:a", "libmp3lame", "-q:a", "4"]),
    "mp3-cbr-info": (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "m4a": (".m4a", ["-c:a", "aac", "-b:a", "64k"]),
    "m4b": (".m4b", ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"]),
    "aac": (".aac", ["-c:a", "aac", "-b:a", "64k", "-f", "adts"]),
    "ogg": (".ogg", ["-c:a", "libvorbis", "-q:a", "2"]),
    "opus": (".opus", ["-c:a", "libopus", "-b:a", "32k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    "wav": (".wav", ["-c:a", "pcm_s16le"]),
}


def make_media(folder: Path, seconds: float = 12.0) -> dict[str, Path]:
    """One file of every format we accept, each `seconds` long (made from the same varied signal)."""
    folder.mkdir(parents=True, exist_ok=True)
    pcm = varied_signal(seconds)
    source = folder / "source.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "-", str(source)],
        input=pcm,
        check=True,
    )
    made: dict[str, Path] = {}
    for name, (suffix, options) in FFMPEG_FORMATS.items():
        made[name] = folder / f"{name}{suffix}"
        ffmpeg("-i", source, *options, made[name])
    made["mp4-video"] = folder / "video.mp4"
    made["m4v-video"] = folder / "video.m4v"
    for key in ("mp4-video", "m4v-video"):
        ffmpeg(
            "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={seconds}", "-i", source,
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", made[key],
        )  # fmt: skip
    made["mp3-vbr-no-header"] = folder / "vbr-no-header.mp3"
    made["mp3-vbr-no-header"].write_bytes(lame(pcm, vbr=True))
    made["mp3-cbr-no-header"] = folder / "cbr-no-header.mp3"
    made["mp3-cbr-no-header"].write_bytes(lame(pcm, vbr=False))
    made["mp3-vbri"] = folder / "vbri.mp3"
    made["mp3-vbri"].write_bytes(with_vbri_header(lame(pcm, vbr=True)))
    return made


def file_md5(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()
