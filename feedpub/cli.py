"""The command line: parse flags, call the core, turn its errors into messages."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__, config
from . import build as builder
from .problems import CODES, FeedpubError, Problem, encodable

app = typer.Typer(
    help="Publish a folder of Jekyll-style posts as Atom, RSS and JSON feeds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PostsArg = Annotated[
    Path, typer.Argument(help="Folder of posts, searched recursively.", show_default=True)
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="feedpub.toml (default: found beside the posts).")
]
FormatOpt = Annotated[str, typer.Option("--format", help="Problem output: text, json or github.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def print_problems(
    problems: tuple[Problem, ...] | list[Problem], fmt: str, verbose: bool, root: Path = Path(".")
) -> None:
    """One line per problem; info notes only with --verbose (they are counted anyway).

    GitHub annotations name files from the working folder (the repository's
    root in a workflow), so the posts folder `root` is put in front.
    """
    shown = [p for p in problems if verbose or p.severity != "info"]
    if fmt == "json":
        typer.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=1))
        return
    for p in shown:
        if fmt == "github":
            level = (
                "error"
                if p.severity == "error"
                else "warning"
                if p.severity == "warning"
                else "notice"
            )
            where = os.path.relpath(os.path.join(root, p.path))
            loc = f"file={_gh(where, True)},line={p.line}" + (f",col={p.col}" if p.col else "")
            title = _gh(f"{p.code} {p.name}", True)
            _err(f"::{level} {loc},title={title}::{_gh(p.detail, False)}")
        else:
            _err(str(p))
    counts = Counter(p.code for p in problems)
    if counts and fmt == "text":
        _err("Problems by code:")
        for code, n in sorted(counts.items()):
            name, severity, _ = CODES[code]
            _err(f"  {code} {name:<26} {severity:<8}{n:>7}")


def _gh(text: str, prop: bool) -> str:
    """Escape a GitHub workflow-command value (`prop`: a `key=value` property)."""
    text = encodable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _problem_counts(problems: tuple[Problem, ...] | list[Problem]) -> str:
    c = Counter(p.severity for p in problems)
    counts = f"{c['error']} errors, {c['warning']} warnings, {c['info']} notes"
    return f"{len(problems)} problems ({counts})"


def _progress(enabled: bool) -> builder.Progress | None:
    if not enabled or not sys.stderr.isatty():
        return None
    from rich.progress import Progress  # typer ships rich; only loaded for a terminal

    bar = Progress(transient=True)
    tasks: dict[str, Any] = {}
    bar.start()

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done)
        if all(bar.tasks[t].finished for t in tasks.values()) and stage == "render":
            bar.stop()

    return update


def _settings(posts: Path, config_file: Path | None, **flags: Any) -> config.Settings:
    try:
        return config.load(posts, config_file, **flags)
    except FeedpubError as e:
        _err(f"Error: {e}")
        raise typer.Exit(2) from e


@app.command()
def build(
    posts: PostsArg = Path("_posts"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("public"),
    site_url: Annotated[str | None, typer.Option("--site-url", help="Absolute site URL.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Entries per feed.")] = None,
    config_file: ConfigOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any warning or error.")] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
    fmt: FormatOpt = "text",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the summary line.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print notes.")] = False,
    cache: Annotated[
        Path, typer.Option("--cache", help="Incremental cache folder (safe to delete).")
    ] = Path(".feedpub-cache"),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Build from scratch.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write a JSON report of the build here.")
    ] = None,
) -> None:
    """Build the site, source, tag and author feeds of POSTS into --out."""
    settings = _settings(posts, config_file, url=site_url, limit=limit)
    options = builder.Options(
        posts=posts,
        out=out,
        settings=settings,
        strict=strict,
        jobs=jobs,
        cache=None if no_cache else cache,
        report=report,
    )
    try:
        summary = builder.build(options, _progress(not quiet))
    except builder.StrictFailure as e:
        _err(f"Error: {e}")
        raise typer.Exit(1) from e
    except FeedpubError as e:
        _err(f"Error: {e}")
        raise typer.Exit(1) from e
    if not quiet or fmt != "text":
        print_problems(summary.problems, fmt, verbose, posts)
    files = len(summary.written) + len(summary.unchanged)
    typer.echo(
        f"Done: read {summary.posts_read} posts ({summary.entries} entries), "
        f"{summary.feeds} feeds, wrote {len(summary.written)} of {files} files, "
        f"{_problem_counts(summary.problems)} in {summary.seconds:.2f} seconds.",
        err=fmt == "json",  # so that stdout holds the JSON alone
    )


@app.command()
def check(
    posts: PostsArg = Path("_posts"),
    config_file: ConfigOpt = None,
    fmt: FormatOpt = "text",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print notes.")] = False,
) -> None:
    """Read and normalize POSTS without writing anything; exit 1 on any error."""
    from . import normalizer

    settings = _settings(posts, config_file)
    if not posts.is_dir():
        _err(f"Error: posts folder {posts} does not exist")
        raise typer.Exit(2)
    raws, problems = builder.collect(posts, posts / ".feedpub-none", settings)
    result = normalizer.normalize(raws, settings)
    problems = sorted(problems + list(result.problems))
    print_problems(problems, fmt, verbose, posts)
    if fmt == "text":
        typer.echo(report_table(result.report))
        typer.echo(
            f"Checked {len(raws)} posts ({len(result.posts)} entries): {_problem_counts(problems)}."
        )
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


@app.command()
def normalize(
    posts: PostsArg = Path("_posts"),
    check_only: Annotated[
        bool, typer.Option("--check", help="List the date lines that would change (default).")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print them as a unified diff.")] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite them to the resolved time, in place.")
    ] = False,
    config_file: ConfigOpt = None,
) -> None:
    """Set each post's `date:` line to its resolved time (UTC); nothing else is touched.

    --check and --diff exit 1 if any line would change; --write exits 0.
    """
    from . import normalizer, rewrite, writer

    if check_only + diff + write > 1:
        _err("Error: give only one of --check, --diff and --write")
        raise typer.Exit(2)
    settings = _settings(posts, config_file)
    if not posts.is_dir():
        _err(f"Error: posts folder {posts} does not exist")
        raise typer.Exit(2)
    raws, problems = builder.collect(posts, posts / ".feedpub-none", settings)
    result = normalizer.normalize(raws, settings)
    plan = rewrite.plan(result, lambda path: (posts / path).read_bytes(), raws, problems)
    for skip in plan.skipped:
        _err(f"{skip.path}:{skip.line}: skipped: {skip.reason}")
    for edit in plan.edits:
        if diff:
            typer.echo(rewrite.unified_diff(edit), nl=False)
        elif write:
            try:
                writer.write_file(posts / edit.path, edit.after)
            except OSError as e:
                _err(f"Error: {edit.path}: cannot write: {e.strerror or e}")
                raise typer.Exit(1) from e
            typer.echo(f"{edit.path}:{edit.line}: {edit.old} -> {edit.new} ({edit.reason})")
        else:
            typer.echo(f"{edit.path}:{edit.line}: {edit.old} -> {edit.new} ({edit.reason})")
    n = f"{len(plan.edits)} of {plan.posts} posts"
    done = f"Rewrote the date line of {n}" if write else f"The date line would change in {n}"
    _err(
        f"{done}; {len(plan.skipped)} skipped; {plan.duplicates} file(s) are copies of "
        "another file's story (merged in the feeds, never deleted)."
    )
    if plan.edits and not write:
        raise typer.Exit(1)


@app.command()
def ping(
    posts: PostsArg = Path("_posts"),
    cache: Annotated[
        Path, typer.Option("--cache", help="The build's cache folder (holds last-build.json).")
    ] = Path(".feedpub-cache"),
    hub: Annotated[
        str | None, typer.Option("--hub", help="WebSub hub URL (default: `hub` in the config).")
    ] = None,
    site_url: Annotated[
        str | None, typer.Option("--site-url", help="Absolute site URL, as given to build.")
    ] = None,
    config_file: ConfigOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The build's output folder: feeds not there are skipped."),
    ] = None,
) -> None:
    """Tell the WebSub hub which feeds the last build changed; exit 1 if it refused any."""
    from . import websub

    settings = _settings(posts, config_file, url=site_url, hub=hub)
    if not settings.hub:
        _err('Error: no WebSub hub: set hub = "https://..." in feedpub.toml or pass --hub')
        raise typer.Exit(2)
    try:
        websub.check_hub(settings.hub)
    except FeedpubError as e:
        _err(f"Error: {e}")
        raise typer.Exit(2) from e
    try:
        urls = websub.feed_urls(websub.changed_feeds(cache), settings, out)
    except FeedpubError as e:
        _err(f"Error: {e}")
        raise typer.Exit(1) from e
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
                typer.echo(f"refused {result.url} ({result.status} {result.reason})")
    except websub.HubUnreachable as e:
        _err(f"Error: {e}; {len(urls) - sent} of {len(urls)} feeds not announced")
        raise typer.Exit(1) from e
    typer.echo(f"Announced {sent - refused} of {len(urls)} changed feeds to {settings.hub}.")
    if refused:
        _err(f"Error: the hub refused {refused} of {len(urls)} feeds")
        raise typer.Exit(1)


def report_table(report: dict[str, Any]) -> str:
    """Time and identity by source, as a markdown table (docs/time.md explains it)."""
    cols = (
        "posts", "marker", "clamped", "NaN", "shifted", "date", "file name", "no time",
        "naive", "bad date", "merged", "shift",
    )  # fmt: skip

    def cells(rows: list[Any]) -> list[str]:
        counts = [
            sum(r.posts for r in rows),
            *(sum(r.how[k] for r in rows) for k in _HOW_COLUMNS),
            sum(r.naive for r in rows),
            sum(r.bad_date for r in rows),
            sum(r.duplicates for r in rows),
        ]
        shifts = [s for r in rows for s in r.shifts]
        shift = ", ".join(shifts) if len(rows) == 1 or not shifts else f"{len(shifts)} month(s)"
        return [*map(str, counts), shift]

    lines = ["| source | " + " | ".join(cols) + " |", "|---" + "|---:" * (len(cols) - 1) + "|---|"]
    for name, row in report.items():
        lines.append(f"| {name or '(none)'} | " + " | ".join(cells([row])) + " |")
    lines.append("| **all** | " + " | ".join(cells(list(report.values()))) + " |")
    return "\n".join(lines)


_HOW_COLUMNS = ("marker", "clamped", "nan-marker", "shifted", "date", "filename", "none")


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"feedpub {__version__}")
        raise typer.Exit(0)
