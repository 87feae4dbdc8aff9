"""The [publish] table and enclosure_prefix in podcast.toml, and what they do to the feed."""

from __future__ import annotations

import feedparser
import pytest
from lxml import etree

from podcast import pipeline
from podcast.config import read_show
from podcast.errors import PodcastError
from podcast.model import PUBNOTIFY_URL, PublishSettings


def write_toml(show, *, keys: str = "", tables: str = "") -> None:
    path = show.root / "podcast.toml"
    path.write_text(keys + "\n" + path.read_text("utf-8") + "\n" + tables, "utf-8")


def problems_of(show) -> list[str]:
    _, problems = read_show(show.root)
    return [str(p) for p in problems]


def test_publish_settings_are_read(show):
    write_toml(
        show,
        tables=(
            "[publish]\n"
            'to = "s3://media-bucket/myshow"\n'
            'endpoint_url = "https://account.r2.cloudflarestorage.com"\n'
            'region = "auto"\n'
            'hubs = ["https://pubsubhubbub.appspot.com/"]\n'
        ),
    )
    loaded, problems = read_show(show.root)
    assert [p for p in problems if p.severity == "error"] == []
    assert loaded.publish == PublishSettings(
        to="s3://media-bucket/myshow",
        endpoint_url="https://account.r2.cloudflarestorage.com",
        region="auto",
        hubs=("https://pubsubhubbub.appspot.com/",),
        pubnotify=PUBNOTIFY_URL,
    )


def test_without_publish_table_podcast_index_is_told_and_there_is_no_destination(show):
    loaded, _ = read_show(show.root)
    assert loaded.publish.to is None and loaded.publish.pubnotify == PUBNOTIFY_URL


def test_pubnotify_false_turns_it_off(show):
    write_toml(show, tables="[publish]\npubnotify = false\n")
    assert read_show(show.root)[0].publish.pubnotify is None


def test_every_bad_publish_key_is_reported_at_its_table_line(show):
    write_toml(
        show,
        tables='[publish]\nto = "ftp://example.com/x"\nhubs = ["not a url"]\nendpont_url = "https://x"\n',
    )
    line = (show.root / "podcast.toml").read_text("utf-8").splitlines().index("[publish]") + 1
    found = [p for p in problems_of(show) if "publish" in p]
    assert len(found) == 3
    assert all(p.startswith(f"podcast.toml:{line}: error: publish: ") for p in found)
    assert any("ftp://example.com/x" in p and "s3://bucket/prefix" in p for p in found)
    assert any("did you mean 'endpoint_url'?" in p for p in found)


def test_credentials_in_podcast_toml_are_refused_with_where_they_belong(show):
    write_toml(show, tables='[publish]\nto = "s3://b/show"\naws_secret_access_key = "abc"\n')
    (problem,) = [p for p in problems_of(show) if "publish" in p]
    assert "credentials do not belong in podcast.toml" in problem
    assert "AWS_SECRET_ACCESS_KEY" in problem


def test_an_enclosure_prefix_must_end_with_a_slash(show):
    write_toml(show, keys='enclosure_prefix = "https://op3.dev/e"')
    (problem,) = [p for p in problems_of(show) if "enclosure_prefix" in p]
    assert "does not end with /" in problem and problem.startswith("podcast.toml:1: error")


def test_the_feed_names_each_hub_after_its_self_link(show):
    write_toml(
        show, tables='[publish]\nhubs = ["https://hub.example.com/", "https://pubsubhubbub.appspot.com/"]\n'
    )
    show.add("one")
    pipeline.build(show.root)
    channel = etree.fromstring(show.feed.read_bytes()).find("channel")
    links = [(e.get("rel"), e.get("href")) for e in channel.findall("{http://www.w3.org/2005/Atom}link")]
    assert links == [
        ("self", "https://cdn.example.com/show/feed.xml"),
        ("hub", "https://hub.example.com/"),
        ("hub", "https://pubsubhubbub.appspot.com/"),
    ]
    parsed = feedparser.parse(show.feed.read_bytes())
    assert [link.href for link in parsed.feed.links if link.rel == "hub"] == [href for rel, href in links[1:]]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("https://op3.dev/e/", "https://op3.dev/e/cdn.example.com/show/media/one/one.mp3"),
        (
            "https://dts.podtrac.com/redirect.mp3/",
            "https://dts.podtrac.com/redirect.mp3/cdn.example.com/show/media/one/one.mp3",
        ),
    ],
)
def test_an_enclosure_prefix_goes_in_front_of_every_enclosure(show, prefix, expected):
    write_toml(show, keys=f'enclosure_prefix = "{prefix}"')
    show.add("one")
    result = pipeline.build(show.root)
    (entry,) = feedparser.parse(show.feed.read_bytes()).entries
    assert entry.enclosures[0].href == expected
    assert result.catalog.show.unmeasured(expected) == "https://cdn.example.com/show/media/one/one.mp3"


def test_a_feed_without_publish_settings_is_unchanged(show):
    show.add("one")
    pipeline.build(show.root)
    assert b'rel="hub"' not in show.feed.read_bytes()


def test_a_plain_http_base_url_on_this_machine_builds_with_a_warning(tmp_path, mp3_factory):
    from publish_servers import make_show

    local = make_show(tmp_path / "local", "http://127.0.0.1:8123/show/", mp3_factory)
    local.add("one")
    result = pipeline.build(local.root)
    found = [p for p in result.catalog.problems if p.code == "U101"]
    assert found and all(p.severity == "warning" and "local test address" in p.message for p in found)


def test_a_plain_http_base_url_elsewhere_is_still_an_error(tmp_path, mp3_factory):
    from publish_servers import make_show

    remote = make_show(tmp_path / "remote", "http://media.example.com/show/", mp3_factory)
    remote.add("one")
    with pytest.raises(PodcastError) as stopped:
        pipeline.build(remote.root)
    assert any(p.code == "U101" and p.severity == "error" for p in stopped.value.problems)
