"""Chapters: chapters.json > the audio's chapters > the show notes'; published as JSON chapters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from media import remux
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags
from PIL import Image

from podcast import chapters, pipeline
from podcast.errors import Problem
from podcast.model import Chapter

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


def test_precedence_file_then_audio_then_notes():
    from_file = (Chapter(0, "From the file"),)
    from_audio = (Chapter(0, "From the audio"),)
    from_notes = (Chapter(0, "From the notes"),)
    assert chapters.resolve(from_file, from_audio, from_notes) == from_file
    assert chapters.resolve(None, from_audio, from_notes) == from_audio
    assert chapters.resolve(None, (), from_notes) == from_notes
    assert chapters.resolve((), from_audio, from_notes) == ()  # an empty chapters.json means none


def test_bad_chapters_json_names_the_file_and_the_chapter(tmp_path):
    path = tmp_path / "chapters.json"
    path.write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}, {"title": "B"}]}')
    problems: list[Problem] = []
    found = chapters.load(path, "episodes/x/chapters.json", problems)
    assert [c.title for c in found] == ["A"]
    assert problems[0].path == "episodes/x/chapters.json" and problems[0].field == "chapters[2]"
    path.write_text("{not json")
    problems.clear()
    assert chapters.load(path, "episodes/x/chapters.json", problems) == ()
    assert "not valid JSON" in problems[0].message and problems[0].line == 1


def _chaptered_mp3(folder, source):
    """An MP3 with ID3 chapters: one with a URL and an image, one without."""
    path = folder / "ep.mp3"
    shutil.copy(source, path)
    slide = folder.parent.parent / "slide.png"
    Image.new("RGB", (320, 180), "orange").save(slide)
    tags = ID3()
    tags.add(
        CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["a", "b"])
    )
    sub = [
        TIT2(text="Hello"),
        WXXX(url="https://example.com/hello"),
        APIC(mime="image/png", data=slide.read_bytes()),
    ]
    tags.add(CHAP(element_id="a", start_time=0, end_time=6000, sub_frames=sub))
    tags.add(CHAP(element_id="b", start_time=6000, end_time=12000, sub_frames=[TIT2(text="Goodbye")]))
    tags.save(path)
    return path


def test_the_build_publishes_the_audio_chapters_and_links_them(show, media):
    folder = show.add("ep", audio=False, extra='audio = "ep.mp3"')
    _chaptered_mp3(folder, media["mp3-xing"])
    pipeline.build(show.root)
    published = json.loads((show.root / "feeds/chapters/ep.json").read_text())
    assert published["version"] == "1.2.0"
    first, second = published["chapters"]
    assert (first["startTime"], first["title"], first["url"]) == (0, "Hello", "https://example.com/hello")
    assert first["img"] == "https://cdn.example.com/show/chapters/ep-1.png"
    assert Image.open(show.root / "feeds/chapters/ep-1.png").size == (320, 180)
    assert (second["startTime"], second["title"], "img" in second) == (6, "Goodbye", False)
    item = etree.parse(str(show.feed)).find(".//item")
    link = item.find("podcast:chapters", NS)
    assert link.get("url") == "https://cdn.example.com/show/chapters/ep.json"
    assert link.get("type") == "application/json+chapters"
    assert feedparser.parse(str(show.feed)).bozo == 0


def test_chapters_json_overrides_the_audio(show, media):
    folder = show.add("ep", audio=False, extra='audio = "ep.mp3"')
    _chaptered_mp3(folder, media["mp3-xing"])
    (folder / "chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [{"startTime": 2.5, "title": "Only this", "img": "https://x.example/i.jpg"}],
            }
        )
    )
    pipeline.build(show.root)
    published = json.loads((show.root / "feeds/chapters/ep.json").read_text())
    assert published["chapters"] == [
        {"startTime": 2.5, "title": "Only this", "img": "https://x.example/i.jpg"}
    ]
    assert not (show.root / "feeds/chapters/ep-1.png").exists()  # the audio's image is not published


def test_m4a_nero_chapters_are_published(show, media, tmp_path):
    folder = show.add("talk", audio=False, extra='audio = "talk.m4a"')
    remux(media["m4a"], folder / "talk.m4a", chapters=[(0, 5, "One"), (5, 12, "Two")])
    pipeline.build(show.root)
    published = json.loads((show.root / "feeds/chapters/talk.json").read_text())
    assert [(c["startTime"], c["title"]) for c in published["chapters"]] == [(0, "One"), (5, "Two")]


def test_an_episode_without_chapters_has_no_link_and_stale_files_go(show):
    show.add("plain")
    stale = show.root / "feeds/chapters/removed-episode.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    pipeline.build(show.root)
    assert "podcast:chapters" not in show.feed.read_text()
    assert not stale.exists()


def test_building_the_example_show_reproduces_its_committed_chapters(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(repo / "podcast.toml", root)
    shutil.copy(repo / "artwork.jpg", root)
    shutil.copytree(repo / "episodes", root / "episodes")
    pipeline.build(root)
    built = sorted(p.name for p in (root / "feeds/chapters").iterdir())
    assert built == sorted(p.name for p in (repo / "feeds/chapters").iterdir())
    for name in built:
        assert (root / "feeds/chapters" / name).read_bytes() == (repo / "feeds/chapters" / name).read_bytes()


def test_a_chapter_title_with_half_a_character_is_published_with_a_replacement_and_a_warning(tmp_path):
    """JSON may escape half of a UTF-16 pair alone ("\\ud800"); no UTF-8 feed can hold it."""
    path = tmp_path / "chapters.json"
    path.write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro \\ud800 part"}]}')
    problems: list = []
    found = chapters.load(path, "episodes/a/chapters.json", problems)
    assert found is not None and found[0].title == "Intro \ufffd part"
    assert [(p.severity, p.field) for p in problems] == [("warning", "chapters[1].title")]
    chapters.to_json(found, str).decode("utf-8")  # publishable


def _to_json_the_long_way(found: tuple[Chapter, ...], image_url) -> bytes:
    """What to_json wrote before it wrote its lines itself: json.dumps of the document."""
    entries = []
    for chapter in found:
        entry: dict = {"startTime": chapters._seconds(chapter.start), "title": chapter.title}
        if chapter.end is not None:
            entry["endTime"] = chapters._seconds(chapter.end)
        if chapter.image:
            entry["img"] = (
                chapter.image
                if chapter.image.startswith(("http://", "https://"))
                else image_url(chapter.image)
            )
        if chapter.url:
            entry["url"] = chapter.url
        entries.append(entry)
    document = {"version": chapters.CHAPTERS_VERSION, "chapters": entries}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


_times = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_chapter_lists = st.lists(
    st.builds(
        Chapter,
        start=_times,
        title=_texts,
        end=st.none() | _times,
        url=st.none() | _texts | st.just('https://example.com/a?b="c"&d'),
        image=st.none() | _texts | st.just("chapters/ep-1.jpg") | st.just("https://example.com/i.png"),
    ),
    max_size=6,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(_chapter_lists)
def test_json_chapters_are_the_bytes_json_dumps_writes(found):
    """to_json writes its lines itself: a feed's chapters file stays byte for byte what
    json.dumps(indent=2) wrote (quotes, backslashes, control characters, non-ASCII, times)."""

    def image_url(name: str) -> str:
        return "https://media.example.com/" + name

    written = chapters.to_json(found, image_url)
    assert written == _to_json_the_long_way(found, image_url)
    assert json.loads(written)["version"] == chapters.CHAPTERS_VERSION


def test_a_chapters_json_asked_through_the_folders_listing_is_read_as_without_it(tmp_path):
    """Most folders have no chapters.json, which the listing the episode was read with knows;
    one that is there, a link, or one named in another case is read (or not) as before."""
    from podcast.files import FolderListing

    show = tmp_path / "show"
    good = '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}]}'
    (tmp_path / "secret.json").write_text(good)
    makers = {
        "none": lambda folder: None,
        "good": lambda folder: (folder / "chapters.json").write_text(good),
        "bad": lambda folder: (folder / "chapters.json").write_text("{not json"),
        "cased": lambda folder: (folder / "Chapters.json").write_text(good),
        "outside": lambda folder: (folder / "chapters.json").symlink_to(tmp_path / "secret.json"),
        "dangling": lambda folder: (folder / "chapters.json").symlink_to(tmp_path / "nothing.json"),
    }
    for slug, make in makers.items():
        folder = show / "episodes" / slug
        folder.mkdir(parents=True)
        make(folder)
        rel = f"episodes/{slug}/chapters.json"
        alone: list[Problem] = []
        listed: list[Problem] = []
        found = chapters.load(folder / "chapters.json", rel, alone, root=show)
        listing = FolderListing(show, folder)
        assert chapters.load(folder / "chapters.json", rel, listed, root=show, listing=listing) == found, slug
        assert listed == alone, slug
    none: list[Problem] = []
    assert (
        chapters.load(
            show / "episodes/none/chapters.json",
            "x",
            none,
            listing=FolderListing(show, show / "episodes/none"),
        )
        is None
    )
