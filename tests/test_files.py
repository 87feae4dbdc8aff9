"""podcast.files: atomic writes, and paths confined to the show directory."""

from __future__ import annotations

import pytest

from podcast.files import OutsideShow, confined, write_atomic


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
