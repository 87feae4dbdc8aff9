"""The show directory's layout: the names of its files and folders, and finding it.

Kept apart from config.py (which reads the files) so that a command that only needs to know
where things are, such as an up-to-date build, does not load the schema and its libraries.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import ConfigError, Problem

SHOW_FILE = "podcast.toml"
EPISODES_DIR = "episodes"
FEEDS_DIR = "feeds"
EPISODE_FILE = "episode.md"
STATE_DIR = ".podcast"  # the build cache and what the last build recorded; git-ignored
CHAPTERS_FILE = "chapters.json"  # in an episode folder, beside episode.md
# artwork.jpg|.png: the show's artwork as published in feeds/, and as import names the file it fetches
ARTWORK_STEM = "artwork"

# In feeds/ (and so under base_url): the feed and its sidecars.
FEED_FILENAME = "feed.xml"
CHAPTERS_DIR = "chapters"  # chapters/<slug>.json
TRANSCRIPTS_DIR = "transcripts"  # transcripts/<slug>.vtt|.srt|.json
EPISODE_IMAGES_DIR = "images"  # images/<slug>.jpg|.png: episode artwork
MEDIA_DIR = "media"  # media/<slug>/<file>: the episodes' audio, published with the feed
# feeds/episodes/<slug>/index.html: the episodes' pages (not the show's episodes/ folder above)
PAGES_EPISODES_DIR = "episodes"
GITIGNORE = f"{STATE_DIR}/\n"  # the .gitignore a new or imported show starts with


def slugify(title: str) -> str:
    """An episode folder's name from its title: lower-case ASCII words joined by '-', at most 60 long."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-") or "episode"


def find_show(start: Path) -> Path:
    """The show directory `start` is in: itself or the nearest folder above it with a podcast.toml.

    As git finds its repository, so `podcast build` works from inside an episode folder.
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / SHOW_FILE).is_file():
            return folder
    where = str(start / SHOW_FILE)
    missing = Problem(
        where,
        f"not found, here or in any folder above {start}",
        hint="run `podcast init DIR` to make a show, or give the show's directory",
    )
    raise ConfigError(f"not in a show directory: {start}", path=where, problems=[missing])
