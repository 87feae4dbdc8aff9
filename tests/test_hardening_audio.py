"""Damaged and hostile audio: a clear error or an honest reading, in bounded memory and time.

Each case runs `podcast info` in a child process limited in address space and time
(tests/bounded.py), so a regression fails here instead of exhausting the machine.
"""

from __future__ import annotations

import os
import struct
import tracemalloc
from pathlib import Path

import pytest
from bounded import run_podcast
from conftest import encode_mp3
from media import remux

from podcast import audio
from podcast.errors import AudioError

MEMORY_MIB = 500  # what these files may use, mapped file included; the cases once took 2 GB


def faststart_m4a(media: dict[str, Path], path: Path) -> bytes:
    """A real M4A with its moov box first (remuxed with +faststart), so a cut leaves the index."""
    return remux(media["m4a"], path, options={"movflags": "+faststart"}).read_bytes()


def assert_clear(outcome, *expected: str) -> None:
    assert outcome.returncode is not None, "still running at the timeout"
    assert "internal error" not in outcome.output and "Traceback" not in outcome.output, outcome.output
    for text in expected:
        assert text in outcome.output, outcome.output


@pytest.mark.parametrize("table", ["stsz", "stts"])
def test_an_mp4_sample_table_claiming_billions_of_entries_is_read_in_bounded_memory(media, tmp_path, table):
    data = bytearray(faststart_m4a(media, tmp_path / "good.m4a"))
    at = data.find(table.encode())
    if table == "stsz":
        data[at + 8 : at + 16] = struct.pack(">II", 1, 0xFFFFFFFF)  # every sample 1 byte, 4 billion of them
    else:
        data[at + 12 : at + 16] = struct.pack(">I", 0xFFFFFFFF)  # the first run: 4 billion samples
    hostile = tmp_path / "hostile.m4a"
    hostile.write_bytes(bytes(data[: len(data) * 2 // 3]))  # cut short, so the sample table is walked
    outcome = run_podcast("info", hostile, memory_mib=MEMORY_MIB, timeout=20)
    assert_clear(outcome, "hostile.m4a")


def test_an_mdat_box_claiming_two_to_the_63_bytes_is_a_clear_error(media, tmp_path):
    data = faststart_m4a(media, tmp_path / "good.m4a")
    at = data.find(b"mdat") - 4
    hostile = tmp_path / "hostile.m4a"
    hostile.write_bytes(data[:at] + struct.pack(">I4sQ", 1, b"mdat", 1 << 63) + data[at + 8 :])
    outcome = run_podcast("info", hostile, memory_mib=MEMORY_MIB, timeout=20)
    assert outcome.returncode == 1
    assert_clear(outcome, "hostile.m4a", "export it again")


def test_an_ogg_whose_comment_header_overruns_its_packet_is_damaged_not_an_internal_error(media, tmp_path):
    # mutagen raises IndexError on this: a bit flipped in the first comment's length (found by fuzzing).
    data = bytearray(media["ogg"].read_bytes())
    vendor_length = data.find(b"\x03vorbis") + 7
    vendor = int.from_bytes(data[vendor_length : vendor_length + 4], "little")
    first_comment_length = vendor_length + 4 + vendor + 4
    data[first_comment_length + 1] ^= 0x04
    hostile = tmp_path / "flipped.ogg"
    hostile.write_bytes(bytes(data))
    with pytest.raises(AudioError, match="flipped.ogg: is not a valid Ogg file|flipped.ogg: is damaged"):
        audio.read(hostile)
    outcome = run_podcast("info", hostile, memory_mib=MEMORY_MIB, timeout=20)
    assert outcome.returncode == 1
    assert_clear(outcome, "flipped.ogg")


def test_an_opus_granule_of_two_to_the_63_is_an_error_not_a_duration(media, tmp_path):
    data = bytearray(media["opus"].read_bytes())
    last_page = data.rfind(b"OggS")
    data[last_page + 6 : last_page + 14] = struct.pack("<q", (1 << 63) - 1)
    hostile = tmp_path / "granule.opus"
    hostile.write_bytes(bytes(data))
    with pytest.raises(AudioError, match="more than its .* bytes can hold"):
        audio.read(hostile)


def test_a_little_mp3_followed_by_megabytes_of_0xff_is_refused_quickly(tmp_path):
    hostile = tmp_path / "padded.mp3"
    with open(hostile, "wb") as handle:
        handle.write(encode_mp3(0.6)[:4096])
        chunk = b"\xff" * (1 << 20)
        for _ in range(60):  # once a per-byte resync: 60 MB took about 17 s, and gave 0.5 s
            handle.write(chunk)
    outcome = run_podcast("info", hostile, memory_mib=MEMORY_MIB, timeout=8)
    assert outcome.returncode == 1
    assert_clear(outcome, "padded.mp3", "are not audio")


def test_an_mp3_with_its_id3_tag_repeated_midstream_is_still_read_whole(tmp_path):
    # Two tagged MP3s joined with `cat`: the second tag is not audio, but it is not junk either.
    first, second = encode_mp3(3.0), encode_mp3(2.0)
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0x40, 0]) + b"\x00" * (0x40 << 7)  # 8 KiB of padding
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(tag + first + tag + second)
    info = audio.probe(joined)
    assert 4.9 < info.duration < 5.3 and not info.truncated


def test_a_cut_short_mp3_without_a_xing_header_is_flagged_and_not_published(show, tmp_path):
    whole = encode_mp3(5.0)  # lameenc writes no Xing/Info header, as many streaming encoders
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) - 1000])
    info = audio.probe(cut)
    assert info.truncated
    folder = show.add("ep1")
    (folder / "ep1.mp3").write_bytes(cut.read_bytes())
    outcome = run_podcast("build", show.root, timeout=30)
    assert outcome.returncode == 1
    assert_clear(outcome, "ep1.mp3", "cut short")
    assert not show.feed.exists()


def test_a_whole_mp3_without_a_xing_header_is_not_called_cut_short(tmp_path):
    whole = tmp_path / "whole.mp3"
    whole.write_bytes(encode_mp3(5.0))
    info = audio.probe(whole)
    assert not info.truncated and 4.9 < info.duration < 5.2


@pytest.mark.parametrize("claimed", [64 << 20, (1 << 28) - 1])  # syncsafe sizes: up to 256 MB
def test_an_id3_tag_claiming_megabytes_in_a_small_file_costs_no_more_than_the_file(media, tmp_path, claimed):
    # Found by tests/test_fuzz_audio.py: one bit flipped in the tag size made mutagen ask for 64 MB.
    data = bytearray(media["mp3-xing"].read_bytes())
    assert data[:3] == b"ID3"
    data[6:10] = bytes((claimed >> shift) & 0x7F for shift in (21, 14, 7, 0))
    hostile = tmp_path / "tagged.mp3"
    hostile.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        audio.read(hostile)
    except AudioError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 4 * len(data), f"{peak:,} bytes allocated for a {len(data):,}-byte file"


def test_a_flac_claiming_huge_frames_followed_by_junk_is_read_quickly(media, tmp_path):
    # STREAMINFO's max frame size set to 16 MB made the search for the last frame walk 64 MB byte by byte.
    data = bytearray(media["flac"].read_bytes())
    data[15:18] = b"\xff\xff\xff"
    hostile = tmp_path / "padded.flac"
    with open(hostile, "wb") as handle:
        handle.write(data)
        for _ in range(30):
            handle.write(b"\xff" * (1 << 20))
    outcome = run_podcast("info", hostile, memory_mib=MEMORY_MIB, timeout=8)  # it took 13 s
    assert_clear(outcome, "padded.flac")


def test_a_fifo_named_like_an_mp3_is_a_clear_error_not_a_wait_for_a_writer(tmp_path):
    # Opening a FIFO to read waits until something writes to it: `podcast info` sat there
    # for ever, and so would a build whose audio file was swapped for one after its check.
    fifo = tmp_path / "episode.mp3"
    os.mkfifo(fifo)
    outcome = run_podcast("info", fifo, memory_mib=MEMORY_MIB, timeout=20)
    assert outcome.returncode == 1
    assert_clear(outcome, "episode.mp3", "is not a regular file")
