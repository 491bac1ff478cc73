"""Problems and summaries as people and tools read them: text, JSON, GitHub annotations.

Pure: every function returns text. A post's path is shown from the working
folder (the repository's root in a workflow), so an editor, a terminal or a
GitHub annotation opens the right file whatever folder was built.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import language
from .model import Summary
from .problems import CODES, Problem, encodable, printable
from .text import compact_json, json_utf8

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
ALIKE = 5  # problems of one cause listed in text (see `_alike`); --verbose lists all


def post_path(root: Path) -> Callable[[str], str]:
    """How a post's path (relative to `root`) is shown: from the working folder, as a
    person would open it."""
    return lambda path: os.path.relpath(os.path.join(root, path))


def shown_path(problem: Problem, root: Path) -> str:
    """The problem's path as a person would open it (a post: see `post_path`)."""
    if problem.scope != "post":
        return problem.path
    return post_path(root)(problem.path)


def where(problem: Problem, root: Path) -> str:
    """`path:line:col`, `path:line` when the column is unknown."""
    path = printable(shown_path(problem, root))
    if problem.col:
        return f"{path}:{problem.line}:{problem.col}"
    return f"{path}:{problem.line}" if problem.line else path


def line(problem: Problem, root: Path) -> str:
    """`path:line[:col]: CODE name: message. Hint.`"""
    detail = problem.detail(post_path(root))
    return f"{where(problem, root)}: {problem.code} {problem.name}: {detail}"


def shown(problems: Iterable[Problem], verbose: bool) -> list[Problem]:
    """Info notes only with --verbose (they are counted anyway)."""
    return [p for p in problems if verbose or p.severity != "info"]


def text_lines(
    problems: Sequence[Problem], verbose: bool, root: Path, table: bool = False
) -> list[str]:
    """One line per problem (the first few of a flood alike: see `_alike`), then the
    count of each code: for notes alone only if `table` (`check`'s report)."""
    listed = shown(problems, verbose)
    kept, cut = (listed, {}) if verbose else _alike(listed)
    lines = [line(p, root) for p in kept]
    counts = Counter(p.code for p in problems)
    if kept or (table and counts):  # (notes alone, not listed: the summary line counts them)
        lines.append("Problems by code:")
        for code, n in sorted(counts.items()):
            name, severity, _ = CODES[code]
            level = "note" if severity == "info" else severity  # as the summary line says
            lines.append(f"  {code} {name:<26} {level:<8}{n:>7}")
    for (code, group, _), n in cut.items():
        like = printable(group) if group else "with the same message"
        lines.append(f"({n} more {code} {CODES[code][0]} {like} not listed: --verbose lists them)")
    if hidden := len(problems) - len(listed):
        lines.append(f"({hidden} note{'s' * (hidden != 1)} not listed: --verbose lists them)")
    return lines


def _alike(problems: Sequence[Problem]) -> tuple[list[Problem], dict[tuple[str, str, str], int]]:
    """The problems to list, at most ALIKE of one cause (a code and its `group`, or the
    same message: 583 posts with a plugin's `{% figure %}` bury the rest), and how many
    of each cause are not (as Pelican's log limits a message repeated)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    kept = []
    for p in problems:
        key = (p.code, p.group, "" if p.group else p.message)
        seen[key] += 1
        if seen[key] <= ALIKE:
            kept.append(p)
    return kept, {key: n - ALIKE for key, n in seen.items() if n > ALIKE}


def as_dicts(problems: Iterable[Problem], root: Path) -> list[dict[str, object]]:
    return [p.as_dict(post_path(root)) for p in problems]


def json_text(problems: Sequence[Problem], root: Path) -> str:
    return json_utf8(json.dumps(as_dicts(problems, root), ensure_ascii=False, indent=1)).decode()


def github_lines(problems: Sequence[Problem], verbose: bool, root: Path) -> list[str]:
    """GitHub workflow commands: an annotation on the file and line of each problem."""
    lines = []
    for p in shown(problems, verbose):
        props = []
        if p.scope in ("post", "file"):
            props.append(f"file={_gh(shown_path(p, root), True)}")
            if p.line:
                props.append(f"line={p.line}")
            if p.col:
                props.append(f"col={p.col}")
            detail = p.detail(post_path(root))
        else:
            detail = f"{printable(p.path)}: {p.detail()}"
        props.append(f"title={_gh(f'{p.code} {p.name}', True)}")
        lines.append(f"::{LEVELS[p.severity]} {','.join(props)}::{_gh(detail, False)}")
    return lines


def _gh(text: str, prop: bool) -> str:
    """Escape a GitHub workflow-command value (`prop`: a `key=value` property)."""
    text = encodable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def count(n: int, thing: str, things: str = "") -> str:
    """`1 post`, `2 posts` (`things`: the plural, if not `thing` + s)."""
    return f"{n} {thing if n == 1 else things or thing + 's'}"


def problem_counts(problems: Sequence[Problem]) -> str:
    """`6 errors, 5 warnings, 1 note`, of the kinds there are; `no problems`. (Notes
    are counted apart: they ask nothing of anyone.)"""
    c: Counter[str] = Counter(p.severity for p in problems)
    kinds = (("error", "error"), ("warning", "warning"), ("info", "note"))
    return ", ".join(count(c[kind], name) for kind, name in kinds if c[kind]) or "no problems"


def summary_line(summary: Summary, out: Path) -> str:
    """The one line every build ends with (Pelican's `Done: Processed N articles`), and
    where it wrote (mkdocs' `Documentation built in`): the folder as it was given."""
    files = len(summary.written) + len(summary.unchanged)
    removed = f" (removed {len(summary.removed)})" if summary.removed else ""
    return (
        f"Done: read {count(summary.posts_read, 'post')}"
        f" ({count(summary.entries, 'entry', 'entries')}), {count(summary.feeds, 'feed')},"
        f" wrote {len(summary.written)} of {count(files, 'file')}{removed} to"
        f" {printable(os.path.join(out, ''))}, {problem_counts(summary.problems)},"
        f" in {summary.seconds:.2f} seconds."
    )


def summary_json(summary: Summary, root: Path) -> bytes:
    """The report of `--report`: no times, no clock; paths as `shown_path` gives them."""
    data = {
        "posts_read": summary.posts_read,
        "entries": summary.entries,
        "feeds": summary.feeds,
        "written": list(summary.written),
        "unchanged": list(summary.unchanged),
        "removed": list(summary.removed),
        "problems": as_dicts(summary.problems, root),
    }
    return compact_json(data)


def failure_json(message: str, problems: Sequence[Problem], root: Path) -> bytes:
    """The report of `--report` for a build that wrote nothing (`--strict`, no post read,
    ...): why, and every problem, so that CI annotates them all the same."""
    data = {
        "failed": message,
        "written": [],
        "unchanged": [],
        "problems": as_dicts(problems, root),
    }
    return compact_json(data)


_HOW_COLUMNS = ("marker", "clamped", "nan-marker", "shifted", "date", "filename", "none")


def time_table(report: dict[str, Any]) -> str:
    """Time and identity by source, as a markdown table (docs/time-and-identity.md
    explains it)."""
    cols = (
        "posts", "marker", "clamped", "NaN", "shifted", "date", "file name", "no time",
        "naive", "bad date", "merged", "shared", "language", "shift",
    )  # fmt: skip

    def cells(rows: list[Any]) -> list[str]:
        counts = [
            sum(r.posts for r in rows),
            *(sum(r.how[k] for r in rows) for k in _HOW_COLUMNS),
            sum(r.naive for r in rows),
            sum(r.bad_date for r in rows),
            sum(r.duplicates for r in rows),
            sum(r.leads for r in rows),
        ]
        shifts = [s for r in rows for s in r.shifts]
        shift = ", ".join(shifts) if len(rows) == 1 or not shifts else f"{len(shifts)} run(s)"
        langs = language.majority(lang for r in rows for lang in r.langs.elements())
        return [*map(str, counts), langs or "–", shift]

    lines = ["| source | " + " | ".join(cols) + " |", "|---" + "|---:" * (len(cols) - 1) + "|---|"]
    for name, row in report.items():
        lines.append(f"| {name or '(none)'} | " + " | ".join(cells([row])) + " |")
    lines.append("| **all** | " + " | ".join(cells(list(report.values()))) + " |")
    return "\n".join(lines)


def folders_line(counts: dict[str, int]) -> str:
    """`Found 6040 post files: _posts 210, archived 5830.`"""
    total = sum(counts.values())
    parts = ", ".join(
        f"{printable(top)} {n}" for top, n in counts.items() if counts.keys() != {"."}
    )
    return f"Found {count(total, 'post file')}" + (f": {parts}." if parts else ".")
