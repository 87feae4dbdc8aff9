"""Reading the text files a producer writes (podcast.toml, episode.md, articles) as UTF-8.

Windows editors start a UTF-8 file with a byte-order mark; it is not part of the text,
so it is dropped. A file saved in another encoding is named with the line and column
of its first byte that is not UTF-8, and the encoding it most likely is, so the
producer knows what to change in the editor's "Save as" dialogue.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8_BOM = codecs.BOM_UTF8


class NotUtf8(ValueError):
    """The bytes are not UTF-8: where the first bad byte is, and what the text looks like instead."""

    def __init__(self, line: int, column: int, byte: int, looks_like: str) -> None:
        self.line, self.column, self.byte, self.looks_like = line, column, byte, looks_like
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return (
            f"is not UTF-8 text: byte 0x{self.byte:02X} at line {self.line}, column {self.column};"
            f" it looks like {self.looks_like}"
        )

    hint = "save it as UTF-8: in the editor's Save As, choose the encoding UTF-8"


def likely_encoding(data: bytes) -> str:
    """The encoding text that is not UTF-8 is most likely in, as a name a producer's editor shows."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 (it starts with a UTF-16 byte-order mark)"
    if _looks_like_utf16(data):
        return "UTF-16 (every other byte is zero)"
    high = {b for b in data if b >= 0x80}
    if any(0x80 <= b <= 0x9F for b in high):
        # Curly quotes, dashes and the ellipsis are here in Windows-1252 and nowhere in Latin-1.
        return "Windows-1252 (Western European, what Windows editors call ANSI)"
    return "Latin-1 (ISO-8859-1) or Windows-1252"


def _not_utf8_at(data: bytes, start: int) -> NotUtf8:
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    # The column counts characters, as an editor does: the valid UTF-8 before the bad byte.
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return NotUtf8(line, column, data[start], likely_encoding(data))


def _looks_like_utf16(data: bytes) -> bool:
    return data.count(0) > len(data) // 4


def decode_utf8(data: bytes) -> str:
    """The text of UTF-8 bytes, without a leading byte-order mark. Raises NotUtf8."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8_at(data, exc.start) from None
    if _looks_like_utf16(data):
        # UTF-16 without a byte-order mark: plain letters with a zero byte beside each one
        # are valid UTF-8 too, but they are not the text the producer wrote.
        raise _not_utf8_at(data, data.index(0))
    return text


def read_utf8(path: Path) -> str:
    """A text file's content (see decode_utf8). Raises NotUtf8 or OSError."""
    return decode_utf8(Path(path).read_bytes())
