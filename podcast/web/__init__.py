"""The show on the web: episode pages (rendered by the build) and the preview server.

One idea per module: `urls` (where pages live; no Jinja, so any stage may ask),
`transcript` (a transcript file → what a page shows), `pages` (Jinja2 rendering),
`site` (writing the pages into feeds/), `preview` (a build for the preview server),
`server` (the werkzeug app) and `watch` (rebuild on change).
"""
