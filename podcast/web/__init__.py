"""The show on the web: episode pages, rendered and written by the build.

One idea per module: `urls` (where pages live; no Jinja, so any stage may ask),
`transcript` (a transcript file → what a page shows), `pages` (Jinja2 rendering) and
`site` (writing the pages into feeds/). The preview server is `podcast.serve`.
"""
