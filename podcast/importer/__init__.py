"""Bringing a podcast in from elsewhere: a feed (`import_feed`) or one episode page (`import_page`).

- source.py: SOURCE → bytes (podcast.net for URLs, a size check for files);
- xmlparse.py: bytes → a safe lxml tree, recovering what forgiving apps recover;
- dates.py: the date and duration forms feeds use;
- reader.py: the tree → `FeedShow` and `FeedItem` (plain data);
- markdown.py: show notes → Markdown (markdownify);
- showdir.py: plain data → podcast.toml and episode.md text, and what an earlier import left;
- downloads.py: artwork, chapters, transcripts and audio, bounded and atomic;
- feedimport.py: `podcast import`; page.py and pageimport.py: `podcast import-page`.
"""

from __future__ import annotations

from .feedimport import ImportReport, import_feed
from .pageimport import PageReport, import_page
from .source import SourceError
from .xmlparse import NotAFeed

__all__ = ["ImportReport", "NotAFeed", "PageReport", "SourceError", "import_feed", "import_page"]
