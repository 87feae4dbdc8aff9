"""WAV: whether the file holds every sample its data chunk declares."""

from __future__ import annotations

from mutagen.wave import WaveStreamInfo

from ._common import TRUNCATED_SLACK, Buffer


def data_offset(data: Buffer) -> int:
    """Where the samples of the `data` chunk start (the end of the file if there is none)."""
    pos = 12
    while pos + 8 <= len(data):
        name, size = bytes(data[pos : pos + 4]), int.from_bytes(data[pos + 4 : pos + 8], "little")
        if name == b"data":
            return pos + 8
        pos += 8 + size + (size & 1)
    return len(data)


def held_seconds(data: Buffer, info: WaveStreamInfo) -> float | None:
    """Seconds of the samples present when the file is shorter than its data chunk says; else None.

    `info` is mutagen's WaveStreamInfo, whose length is the data chunk's claim.
    """
    frame_bytes = max(1, info.channels * info.bits_per_sample // 8)
    held = (len(data) - data_offset(data)) // frame_bytes
    claimed = round(info.length * info.sample_rate)
    if held + TRUNCATED_SLACK // frame_bytes < claimed:
        return held / info.sample_rate
    return None
