"""podcast.files: atomic writes, and paths confined to the show directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from podcast.errors import PodcastError
from podcast.files import FolderListing, OutsideShow, confined, write_atomic


def test_a_file_inside_is_returned_resolved(tmp_path):
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "a.mp3").write_bytes(b"x")
    assert (
        confined(tmp_path, tmp_path / "episodes" / "a.mp3", "audio")
        == (tmp_path / "episodes/a.mp3").resolve()
    )
    assert confined(tmp_path, "episodes/a.mp3", "audio") == (tmp_path / "episodes/a.mp3").resolve()


@pytest.mark.parametrize("path", ["../elsewhere/x.jpg", "/etc/passwd", "episodes/../../x"])
def test_dot_dot_and_absolute_paths_outside_are_refused(tmp_path, path):
    show = tmp_path / "show"
    show.mkdir()
    with pytest.raises(OutsideShow, match="artwork") as caught:
        confined(show, path, "artwork")
    assert "outside" in str(caught.value)


def test_a_symlink_leading_outside_is_refused(tmp_path):
    show = tmp_path / "show"
    show.mkdir()
    (tmp_path / "secret").write_text("x")
    (show / "cover.jpg").symlink_to(tmp_path / "secret")
    with pytest.raises(OutsideShow, match="cover.jpg"):
        confined(show, show / "cover.jpg", "artwork")


def test_a_symlink_staying_inside_is_fine(tmp_path):
    (tmp_path / "real.jpg").write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "real.jpg")
    assert confined(tmp_path, "link.jpg", "artwork") == (tmp_path / "real.jpg").resolve()


def test_write_atomic_reports_whether_anything_changed(tmp_path):
    target = tmp_path / "feeds" / "feed.xml"
    assert write_atomic(target, b"one") is True
    assert write_atomic(target, b"one") is False
    assert target.read_bytes() == b"one"
    assert list(target.parent.iterdir()) == [target]  # no temp file left behind


def _answers(root, folder, name):
    """What confined/outside/file_kind say of folder/name, each as a value or the error's text."""
    from podcast.files import file_kind, outside

    try:
        where = str(confined(root, folder / name, "x"))
    except OutsideShow as exc:
        where = str(exc)
    return where, outside(root, folder / name), file_kind(folder / name)


def _listing_answers(root, folder, name):
    from podcast.files import FolderListing

    listing = FolderListing(root, folder)
    try:
        where = str(listing.confined(name, "x"))
    except OutsideShow as exc:
        where = str(exc)
    return where, listing.is_outside(name), listing.kind(name)


NAMES = ["a.mp3", "missing.mp3", "inside-link.mp3", "outside-link.mp3", "dangling.mp3", "loop.mp3",
         "sub", "sub-link", "..", ".", "sub/../a.mp3", "../other/b.mp3", "fifo"]  # fmt: skip


@pytest.mark.parametrize("folder_kind", ["real", "linked inside", "linked outside"])
def test_a_folder_listing_answers_every_question_as_resolving_each_path_does(tmp_path, folder_kind):
    import os

    show, elsewhere = tmp_path / "show", tmp_path / "elsewhere"
    real = show / "episodes" / "real"
    for folder in (real / "sub", show / "episodes" / "other", elsewhere):
        folder.mkdir(parents=True)
    (real / "a.mp3").write_bytes(b"x")
    (show / "episodes" / "other" / "b.mp3").write_bytes(b"x")
    (elsewhere / "secret.mp3").write_bytes(b"x")
    (real / "inside-link.mp3").symlink_to(real / "a.mp3")
    (real / "outside-link.mp3").symlink_to(elsewhere / "secret.mp3")
    (real / "dangling.mp3").symlink_to(real / "nothing.mp3")
    (real / "loop.mp3").symlink_to(real / "loop.mp3")
    (real / "sub-link").symlink_to(elsewhere)
    os.mkfifo(real / "fifo")
    folder = {
        "real": real,
        "linked inside": show / "episodes" / "linked",
        "linked outside": show / "episodes" / "away",
    }[folder_kind]
    if folder_kind == "linked inside":
        folder.symlink_to(real)
    if folder_kind == "linked outside":
        (elsewhere / "episode").mkdir()
        (elsewhere / "episode" / "a.mp3").write_bytes(b"x")
        folder.symlink_to(elsewhere / "episode")
    for name in NAMES:
        assert _listing_answers(show, folder, name) == _answers(show, folder, name), name


def test_a_folder_listing_knows_whether_its_folder_leads_outside(tmp_path):
    from podcast.files import FolderListing

    show = tmp_path / "show"
    (show / "episodes" / "a").mkdir(parents=True)
    (tmp_path / "away").mkdir()
    (show / "episodes" / "b").symlink_to(tmp_path / "away")
    (show / "episodes" / "c").symlink_to(show / "episodes" / "a")
    assert not FolderListing(show, show / "episodes" / "a").outside
    assert FolderListing(show, show / "episodes" / "b").outside
    assert not FolderListing(show, show / "episodes" / "c").outside


def test_read_bounded_reads_a_file_whole_and_refuses_what_is_no_file(tmp_path):
    import os

    from podcast.files import TooLarge, read_bounded

    data = bytes(range(256)) * 4000  # larger than one read may return
    (tmp_path / "big").write_bytes(data)
    assert read_bounded(tmp_path / "big", len(data), "big") == data
    with pytest.raises(TooLarge, match="at most"):
        read_bounded(tmp_path / "big", len(data) - 1, "big")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(TooLarge, match="not a regular file"):
        read_bounded(tmp_path / "fifo", 100, "fifo")


# Run in a child: an audit hook sees os.open's "open" event just before the open happens,
# and there swaps the file read_bounded has just stat'ed for a link to a FIFO, as a hostile
# co-author of a shared show could between the two calls.
_SWAP_BEFORE_OPEN = """
import os, sys
from pathlib import Path
from podcast.files import TooLarge, read_bounded

target, fifo = Path(sys.argv[1]), sys.argv[2]
swapped = []

def swap(event, args):
    if event == "open" and not swapped and os.fspath(args[0]) == str(target):
        swapped.append(True)
        os.symlink(fifo, str(target) + ".new")
        os.replace(str(target) + ".new", target)

sys.addaudithook(swap)
try:
    read_bounded(target, 1000, "episode.md")
except TooLarge as exc:
    print(exc)
"""


def test_read_bounded_refuses_a_fifo_swapped_in_between_its_stat_and_its_open(tmp_path):
    target, fifo = tmp_path / "episode.md", tmp_path / "pipe"
    target.write_text("+++\n")
    os.mkfifo(fifo)
    try:
        ran = subprocess.run(
            [sys.executable, "-c", _SWAP_BEFORE_OPEN, str(target), str(fifo)],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("read_bounded waited for a writer on a FIFO linked in after its stat")
    assert ran.returncode == 0, ran.stderr
    assert "is not a regular file" in ran.stdout


def test_a_folder_listing_reads_no_file_behind_a_link_put_in_place_of_a_listed_file(tmp_path):
    # A shared show: someone else swaps episode.md for a link to a secret after the folder
    # was listed (the file was plain then) and before it is read, which would publish it.
    show, secret = tmp_path / "show", tmp_path / "secret.txt"
    folder = show / "episodes" / "one"
    folder.mkdir(parents=True)
    (folder / "episode.md").write_text("+++\ntitle = 'mine'\n+++\n")
    secret.write_text("the secret")
    listing = FolderListing(show, folder)
    assert listing.is_file("episode.md")  # listed: a plain file
    (folder / "swap").symlink_to(secret)
    os.replace(folder / "swap", folder / "episode.md")
    with pytest.raises((PodcastError, OSError)) as refused:
        listing.read_bounded("episode.md", 1000, "episodes/one/episode.md")
    assert "secret" not in str(refused.value.args)
    (folder / "episode.md").unlink()
    (folder / "episode.md").write_text("+++\ntitle = 'mine again'\n+++\n")
    assert listing.read_bounded("episode.md", 1000, "episode.md") == b"+++\ntitle = 'mine again'\n+++\n"


def test_a_folder_listing_says_a_file_is_missing_only_when_no_entry_could_be_it(tmp_path):
    """What may_hold says against what one lstat finds, name by name: False only where the lstat
    finds nothing, and True wherever a file system that ignores case might find something."""
    from podcast.files import link_kind

    show = tmp_path / "show"
    folder = show / "episodes" / "a"
    folder.mkdir(parents=True)
    (folder / "episode.md").write_text("+++\n+++\n")
    (folder / "Chapters.JSON").write_text("{}")
    (folder / "link.json").symlink_to(tmp_path / "nowhere")
    listing = FolderListing(show, folder)
    for name in ("episode.md", "link.json", "Chapters.JSON"):
        assert listing.may_hold(name) and link_kind(folder / name) is not None, name
    assert not listing.may_hold("transcript.vtt") and link_kind(folder / "transcript.vtt") is None
    assert listing.may_hold("chapters.json")  # "Chapters.JSON", where case is ignored
    assert listing.may_hold("..") and listing.may_hold("sub/x") and listing.may_hold("ü.json")
    (folder / "chapterſ.json").write_text("{}")  # a long s, which some file systems fold to "s"
    assert FolderListing(show, folder).may_hold("transcript.vtt")  # a name it cannot rule out
    assert set(FolderListing(show, folder).entries()) == {p.name for p in folder.iterdir()}


def test_a_folder_listing_of_a_linked_folder_tells_nothing_from_its_entries(tmp_path):
    show = tmp_path / "show"
    (show / "episodes" / "real").mkdir(parents=True)
    (show / "episodes" / "linked").symlink_to(show / "episodes" / "real")
    listing = FolderListing(show, show / "episodes" / "linked")
    assert listing.entries() is None and listing.may_hold("chapters.json")


def test_a_folder_listing_given_the_real_root_answers_as_one_that_finds_it(tmp_path):
    show = tmp_path / "show"
    (show / "episodes" / "a").mkdir(parents=True)
    (show / "episodes" / "a" / "x.mp3").write_bytes(b"x")
    (tmp_path / "away").mkdir()
    (show / "episodes" / "b").symlink_to(tmp_path / "away")
    real = os.path.realpath(show)
    for slug in ("a", "b"):
        given = FolderListing(show, show / "episodes" / slug, real_root=real)
        found = FolderListing(show, show / "episodes" / slug)
        assert (given.outside, given.entries() is None, given.kind("x.mp3")) == (
            found.outside,
            found.entries() is None,
            found.kind("x.mp3"),
        )


def test_holds_answers_no_for_a_link_or_a_fifo_without_reading_through_or_waiting(tmp_path):
    """A page or the feed is compared with what is there before it is written: a link is not
    read through (its target may lie outside the show), and a FIFO is not waited on."""
    from podcast.files import holds

    (tmp_path / "page.html").write_bytes(b"<p>same</p>")
    assert holds(tmp_path / "page.html", (b"<p>", b"same</p>"))
    assert not holds(tmp_path / "page.html", (b"<p>other</p>",))
    (tmp_path / "link.html").symlink_to(tmp_path / "page.html")
    assert not holds(tmp_path / "link.html", (b"<p>same</p>",))
    os.mkfifo(tmp_path / "fifo.html")
    assert not holds(tmp_path / "fifo.html", (b"",))  # returns at once: no writer is waited for


def test_a_feed_in_thousands_of_parts_is_written_whole_and_not_again(tmp_path):
    """write_atomic hands the system a thousand parts a call: every byte of every part lands, in
    order (empty parts too), and the same parts again leave the file alone."""
    from podcast.files import PARTS_PER_CALL

    parts = [bytes([65 + i % 26]) * (i % 7 * 300) for i in range(3 * PARTS_PER_CALL + 5)]
    target = tmp_path / "feeds" / "feed.xml"
    assert write_atomic(target, parts) is True
    assert target.read_bytes() == b"".join(parts)
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert write_atomic(target, parts) is False
    assert write_atomic(target, [*parts[:-1], b"changed"]) is True
    assert target.read_bytes() == b"".join(parts[:-1]) + b"changed"
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]  # no temp file left


_FULL_DISK = """
import os, resource, sys
from pathlib import Path
from podcast.files import StagedWrite, write_atomic
target = Path(sys.argv[1])
parts = [b"x" * 1000] * 3000  # 3 MB: the file may grow to 1,500,500 bytes, mid-part
resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_500, resource.RLIM_INFINITY))
try:
    write_atomic(target, parts)
except OSError as exc:
    print("refused", exc.errno)
staged = StagedWrite(target, parts)
try:
    staged.commit()
except OSError as exc:
    print("refused", exc.errno)
staged.discard()
"""


def test_a_feed_the_disk_takes_only_part_of_is_not_put_in_place(tmp_path):
    """A write the system takes only part of (here a file size limit, as a full disk would) goes
    on where it stopped and then fails with the system's reason, written at once or staged: the
    last feed stays as it was, and no half-written temp file is left."""
    import errno

    target = tmp_path / "feed.xml"
    target.write_bytes(b"the last good feed")
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(target)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", str(errno.EFBIG)] * 2  # write_atomic, StagedWrite
    assert target.read_bytes() == b"the last good feed"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_a_staged_write_is_put_in_place_only_when_committed(tmp_path):
    """StagedWrite writes and syncs in another thread while the caller goes on: the file there is
    unchanged until `commit` (which says whether anything changed, as write_atomic does), a
    `discard` leaves it as it was, and neither leaves a temp file behind."""
    from podcast.files import StagedWrite

    target = tmp_path / "feed.xml"
    target.write_bytes(b"the last good feed")
    parts = [b"<rss>", *(b"<item>%d</item>" % i for i in range(5000)), b"</rss>"]

    staged = StagedWrite(target, parts)
    staged.discard()
    assert target.read_bytes() == b"the last good feed"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]

    staged = StagedWrite(target, parts)
    assert target.read_bytes() == b"the last good feed"  # (whatever the thread has done by now)
    assert staged.commit() is True
    staged.discard()  # after a commit: nothing to undo
    assert target.read_bytes() == b"".join(parts)
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert StagedWrite(target, parts).commit() is False  # it holds them already
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_a_staged_write_that_cannot_be_made_says_why_when_committed(tmp_path):
    """What stops the thread (here a file where the folder should be) is raised by `commit`, in
    the caller's thread, where the build reports it."""
    from podcast.files import StagedWrite

    (tmp_path / "feeds").write_text("a file, not a folder")
    staged = StagedWrite(tmp_path / "feeds" / "feed.xml", [b"<rss/>"])
    with pytest.raises(OSError):
        staged.commit()
    staged.discard()
    assert (tmp_path / "feeds").read_text() == "a file, not a folder"
