"""Real audio for the tests: lameenc for MP3, FFmpeg's encoders (through PyAV) for everything else.

Each helper writes a file made by a real encoder; `decoded_seconds` is the
reference every duration is checked against: a full decode by FFmpeg's decoders.
PyAV's wheels carry FFmpeg's libraries, so `pip install -e '.[test]'` is all the tests need.
"""

from __future__ import annotations

import array
import hashlib
import math
import random
import struct
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import lameenc
from PIL import Image

RATE = 44100
Chapters = list[tuple[float, float, str]]  # (start s, end s, title)


def _pcm_frames(pcm: bytes, rate: int = RATE, chunk: int = 4096) -> Iterator[av.AudioFrame]:
    """Mono 16-bit PCM as PyAV frames (the encoder resamples to what it needs)."""
    pts = 0
    for start in range(0, len(pcm), chunk * 2):
        piece = pcm[start : start + chunk * 2]
        frame = av.AudioFrame(format="s16", layout="mono", samples=len(piece) // 2)
        frame.planes[0].update(piece)
        frame.sample_rate, frame.pts, frame.time_base = rate, pts, Fraction(1, rate)
        pts += len(piece) // 2
        yield frame


def pcm_of(path: Path) -> bytes:
    """The first audio stream of a file, decoded to mono 16-bit PCM at RATE."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = bytearray()
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for converted in resampler.resample(frame):
                out += bytes(converted.planes[0])[: converted.samples * 2]
    for converted in resampler.resample(None):
        out += bytes(converted.planes[0])[: converted.samples * 2]
    return bytes(out)


def _set_chapters(container, chapters: Chapters) -> None:
    container.set_chapters(
        [
            {"id": n, "start": round(start * 1000), "end": round(end * 1000),
             "time_base": Fraction(1, 1000), "metadata": {"title": title}}
            for n, (start, end, title) in enumerate(chapters, 1)
        ]
    )  # fmt: skip


def _attach_cover(container, picture: Path):
    """Stream-copy an image as an attached picture (ID3 APIC, MP4 covr), as `ffmpeg -i art.jpg` would."""
    source = av.open(str(picture))
    stream = container.add_stream_from_template(source.streams.video[0])
    stream.disposition = av.stream.Disposition.attached_pic
    return source, stream


# codec: (layout, rate, options) where an encoder needs its own
_CODEC_NEEDS = {
    "vorbis": ("stereo", RATE, {"strict": "-2"}),  # FFmpeg's own Vorbis encoder: stereo only
    "libopus": ("mono", 48000, {}),
}


def encode(
    pcm: bytes | Path,
    target: Path,
    codec: str,
    *,
    container_format: str | None = None,
    bit_rate: int | None = None,
    vbr_quality: int | None = None,
    metadata: dict[str, str] | None = None,
    chapters: Chapters | None = None,
    cover: Path | None = None,
) -> Path:
    """Encode mono PCM at RATE (or the audio of a file) into `target` with one of FFmpeg's encoders.

    `vbr_quality` is LAME's -V scale (ffmpeg's `-q:a`); `metadata` are container tags,
    `chapters` the container's chapter list and `cover` a picture attached as artwork.
    """
    if isinstance(pcm, Path):
        pcm = pcm_of(pcm)
    layout, rate, options = _CODEC_NEEDS.get(codec, ("mono", RATE, {}))
    picture = None
    if cover is not None and container_format is None and target.suffix == ".m4a":
        container_format = "mp4"  # PyAV asks the muxer first: "ipod" (.m4a's default) lists no image codec
    with av.open(str(target), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, options=dict(options))
        stream.layout = layout
        if bit_rate:
            stream.bit_rate = bit_rate
        if vbr_quality is not None:
            stream.codec_context.qscale = True
            stream.codec_context.global_quality = vbr_quality * 118  # FF_QP2LAMBDA, as -q:a sets it
        if metadata:
            out.metadata.update(metadata)
        if chapters:
            _set_chapters(out, chapters)
        if cover is not None:
            picture, picture_stream = _attach_cover(out, cover)
        for frame in _pcm_frames(pcm):
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if picture is not None:
            for packet in picture.demux(picture.streams.video[0]):
                if packet.size:
                    packet.stream = picture_stream
                    out.mux(packet)
            picture.close()
    return target


def remux(
    source: Path, target: Path, *, options: dict[str, str] | None = None, chapters: Chapters | None = None
) -> Path:
    """Copy the streams of `source` into a new container unchanged (ffmpeg's `-c copy`)."""
    with av.open(str(source)) as inp, av.open(str(target), "w", options=options or {}) as out:
        copied = [s for s in inp.streams if s.type in ("audio", "video")]
        streams = {s.index: out.add_stream_from_template(s) for s in copied}
        out.metadata.update(inp.metadata)
        if chapters:
            _set_chapters(out, chapters)
        for packet in inp.demux(*copied):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    return target


def encode_video(pcm: bytes, target: Path, seconds: float) -> Path:
    """A small H.264 picture (changing shade, 10 frames a second) with the PCM as AAC: an MP4 with video."""
    with av.open(str(target), "w") as out:
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        sound = out.add_stream("aac", rate=RATE)
        sound.layout = "mono"
        for n in range(round(seconds * 10)):
            frame = av.VideoFrame(160, 120, "yuv420p")
            for index, plane in enumerate(frame.planes):
                plane.update(bytes([(n * 8) % 256 if index == 0 else 128]) * plane.buffer_size)
            frame.pts = n
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for frame in _pcm_frames(pcm):
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    return target


def decoded_seconds(path: Path) -> float:
    """The length a player plays: FFmpeg decodes every packet of the first audio stream; we count samples.

    Like `ffmpeg -i FILE` (and a player), a packet that does not decode is skipped and the decode
    goes on; a file that ends early (a cut-off upload) gives what it holds.
    """
    samples = rate = 0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except (StopIteration, av.FFmpegError):
                break
            try:
                frames = stream.codec_context.decode(packet)
            except av.FFmpegError:
                continue
            for frame in frames:
                samples, rate = samples + frame.samples, frame.sample_rate
    return samples / rate if rate else 0.0


def audio_md5(path: Path) -> str:
    """A hash of the audio packets alone (as stream-copied), whatever the tags around them."""
    digest = hashlib.md5()
    with av.open(str(path)) as container:
        for packet in container.demux(audio=0):
            digest.update(bytes(packet))
    return digest.hexdigest()


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


MADE_FORMATS = {
    # name: (suffix, encoder, encode() options)
    "mp3-xing": (".mp3", "libmp3lame", {"vbr_quality": 4}),
    "mp3-cbr-info": (".mp3", "libmp3lame", {"bit_rate": 64000}),
    "m4a": (".m4a", "aac", {"bit_rate": 64000}),
    "m4b": (".m4b", "aac", {"bit_rate": 64000, "container_format": "ipod"}),
    "aac": (".aac", "aac", {"bit_rate": 64000, "container_format": "adts"}),
    "ogg": (".ogg", "vorbis", {}),
    "opus": (".opus", "libopus", {"bit_rate": 32000}),
    "flac": (".flac", "flac", {}),
    "wav": (".wav", "pcm_s16le", {}),
}


def make_media(folder: Path, seconds: float = 12.0) -> dict[str, Path]:
    """One file of every format we accept, each `seconds` long (made from the same varied signal)."""
    folder.mkdir(parents=True, exist_ok=True)
    pcm = varied_signal(seconds)
    made: dict[str, Path] = {}
    for name, (suffix, codec, options) in MADE_FORMATS.items():
        made[name] = encode(pcm, folder / f"{name}{suffix}", codec, **options)
    made["mp4-video"] = encode_video(pcm, folder / "video.mp4", seconds)
    made["m4v-video"] = encode_video(pcm, folder / "video.m4v", seconds)
    made["mp3-vbr-no-header"] = folder / "vbr-no-header.mp3"
    made["mp3-vbr-no-header"].write_bytes(lame(pcm, vbr=True))
    made["mp3-cbr-no-header"] = folder / "cbr-no-header.mp3"
    made["mp3-cbr-no-header"].write_bytes(lame(pcm, vbr=False))
    made["mp3-vbri"] = folder / "vbri.mp3"
    made["mp3-vbri"].write_bytes(with_vbri_header(lame(pcm, vbr=True)))
    return made


def file_md5(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()
