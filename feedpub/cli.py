"""The command line: parse flags, call the core, turn its errors into messages.

The only module that prints. Every way a run can go wrong ends in one line and
an exit code (0 done, 1 failed, 2 misused), never a traceback: the console
script's `main` turns usage errors into `Error: ...` lines and catches what
nothing else did.
"""

from __future__ import annotations

import gc
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from . import __version__, config, places, report, writer
from . import build as builder
from .model import Options
from .problems import INTERRUPTED_LINE, BuildFailure, FeedpubError, Problem, printable
from .settings import Settings
from .workers import Progress

MAX_JOBS = 256  # `-j 100000` (a typo) would fork until the machine gives out
INTERRUPTED = 130  # the exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells give
DEFAULT_CACHE = Path(writer.CACHE)
DEFAULT_OUT = Path("public")
app = typer.Typer(
    help="Publish a folder of Jekyll-style posts as Atom, RSS and JSON feeds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


RootArg = Annotated[
    Path,
    typer.Argument(
        help="The repository (or a posts folder): its _posts/ and archived/ folders are read.",
        show_default=True,
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="feedpub.toml (default: found beside the posts).")
]
FormatOpt = Annotated[Format, typer.Option("--format", help="How problems are printed.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Print notes and all repeats.")]
SiteUrlOpt = Annotated[
    str | None, typer.Option("--site-url", help="Absolute site URL, as given to build.")
]
FeedsUrlOpt = Annotated[  # (feeds beside a Jekyll site, whose posts' pages stay at its URL)
    str | None,
    typer.Option("--feeds-url", help="The output's URL (or path: feeds/), if not the site's."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")]
JobsOpt = Annotated[
    int,
    typer.Option("--jobs", "-j", min=0, max=MAX_JOBS, help="Worker processes (0: one per core)."),
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """One `Error:` line: a newline in a name from the input (`::error` after it is a
    command to GitHub's runner) is escaped, as in every problem line."""
    _err(f"Error: {printable(message)}")
    raise typer.Exit(code)


def print_problems(
    problems: Sequence[Problem], fmt: Format, verbose: bool, root: Path, table: bool = False
) -> None:
    """Problems to stderr as text or GitHub annotations, or to stdout as JSON; `table`:
    the count of each code, of notes alone too (`check`)."""
    if fmt is Format.json:
        typer.echo(report.json_text(problems, root))
    elif fmt is Format.github:
        for line in report.github_lines(problems, verbose, root):
            _err(line)
    else:
        for line in report.text_lines(problems, verbose, root, table):
            _err(line)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr while the block runs, if that is a terminal: gone when
    done, and the cursor given back however the block ends (an error, Ctrl-C)."""
    if not enabled or sys.stderr is None or not sys.stderr.isatty():
        yield None
        return
    # typer ships rich; loaded only for a terminal
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    units = {"read": ("Reading", "posts"), "render": ("Writing", "feeds")}
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} {task.fields[unit]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            verb, unit = units.get(stage, (stage, "items"))
            tasks[stage] = bar.add_task(verb, total=total, unit=unit)
        bar.update(tasks[stage], completed=done)

    with bar:
        yield update


def _settings(root: Path, config_file: Path | None, command: str, **flags: Any) -> Settings:
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        fail(f"{root} {what} (give the repository or posts folder to read)", 2)
    try:
        places.check_root(root, command, configured=config_file is not None)
    except places.Misuse as e:
        fail(str(e), 2)
    try:
        return config.load(root, config_file, **flags)
    except config.ConfigError as e:
        for mistake in e.mistakes:
            _err(printable(mistake))
        raise typer.Exit(2) from e


@app.command()
def build(
    root: RootArg = Path("."),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (public).")] = None,
    site_url: Annotated[
        str | None, typer.Option("--site-url", help="Absolute site URL (replaces url, baseurl).")
    ] = None,
    feeds_url: FeedsUrlOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Entries per feed.")] = None,
    config_file: ConfigOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any warning or error.")] = False,
    jobs: JobsOpt = 0,
    fmt: FormatOpt = Format.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache", help="Incremental cache folder (safe to delete; default .feedpub-cache)."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Build from scratch (over --cache).")
    ] = False,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write a JSON report of the build here."),
    ] = None,
) -> None:
    """Build the feeds of ROOT into --out: the site's, and one per source, tag and so on."""
    if quiet and verbose:
        fail("give only one of --quiet and --verbose", 2)
    settings = _settings(
        root, config_file, "build", site_url=site_url, feeds_url=feeds_url, limit=limit
    )
    given = (out is not None, cache is not None)
    out, cache = out or DEFAULT_OUT, cache or DEFAULT_CACHE
    try:
        places.check(root, out, None if no_cache else cache, given, report_file, settings)
    except places.Misuse as e:
        fail(str(e), 2)
    to_stdout = report_file is not None and writer.stream_of(report_file) == 1  # the JSON alone
    if to_stdout and fmt is Format.json:
        fail(f"--report {report_file} and --format json would both write to stdout: give one", 2)
    options = Options(
        posts=root,
        out=out,
        settings=settings,
        strict=strict,
        jobs=jobs,
        cache=None if no_cache else cache,
        config=config_file,
    )
    try:
        with _progress(not quiet) as progress:
            summary = builder.build(options, progress)
    except BuildFailure as e:
        print_problems([p for p in e.problems if p.severity != "info"], fmt, verbose, root)
        if report_file is not None:
            try:
                writer.write_named(report_file, report.failure_json(str(e), e.problems, root))
            except FeedpubError as written:
                _err(f"Error: {printable(str(written))}")
        fail(str(e))
    except FeedpubError as e:
        fail(str(e))
    if not quiet or fmt is not Format.text:
        print_problems(summary.problems, fmt, verbose, root)
    if report_file is not None:
        try:
            writer.write_named(report_file, report.summary_json(summary, root))
        except FeedpubError as e:
            fail(str(e))
    typer.echo(report.summary_line(summary, out), err=fmt is Format.json or to_stdout)


# Help texts as one line per paragraph: Typer keeps a docstring's line breaks.
@app.command(
    help="Read and normalize the posts, and plan the feeds, without writing anything;"
    " exit 1 on any error."
)
def check(
    root: RootArg = Path("."),
    config_file: ConfigOpt = None,
    site_url: SiteUrlOpt = None,
    feeds_url: FeedsUrlOpt = None,
    jobs: JobsOpt = 0,
    fmt: FormatOpt = Format.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    from . import misconfig, normalizer, planner

    if quiet and verbose:
        fail("give only one of --quiet and --verbose", 2)
    settings = _settings(root, config_file, "check", site_url=site_url, feeds_url=feeds_url)
    with _progress(fmt is Format.text and not quiet) as progress:
        raws, problems, found = builder.collect(
            root, root / ".feedpub-none", settings, jobs, progress
        )
    result = normalizer.normalize(raws, settings)
    feeds, slug_problems = planner.plan(result.posts, settings)  # what a build would say of them
    problems = sorted(
        problems
        + list(result.problems)
        + slug_problems
        + planner.published([f.listing for f in feeds], settings).problems
        + misconfig.setting_problems(settings, root, result.report, config_file)
    )
    if not quiet or fmt is not Format.text:
        print_problems(problems, fmt, verbose, root, table=True)
    if fmt is Format.text and not quiet:
        typer.echo(f"{report.folders_line(found)}\n{report.time_table(result.report)}")
    if fmt is Format.text:
        typer.echo(
            f"Checked {report.count(len(raws), 'post')}"
            f" ({report.count(len(result.posts), 'entry', 'entries')}): "
            f"{report.problem_counts(problems)}."
        )
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


@app.command(
    help="Set each post's `date:` line to its resolved time (UTC); nothing else is touched."
    "\n\n--check and --diff exit 1 if any line would change; --write exits 0 (1 if a post"
    " could not be written: the others are)."
)
def normalize(
    root: RootArg = Path("."),
    check_only: Annotated[
        bool, typer.Option("--check", help="List the date lines that would change (default).")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print them as a unified diff.")] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite them to the resolved time, in place.")
    ] = False,
    config_file: ConfigOpt = None,
) -> None:
    from . import collector, normalizer, rewrite

    if check_only + diff + write > 1:
        fail("give only one of --check, --diff and --write", 2)
    settings = _settings(root, config_file, "normalize")
    raws, problems, _ = builder.collect(root, root / ".feedpub-none", settings)
    result = normalizer.normalize(raws, settings)
    limits = collector.limits(settings, root)
    plan = rewrite.plan(result, lambda path: (root / path).read_bytes(), raws, problems, limits)
    for skip in plan.skipped:
        _err(f"{printable(os.path.relpath(root / skip.path))}:{skip.line}: skipped: {skip.reason}")
    failed = 0
    for edit in plan.edits:
        shown = printable(os.path.relpath(root / edit.path))  # one line, as problems are
        if diff:
            typer.echo(rewrite.unified_diff(edit), nl=False)
            continue
        if write:
            try:  # a post that is a link (to a file in ROOT: others are not read) stays one
                writer.write_file(Path(os.path.realpath(root / edit.path)), edit.after)
            except FeedpubError as e:
                _err(f"Error: {printable(str(e))}")
                failed += 1
                continue
        typer.echo(f"{shown}:{edit.line}: {edit.old} -> {edit.new} ({edit.reason})")
    n = f"{len(plan.edits) - failed} of {plan.posts} posts"
    done = f"Rewrote the date line of {n}" if write else f"The date line would change in {n}"
    if plan.edits and not write:  # (the way to do it, as `ruff check` says `--fix`)
        given = ([] if root == Path(".") else [str(root)]) + (
            ["--config", str(config_file)] if config_file else []
        )
        command = shlex.join(["feedpub", "normalize", *given, "--write"])
        done += f" (`{printable(command)}` rewrites them)"
    unwritten = f"{failed} could not be written; " if failed else ""
    _err(
        f"{done}; {len(plan.skipped)} skipped; {unwritten}{plan.duplicates} file(s) are copies"
        " of another file's story (merged in the feeds, never deleted)."
    )
    if (plan.edits and not write) or failed:
        raise typer.Exit(1)


@app.command()
def ping(
    root: RootArg = Path("."),
    cache: Annotated[
        Path, typer.Option("--cache", help="The build's cache folder (holds last-build.json).")
    ] = DEFAULT_CACHE,
    hub: Annotated[
        str | None, typer.Option("--hub", help="WebSub hub URL (default: `hub` in the config).")
    ] = None,
    site_url: SiteUrlOpt = None,
    feeds_url: FeedsUrlOpt = None,
    config_file: ConfigOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The build's output folder: feeds not there are skipped."),
    ] = None,
) -> None:
    """Tell the WebSub hub which feeds the last build changed; exit 1 if it refused any."""
    from . import websub

    settings = _settings(root, config_file, "ping", site_url=site_url, feeds_url=feeds_url, hub=hub)
    if not settings.hub:
        fail('no WebSub hub: set hub = "https://..." in feedpub.toml or pass --hub', 2)
    if out is not None and not out.is_dir():
        fail(f"--out {out}: no such folder (the build's output folder)", 2)
    try:
        last = websub.changed_feeds(cache, settings.feeds_root)
        urls = websub.feed_urls(last.feeds, settings, out)
    except FeedpubError as e:
        fail(str(e))
    if (named := last.hub) is not None and named != settings.hub:  # (announced all the same)
        said = f"name the hub {printable(named)}" if named else 'name no hub (rel="hub")'
        _err(
            f"Warning: the last build's feeds {said}: readers subscribe at the hub a feed"
            " names, so set `hub` in feedpub.toml and build again"
        )
    if not urls:
        typer.echo("Nothing to announce: the last build changed no feed.")
        return
    refused = sent = 0
    try:
        for result in websub.ping(settings.hub, urls):
            sent += 1
            if result.ok:
                typer.echo(f"published {result.url} ({result.status})")
            else:
                refused += 1
                typer.echo(f"refused {result.url} ({result.status} {printable(result.reason)})")
    except websub.HubUnreachable as e:
        fail(f"{e}; {len(urls) - sent} of {len(urls)} feeds not announced")
    typer.echo(f"Announced {sent - refused} of {len(urls)} changed feeds to {settings.hub}.")
    if refused:
        fail(f"the hub refused {refused} of {len(urls)} feeds")


@app.callback(invoke_without_command=True)
def _callback(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"feedpub {__version__}")
        raise typer.Exit(0)


def main(args: Sequence[str] | None = None) -> NoReturn:
    """The console script: a usage error is one `Error:` line (exit 2), and anything
    no other handler caught is one line too (exit 1), never a traceback
    (FEEDPUB_TRACEBACK=1 shows it, for a bug report).

    The process ends as mypy's does (`hard_exit`): the cycle collector stays off and
    the interpreter does not free the build's objects one by one on the way out: a
    build makes no reference cycles, and ends holding millions of objects."""
    try:
        gc.disable()
        command = typer.main.get_command(app)
        code = command.main(args=args, prog_name="feedpub", standalone_mode=False)
    except Exception as e:  # the CLI's last line of defence: see the docstring
        code = _failed(e)
    except KeyboardInterrupt:
        code = INTERRUPTED
    if code == INTERRUPTED:  # typer turns Ctrl-C into this exit code, without a word
        _err(INTERRUPTED_LINE)
    _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> NoReturn:
    """Flush what was printed, then leave without the interpreter's teardown (unless
    a profiler or a coverage tracer is watching: it writes its data at exit)."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):  # (None: started with it closed, `>&-`)
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # the reader went away, the disk is full, it closed
            code = code or 1
    os._exit(code)


def _failed(e: Exception) -> int:
    """The exit code of a run that raised `e`, after one line about it."""
    if isinstance(e, BrokenPipeError):  # `feedpub check | head`: the reader went away
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (no flush error at exit)
        return 1
    usage = getattr(e, "format_message", None)
    if usage is not None and isinstance(getattr(e, "exit_code", None), int):
        if type(e).__name__ == "NoArgsIsHelpError":  # `feedpub`: the help, as asked
            _err(usage())
            return 2
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} -h')" if ctx is not None else ""
        _err(f"Error: {usage()}{hint}")
        return int(e.exit_code)  # type: ignore[attr-defined]
    if type(e).__name__ == "Abort":
        _err("Aborted.")
        return 1
    if isinstance(e, OSError) and _printing(e):  # `>/dev/full`: the build is done
        _err(f"Error: cannot print the report: {e.strerror or e}")
        return 1
    if os.environ.get("FEEDPUB_TRACEBACK"):
        raise e
    what = f"{type(e).__name__}: {printable(str(e))}"
    _err(f"Error: unexpected {what} (a bug in feedpub: please report it)")
    return 1


def _printing(e: BaseException) -> bool:
    """Whether `e` was raised printing to standard output or error (click's `echo`)."""
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "echo":
            return True
        tb = tb.tb_next
    return False
