"""Transcripts: found next to episode.md, checked by real parsers, reported precisely."""

from __future__ import annotations

import pytest

from podcast import pipeline, transcripts
from podcast.errors import PodcastError, errors_in

GOOD_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello.\n\n00:00:01.500 --> 00:00:02.900\nGoodbye.\n"
GOOD_SRT = "1\n00:00:00,000 --> 00:00:01,500\nHello.\n\n2\n00:00:01,500 --> 00:00:02,900\nGoodbye.\n"


def check(tmp_path, name: str, content: str | bytes):
    folder = tmp_path / "ep"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return transcripts.find(folder, "episodes/ep", "ep", "en")


@pytest.mark.parametrize(
    ("name", "content", "mime", "captions"),
    [
        ("transcript.vtt", GOOD_VTT, "text/vtt", True),
        ("transcript.srt", GOOD_SRT, "application/x-subrip", True),
        (
            "transcript.json",
            '{"version": "1.0.0", "segments": [{"startTime": 0, "body": "Hi"}]}',
            "application/json",
            True,
        ),
        ("transcript.html", "<p>Hello.</p>", "text/html", False),
        ("transcript.txt", "Hello.", "text/plain", False),
    ],
)
def test_each_format_is_recognised_with_its_type_and_whether_it_is_timed(
    tmp_path, name, content, mime, captions
):
    found, problems = check(tmp_path, name, content)
    assert problems == []
    (transcript,) = found
    assert (transcript.mime, transcript.captions, transcript.language) == (mime, captions, "en")
    assert transcript.publish_path == "transcripts/ep" + name[len("transcript") :]


def test_a_vtt_without_its_header_is_refused_at_line_1(tmp_path):
    found, (problem,) = check(tmp_path, "transcript.vtt", GOOD_VTT.replace("WEBVTT", "WEBVT"))
    assert found == ()
    assert (problem.path, problem.line) == ("episodes/ep/transcript.vtt", 1)
    assert "WEBVTT" in problem.message and "WEBVTT" in problem.hint


def test_a_malformed_vtt_timing_names_the_cue_and_its_line(tmp_path):
    broken = GOOD_VTT.replace("00:00:01.500 --> 00:00:02.900", "00:00:01,500 --> 00:00:02.900")
    _, (problem,) = check(tmp_path, "transcript.vtt", broken)
    assert problem.line == 6
    assert problem.message.startswith("cue 2: timing")
    assert "three decimals" in problem.hint


def test_a_cue_that_ends_before_it_starts_is_reported(tmp_path):
    broken = GOOD_VTT.replace("00:00:01.500 --> 00:00:02.900", "00:00:02.900 --> 00:00:01.500")
    _, (problem,) = check(tmp_path, "transcript.vtt", broken)
    assert (problem.line, problem.message.split(" ends")[0]) == (6, "cue 2")


def test_cues_out_of_time_order_are_reported(tmp_path):
    shuffled = "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nLater.\n\n00:00:01.000 --> 00:00:02.000\nEarlier.\n"
    _, (problem,) = check(tmp_path, "transcript.vtt", shuffled)
    assert problem.line == 6 and "time order" in problem.hint


def test_a_broken_srt_block_is_reported_at_its_line(tmp_path):
    broken = GOOD_SRT.replace("2\n00:00:01,500", "two\n00:00:01,500")
    _, (problem,) = check(tmp_path, "transcript.srt", broken)
    assert problem.path == "episodes/ep/transcript.srt"
    assert problem.line == 5
    assert "SubRip" in problem.message


def test_an_srt_timing_with_the_wrong_separator_names_the_subtitle(tmp_path):
    broken = GOOD_SRT.replace("00:00:01,500 --> 00:00:02,900", "00:00:01,500 -> 00:00:02,900 -->")
    _, (problem,) = check(tmp_path, "transcript.srt", broken)
    assert problem.line == 6 and problem.message.startswith("subtitle 2: timing")


def test_json_syntax_errors_and_missing_fields_are_reported(tmp_path):
    _, (syntax,) = check(tmp_path, "transcript.json", '{"segments": [\n  {"startTime": 0, "body": "x"},\n]}')
    assert syntax.line == 3 and "not valid JSON" in syntax.message
    _, (field,) = check(tmp_path, "transcript.json", '{"segments": [{"startTime": "soon", "body": "x"}]}')
    assert field.message.startswith("segment 1 needs a startTime")


def test_a_transcript_that_is_not_utf8_names_the_line(tmp_path):
    _, (problem,) = check(tmp_path, "transcript.txt", "first line\nna\xefve\n".encode("latin-1"))
    assert (problem.line, problem.message) == (2, "is not UTF-8 text")


def test_an_unknown_transcript_format_is_a_warning(tmp_path):
    found, (problem,) = check(tmp_path, "transcript.docx", b"PK")
    assert found == () and problem.severity == "warning"


def test_a_broken_transcript_stops_the_build_and_the_last_feed_stays(show):
    folder = show.add("ep")
    pipeline.build(show.root)
    before = show.feed.read_bytes()
    (folder / "transcript.srt").write_text(GOOD_SRT.replace("00:00:01,500 --> 00:00:02,900", "1.5 --> 2.9"))
    (folder / "episode.md").write_text((folder / "episode.md").read_text().replace("Ep", "Ep, retitled"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = errors_in(caught.value.problems)
    assert str(problem).startswith("episodes/ep/transcript.srt:6: error: subtitle 2: timing '1.5 --> 2.9'")
    assert show.feed.read_bytes() == before
    assert not (show.root / "feeds" / "transcripts").exists()


def test_a_transcript_taken_out_of_an_episode_is_no_longer_published(show):
    folder = show.add("ep")
    (folder / "transcript.vtt").write_text(GOOD_VTT)
    (folder / "transcript.srt").write_text(GOOD_SRT)
    pipeline.build(show.root)
    published = show.root / "feeds" / "transcripts"
    assert sorted(p.name for p in published.iterdir()) == ["ep.srt", "ep.vtt"]
    (folder / "transcript.srt").unlink()
    pipeline.build(show.root)
    assert sorted(p.name for p in published.iterdir()) == ["ep.vtt"]
    assert "ep.srt" not in show.feed.read_text()


@pytest.mark.parametrize(
    ("name", "text", "unit"),
    [
        (
            "transcript.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n1.5 --> 2.9\nTwo\n\n"
            "3\n00:00:05,000 --> 00:00:04,000\nThree\n\n4\n00:00:03,000 --> 00:00:06,000\nFour\n",
            "subtitle",
        ),
        (
            "transcript.vtt",
            "WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n\n00:01,5 --> 00:02.900\nTwo\n\n"
            "00:05.000 --> 00:04.000\nThree\n\n00:03.000 --> 00:06.000\nFour\n",
            "cue",
        ),
    ],
)
def test_every_bad_cue_of_a_transcript_is_reported(show, name, text, unit):
    folder = show.add("ep")
    (folder / name).write_text(text)
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    messages = [p.message for p in errors_in(caught.value.problems)]
    assert [m.split(":")[0].split(" ends")[0].split(" starts")[0] for m in messages] == [
        f"{unit} 2",
        f"{unit} 3",
        f"{unit} 4",
    ], messages
    assert "before it starts" in messages[1] and "before the" in messages[2]


def test_transcripts_found_from_the_folders_listing_are_those_found_by_listing_it_again(tmp_path):
    """The build hands transcripts.find the listing it read the episode with: what it finds and
    reports (bad files, links, other formats) is what a listing of its own finds."""
    from podcast.files import FolderListing

    show = tmp_path / "show"
    contents = {
        "none": {"episode.md": "x"},
        "vtt": {"transcript.vtt": GOOD_VTT, "episode.md": "x"},
        "several": {"transcript.srt": GOOD_SRT, "transcript.vtt": GOOD_VTT, "transcript.doc": "?"},
        "broken": {"transcript.vtt": "not webvtt", "transcript.txt": b"\xff\xfe bad"},
        "cased": {"Transcript.vtt": GOOD_VTT, "TRANSCRIPT.srt": GOOD_SRT},
    }
    for slug, files in contents.items():
        folder = show / "episodes" / slug
        folder.mkdir(parents=True)
        for name, content in files.items():
            (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    (show / "secret.vtt").write_text(GOOD_VTT)
    linked = show / "episodes" / "linked"
    linked.mkdir()
    (linked / "transcript.vtt").symlink_to(show / "secret.vtt")
    (linked / "transcript.srt").symlink_to(tmp_path / "nowhere.srt")
    for folder in sorted((show / "episodes").iterdir()):
        rel = f"episodes/{folder.name}"
        alone = transcripts.find(folder, rel, folder.name, "en", root=show)
        listed = transcripts.find(
            folder, rel, folder.name, "en", root=show, listing=FolderListing(show, folder)
        )
        assert listed == alone, folder.name
    several = transcripts.find(show / "episodes/several", "episodes/several", "several", "en")[0]
    assert sorted(t.path.name for t in several) == ["transcript.srt", "transcript.vtt"]
