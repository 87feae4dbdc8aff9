"""`podcast tag` on an MP4 the way an unlucky or a hostile producer would meet it.

The chapter writer rewrites a producer's only copy of their audio, so each test here
holds the file to be either fully written (tags, chapters, the same audio samples) or
left byte for byte as it was, with an error that names the file and says nothing was
written: a full disk, a link, offsets near 4 GB.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import av
import pytest
from conftest import run
from media import audio_md5, encode, file_md5, remux
from mutagen.mp4 import MP4
from PIL import Image

from podcast import audio
from podcast.audio.pictures import picture
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
    assert str(path) in message and "nothing was written" in message and "make space on the disk" in message
    assert file_md5(path) == before
    assert not MP4(path).tags or "----:org.podcast:chapters" not in MP4(path).tags
    assert sorted(p.name for p in small_disk.iterdir()) == ["episode.m4a", "other-files"]


# Boxes as the MP4 spec defines them, walked here independently of podcast.audio.mp4.
CONTAINERS = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta")


def _children(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(name, offset, size, header length) of the boxes in data[start:end]."""
    found, pos = [], start
    while pos + 8 <= end:
        size, name = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            (size,), header = struct.unpack(">Q", data[pos + 8 : pos + 16]), 16
        found.append((name, pos, size, header))
        pos += size
    return found


def _path_to(data: bytes, name: bytes) -> list[tuple[bytes, int, int, int]]:
    """The boxes from the top level down to the first `name` (searching the container boxes)."""

    def walk(start, end):
        for box in _children(data, start, end):
            if box[0] == name:
                return [box]
            if box[0] in CONTAINERS:
                below = walk(box[1] + box[3], box[1] + box[2])
                if below:
                    return [box, *below]
        return None

    return walk(0, len(data))


def _widened(data: bytes, name: bytes) -> bytes:
    """`data` with the first `name` box given a 64-bit size (a 16-byte header), as some muxers write.

    Its ancestors grow by 8 bytes, and so do chunk offsets when the movie box comes first.
    """
    *ancestors, (_, offset, size, _header) = _path_to(data, name)
    out = bytearray(data)
    out[offset : offset + 8] = struct.pack(">I4sQ", 1, name, size + 8)
    for _, at, length, _ in ancestors:
        struct.pack_into(">I", out, at, length + 8)
    out = bytes(out)
    moov = next(b for b in _children(out, 0, len(out)) if b[0] == b"moov")
    mdat = next(b for b in _children(out, 0, len(out)) if b[0] == b"mdat")
    if moov[1] < mdat[1]:
        _, table, _, header = _path_to(out, b"stco")[-1]
        patched = bytearray(out)
        (count,) = struct.unpack(">I", out[table + header + 4 : table + header + 8])
        for n in range(count):
            at = table + header + 8 + 4 * n
            struct.pack_into(">I", patched, at, struct.unpack(">I", out[at : at + 4])[0] + 8)
        out = bytes(patched)
    return out


@pytest.mark.parametrize("box", [b"stbl", b"trak", b"udta"])
def test_boxes_with_64_bit_sizes_in_a_fast_start_file_keep_the_audio_playing(media, tmp_path, box):
    path = remux(media["m4a"], tmp_path / "wide.m4a", options={"movflags": "faststart"})
    samples = audio_md5(path)
    path.write_bytes(_widened(path.read_bytes(), box))
    assert audio_md5(path) == samples  # FFmpeg reads the widened file as it read the original
    tag(path)
    assert audio_md5(path) == samples
    assert tagged_fully(path)


def test_a_64_bit_chunk_offset_table_mutagen_cannot_update_is_refused_and_left_as_it_was(media, tmp_path):
    path = remux(media["m4a"], tmp_path / "wide.m4a", options={"movflags": "faststart"})
    path.write_bytes(_widened(path.read_bytes(), b"stco"))
    before = file_md5(path)
    with pytest.raises(AudioError) as raised:
        tag(path)
    assert str(path) in str(raised.value) and "nothing was written" in str(raised.value)
    assert file_md5(path) == before


def _with_user_data(data: bytes, *boxes: bytes) -> bytes:
    """`data` (movie box last) with its movie box's udta replaced by `boxes` (each a whole udta)."""
    moov = next(b for b in _children(data, 0, len(data)) if b[0] == b"moov")
    assert moov[1] + moov[2] == len(data)
    kept = b"".join(data[o : o + s] for n, o, s, _ in _children(data, moov[1] + 8, len(data)) if n != b"udta")
    body = kept + b"".join(boxes)
    return data[: moov[1]] + struct.pack(">I4s", 8 + len(body), b"moov") + body


def _editors_chpl(*titles: str) -> bytes:
    body = b"\x01" + bytes(7) + bytes((len(titles),))
    for n, title in enumerate(titles):
        raw = title.encode()
        body += struct.pack(">QB", n * 20_000_000, len(raw)) + raw
    return struct.pack(">I4s", 8 + len(body), b"chpl") + body


def test_an_editors_chapters_in_a_64_bit_udta_are_replaced_and_the_file_stays_readable(media, tmp_path):
    path = tmp_path / "wide-udta.m4a"
    chpl = _editors_chpl("Editor one", "Editor two")
    udta = struct.pack(">I4sQ", 1, b"udta", 16 + len(chpl)) + chpl
    path.write_bytes(_with_user_data(media["m4a"].read_bytes(), udta))
    samples = audio_md5(path)
    assert [c.title for c in audio.read(path).chapters] == ["Editor one", "Editor two"]
    tag(path)
    assert tagged_fully(path)
    assert audio_md5(path) == samples
    assert [c.title for c in MP4(path).chapters] == ["Welcome 🎙️", "News"]


def test_chapters_in_a_second_user_data_box_are_replaced_too(media, tmp_path):
    """FFmpeg reads every chapter list in the movie box: one left behind mixes into ours."""
    path = tmp_path / "two-udta.m4a"
    udta = struct.pack(">I4s", 8, b"udta")
    chpl = _editors_chpl("Editor one", "Editor two")
    second = struct.pack(">I4s", 8 + len(chpl), b"udta") + chpl
    path.write_bytes(_with_user_data(media["m4a"].read_bytes(), udta, second))
    tag(path)
    assert tagged_fully(path)
    with av.open(str(path)) as container:
        assert [c["metadata"].get("title") for c in container.chapters()] == ["Welcome 🎙️", "News"]


@pytest.mark.parametrize("options", [{}, {"movflags": "faststart"}], ids=["moov-last", "fast-start"])
def test_chapters_that_replace_an_editors_quicktime_chapter_track_are_the_only_ones_players_see(
    media, tmp_path, options
):
    """FFmpeg's muxer writes an editor's chapters twice: a Nero list and a QuickTime text track,
    which Apple's apps and FFmpeg read first. Ours must replace both, not mix with the track."""
    editors = [(0.0, 3.0, "Editor one"), (3.0, 6.0, "Editor two"), (6.0, 12.0, "Editor three")]
    path = remux(media["m4a"], tmp_path / "edited.m4a", options=options, chapters=editors)
    samples = audio_md5(path)
    tag(path)
    with av.open(str(path)) as container:
        assert [c["metadata"].get("title") for c in container.chapters()] == ["Welcome 🎙️", "News"]
    assert tagged_fully(path)
    assert audio_md5(path) == samples


NOBODY = 65534


TAG_ONE_CHAPTER = """
import sys
from pathlib import Path
from podcast import audio
from podcast.audio.pictures import picture
from podcast.errors import AudioError
from podcast.model import Chapter, Tags
try:
    audio.write_tags(Path(sys.argv[1]), Tags(title="T"), chapters=(Chapter(0.0, "One"),), duration=12.0)
except AudioError as exc:
    print(exc)
    sys.exit(1)
"""


def _tag_as_an_ordinary_user(path) -> subprocess.CompletedProcess:
    """Tag `path` in a process running as `nobody`, whom permissions bind (they do not bind root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as an ordinary user")
    user = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    reach = subprocess.run(
        ["setpriv", *user, sys.executable, "-c", "import podcast, mutagen"],
        cwd="/",
        capture_output=True,
        text=True,
    )
    if reach.returncode != 0:  # e.g. a checkout under a folder only root may enter (mktemp -d)
        pytest.skip(f"`nobody` cannot import podcast from this checkout: {reach.stderr.strip()[-200:]}")
    command = ["setpriv", *user, sys.executable, "-c", TAG_ONE_CHAPTER, str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd="/")


@pytest.fixture
def nobodys_folder(tmp_path):
    """A folder `nobody` can reach (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="podcast-mp4-"))
    os.chown(folder, NOBODY, NOBODY)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


def _nobodys_copy(media, folder, mode):
    path = folder / "episode.m4a"
    shutil.copy(media["m4a"], path)
    os.chown(path, NOBODY, NOBODY)
    path.chmod(mode)
    return path


def test_a_read_only_episode_is_refused_and_stays_as_it_was(media, nobodys_folder):
    path = _nobodys_copy(media, nobodys_folder, 0o444)
    before = file_md5(path)
    done = _tag_as_an_ordinary_user(path)
    assert done.returncode == 1, done.stderr
    assert str(path) in done.stdout and "nothing was written" in done.stdout
    assert file_md5(path) == before


def test_an_episode_in_a_read_only_folder_is_refused_and_stays_as_it_was(media, nobodys_folder):
    path = _nobodys_copy(media, nobodys_folder, 0o644)
    before = file_md5(path)
    nobodys_folder.chmod(0o555)
    done = _tag_as_an_ordinary_user(path)
    assert done.returncode == 1, done.stderr
    assert str(path) in done.stdout and "nothing was written" in done.stdout
    assert file_md5(path) == before


def test_an_episode_tagged_by_root_still_belongs_to_its_producer(media, nobodys_folder):
    """`sudo podcast tag`, or a container running as root on a mounted show: the producer must
    still be able to edit the file afterwards."""
    if os.geteuid() != 0:
        pytest.skip("only root can tag a file another user owns")
    path = _nobodys_copy(media, nobodys_folder, 0o640)
    tag(path)
    assert tagged_fully(path)
    owner = path.stat()
    assert (owner.st_uid, owner.st_gid, owner.st_mode & 0o777) == (NOBODY, NOBODY, 0o640)


def _long_episode(media, path, hole: int = 300 * 2**20):
    """The M4A with its media data padded by a sparse `hole` (a long file that costs no disk)."""
    source = media["m4a"].read_bytes()
    top = {name: (at, size) for name, at, size, _ in _children(source, 0, len(source))}
    (mdat, mdat_size), (moov, moov_size) = top[b"mdat"], top[b"moov"]
    assert mdat < moov
    movie = bytearray(source[moov : moov + moov_size])
    table = movie.index(b"stco") - 4
    (count,) = struct.unpack(">I", movie[table + 12 : table + 16])
    for n in range(count):  # the media data's header grows from 8 to 16 bytes
        at = table + 16 + 4 * n
        struct.pack_into(">I", movie, at, struct.unpack(">I", movie[at : at + 4])[0] + 8)
    with open(path, "wb") as out:
        out.write(source[:mdat] + struct.pack(">I4sQ", 1, b"mdat", mdat_size + 8 + hole))
        out.write(source[mdat + 8 : mdat + mdat_size])
        out.seek(hole, os.SEEK_CUR)
        out.write(movie)
    return path


TAG_AND_MEASURE = """
import sys, tracemalloc
from pathlib import Path
from podcast import audio
from podcast.model import Chapter, Tags
tracemalloc.start()
audio.write_tags(Path(sys.argv[1]), Tags(title="T"), chapters=(Chapter(0.0, "One"),), duration=12.0)
print(tracemalloc.get_traced_memory()[1] // 2**20)
"""


def test_a_long_episode_is_tagged_without_reading_it_all_into_memory(media, tmp_path):
    """A 3-hour video or audiobook runs to gigabytes: memory must not grow with the file.

    The media data is padded with a 300 MB hole (a sparse file, so the disk barely notices).
    """
    path = _long_episode(media, tmp_path / "long.m4a")
    samples = audio_md5(path)
    command = [sys.executable, "-c", TAG_AND_MEASURE, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 50  # MB allocated at the peak; reading the file whole takes twice its size
    assert audio_md5(path) == samples
    assert [c.title for c in audio.read(path).chapters] == ["One"]


def test_a_chapter_title_longer_than_an_mp4_holds_is_cut_with_a_warning(show, media):
    folder = show.add("long", audio=False, extra='audio = "long.m4a"')
    path = folder / "long.m4a"
    shutil.copy(media["m4a"], path)
    title = "Ünïcode " * 40  # 320 characters, 360 bytes of UTF-8
    listed = [{"startTime": 0, "title": "Intro"}, {"startTime": 4, "title": title}]
    (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": listed}))
    result = run("tag", show.root)
    assert result.exit_code == 0, result.stderr
    assert "episodes/long/chapters.json: warning" in result.stderr and "255 bytes" in result.stderr
    assert "Ünïcode Ünïcode" in result.stderr  # the chapter is named
    written = [c.title for c in audio.read(path).chapters][1]
    assert title.startswith(written) and len(written.encode()) <= 255


def test_an_export_that_lands_while_the_file_is_tagged_is_kept(media, tmp_path):
    """The editor saves a new export over the episode while `podcast tag` copies the old one:
    replacing the file then would throw the new export away."""
    path = _long_episode(media, tmp_path / "episode.m4a")
    export = tmp_path / "export.m4a"
    shutil.copy(media["m4b"], export)
    exported = file_md5(export)

    def editor_saves():
        deadline = time.monotonic() + 30
        while not any(p.suffix == ".part" for p in tmp_path.iterdir()):  # tagging has begun its copy
            if time.monotonic() > deadline:
                return
        os.replace(export, path)

    editor = threading.Thread(target=editor_saves)
    editor.start()
    try:
        with pytest.raises(AudioError) as raised:
            tag(path)
    finally:
        editor.join()
    message = str(raised.value)
    assert str(path) in message and "changed while" in message and "nothing was written" in message
    assert file_md5(path) == exported
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode.m4a"]


def test_a_disk_that_fills_up_as_the_artwork_goes_in_is_reported_as_a_full_disk(media, small_disk):
    """The copy fits, but not the copy with the artwork added: mutagen's own write fails."""
    path = small_disk / "episode.m4a"
    shutil.copy(media["m4a"], path)
    before = file_md5(path)
    noise = io.BytesIO()
    Image.frombytes("RGB", (160, 160), random.Random(3).randbytes(160 * 160 * 3)).save(noise, "PNG")
    artwork = picture(noise.getvalue())
    assert len(artwork.data) > 60_000
    free = os.statvfs(small_disk)
    room = path.stat().st_size + 20_000  # for the copy, and a little more: not the artwork
    (small_disk / "other-files").write_bytes(bytes(free.f_bavail * free.f_frsize - room))
    with pytest.raises(AudioError) as raised:
        audio.write_tags(path, Tags(title="Tagged"), artwork=artwork, chapters=CHAPTERS, duration=12.0)
    message = str(raised.value)
    assert "nothing was written" in message and "make space on the disk" in message
    assert "export it again" not in message  # the audio is fine: the disk is full
    assert file_md5(path) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["episode.m4a", "other-files"]


def test_tag_three_times_then_info_and_build_on_every_kind_of_mp4(show, media, tmp_path):
    """Fast start, cover art, video, an editor's QuickTime chapters: each run leaves the same
    audio, the chapters of chapters.json, and files `podcast info` and `podcast build` read."""
    art = tmp_path / "art.jpg"
    Image.new("RGB", (600, 600), "teal").save(art)
    sources = {
        "fast": remux(media["m4a"], tmp_path / "fast.m4a", options={"movflags": "faststart"}),
        "covered": encode(media["m4a"], tmp_path / "covered.m4a", "aac", cover=art),
        "video": remux(media["mp4-video"], tmp_path / "video.mp4", options={"movflags": "faststart"}),
        "edited": remux(media["m4a"], tmp_path / "edited.m4a", chapters=[(0.0, 6.0, "Editor's")]),
    }
    listed = [{"startTime": 0, "title": "Intro 🎙️"}, {"startTime": 4, "title": ""}]
    listed.append({"startTime": 99, "title": "After the end"})  # left out, with a warning
    paths = []
    for slug, source in sources.items():
        folder = show.add(slug, audio=False, extra=f'audio = "{slug}{source.suffix}"')
        shutil.copy(source, folder / f"{slug}{source.suffix}")
        (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": listed}))
        paths.append(folder / f"{slug}{source.suffix}")
    samples = [audio_md5(p) for p in paths]
    for _ in range(3):
        result = run("tag", show.root)
        assert result.exit_code == 0, result.stderr
        assert [audio_md5(p) for p in paths] == samples
    result = run("info", "--json", *paths)
    assert result.exit_code == 0, result.stderr
    for found in json.loads(result.stdout):
        chapters = [(c["start"], c["title"]) for c in found["chapters"]]
        assert chapters == [(0, "Intro 🎙️"), (4, "")], found["path"]
    assert json.loads(result.stdout)[1]["artwork"]["width"] == 600  # the cover embedded before survives
    for path in paths:
        with av.open(str(path)) as container:
            assert [c["metadata"].get("title", "") for c in container.chapters()] == ["Intro 🎙️", ""]
    assert run("build", show.root).exit_code == 0


def test_quicktime_chapters_podcast_cannot_read_are_not_taken_away(media, tmp_path):
    """GarageBand writes chapters only as a QuickTime text track, which podcast does not read:
    chapters written beside it must not unhook the editor's work it never saw."""
    editors = [(0.0, 3.0, "Ed one"), (3.0, 12.0, "Ed two")]
    path = remux(media["m4a"], tmp_path / "garageband.m4a", chapters=editors)
    data = path.read_bytes()
    moov = next(b for b in _children(data, 0, len(data)) if b[0] == b"moov")
    _, at, size, _ = next(b for b in _children(data, moov[1] + 8, moov[1] + moov[2]) if b[0] == b"udta")
    kept = b"".join(data[o : o + s] for n, o, s, _ in _children(data, at + 8, at + size) if n != b"chpl")
    path.write_bytes(_with_user_data(data, struct.pack(">I4s", 8 + len(kept), b"udta") + kept))
    assert audio.read(path).chapters == ()  # podcast sees none; FFmpeg and Apple's apps see the track's
    for _ in range(2):
        tag(path)
    with av.open(str(path)) as container:
        assert [c["metadata"].get("title") for c in container.chapters()][:2] == ["Ed one", "Ed two"]
