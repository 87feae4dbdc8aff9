"""Where the show's pages are published, relative to base_url (and to feeds/).

Kept apart from the rendering so the build, `podcast notes` and the feed agree on an
episode's page address without importing Jinja.
"""

from __future__ import annotations

from ..layout import PAGES_EPISODES_DIR

INDEX_PAGE = "index.html"
LIST_DIR = "page"  # feeds/page/<n>/index.html: the episode list past its first page
PER_PAGE = 50  # episodes on each page of the list


def episode_page_path(slug: str) -> str:
    """The folder of an episode's page: its address ends in a slash, the file is index.html."""
    return f"{PAGES_EPISODES_DIR}/{slug}/"


def list_page_path(number: int) -> str:
    """Page `number` (from 1) of the episode list."""
    return "" if number == 1 else f"{LIST_DIR}/{number}/"


def episode_link(own_link: str | None, *, slug: str, base_url: str | None, pages: bool) -> str | None:
    """An episode's web page: the link it sets itself, else its generated page (when pages are on)."""
    if own_link:
        return own_link
    if not pages or not base_url:
        return None
    return base_url.rstrip("/") + "/" + episode_page_path(slug)
