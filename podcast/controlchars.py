"""Control characters: what an XML feed cannot carry, and what they meant in the text.

XML 1.0 forbids the C0 control characters other than tab, line feed and carriage
return, and the non-characters U+FFFE and U+FFFF; lxml refuses to write them. They
reach an article through editors: Word writes a vertical tab for Shift+Enter and a
form feed for a page break. C1 controls (U+0080–U+009F) are almost always
Windows-1252 bytes read as Latin-1 — curly quotes, dashes, the ellipsis — so they
become the characters Windows-1252 means.
"""

from __future__ import annotations

import re

LINE_BREAKS = "\x0b\x0c"  # vertical tab (Word's Shift+Enter), form feed (a page break)


def _cp1252(code: int) -> str:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D mean nothing in Windows-1252


_ARTICLE_TABLE = {code: "" for code in [*range(0x00, 0x09), 0x0E, *range(0x0F, 0x20), 0x7F, 0xFFFE, 0xFFFF]}
_ARTICLE_TABLE.update({ord(char): "\n" for char in LINE_BREAKS})
_ARTICLE_TABLE.update({code: _cp1252(code) for code in range(0x80, 0xA0)})
_LINE_TABLE = {**_ARTICLE_TABLE, **{ord(char): " " for char in "\t\n\r" + LINE_BREAKS}}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


# In UTF-8, a C0 control or DEL is one byte that is never part of another character's bytes.
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# The UTF-8 of U+0080-U+00BF (the C1 controls among them) and of U+FFC0-U+FFFF (U+FFFE, U+FFFF).
_C1_OR_NONCHARACTER_LEAD = (b"\xc2", b"\xef\xbf")


def _suspect(text: str) -> bool:
    """Whether `text` holds a character `_SUSPECT` matches; the same answer, found faster.

    The regex looks at every character in Python's matcher; deleting the C0 bytes from
    the UTF-8 is done in C, and only text with a character near a C1 control or U+FFFE
    (a no-break space, say) is left for the regex.
    """
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return bool(_SUSPECT.search(text))
    if len(data.translate(None, _C0_BYTES)) != len(data):
        return True
    if data.isascii():  # (no byte of it leads a C1 control or U+FFFE/U+FFFF: most text, found at once)
        return False
    if any(lead in data for lead in _C1_OR_NONCHARACTER_LEAD):
        return bool(_SUSPECT.search(text))
    return False


def clean_text(text: str) -> str:
    """Text with its control characters turned into what they meant, or removed.

    Vertical tab and form feed become line breaks, C1 controls the Windows-1252
    characters they stand for, and the other controls (but tab, line feed and
    carriage return) disappear.
    """
    if not _suspect(text):
        return text  # nearly every text: nothing to translate
    return text.translate(_ARTICLE_TABLE)


def clean_line(text: str) -> str:
    """One line of text (a chapter title, say) cleaned like `clean_text`, with line breaks as spaces."""
    if not _suspect(text) and not _LINE_BREAK.search(text):
        return text
    return " ".join(text.translate(_LINE_TABLE).split())


def first_not_xml(text: str) -> str | None:
    """The first character of `text` that XML cannot carry, as U+XXXX, or None."""
    match = _NOT_XML.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


_C1 = re.compile("[\x80-\x9f]")
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")


def first_c1(text: str) -> str | None:
    """The first C1 control character (U+0080-U+009F) in `text`, as U+XXXX, or None.

    In text someone typed, one is a Windows-1252 character read as Latin-1 (U+0093 for a
    curly quote, U+0085 for an ellipsis); apps show a box or nothing.
    """
    match = _C1.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def first_line_break(text: str) -> str | None:
    """The first line break of any kind in `text` (LF, CR, VT, FF, NEL, U+2028/9), as U+XXXX, or None."""
    match = _LINE_BREAK.search(text)
    return f"U+{ord(match.group()):04X}" if match else None
