"""Fuzzing the lint reader with mutated feeds: findings or an X101, never a crash.

The starting point is the example show's real feed (feeds/feed.xml); mutations work on
its bytes (flips, cuts, noise) and on its XML (an element's text or an attribute
replaced with hostile values, elements dropped or repeated).
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from fuzzing import FUZZ, measured
from hypothesis import given, note
from hypothesis import strategies as st
from lxml import etree

from podcast import lint
from podcast.errors import Problem

EXAMPLE_FEED = (Path(__file__).parents[1] / "feeds" / "feed.xml").read_bytes()
ELEMENT_COUNT = sum(1 for _ in etree.fromstring(EXAMPLE_FEED).iter())

HOSTILE = [
    "", " ", "-1", "0", "99999999999999999999999", "NaN", "1e309", "12:34:56:78", "javascript:alert(1)",
    "https://", "http://[::1", "file:///etc/passwd", "Wed, 32 Foo 2025 99:99:99 +9999", "\u0085", "\ud7ff",
    "true", "yes", "audio/mpeg", "x" * 5000, "../../etc/passwd", "https://example.com/a.mp3?x=\u2028",
]  # fmt: skip
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=50))


@st.composite
def mutated_xml(draw) -> bytes:
    tree = etree.fromstring(EXAMPLE_FEED)
    for _ in range(draw(st.integers(1, 6))):
        elements = list(tree.iter())
        target = elements[draw(st.integers(0, len(elements) - 1))]
        op = draw(st.sampled_from(["text", "attribute", "drop", "repeat"]))
        note(f"{op} {target.tag}")
        if op in ("text", "attribute"):
            value = draw(values)
            try:
                if op == "text":
                    target.text = value or None
                else:
                    target.set(draw(st.sampled_from(sorted(target.attrib) or ["href"])), value)
            except (ValueError, TypeError):
                pass  # a value lxml will not write (a control character): the byte mutations cover those
        elif op == "drop" and target.getparent() is not None:
            target.getparent().remove(target)
        elif op == "repeat" and target.getparent() is not None:
            target.addnext(copy.deepcopy(target))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


@st.composite
def mutated_bytes(draw) -> bytes:
    data = bytearray(EXAMPLE_FEED)
    how = draw(st.sampled_from(["flip", "cut", "noise"]))
    note(how)
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] ^= 1 << draw(st.integers(0, 7))
    elif how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    else:
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(max_size=200))
    return bytes(data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-lint") / "feed.xml"


@FUZZ
@given(document=st.one_of(mutated_xml(), mutated_bytes()))
def test_a_mutated_feed_gives_findings_never_a_crash(scratch, document):
    scratch.write_bytes(document)
    with measured("lint feed") as stats:
        problems = lint.check_feed_file(scratch)
        stats.errors += any(p.code == "X101" for p in problems)
    assert all(isinstance(p, Problem) and p.message for p in problems)


@pytest.fixture(scope="module")
def show_feed(tmp_path_factory) -> Path:
    """A copy of the example show, so that the feed's URLs lead to real files (LocalFiles)."""
    repository = Path(__file__).parents[1]
    root = tmp_path_factory.mktemp("fuzz-lint-show")
    shutil.copy(repository / "podcast.toml", root)
    shutil.copytree(repository / "episodes", root / "episodes")
    shutil.copytree(repository / "feeds", root / "feeds")
    return root / "feeds" / "feed.xml"


@FUZZ
@given(document=st.one_of(mutated_xml(), mutated_bytes()))
def test_a_mutated_feed_in_a_show_directory_gives_findings_never_a_crash(show_feed, document):
    show_feed.write_bytes(document)
    with measured("lint show feed") as stats:
        problems = lint.check_feed_file(show_feed)
        stats.errors += any(p.code == "X101" for p in problems)
    assert all(isinstance(p, Problem) and p.message for p in problems)
