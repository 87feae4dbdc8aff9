"""`podcast serve`: the show previewed as it will be published, from a server on this machine.

It builds the show (pages and all) into a folder of its own with the server's address as
`base_url`, so it stands above the build, as the build stands above the pages it writes.
`preview` (the build for the preview, the server's thread, --watch) and `server` (the werkzeug
app: ranges, conditional requests, gzip, paths confined to what is served).
"""
