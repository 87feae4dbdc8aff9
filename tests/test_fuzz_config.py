"""Fuzzing the config loader: any podcast.toml or episode.md gives a show, an episode or problems."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from fuzzing import FUZZ, measured
from hypothesis import example, given
from hypothesis import strategies as st

from podcast import config, scaffold, simpletoml
from podcast.errors import ConfigError
from podcast.schema import EPISODE_SCHEMA, SHOW_SCHEMA

scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["https://example.com/", "javascript:alert(1)", "en", "2025-04-02", "\u0085", "a\nb", ""]
    ),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def toml_value(value) -> str:
    """A TOML literal for `value` (JSON's string escapes are TOML's; NaN and inf are spelt nan, inf)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def documents(schema: dict, valid: dict | None = None) -> st.SearchStrategy[str]:
    """TOML documents: the schema's keys with wild values (over a `valid` base, so that one bad
    value at a time reaches the later checks), some unknown keys, and some raw text."""
    keys = st.one_of(st.sampled_from(sorted(schema)), st.from_regex(r"[a-z_]{1,10}", fullmatch=True))
    table = st.dictionaries(keys, values, max_size=12)
    if valid:
        table = st.one_of(table, st.dictionaries(keys, values, max_size=3).map(lambda t: {**valid, **t}))
    as_toml = table.map(lambda t: "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in t.items()))
    return st.one_of(as_toml, as_toml, st.text(max_size=300))


VALID_EPISODE = {
    "title": "T",
    "date": "2025-04-02",
    "guid": "5f0c2b8e-4d7a-4c1e-9b3f-2a6d8e1c7b40",
    "draft": True,
}


def new_show(folder: Path) -> Path:
    made = folder / "show"
    scaffold.init_show(
        made, title="Fuzz", author="Ann", owner_email="a@example.com", base_url="https://example.com/s/"
    )
    (made / "episodes" / "ep").mkdir()
    return made


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return new_show(tmp_path_factory.mktemp("fuzz-toml"))


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    return config.read_show(new_show(tmp_path_factory.mktemp("fuzz-episode")))[0]


@FUZZ
@given(document=documents(SHOW_SCHEMA))
def test_any_podcast_toml_gives_a_show_or_problems(root, document):
    (root / "podcast.toml").write_text(document, "utf-8", errors="surrogatepass")
    with measured("podcast.toml") as stats:
        try:
            _, problems = config.read_show(root)
        except ConfigError as exc:
            stats.errors += 1
            assert exc.problems or str(exc)
            return
    assert all(p.path == "podcast.toml" for p in problems)


@FUZZ
@given(
    front=documents(EPISODE_SCHEMA, VALID_EPISODE),
    article=st.text(max_size=200),
    fence=st.sampled_from(["+++", "+++ ", "---"]),
)
def test_any_episode_md_gives_an_episode_or_problems(show, front, article, fence):
    folder = show.root / "episodes" / "ep"
    (folder / "episode.md").write_text(
        f"{fence}\n{front}\n{fence}\n{article}", "utf-8", errors="surrogatepass"
    )
    problems: list = []
    with measured("episode.md") as stats:
        episode = config.load_episode(show, folder, problems)
        stats.errors += episode is None
    if episode is None:
        assert [p for p in problems if p.severity == "error"]
    else:
        assert episode.title and "\n" not in episode.title


# Lines of front matter: the simple ones podcast reads itself, and every near miss.
KEYS = st.sampled_from(["title", "date", "guid", "season", "hosts", "a-b_c9", '"quoted"', "dotted.key", "é"])
TOML_VALUES = st.sampled_from(
    [
        '"Episode 1: the start"', '""', '"tab\there"', '"C# and \'quotes\'"', '"esc\\"aped"', '"a\\nb"',
        '"ctrl\x01"', '"del\x7f"', "'literal \\ back'", "'it''s'", '"""multi"""', '"unclosed', "'x\x02'",
        "0", "7", "12345678901234567890", "-3", "+4", "1_000", "007", "0x1F", "3.5", "1e3", "inf", "nan",
        "true", "false", "True", "FALSE", "2025-04-02", "2025-02-30", "2025-4-2", "2025-04-02T09:00:00Z",
        "2025-04-02t09:00:00z", "2025-04-02 09:00:00", "2025-04-02T09:00:00.123456789+05:30",
        "2025-04-02T24:00:00Z", "2025-04-02T09:00:00-00:00", "2025-04-02T09:00:00+23:59", "09:00:00",
        '["Ann", "Bob"]', '[ "Ann" , ]', "[]", "[ ]", '["Ann", 3]', '["a\\"b"]', "['lit']", '["Ann" "Bob"]',
        '["unclosed"', '{ name = "Ann" }', '"x" # comment', "= 3", "",
    ]
)  # fmt: skip
SPACE = st.sampled_from(["", " ", "  ", "\t"])
toml_line = st.one_of(
    st.tuples(SPACE, KEYS, SPACE, st.sampled_from(["=", "=", ":"]), SPACE, TOML_VALUES, SPACE).map("".join),
    st.sampled_from(["", "  ", "# a comment", "\t# tab\there", "# ctrl\x03", "[table]", "[[person]]", "x"]),
)
toml_documents = st.tuples(st.lists(toml_line, max_size=10), st.sampled_from(["\n", "\n", "\r\n", "\r"])).map(
    lambda parts: parts[1].join(parts[0])
)


@FUZZ
@given(document=toml_documents)
@example(document='title = "Ep 1"\ndate = 2025-04-02\nguid = "g"\nseason = 1\nhosts = ["Ann", "Bob"]\n')
@example(document="# a comment\n\ndate = 2025-04-02T09:00:00.5+05:30\ndraft = false\n")
@example(document="a = 2025-04-02 09:00:00\nb = 2025-04-02T09:00:00Z\nc = 12345678901234567890\nd = 0")
@example(document="season = 007")
@example(document="date = 2025-02-30")
@example(document='title = "a"\ntitle = "b"')
@example(document='hosts = ["Ann", 3]')
@example(document='guid = "a" # after the value')
@example(document="title = 'it''s'")
@example(document="a = true\r\nb = 1")
@example(document='title = "C# talk\there"')
def test_front_matter_reads_as_tomllib_reads_it(document):
    # The simple lines of a front matter are read without tomllib; what they give, and
    # what any other document gives or which error it meets, must be tomllib's.
    try:
        expected = repr(tomllib.loads(document))
    except tomllib.TOMLDecodeError:
        expected = "refused"
    simple = simpletoml.loads(document)
    assert simple is None or repr(simple) == expected
    problems: list = []
    data = config.parse_toml(document, "episode.md", 2, problems)
    assert (repr(data) if data is not None else "refused") == expected
    assert bool(problems) == (expected == "refused")


@FUZZ
@given(lines=st.lists(toml_line, max_size=10))
@example(lines=['title = "Ep 1"', "", "# note", 'guid = "g"', "hosts = [ ]"])
@example(lines=["[table]", 'title = "x"'])
@example(lines=['title = "a"', 'title = "b"'])
def test_front_matter_lines_are_where_each_key_is_written(lines):
    # Simple front matter is read with the line of each key found on the way; what an
    # episode's problems and lint name must be the lines the general reading finds.
    toml_text = "".join(line + "\n" for line in lines)
    problems: list = []
    front = config.read_front_matter(f"+++\n{toml_text}+++\nThe article.\n", "episode.md", problems)
    if front is not None:
        assert front.lines == config.key_lines(toml_text, 2)
        assert list(front.lines) == list(config.key_lines(toml_text, 2))


SOURCE_PIECES = st.sampled_from(
    ["+++", "+++", " +++ ", "++++", "\n", "\n", "\r\n", "\r", "\x0b", "\x1c", "\x85", "\u2028"]
    + ['title = "x"', "a", ""]
)


@FUZZ
@given(pieces=st.lists(SOURCE_PIECES, max_size=12))
@example(pieces=["+++", "\n", 'title = "x"', "\n", "+++", "\n", "a"])
@example(pieces=["+++", "\n", "+++", "\n"])
@example(pieces=["+++", "\n", " +++ ", "\n", "+++", "\n", "a"])
@example(pieces=["+++", "\n", 'title = "x"', "\u2028", "+++", "\n", "+++", "\n"])
def test_front_matter_is_split_where_the_lines_of_the_file_split_it(pieces):
    # Most front matter is found with two searches; every episode.md must split where its
    # lines (as str.splitlines has them) split it, and be refused as they refuse it.
    source = "".join(pieces)
    quick: list = []
    by_lines: list = []
    assert config.split_front_matter(source, "episode.md", quick) == config._split_by_lines(
        source, "episode.md", by_lines
    )
    assert quick == by_lines
