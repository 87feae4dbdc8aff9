"""Text files as producers save them: UTF-8 with or without a byte-order mark, or something else."""

from __future__ import annotations

import pytest

from podcast.textfiles import NotUtf8, decode_utf8, likely_encoding


def test_the_byte_order_mark_is_not_part_of_the_text():
    assert decode_utf8(b"\xef\xbb\xbftitle = 1\n") == "title = 1\n"
    assert decode_utf8("naïve\n".encode()) == "naïve\n"


@pytest.mark.parametrize(
    ("text", "encoding", "looks_like", "where"),
    [
        ("a\nb = “quoted” – dash\n", "cp1252", "Windows-1252", (2, 5)),
        ("a\nb = café\n", "latin-1", "Latin-1", (2, 8)),
        ("a\nb = é\n", "utf-16", "UTF-16", (1, 1)),
    ],
)
def test_other_encodings_are_named_where_they_first_go_wrong(text, encoding, looks_like, where):
    data = text.encode(encoding)
    with pytest.raises(NotUtf8) as caught:
        decode_utf8(data)
    assert looks_like in caught.value.looks_like == likely_encoding(data)
    assert (caught.value.line, caught.value.column) == where


def test_the_column_counts_characters_not_bytes():
    data = "é ü “".encode()[:-3] + "“".encode("cp1252")  # two good two-byte letters, then a bad byte
    with pytest.raises(NotUtf8) as caught:
        decode_utf8(data)
    assert (caught.value.line, caught.value.column) == (1, 5)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_named_not_read_as_toml(encoding):
    data = 'title = "My Show"\nauthor = "Ann"\n'.encode(encoding)
    with pytest.raises(NotUtf8) as caught:
        decode_utf8(data)
    assert "UTF-16" in caught.value.looks_like and caught.value.line == 1
    assert caught.value.column in (1, 2)


def test_a_stray_zero_byte_is_left_to_the_reader_of_the_text():
    assert decode_utf8(b'title = "x"\nnote = "a\x00"\n').endswith('"a\x00"\n')
