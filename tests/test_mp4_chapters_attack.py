"""`podcast tag` on an MP4 the way an unlucky or a hostile producer would meet it.

The chapter writer rewrites a producer's only copy of their audio, so each test here
holds the file to be either fully written (tags, chapters, the same audio samples) or
left byte for byte as it was, with an error that names the file and says nothing was
written: a full disk, a link, offsets near 4 GB.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

import pytest
from media import audio_md5, file_md5, remux
from mutagen.mp4 import MP4

from podcast import audio
from podcast.errors import AudioError
from podcast.model import Chapter, Tags

CHAPTERS = (Chapter(0.0, "Welcome 🎙️"), Chapter(4.0, "News"))


def tag(path) -> None:
    audio.write_tags(path, Tags(title="Tagged"), chapters=CHAPTERS, duration=audio.probe(path).duration)


def tagged_fully(path) -> bool:
    found = audio.read(path)
    return found.tags.title == "Tagged" and [c.title for c in found.chapters] == ["Welcome 🎙️", "News"]


def test_a_symlinked_episode_stays_a_link_and_the_file_it_points_to_is_tagged(media, tmp_path):
    real = tmp_path / "masters" / "episode.m4a"
    real.parent.mkdir()
    shutil.copy(media["m4a"], real)
    samples = audio_md5(real)
    link = tmp_path / "episode.m4a"
    link.symlink_to(real)
    tag(link)
    assert link.is_symlink() and link.resolve() == real
    assert tagged_fully(real)
    assert audio_md5(real) == samples


def test_a_hard_linked_episodes_other_name_is_never_left_half_tagged(media, tmp_path):
    first = tmp_path / "episode.m4a"
    shutil.copy(media["m4a"], first)
    other = tmp_path / "backup.m4a"
    os.link(first, other)
    before = file_md5(other)
    tag(first)
    assert tagged_fully(first)
    # The file is replaced whole, so the other name keeps the audio as it was, not tags without chapters.
    assert file_md5(other) == before


def _fast_start_with_offsets_near_4gb(media, tmp_path):
    """A fast-start M4A whose chunk offsets (stco, 32-bit) sit just below 4 GB: any growth overflows them."""
    path = remux(media["m4a"], tmp_path / "near4gb.m4a", options={"movflags": "faststart"})
    data = bytearray(path.read_bytes())
    table = data.index(b"stco") - 4
    (count,) = struct.unpack(">I", data[table + 12 : table + 16])
    for n in range(count):
        struct.pack_into(">I", data, table + 16 + 4 * n, 2**32 - 64 + n)
    path.write_bytes(bytes(data))
    return path


def test_chunk_offsets_that_would_pass_4gb_are_refused_and_the_file_is_untouched(media, tmp_path):
    path = _fast_start_with_offsets_near_4gb(media, tmp_path)
    before = file_md5(path)
    with pytest.raises(AudioError) as raised:
        tag(path)
    message = str(raised.value)
    assert str(path) in message and "nothing was written" in message
    assert file_md5(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["near4gb.m4a"]  # no temporary file left


@pytest.fixture
def small_disk(tmp_path):
    """A 256 kB tmpfs (root only): a disk that fills up while the file is rewritten."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True,
                       capture_output=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_disk_that_fills_up_leaves_the_file_as_it_was(media, small_disk):
    path = small_disk / "episode.m4a"
    shutil.copy(media["m4a"], path)
    before = file_md5(path)
    free = os.statvfs(small_disk)
    (small_disk / "other-files").write_bytes(bytes(free.f_bavail * free.f_frsize - 8192))
    with pytest.raises(AudioError) as raised:
        tag(path)
    message = str(raised.value)
    assert str(path) in message and "nothing was written" in message and "space" in message
    assert file_md5(path) == before
    assert not MP4(path).tags or "----:org.podcast:chapters" not in MP4(path).tags
    assert sorted(p.name for p in small_disk.iterdir()) == ["episode.m4a", "other-files"]
