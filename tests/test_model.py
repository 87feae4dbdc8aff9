"""podcast.model: the plain data the stages pass on."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podcast.model import AudioInfo, Episode, Transcript, replaced


def episode(**fields) -> Episode:
    base = {
        "slug": "one",
        "source": "episodes/one/episode.md",
        "title": "One",
        "date": datetime(2025, 4, 2, tzinfo=UTC),
        "guid": "g-1",
        "lines": {"title": 2},
    }
    return Episode(**(base | fields))


def test_replaced_gives_what_dataclasses_replace_gives_and_leaves_the_original_alone():
    original = episode(audio=Path("/show/episodes/one/a.mp3"))
    info = AudioInfo(size=10, mime="audio/mpeg", duration=1.5)
    transcripts = (Transcript(Path("/show/episodes/one/transcript.vtt"), "text/vtt"),)
    changes = {"info": info, "transcripts": transcripts, "link": "https://example.com/one"}
    made = replaced(original, **changes)
    assert made == dataclasses.replace(original, **changes)
    assert made.lines == original.lines and made.folder == "episodes/one"
    assert original.info is None and original.transcripts == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "Two"  # type: ignore[misc]


def test_replaced_refuses_a_field_the_class_does_not_have():
    with pytest.raises(TypeError, match="no field 'titel'"):
        replaced(episode(), titel="Two")


@pytest.mark.parametrize(
    ("source", "folder"),
    [
        ("episodes/one/episode.md", "episodes/one"),
        ("episodes//one/episode.md", "episodes/one"),
        ("./episodes/one/episode.md", "episodes/one"),
        ("episode.md", "."),
        ("shows/a/episodes/one/episode.md", "shows/a/episodes/one"),
    ],
)
def test_an_episodes_folder_is_the_folder_of_its_episode_md(source, folder):
    assert episode(source=source).folder == folder


def test_an_episode_pickled_and_loaded_again_is_equal_and_still_frozen():
    import pickle

    original = episode(audio=Path("/show/episodes/one/a.mp3"), info=AudioInfo(10, "audio/mpeg", 1.5))
    loaded = pickle.loads(pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL))
    assert loaded == original and loaded.lines == {"title": 2} and loaded.info == original.info
    assert replaced(loaded, title="Two").title == "Two" and loaded.title == "One"
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.title = "Two"  # type: ignore[misc]
    assert not hasattr(loaded, "__dict__")  # slots: no dict of some forty entries for each episode


@dataclasses.dataclass(frozen=True)
class _Checked:
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")


def test_replaced_copies_each_kind_of_class_as_dataclasses_replace_does():
    # How a class is copied is worked out once for it: with slots (an episode), with a
    # __dict__ (notes), and with a __post_init__ that must still run (a check).
    from podcast.model import Section, ShowNotes

    notes = ShowNotes(sections=(Section(None, ("Hi.",)),), html="<p>Hi.</p>", description_html="", text="Hi.")
    for _ in range(2):  # the second time, with the way found the first
        assert replaced(notes, text="Bye.") == dataclasses.replace(notes, text="Bye.")
        assert replaced(notes, text="Bye.").html == "<p>Hi.</p>" and notes.text == "Hi."
        assert replaced(episode(), title="Two") == dataclasses.replace(episode(), title="Two")
        assert replaced(_Checked(1, 3), high=2) == _Checked(1, 2)
        with pytest.raises(ValueError, match="low above high"):
            replaced(_Checked(1, 3), high=0)
        with pytest.raises(TypeError, match="no field 'texts'"):
            replaced(notes, texts="Bye.")
