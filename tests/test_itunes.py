"""Apple's extras: itunes:new-feed-url, block and complete from podcast.toml."""

from __future__ import annotations

from lxml import etree

from podcast import pipeline

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


def set_keys(show, keys: str) -> None:
    toml = show.root / "podcast.toml"
    head, owner = toml.read_text().split("\n[owner]")
    toml.write_text(head + "\n" + keys + "\n[owner]" + owner)


def channel(show):
    pipeline.build(show.root)
    return etree.parse(str(show.feed)).find("channel")


def test_none_of_them_is_written_unless_asked_for(show):
    show.add("ep")
    built = channel(show)
    for tag in ("new-feed-url", "block", "complete"):
        assert built.find(f"itunes:{tag}", NS) is None


def test_a_moved_feed_points_apple_at_its_new_url(show):
    show.add("ep")
    set_keys(show, 'new_feed_url = "https://new.example.com/show/feed.xml"')
    assert (
        channel(show).findtext("itunes:new-feed-url", namespaces=NS)
        == "https://new.example.com/show/feed.xml"
    )


def test_block_and_complete_are_written_as_apple_spells_them(show):
    show.add("ep")
    set_keys(show, 'block = true\ncomplete = true\n[update_frequency]\ntext = "No more episodes"')
    built = channel(show)
    assert built.findtext("itunes:block", namespaces=NS) == "Yes"
    assert built.findtext("itunes:complete", namespaces=NS) == "Yes"
    # A finished show says so in the Podcasting 2.0 namespace too.
    assert built.find("podcast:updateFrequency", NS).get("complete") == "true"
