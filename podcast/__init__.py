"""podcast: build a podcast feed that apps accept from a show directory.

from podcast import build
result = build("myshow")          # writes myshow/feeds/feed.xml
"""

import logging

from .errors import AudioError, ConfigError, PodcastError, Problem
from .model import AudioInfo, Chapter, Episode, Person, Show, ShowNotes
from .pipeline import BuildResult, build, read_catalog

__all__ = [
    "AudioError",
    "AudioInfo",
    "BuildResult",
    "Chapter",
    "ConfigError",
    "Episode",
    "Person",
    "PodcastError",
    "Problem",
    "Show",
    "ShowNotes",
    "build",
    "read_catalog",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
