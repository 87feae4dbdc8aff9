"""podcast: build a podcast feed that apps accept from a show directory.

from podcast import build
result = build("myshow")          # writes myshow/feeds/feed.xml
"""

import logging

from .errors import AudioError, ConfigError, PodcastError, Problem

# The build pulls in feedgen, lxml, mutagen, requests and every lint rule; a command that
# needs none of them (--help, --version, init, an up-to-date build) should not pay for them,
# nor for the model's dataclasses.
_FROM_PIPELINE = {"BuildResult", "build", "read_catalog"}
_FROM_MODEL = {"AudioInfo", "Chapter", "Episode", "Person", "Show", "ShowNotes"}


def __getattr__(name: str):
    if name in _FROM_PIPELINE:
        from . import pipeline

        return getattr(pipeline, name)
    if name in _FROM_MODEL:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module 'podcast' has no attribute {name!r}")


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
