"""The `podcast` command. Thin: parse options, call one stage, print, exit.

Data goes to stdout, diagnostics to stderr; with --json stdout carries only JSON.
Exit codes: 0 success, 1 content or build problems, 2 usage errors.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import clock, layout
from .errors import AudioError, ConfigError, PodcastError, Problem, errors_in, tally, warnings_in
from .layout import EPISODES_DIR, FEED_FILENAME
from .weburl import has_web_scheme

if TYPE_CHECKING:
    from .model import AudioFile
    from .publish import Report
    from .tagging import Tagged

# Each command imports the stages it calls when it runs: the build's modules (feedgen, lxml,
# mutagen, requests, boto3, the lint rules) take ~0.5 s to import, which --help, --version,
# init and an up-to-date build need not pay.

DIR_ARGUMENT = click.Path(file_okay=False, path_type=Path)
# A show directory, or any folder in one: it must exist (a mistyped path is a usage error).
SHOW_ARGUMENT = click.Path(file_okay=False, exists=True, path_type=Path)
# No exists/readable checks: click would turn a missing or unreadable file into a usage error
# (exit 2) before anything is read; audio.read reports it as one of the files' problems.
AUDIO_ARGUMENT = click.Path(path_type=Path, readable=False)
# The commands that fetch (import, import-page): how long one request may take in all.
TIMEOUT_OPTION = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds one request may take in all.",
)


def echo_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


# Set in the context's meta (shared by a command's context and the group's) when the command
# line asks for --json, so a failure is answered in JSON too, whichever command failed and however.
JSON_WANTED = "podcast.json"


def wants_json() -> bool:
    context = click.get_current_context(silent=True)
    return bool(context and context.meta.get(JSON_WANTED))


def failure_report(message: str, problems: list[Problem], exit_code: int) -> dict:
    """What `--json` prints on stdout when a command fails: the same every command."""
    return {
        "ok": False,
        "exit_code": exit_code,
        "error": message,
        "problems": [p.to_dict() for p in problems],
    }


def fail(exc: PodcastError) -> NoReturn:
    """Report one of our errors (every problem it carries) and exit 1; in JSON with --json."""
    message = exc.args[0] if exc.args else str(exc)
    problems = exc.problems or [Problem(exc.path or "", message, field=exc.field, line=exc.line)]
    if wants_json():
        click.echo(json.dumps(failure_report(message, problems, 1), indent=2, ensure_ascii=False))
    if exc.problems:
        echo_problems(exc.problems)
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def fail_usage(exc: click.ClickException) -> NoReturn:
    """A command-line mistake: click's message once on stderr (and a JSON answer with --json), exit 2."""
    if wants_json():
        problem = Problem("", exc.format_message(), severity="error", code="usage")
        report = failure_report(exc.format_message(), [problem], exc.exit_code)
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    exc.show()
    sys.exit(exc.exit_code)


class ReportingGroup(click.Group):
    """The command group, and the one path by which every command reports and exits.

    A command added with `@cli.command(NAME)` gets this without doing anything: errors it lets
    through (ours, or click's usage errors, parsing included) are answered in JSON when the
    command line has --json, and as text otherwise. A command that prints its own answer and
    still fails (lint's findings, a file `info` cannot read) returns its exit code instead.
    Command functions are named NAME_command, so that a command's name never hides the
    module of the same name (lint, publish, notes) that it calls.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = args[: args.index("--")] if "--" in args else args
        ctx.meta[JSON_WANTED] = "--json" in options
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:  # `podcast --json build`: the group's own usage mistake
            fail_usage(exc)

    def invoke(self, ctx: click.Context) -> None:
        try:
            exit_code = super().invoke(ctx)
        except PodcastError as exc:
            fail(exc)
        except click.ClickException as exc:
            fail_usage(exc)
        if exit_code:  # a command that printed its own answer and failed returns 1 (None is 0)
            ctx.exit(exit_code)


def show_root(directory: Path, *, quiet: bool = False) -> Path:
    """The show `directory` is in (itself or a folder above it, as git finds its repository).

    When the show is above the folder given (or the current one), say which show it is.
    """
    root = layout.find_show(directory)
    if root != directory.resolve() and not quiet:
        click.echo(f"podcast: the show in {root}", err=True)
    return root


def progress_for(quiet: bool, label: str = ""):
    """Progress bars on stderr, hidden when quiet or when stderr is not a terminal.

    The stage names what it is doing as it calls the bar (`label`), or the command does here."""

    def wrap(items, label: str = label):
        items = list(items)
        hidden = quiet or not sys.stderr.isatty() or len(items) < 2
        with click.progressbar(items, label=label, file=sys.stderr, hidden=hidden) as bar:
            yield from bar

    return wrap


@click.group(cls=ReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="podcast", prog_name="podcast")
def cli() -> None:
    """Build and publish a podcast from a show directory."""


@cli.command("init")
@click.argument("directory", type=DIR_ARGUMENT)
@click.option("--title", required=True, help="The show's title.")
@click.option("--author", required=True, help="Who makes the show, as apps display it.")
@click.option("--email", required=True, help="The owner's e-mail (Apple contacts it).")
@click.option("--base-url", required=True, help="Where feeds/ will be served, e.g. https://example.com/show/")
@click.option("--description", help="What the show is about.")
@click.option("--owner", help="The owner's name (default: the author).")
@click.option("--language", default="en", show_default=True, help="ISO 639 language code.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    default=("Society & Culture",),
    show_default=True,
    help='Apple category, e.g. "Health & Fitness > Medicine"; repeat for several (Apple reads the first).',
)
@click.option("--link", help="The show's website (default: the base URL).")
def init_command(
    directory: Path, title, author, email, base_url, description, owner, language, categories, link
) -> None:
    """Make a new show directory DIRECTORY."""
    from . import scaffold

    created = scaffold.init_show(
        directory,
        title=title,
        author=author,
        owner_email=email,
        base_url=base_url,
        description=description,
        owner_name=owner,
        language_code=language,
        category=categories,
        link=link,
    )
    for notice in created.notices:
        click.echo(f"warning: {notice}", err=True)
    click.echo(f"Created {created.path}. Add episodes with: podcast new {directory} --title …")


@cli.command("new")
@click.argument("directory", type=SHOW_ARGUMENT, default=".")
@click.option("--title", help="The episode's title (default: the audio's title tag).")
@click.option(
    "--date",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Publication date, YYYY-MM-DD (default: the audio's date tag, else today).",
)
@click.option(
    "--audio",
    "audio_files",
    type=AUDIO_ARGUMENT,
    multiple=True,  # so that a second one is refused, not silently taken instead of the first
    help="The audio file; it is copied into the episode folder, and its tags fill in what is not given.",
)
@click.option(
    "--notes",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A text or Markdown file with the article / show notes.",
)
@click.option("--slug", help="Folder name under episodes/ (default: from the title).")
@click.option("--host", "hosts", multiple=True, help="A host's name; repeat for several.")
@click.option("--season", type=click.IntRange(min=1))
@click.option("--episode", "number", type=click.IntRange(min=1))
@click.option("--draft", is_flag=True, help="Keep it out of the feed until draft = false.")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The episode's artwork: a square JPEG or PNG, 1400-3000 px (copied into the folder).",
)
@click.option("--episode-type", type=click.Choice(["full", "trailer", "bonus"]), help="Default: full.")
@click.option("--explicit/--not-explicit", default=None, help="Default: the show's setting.")
@click.option("--link", help="The episode's web page, https://…")
def new_command(
    directory: Path, on: datetime | None, audio_files: tuple[Path, ...], hosts: tuple[str, ...], **options
) -> None:
    """Add an episode to the show in DIRECTORY (default: the show this folder is in)."""
    from . import scaffold

    if len(audio_files) > 1:
        raise click.BadParameter(
            "give it once: an episode has one main audio file (other formats go in alternate_audio)",
            param_hint="--audio",
        )
    audio_file = audio_files[0] if audio_files else None
    if not options["title"] and not audio_file:
        raise click.UsageError("give --title, or --audio with a title tag")
    # The other options are named as new_episode's parameters are.
    created = scaffold.new_episode(
        show_root(directory), on=on.date() if on else None, audio=audio_file, hosts=tuple(hosts), **options
    )
    for notice in created.notices:
        click.echo(f"note: {notice}", err=True)
    click.echo(f"Created {created.path}")


@cli.command("build")
@click.argument("directory", type=SHOW_ARGUMENT, default=".")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Lint warnings also stop the build.")
@click.option("--force", is_flag=True, help="Write the feed even when lint finds errors.")
@click.option(
    "--allow-removal",
    is_flag=True,
    help="Let episodes the current feed publishes drop out of it (folder deleted, GUID changed).",
)
def build_command(
    directory: Path, quiet: bool, as_json: bool, strict: bool, force: bool, allow_removal: bool
) -> None:
    """Build feeds/feed.xml from the show in DIRECTORY (default: the show this folder is in)."""
    from . import uptodate

    root = show_root(directory, quiet=quiet or as_json)
    options = {"strict": strict, "force": force, "allow_removal": allow_removal}
    report = uptodate.unchanged_report(root, options)
    if report is not None:
        # Nothing the feed depends on has changed since the last build: say what it said.
        report = {
            **report,
            "changed": False,
            "pages": [],
            "feed": str(root / layout.FEEDS_DIR / FEED_FILENAME),
        }
    else:
        from . import pipeline

        result = pipeline.build(
            root,
            progress=progress_for(quiet or as_json),
            strict=strict,
            force=force,
            allow_removal=allow_removal,
        )
        report = result.to_dict()
    if as_json:
        click.echo(json.dumps({"ok": True, **report}, indent=2))
        return
    problems = [Problem(**problem) for problem in report["problems"]]
    # With --force, lint errors did not stop the build; they still get said.
    echo_problems(errors_in(problems) + warnings_in(problems))
    if quiet:
        return
    state = "wrote" if report["changed"] else "unchanged"
    click.echo(f"{report['feed']} {state}: {report['show']}, {len(report['published'])} episode(s)")
    if report.get("pages"):
        click.echo(f"  pages written or removed: {len(report['pages'])}")
    for slug in report["drafts"]:
        click.echo(f"  left out (draft): {slug}")
    for slug in report["removed"]:
        click.echo(f"  left out (removed): {slug}")
    for entry in report["scheduled"]:
        click.echo(f"  left out (scheduled for {entry['date'][:10]}): {entry['slug']}")


def _describe(found: AudioFile) -> list[str]:
    from . import audio

    info = found.info
    caveats = [
        " (estimated)" if info.duration_estimated else "",
        " (looks cut short)" if info.truncated else "",
    ]
    lines = [
        str(found.path),
        f"  format      {info.format} ({info.mime}), {info.size:,} bytes"
        + ("" if audio.FORMATS[info.format].apple else "; Apple Podcasts does not take it"),
        f"  duration    {clock.precise(info.duration)} = {info.duration:.3f} s" + "".join(caveats),
    ]
    stream = [f"{info.bitrate // 1000} kb/s" if info.bitrate else None]
    stream += [f"{info.sample_rate} Hz" if info.sample_rate else None]
    stream += [f"{info.channels} channel(s)" if info.channels else None]
    lines.append("  stream      " + ", ".join(s for s in stream if s))
    for key, value in vars(found.tags).items():
        if value not in (None, False, ""):
            shown = "yes" if value is True else str(value).replace("\n", " ")
            lines.append(f"  {key:<11} {shown[:100]}{'…' if len(shown) > 100 else ''}")
    if found.chapters and found.chapters_written_by_tag:
        lines.append("  chapters    written by `podcast tag` (the build uses the notes or chapters.json)")
    for chapter in found.chapters:
        link = f" <{chapter.url}>" if chapter.url else ""
        image = " [image]" if chapter.picture is not None else ""
        lines.append(f"  chapter     {clock.precise(chapter.start)} {chapter.title}{link}{image}")
    if found.artwork is not None:
        art = found.artwork
        size = f"{art.width}x{art.height}" if art.width and art.height else "unreadable (not an image)"
        lines.append(f"  artwork     {art.mime}, {size}")
    return lines


@cli.command("info")
@click.argument("files", nargs=-1, required=True, type=AUDIO_ARGUMENT)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
def info_command(files: tuple[Path, ...], as_json: bool) -> int:
    """Show what podcast reads from audio FILES: format, true duration, tags, chapters, artwork."""
    from . import audio

    results: list[dict] = []
    failed = False
    for index, path in enumerate(files):
        try:
            # What can be read is shown; what the build would refuse (a wrong name, a format
            # podcast apps do not play) is a warning with the build's own advice.
            found, refusal = audio.read_what_can_be_read(path)
        except AudioError as exc:
            failed = True
            results.append({"path": str(path), "error": exc.reason})
            click.echo(f"error: {exc}", err=True)
            continue
        warnings: list[str] = []
        if refusal is not None:
            warnings.append(f"{refusal.reason} (`podcast build` refuses it as it is)")
        if found.info.truncated:
            warnings.append("looks cut short; the duration is what the file holds")
        right = audio.FORMATS[found.info.format].suffixes
        if refusal is None and path.suffix.lower() not in right:
            warnings.append(
                f"holds {found.info.mime} but is named {path.suffix or '(no suffix)'};"
                f" rename it to {path.stem}{right[0]} (Apple goes by the name)"
            )
        for warning in warnings:
            click.echo(f"warning: {path}: {warning}", err=True)
        results.append(audio.summary(found) | ({"warnings": warnings} if warnings else {}))
        if not as_json:
            click.echo(("\n" if index else "") + "\n".join(_describe(found)))
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


@cli.command("tag")
@click.argument("directory", type=SHOW_ARGUMENT, default=".")
@click.argument("episodes", nargs=-1)
def tag_command(directory: Path, episodes: tuple[str, ...]) -> None:
    """Write each episode's metadata into its audio (default: every episode in DIRECTORY).

    EPISODES are folder names under episodes/. Tagging changes the files' sizes:
    run `podcast build` afterwards so the feed has the new lengths.
    """
    from . import tagging

    try:
        done, problems = tagging.tag_episodes(show_root(directory), tuple(episodes))
    except tagging.PartlyTagged as exc:
        _echo_tagged(exc.done)  # those files did change: say so before the errors
        raise
    echo_problems(warnings_in(problems))
    _echo_tagged(done)


def _echo_tagged(done: list[Tagged]) -> None:
    for item in done:
        extra = [f"{item.chapters} chapter(s)" if item.chapters else "", "artwork" if item.artwork else ""]
        extra_text = ", ".join(e for e in extra if e)
        click.echo(f"tagged {item.path}" + (f" ({extra_text})" if extra_text else ""))
    resized = [item for item in done if item.resized]
    if resized:
        click.echo(f"{len(resized)} file size(s) changed: run `podcast build` to update the feed.")
    elif done:
        click.echo("File sizes are unchanged by tagging.")  # the feed may be stale from before


@cli.command("notes")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the notes as JSON on stdout.")
@click.option("--from-page", is_flag=True, help="FILE is a saved episode page (HTML or text).")
def notes_command(file: Path, as_json: bool, from_page: bool) -> None:
    """Preview the show notes made from FILE (an episode.md, an article or a saved page)."""
    from . import articles

    shown = articles.preview(file, from_page=from_page)
    if as_json:
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    facts = [shown["title"], shown["date"], shown["host"]]
    click.echo(" · ".join(str(fact) for fact in facts if fact) or str(file))
    click.echo()
    click.echo(shown["text"])
    if shown["chapters"]:
        click.echo()
        click.echo("Chapters:")
        for chapter in shown["chapters"]:
            click.echo(f"  {clock.with_hours(chapter['start'])}  {chapter['title']}")


@cli.command("lint")
@click.argument("target", default=".", metavar="[DIR | FEED.xml | URL]")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list on stdout.")
@click.option("--strict", is_flag=True, help="Warnings also fail (exit 1).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the findings, no summary.")
@click.option("--online", is_flag=True, help="In a show directory, also ask the servers of remote audio.")
def lint_command(target: str, as_json: bool, strict: bool, quiet: bool, online: bool) -> int:
    """Check a show directory, a feed file or a feed URL against what apps and directories accept.

    Exit 0 when there is no error (and, with --strict, no warning); 1 otherwise.
    """
    from . import lint, pipeline

    if has_web_scheme(target):
        problems = lint.check_url(target)
    else:
        path = Path(target)
        if path.is_dir():
            try:
                root = show_root(path, quiet=quiet or as_json)
            except ConfigError as exc:
                problems = exc.problems  # not a show: a finding like any other
            else:
                problems = pipeline.check(
                    root, progress=progress_for(quiet or as_json), online=online
                )
        elif path.is_file():
            problems = lint.check_feed_file(path)
        else:
            raise click.BadParameter(
                f"{target}: no such directory, file or http(s) URL", param_hint="TARGET"
            )
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        if not quiet:
            click.echo(f"{target}: {tally(problems)}", err=True)
    return 1 if lint.failed(problems, strict=strict) else 0


@cli.command("serve")
@click.argument("directory", type=SHOW_ARGUMENT, default=".")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 for the network."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port."
)
@click.option("--watch", is_flag=True, help="Rebuild when podcast.toml, an episode or a template changes.")
def serve_command(directory: Path, host: str, port: int, watch: bool) -> None:
    """Preview the show in DIRECTORY (default: the show this folder is in) on the web, as it will be
    published; feeds/ is not touched."""
    from .serve.preview import ANY_ADDRESS, PreviewServer  # werkzeug's server, only for this command

    root = show_root(directory)
    try:
        server = PreviewServer(root, host=host, port=port, say=lambda text: click.echo(text, err=True))
    except OSError as exc:
        raise click.BadParameter(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port or --host",
            param_hint="--host/--port",
        ) from None
    result = server.build()
    echo_problems(errors_in(result.catalog.problems) + warnings_in(result.catalog.problems))
    click.echo(f"Serving {root} at {server.url} ({len(result.catalog.published)} episode(s))")
    click.echo(f"  feed: {server.url}{FEED_FILENAME}", err=True)
    if host in ANY_ADDRESS:
        click.echo("  listening on every interface: other devices on the network can reach it", err=True)
    if watch:
        threading.Thread(target=server.watch, name="watch", daemon=True).start()
        click.echo("  watching for changes; Ctrl-C stops", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _echo_import(report, as_json: bool, quiet: bool) -> int:
    """Say what the import did; 1 when it found errors (they are in what it says)."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in report.recovered:
            click.echo(f"recovered: {line}", err=True)
        if report.moved_to:
            click.echo(
                f"note: the feed has moved permanently (HTTP 301/308) to {report.moved_to};"
                " it was imported from there, and that address is recorded",
                err=True,
            )
        echo_problems(warnings_in(report.problems) + errors_in(report.problems))
        if not quiet:
            counts = [
                f"{len(report.added)} added",
                f"{len(report.updated)} updated",
                f"{len(report.unchanged)} unchanged",
            ]
            if report.kept:
                counts.append(f"{len(report.kept)} kept (edited by hand)")
            if report.downloaded:
                counts.append(f"{len(report.downloaded)} audio file(s) downloaded")
            click.echo(f"{report.root}: podcast.toml {report.show_file}; episodes: " + ", ".join(counts))
    return 1 if errors_in(report.problems) else 0


def _byte_progress(quiet: bool):
    """(progress callback, total setter, closer) for a download bar on stderr."""
    state: dict = {"bar": None}
    hidden = quiet or not sys.stderr.isatty()

    def total(length: int) -> None:
        state["bar"] = click.progressbar(
            length=max(length, 1), label="Downloading audio", file=sys.stderr, hidden=hidden
        )
        state["bar"].__enter__()

    lock = threading.Lock()  # several downloads report at once

    def step(nbytes: int) -> None:
        with lock:
            if state["bar"] is not None:
                state["bar"].update(nbytes)

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)

    return step, total, close


@cli.command("import")
@click.argument("source")
@click.option(
    "--into", type=DIR_ARGUMENT, default=".", show_default=True, help="The show directory to write."
)
@click.option(
    "--download", is_flag=True, help="Download the audio too (resumable); episodes then use the files."
)
@click.option("--base-url", help="Where feeds/ will be served (default: where the feed is now).")
@TIMEOUT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
def import_command(
    source: str, into: Path, download: bool, base_url, timeout: float, as_json: bool, quiet: bool
) -> int:
    """Import the podcast feed SOURCE (a URL or a saved file) into a show directory, keeping every GUID.

    Run it again to bring in new and changed episodes; files you edited are kept.
    """
    from . import importer

    step, total, close = _byte_progress(quiet or as_json)
    try:
        report = importer.import_feed(
            source,
            into,
            download=download,
            base_url=base_url,
            deadline=timeout,
            progress=step,
            on_total=total,
            each_item=progress_for(quiet or as_json, "Writing episodes"),
        )
    finally:
        close()
    return _echo_import(report, as_json, quiet)


@cli.command("import-page")
@click.argument("source")
@click.option("--into", type=DIR_ARGUMENT, default=".", show_default=True, help="The show directory.")
@TIMEOUT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print what was read as JSON on stdout.")
def import_page_command(source: str, into: Path, timeout: float, as_json: bool) -> None:
    """Add one episode from its web page SOURCE (a URL, a saved HTML page or its saved text).

    Title, date, host, the article and the audio's URL are read from the page's structured
    data, Open Graph tags and <audio> element, and the article by a main-content extractor.
    """
    from . import importer

    into = show_root(into, quiet=as_json)  # from any folder inside the show, as the other commands
    report = importer.import_page(source, into, deadline=timeout)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    echo_problems(report.problems)
    page = report.page
    facts = [page.title, page.date.date().isoformat() if page.date else None, page.host]
    click.echo(
        f"{into}/{EPISODES_DIR}/{report.slug}/episode.md {report.state}: " + " · ".join(f for f in facts if f)
    )
    for fact, means in page.sources.items():
        click.echo(f"  {fact:<8} from {means}")
def _destination_option(ctx, param, value: str | None) -> str | None:
    if value is not None and not value.strip():
        # `--to "$DEST"` with DEST unset must not fall back to [publish] to (the live show).
        raise click.BadParameter(
            "is empty: name a directory, file:///path or s3://bucket/prefix", param=param
        )
    if value and "://" in value and not value.startswith(("s3://", "file://")):
        raise click.BadParameter(
            f"{value}: podcast publishes to a directory, file:///path or s3://bucket/prefix", param=param
        )
    return value


@cli.command("publish")
@click.argument("directory", type=SHOW_ARGUMENT, default=".")
@click.option(
    "--to",
    "to",
    metavar="DEST",
    callback=_destination_option,
    help="A directory, file:///path or s3://bucket/prefix (default: [publish] to in podcast.toml).",
)
@click.option(
    "--dry-run", is_flag=True, help="List what would be uploaded, skipped and deleted; change nothing."
)
@click.option(
    "--build", "build_first", is_flag=True, help="Run `podcast build` first; publish only if it succeeds."
)
@click.option(
    "--allow-removal",
    is_flag=True,
    help="With --build: let the build drop episodes of the last feed (as `podcast build --allow-removal`).",
)
@click.option("--no-verify", is_flag=True, help="Do not check the enclosures at their public URLs first.")
@click.option("--no-ping", is_flag=True, help="Do not tell the WebSub hubs and Podcast Index.")
@click.option("--prune", is_flag=True, help="Delete published files that nothing names any more.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
def publish_command(
    directory: Path, to, dry_run, build_first, allow_removal, no_verify, no_ping, prune, as_json, quiet
) -> None:
    """Put the show in DIRECTORY online: media, then sidecars, then the feed; then tell the world."""
    from . import pipeline, publish

    if allow_removal and not build_first:
        raise click.UsageError("--allow-removal goes with --build (it is an option of the build)")
    root = show_root(directory, quiet=quiet or as_json)
    if build_first:
        built = pipeline.build(root, allow_removal=allow_removal)
        if not (quiet or as_json):
            echo_problems(warnings_in(built.catalog.problems))
    with publish.Publication(root, to=to) as job:
        if dry_run:
            report = job.dry_run(verify=not no_verify, prune=prune)
        else:
            total = sum(u.size for u in job.plan.uploads)
            hidden = quiet or as_json or not sys.stderr.isatty() or total == 0
            with click.progressbar(
                length=total, label="Uploading", file=sys.stderr, hidden=hidden
            ) as bar:
                report = job.run(verify=not no_verify, ping=not no_ping, prune=prune, progress=bar.update)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for ping in report.pings:
        if not ping.ok:
            click.echo(
                f"warning: {ping.kind} {ping.endpoint}: {ping.detail} (the feed is published)", err=True
            )
    if quiet:
        return
    _echo_publish(report)


def _echo_publish(report: Report) -> None:
    verb = "would upload" if report.dry_run else "uploaded"
    for upload in report.uploaded:
        click.echo(f"{verb} {upload.key} ({upload.size:,} bytes)")
    if report.dry_run:
        for upload in report.skipped:
            click.echo(f"unchanged {upload.key}")
    for key in report.deleted:
        click.echo(f"{'would delete' if report.dry_run else 'deleted'} {key}")
    for key in report.unused:
        click.echo(f"unused {key} (named by nothing now; --prune deletes it)")
    for ping in report.pings:
        if ping.ok:
            click.echo(f"told {ping.endpoint} ({ping.detail})")
    size = sum(u.size for u in report.uploaded)
    if report.dry_run:
        summary = (
            f"dry run, nothing changed at {report.destination}: {len(report.uploaded)} file(s) to upload"
        )
    else:
        summary = f"published to {report.destination}: {len(report.uploaded)} file(s) uploaded"
    click.echo(f"{summary} ({size:,} bytes), {len(report.skipped)} unchanged; the feed is {report.feed_url}")


def main() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        cli(prog_name="podcast")
    except Exception as exc:  # noqa: BLE001 - last line of defence
        message = f"internal error: {type(exc).__name__}: {exc}"
        if "--json" in sys.argv[1:]:
            problem = Problem("", message, code="internal")
            click.echo(json.dumps(failure_report(message, [problem], 1), indent=2, ensure_ascii=False))
        click.echo(message, err=True)
        click.echo("This is a bug in podcast; please report it with the command you ran.", err=True)
        sys.exit(1)
