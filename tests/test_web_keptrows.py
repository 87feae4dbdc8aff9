"""The list pages' rows kept from one build to the next make the pages rendering them again makes."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcast.config import read_show
from podcast.model import AudioInfo, Episode, ShowNotes
from podcast.web import keptrows, pages, urls
from podcast.web.keptrows import KeptRows

PER_PAGE = 4  # list pages of 4 episodes: a few episodes make many pages


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    monkeypatch.setattr(urls, "PER_PAGE", PER_PAGE)


def episode(n: int, title: str | None = None, text: str = "", hosts: tuple[str, ...] = ()) -> Episode:
    notes = ShowNotes(sections=(), html=f"<p>{n}</p>", description_html="", text=text) if text else None
    return Episode(
        slug=f"ep{n:03d}",
        source=f"episodes/ep{n:03d}/episode.md",
        title=title if title is not None else f"Episode {n}",
        date=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n),
        guid=f"guid-{n}",
        hosts=hosts,
        info=AudioInfo(size=1000, mime="audio/mpeg", duration=61.5 * n, format="mp3") if n % 3 else None,
        notes=notes,
    )


def list_pages(show, episodes, record: Path | None) -> tuple[dict[str, bytes], int]:
    """Every list page of `episodes`, made with the rows kept beside `record` (then saved) or,
    without one, rendered the long way; and how many rows were found kept."""
    plan = pages.SitePlan(show, episodes)
    rows = None
    if record is not None:
        slot = plan.list_rows()
        assert slot is not None
        rows = KeptRows.load(record, slot.code, slot.store, slot.listed)
    found = len(rows.loaded) if rows is not None else 0
    made = {page.path: page.make() for page in plan.pages(plan.list_paths)}
    if rows is not None:
        rows.save()
    return made, found


def test_list_pages_made_of_kept_rows_are_the_pages_rendered_again(show, tmp_path):
    base, _ = read_show(show.root)
    record = tmp_path / "record.json"
    episodes = [episode(n, text=f"What episode {n} is about.") for n in range(1, 15)]
    list_pages(base, episodes, record)
    assert record.with_suffix(".rows").is_file()
    episodes.append(
        episode(15, title="The newest <one> & “quoted”", hosts=("Ann", "Bo"))
    )  # every page shifts
    episodes[3] = dataclasses.replace(episodes[3], title="Retitled")  # its row is no longer the kept one
    made, found = list_pages(base, episodes, record)
    assert found == 14  # the rows of the last build
    assert made == list_pages(base, episodes, None)[0]
    assert len(made) == 4 and b"The newest &lt;one&gt; &amp;" in made["index.html"]


def test_rows_of_episodes_no_longer_listed_are_not_kept(show, tmp_path, monkeypatch):
    monkeypatch.setattr(keptrows, "SAVE_FROM", 1)  # written again for one new row
    base, _ = read_show(show.root)
    record = tmp_path / "record.json"
    episodes = [episode(n) for n in range(1, 13)]
    list_pages(base, episodes, record)
    now = [*episodes[:6], episode(20)]
    list_pages(base, now, record)
    slot = pages.SitePlan(base, now).list_rows()
    assert slot is not None
    kept = keptrows._read(record.with_suffix(".rows"), slot.code)
    assert {key[-1] for key in kept} == slot.listed and len(slot.listed) == 7


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "longer",
        "other code",
        "not json",
        "a link to /dev/zero",
        "a folder",
        "bad hex",
    ],
)
def test_kept_rows_that_are_damaged_or_of_other_code_are_no_rows_and_the_pages_are_right(
    show, tmp_path, damage
):
    base, _ = read_show(show.root)
    record = tmp_path / "record.json"
    episodes = [episode(n, text="Some words here.") for n in range(1, 13)]
    list_pages(base, episodes, record)
    file = record.with_suffix(".rows")
    data = file.read_bytes()
    head, _, body = data.partition(b"\n")
    file.unlink()
    if damage == "garbage":
        file.write_bytes(os.urandom(2000))
    elif damage == "truncated":
        file.write_bytes(data[:-10])
    elif damage == "longer":
        file.write_bytes(data + b"<li>more</li>")
    elif damage == "other code":
        file.write_bytes(head.replace(b'"code":"', b'"code":"0') + b"\n" + body)
    elif damage == "not json":
        file.write_bytes(b"{" + data)
    elif damage == "a link to /dev/zero":
        file.symlink_to("/dev/zero")
    elif damage == "a folder":
        file.mkdir()
    elif damage == "bad hex":
        file.write_bytes(head.replace(b'",[', b'zz",[', 1) + b"\n" + body)
    episodes.insert(0, episode(13))
    made, found = list_pages(base, episodes, record)
    assert found == 0
    assert made == list_pages(base, episodes, None)[0]


def test_a_show_list_template_keeps_no_rows(show):
    base, _ = read_show(show.root)
    (show.root / "templates").mkdir()
    (show.root / "templates/index.html").write_text("{% for e in episodes %}{{ e.title }} {% endfor %}")
    assert pages.SitePlan(base, [episode(1)]).list_rows() is None


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    titles=st.lists(texts.filter(str.strip), min_size=1, max_size=14),
    summaries=st.lists(texts, min_size=14, max_size=14),
    hosts=st.lists(st.lists(texts.filter(str.strip), max_size=2), min_size=14, max_size=14),
    shift=st.integers(min_value=0, max_value=5),
)
def test_kept_rows_make_the_pages_rendering_makes_whatever_the_episodes_show(
    show, tmp_path_factory, titles, summaries, hosts, shift
):
    """Against the long way, on varied titles, summaries and hosts: episodes listed once (their
    rows kept), then `shift` more added before them and every page made of kept rows."""
    base, _ = read_show(show.root)
    record = tmp_path_factory.mktemp("rows") / "record.json"
    episodes = [
        episode(n, title=title, text=summaries[n], hosts=tuple(hosts[n])) for n, title in enumerate(titles)
    ]
    list_pages(base, episodes, record)
    episodes += [episode(100 + n, text=summaries[n]) for n in range(shift)]
    assert list_pages(base, episodes, record)[0] == list_pages(base, episodes, None)[0]


def test_a_few_new_rows_leave_the_kept_ones_as_they_are_and_the_pages_stay_right(show, tmp_path):
    base, _ = read_show(show.root)
    record = tmp_path / "record.json"
    episodes = [episode(n, text="Words.") for n in range(1, 15)]
    list_pages(base, episodes, record)
    file = record.with_suffix(".rows")
    written = file.read_bytes()
    for n in range(15, 18):  # each adds a row or two, fewer than SAVE_FROM: rendered each time
        episodes.append(episode(n, text="Newer words."))
        made, found = list_pages(base, episodes, record)
        assert found == 14 and file.read_bytes() == written
        assert made == list_pages(base, episodes, None)[0]
