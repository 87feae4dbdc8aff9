"""Remote audio: an episode names its audio by URL (audio_url, length, type, duration)."""

from __future__ import annotations

import io

import podcastparser
import pytest
from conftest import run
from werkzeug.wrappers import Response

from podcast import pipeline
from podcast.errors import PodcastError

REMOTE = (
    'audio_url = "https://media.oldhost.example/ep1.mp3"\n'
    "length = 48163712\n"
    'type = "audio/mpeg"\n'
    'duration = "00:42:10"'
)


def parsed(show):
    return podcastparser.parse("https://cdn.example.com/show/feed.xml", io.BytesIO(show.feed.read_bytes()))


def test_the_enclosure_is_what_the_front_matter_says(show):
    show.add("remote", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    (episode,) = parsed(show)["episodes"]
    (enclosure,) = episode["enclosures"]
    assert enclosure == {
        "url": "https://media.oldhost.example/ep1.mp3",
        "file_size": 48163712,
        "mime_type": "audio/mpeg",
    }
    assert episode["total_time"] == 42 * 60 + 10
    assert episode["guid"] == "guid-remote-0000"


def test_unknown_duration_leaves_itunes_duration_out(show):
    show.add("remote", audio=False, extra=REMOTE.rsplit("\n", 1)[0])
    pipeline.build(show.root)
    assert b"itunes:duration" not in show.feed.read_bytes()


def test_remote_and_local_episodes_side_by_side(show):
    show.add("local", date="2025-01-01")
    show.add("remote", date="2025-01-02", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    urls = [e["enclosures"][0]["url"] for e in parsed(show)["episodes"]]
    assert urls == [
        "https://media.oldhost.example/ep1.mp3",
        "https://cdn.example.com/show/media/local/local.mp3",
    ]


def test_a_local_file_swapped_in_wins_and_the_guid_stays(show):
    folder = show.add("remote", audio=False, extra=REMOTE)
    pipeline.build(show.root)
    (folder / "ep1.mp3").write_bytes(show.mp3(3.0).read_bytes())
    text = (folder / "episode.md").read_text("utf-8")
    (folder / "episode.md").write_text(text.replace("+++\n", '+++\naudio = "ep1.mp3"\n', 1), "utf-8")
    pipeline.build(show.root)
    (episode,) = parsed(show)["episodes"]
    assert episode["enclosures"][0]["url"] == "https://cdn.example.com/show/media/remote/ep1.mp3"
    assert episode["total_time"] == 3
    assert episode["guid"] == "guid-remote-0000"


def test_missing_length_and_type_are_each_reported(show):
    show.add("remote", audio=False, extra='audio_url = "https://media.oldhost.example/ep1.mp3"')
    show.add("stray", extra="length = 12")
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    said = [str(p) for p in caught.value.problems]
    assert any("episodes/remote/episode.md" in s and "length: missing" in s for s in said)
    assert any("episodes/remote/episode.md" in s and "type: missing" in s for s in said)
    assert any("episodes/stray/episode.md" in s and "length: describes audio_url" in s for s in said)
    assert not show.feed.exists()


def test_bad_values_name_the_field(show):
    show.add("remote", audio=False, extra=REMOTE.replace("48163712", '"big"').replace("audio/mpeg", "mp3"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    said = "\n".join(str(p) for p in caught.value.problems)
    assert "length: expected the size in bytes" in said
    assert 'type: "mp3" is not a MIME type' in said


def test_a_length_no_file_has_is_refused_by_the_build(show):
    # TOML readers other than Python's stop at 64-bit whole numbers; no audio is that large.
    show.add("remote", audio=False, extra=REMOTE.replace("48163712", "99999999999999999999999"))
    with pytest.raises(PodcastError) as caught:
        pipeline.build(show.root)
    (problem,) = [p for p in caught.value.problems if p.field == "length"]
    assert "more than any file holds" in problem.message and problem.line is not None
    assert not show.feed.exists()


# ---------------------------------------------------------------- podcast lint --online


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def serve_audio(httpserver, data: bytes, *, kind: str = "audio/mpeg", ranges: bool = True):
    def handler(request):
        if ranges and request.headers.get("Range") == "bytes=0-1":
            return Response(
                data[:2], status=206, content_type=kind, headers={"Content-Range": f"bytes 0-1/{len(data)}"}
            )
        return Response(data, content_type=kind)

    httpserver.expect_request("/ep1.mp3").respond_with_handler(handler)
    return httpserver.url_for("/ep1.mp3")


def remote_episode(show, url: str, length: int, kind: str = "audio/mpeg"):
    show.add("remote", audio=False, extra=f'audio_url = "{url}"\nlength = {length}\ntype = "{kind}"')


def online_findings(show) -> list:
    return [p for p in pipeline.check(show.root, online=True) if p.code in ("N102", "N103", "M103", "M104")]


def test_online_lint_passes_audio_that_answers_as_recorded(show, httpserver):
    data = show.mp3(3.0).read_bytes()
    remote_episode(show, serve_audio(httpserver, data), len(data))
    assert online_findings(show) == []
    offline = [p for p in pipeline.check(show.root) if p.field in ("audio_url", "length", "type")]
    assert [p.code for p in offline] == ["U101"]  # only that loopback is plain http


def test_online_lint_names_the_field_that_disagrees_with_the_server(show, httpserver):
    data = show.mp3(3.0).read_bytes()
    remote_episode(show, serve_audio(httpserver, data, kind="audio/x-m4a", ranges=False), len(data) + 5)
    found = {p.code: p for p in online_findings(show)}
    assert set(found) == {"M103", "M104", "N103"}
    assert found["M103"].field == "length" and f"write length = {len(data)}" in found["M103"].message
    assert found["M104"].field == "type" and '"audio/x-m4a"' in found["M104"].message
    assert all(p.path == "episodes/remote/episode.md" and p.line for p in found.values())


def test_online_lint_says_a_server_that_ignores_the_range_sent_the_whole_file(show, httpserver):
    data = show.mp3(30.0).read_bytes()  # larger than what a two-byte range may bring back
    assert len(data) > 65536
    remote_episode(show, serve_audio(httpserver, data, ranges=False), len(data))
    (problem,) = online_findings(show)
    assert (problem.code, problem.field) == ("N103", "audio_url")
    assert "answered with the whole file, not the range" in problem.message


def test_online_lint_reports_audio_that_is_not_there(show, httpserver):
    remote_episode(show, httpserver.url_for("/gone.mp3"), 1000)
    httpserver.expect_request("/gone.mp3").respond_with_data("no", status=404)
    (problem,) = online_findings(show)
    assert (problem.code, problem.field) == ("N102", "audio_url") and "HTTP 404" in problem.message


def test_length_zero_is_a_warning_pointing_at_online_lint(show):
    show.add(
        "remote", audio=False, extra='audio_url = "https://x.example/a.mp3"\nlength = 0\ntype = "audio/mpeg"'
    )
    (warning,) = [p for p in pipeline.check(show.root) if p.field == "length"]
    assert warning.severity == "warning" and "podcast lint --online" in warning.hint


def test_the_lint_command_takes_online(show, httpserver):
    data = show.mp3(3.0).read_bytes()
    remote_episode(show, serve_audio(httpserver, data), len(data) + 1)
    result = run("lint", "--online", str(show.root))
    assert result.exit_code == 1 and "M103" in result.stdout and "episodes/remote/episode.md" in result.stdout


def test_lint_traces_a_remote_enclosure_to_audio_url(show):
    show.add("remote", audio=False, extra=REMOTE.replace("https://", "http://"))
    (problem,) = [p for p in pipeline.check(show.root) if p.code == "U101"]
    assert (problem.path, problem.field, problem.line) == ("episodes/remote/episode.md", "audio_url", 5)
