"""The page record: which pages of an output folder are as the last build wrote them."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from podcast.web.record import PageRecord

CHANGES = ["kept", "edited", "deleted", "replaced", "linked", "other digest", "damaged", "unrecorded"]


def _record_with(root: Path, out: Path, changes: list[str]) -> tuple[PageRecord, dict[str, str]]:
    """A record of one page a change, each then changed (by hand, as a producer might)."""
    record = PageRecord.load(root, out)
    digests = {}
    for number, change in enumerate(changes):
        rel = f"episodes/ep{number}/index.html"
        page = out / rel
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_bytes(b"<p>page %d</p>" % number)
        found = page.lstat()
        digest = f"{number:04x}" * 8
        digests[rel] = digest
        if change != "unrecorded":
            record.note(rel, digest, (found.st_size, found.st_mtime_ns, found.st_ino))
        if change == "edited":
            page.write_bytes(b"<p>page %d, by hand</p>" % number)
        elif change == "deleted":
            page.unlink()
        elif change == "replaced":
            other = page.with_name("copy.html")  # same bytes, another file (made while the page is there)
            other.write_bytes(b"<p>page %d</p>" % number)
            other.replace(page)
        elif change == "linked":
            page.unlink()
            page.symlink_to(root / "elsewhere.html")
        elif change == "other digest":
            digests[rel] = "f" * len(digest)
        elif change == "damaged":
            record.entries[rel] = digest + "x" + record.entries[rel][len(digest) + 1 :]
    return record, digests


@settings(max_examples=30, deadline=None)
@given(changes=st.lists(st.sampled_from(CHANGES), max_size=12))
def test_the_pages_due_are_those_not_current_one_by_one(tmp_path_factory, changes):
    root = tmp_path_factory.mktemp("show")
    (root / "elsewhere.html").write_bytes(b"<p>page 0</p>")
    out = root / "feeds"
    out.mkdir()
    record, digests = _record_with(root, out, changes)

    due = record.due(out, digests)

    assert due == [rel for rel, digest in digests.items() if not record.current(out, rel, digest)]
    assert due == [rel for rel, change in zip(digests, changes, strict=True) if change != "kept"]


def test_every_page_is_due_when_the_output_folder_is_gone(tmp_path):
    out = tmp_path / "feeds"
    out.mkdir()
    record, digests = _record_with(tmp_path, out, ["kept", "kept"])
    for page in sorted(out.rglob("*"), key=lambda path: -len(path.parts)):
        page.unlink() if page.is_file() else page.rmdir()
    out.rmdir()

    assert record.due(out, digests) == list(digests)
    assert not os.path.exists(out)
