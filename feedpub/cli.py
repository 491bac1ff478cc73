"""The command line: parse flags, call the core, turn its errors into messages."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__, config
from . import build as builder
from .problems import FeedpubError, Problem

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


def print_problems(problems: tuple[Problem, ...] | list[Problem], fmt: str, verbose: bool) -> None:
    """One line per problem; info notes only with --verbose (they are counted anyway)."""
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
            loc = f"file={p.path},line={p.line}" + (f",col={p.col}" if p.col else "")
            _err(f"::{level} {loc},title={p.code} {p.name}::{p.message}")
        else:
            _err(str(p))
    counts = Counter(p.code for p in problems)
    if counts and fmt == "text":
        summary = ", ".join(
            f"{code} {Problem('', 0, 0, code, '').name} ×{n}" for code, n in sorted(counts.items())
        )
        _err(f"Problems by code: {summary}")


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
        print_problems(summary.problems, fmt, verbose)
    files = len(summary.written) + len(summary.unchanged)
    typer.echo(
        f"Done: read {summary.posts_read} posts ({summary.entries} entries), "
        f"{summary.feeds} feeds, wrote {len(summary.written)} of {files} files, "
        f"{_problem_counts(summary.problems)} in {summary.seconds:.2f} seconds."
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
    print_problems(problems, fmt, verbose)
    if fmt == "text":
        typer.echo(report_table(result.report))
        typer.echo(
            f"Checked {len(raws)} posts ({len(result.posts)} entries): {_problem_counts(problems)}."
        )
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


def report_table(report: dict[str, Any]) -> str:
    """Time and identity by source, as a markdown table."""
    cols = (
        "posts",
        "marker",
        "clamped",
        "nan-marker",
        "date",
        "filename",
        "shifted",
        "naive",
        "merged",
    )
    lines = ["| source | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, row in report.items():
        cells = [row.posts, *(row.how[k] for k in cols[1:7]), row.naive, row.duplicates]
        lines.append(f"| {name or '(none)'} | " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines)


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"feedpub {__version__}")
        raise typer.Exit(0)
