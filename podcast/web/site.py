"""Pages rendered by web.pages → files under feeds/, and pages no longer wanted removed.

Only pages this package wrote are ever removed: they carry its generator mark, so an
index.html a producer put in feeds/ by hand is left alone.
"""

from __future__ import annotations

from pathlib import Path

from ..files import unlinked_target, write_atomic
from . import urls
from .pages import GENERATOR

MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return MARK in handle.read(4096)
    except OSError:
        return False


def _generated(out: Path) -> list[Path]:
    """Every page under `out` the build may have written."""
    found = [out / urls.INDEX_PAGE]
    for name in (urls.EPISODES_DIR, urls.LIST_DIR):
        folder = unlinked_target(out, out / name, name)  # never look (or delete) through a link
        if folder.is_dir():
            found += sorted(folder.glob(f"*/{urls.INDEX_PAGE}"))
    return [path for path in found if path.is_file() and not path.is_symlink() and _ours(path)]


def write(out: Path, pages: dict[str, bytes]) -> list[str]:
    """Write `pages` ({path under out: bytes}); remove our pages not among them. Returns what changed."""
    changed = [rel for rel, data in pages.items() if write_atomic(unlinked_target(out, out / rel, rel), data)]
    wanted = {out / rel for rel in pages}
    for stale in _generated(out):
        if stale not in wanted:
            stale.unlink()
            changed.append(str(stale.relative_to(out)))
            for folder in (stale.parent, stale.parent.parent):  # the slug's folder, then episodes/
                if out in folder.parents:
                    try:
                        folder.rmdir()  # only when the page was all it held
                    except OSError:
                        break
    return sorted(changed)
