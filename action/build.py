"""The build step of the feedpub GitHub Action (action.yml at the repository root).

Runs `feedpub build`, then turns its JSON report into workflow annotations, step
outputs and a job summary. Everything comes in through environment variables,
so tests/test_action.py can run this file exactly as the action does:

  INPUT_POSTS, INPUT_OUT, INPUT_CONFIG, INPUT_SITE_URL, INPUT_FEEDS_URL, INPUT_STRICT
                      the action's inputs (empty: feedpub's default)
  FEEDPUB_COMMAND     the feedpub executable (default: `feedpub` on PATH)
  FEEDPUB_CACHE_DIR   the incremental cache folder (default: .feedpub-cache)
  GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, RUNNER_TEMP
                      set by the runner; each is optional here

The exit status is feedpub's. Only the standard library is used.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

# GitHub shows about ten annotations of each level per step; past this many the
# rest are counted in one line instead of flooding the log of a large archive.
MAX_ANNOTATIONS = 50
LEVELS = {"error": "error", "warning": "warning"}  # info notes are not annotated


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_path(problem: dict[str, Any], workspace: Path) -> str | None:
    """The problem's file as a path from the repository root, if it names a file there
    (the report's paths are relative to the working folder; FP501 names a feed
    folder, FP305 a source)."""
    if problem.get("scope", "post") not in ("post", "file") or not problem["path"]:
        return None
    path = Path(problem["path"])
    try:  # the file itself is not resolved: a post that is a link is annotated as such
        whole = Path(os.path.abspath(path))  # `.` and `..` taken away, as a shell would
        where = whole.parent.resolve() / whole.name if whole.name else whole
        return where.relative_to(workspace.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of links (< 3.13)
        return None  # outside the checkout: GitHub could not place it anyway


def annotation(problem: dict[str, Any], workspace: Path) -> str:
    level = LEVELS[problem["severity"]]
    props = []
    hint = problem["hint"]  # as feedpub prints it: `message. Hint.` (it may hold brackets)
    message = problem["message"] + (f". {hint[0].upper()}{hint[1:]}." if hint else "")
    where = repo_path(problem, workspace)
    if where is not None:
        props.append(f"file={escape_property(where)}")
        if problem["line"]:
            props.append(f"line={problem['line']}")
        if problem["col"]:
            props.append(f"col={problem['col']}")
    else:
        message = f"{problem['path']}: {message}"
    props.append(f"title={escape_property(problem['code'] + ' ' + problem['name'])}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def annotate(problems: list[dict[str, Any]], workspace: Path) -> None:
    shown: Counter[str] = Counter()
    for p in problems:
        if p["severity"] not in LEVELS:
            continue
        shown[p["severity"]] += 1
        if shown[p["severity"]] <= MAX_ANNOTATIONS:
            print(annotation(p, workspace), flush=True)
    for severity, n in sorted(shown.items()):
        if n > MAX_ANNOTATIONS:
            print(
                f"feedpub: {n - MAX_ANNOTATIONS} more {severity}s not annotated; "
                f"run `feedpub check` to see them all",
                flush=True,
            )


def run_feedpub(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = [env("FEEDPUB_COMMAND", "feedpub"), *args]
    print("+ " + shlex.join(command), flush=True)
    return subprocess.run(command, check=False, text=True, **kwargs)


MISTAKE = re.compile(r"(?P<path>[^\n]+?):(?P<line>[0-9]+): (?P<message>.+)")


def mistakes(stderr: str, workspace: Path) -> tuple[list[str], list[str]]:
    """Annotations of why feedpub stopped before reading a post (exit 2: a mistake in
    the config, `path:line: message`, or in the inputs, `Error: message`): on the
    line of the file where the config is in the checkout; and the lines they say."""
    found, said = [], []
    for line in stderr.splitlines():
        if line.startswith("Error: "):
            found.append(f"::error title=feedpub::{escape_data(line[7:])}")
            said.append(line[7:])
        elif (mistake := MISTAKE.fullmatch(line)) is not None:
            problem = {"path": mistake["path"], "scope": "file", "line": int(mistake["line"])}
            where = repo_path(problem, workspace)
            props = f"file={escape_property(where)},line={problem['line']}," if where else ""
            text = mistake["message"] if where else line
            found.append(f"::error {props}title=feedpub config::{escape_data(text)}")
            said.append(line)
    return found[:MAX_ANNOTATIONS], said


def write_summary(
    path: str, report: dict[str, Any], problems: list[dict[str, Any]], why: list[str]
) -> None:
    """The job summary: what the build did, or why it wrote nothing; `why` is what
    stopped it before it read a post, or failed the step after it (a trial's summary
    of a config mistake read only "No feed was written.")."""
    lines = ["### feedpub", ""]
    if report.get("failed"):  # (the problems are the table's, below: not "above")
        said = report["failed"].removesuffix("; nothing was written")
        lines.append(f"No feed was written: {said.replace(' (counted above)', '')}.")
    elif report:
        lines.append(
            f"Read {report['posts_read']} posts ({report['entries']} entries) into "
            f"{report['feeds']} feeds: {len(report['written'])} files written, "
            f"{len(report['unchanged'])} unchanged"
            + (f", {len(report['removed'])} removed." if report.get("removed") else ".")
        )
    else:
        lines.append("No feed was written." if not why else "No feed was written:")
    if why:
        lines += (["", "The step failed:"] if report else []) + ["", *(f"- {w}" for w in why)]
    counts = Counter((p["code"], p["name"], p["severity"]) for p in problems)
    if counts:
        lines += ["", "| code | problem | severity | count |", "|---|---|---|---|"]
        lines += [f"| {c} | {n} | {s} | {k} |" for (c, n, s), k in sorted(counts.items())]
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def links_out(out: Path) -> list[str]:
    """The links in `out` to anything outside it. The workflow's next step packs the
    site (upload-pages-artifact follows links): a link committed there, to
    `/proc/self/environ` say, would publish what it points to."""
    root = out.resolve()
    workspace = Path(os.path.abspath(env("GITHUB_WORKSPACE", os.getcwd())))
    inside = Path(os.path.abspath(out)).is_relative_to(workspace)
    if inside and not root.is_relative_to(workspace.resolve()):
        return ["."]  # out, in the checkout, leads out of it: a link on its way
    found = []
    for folder, dirs, files in os.walk(out):
        for name in dirs + files:
            path = Path(folder, name)
            if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(root):
                found.append(path.relative_to(out).as_posix())
    return sorted(found)


def main() -> int:
    posts = env("INPUT_POSTS", ".")
    out = env("INPUT_OUT", "public")
    config = env("INPUT_CONFIG")
    site_url = env("INPUT_SITE_URL")
    feeds_url = env("INPUT_FEEDS_URL")
    strict = env("INPUT_STRICT", "false").lower() in ("true", "1", "yes")
    workspace = Path(env("GITHUB_WORKSPACE", os.getcwd()))
    temp = Path(env("RUNNER_TEMP") or tempfile.gettempdir())
    report_path = temp / f"feedpub-report-{os.getpid()}.json"
    report_path.unlink(missing_ok=True)

    args = ["build", posts, "--out", out, "--report", str(report_path), "--quiet"]
    args += ["--cache", env("FEEDPUB_CACHE_DIR", ".feedpub-cache")]
    if config:
        args += ["--config", config]
    if site_url:
        args += ["--site-url", site_url]
    if feeds_url:
        args += ["--feeds-url", feeds_url]
    if strict:
        args.append("--strict")
    done = run_feedpub(args, stderr=subprocess.PIPE)
    sys.stderr.write(done.stderr)  # the log shows what feedpub said, as it said it
    sys.stderr.flush()
    code = done.returncode
    why: list[str] = []  # what stopped the build, or failed the step, for the summary
    if code == 2:  # nothing was read
        found, why = mistakes(done.stderr, workspace)
        for line in found:
            print(line, flush=True)
    if code == 0 and (linked := links_out(Path(out))):
        for rel in linked:
            message = f"{out}/{rel} is a link to a file outside it, which the site would publish"
            if rel == ".":
                message = f"{out} leads out of the checkout, and the site would publish it"
            print(f"::error title=feedpub::{escape_data(message)}. Remove it.", flush=True)
            why.append(f"{message}. Remove it.")
        code = 1

    report: dict[str, Any] = {}
    if report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        report_path.unlink()
        problems = report["problems"]  # a build that failed (--strict) writes one too
    else:
        problems = []
    annotate(problems, workspace)

    written = report.get("written", [])
    shown = sum(p["severity"] in LEVELS for p in problems)
    outputs = {
        "feeds-written": str(len(written)),
        "feeds-changed": "true" if written or report.get("removed") else "false",
        "problems": str(shown + len(why)),
    }
    print(f"feedpub: {', '.join(f'{k}={v}' for k, v in outputs.items())}", flush=True)
    if env("GITHUB_OUTPUT"):
        with open(env("GITHUB_OUTPUT"), "a", encoding="utf-8") as f:
            f.writelines(f"{k}={v}\n" for k, v in outputs.items())
    if env("GITHUB_STEP_SUMMARY"):
        write_summary(env("GITHUB_STEP_SUMMARY"), report, problems, why)
    return code


if __name__ == "__main__":
    sys.exit(main())
