"""The command line: help, exit codes, configuration layers, refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POSTS, run, run_in


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help(command: list[str]) -> None:
    code, stdout, _ = run(*command, "--help")
    assert code == 0
    assert "Usage" in stdout


def test_help_texts_break_lines_only_between_paragraphs() -> None:
    """Typer prints a help text's line breaks as they are: one inside a sentence
    cut it in two ("exit 1" / "on any error") on a wide terminal."""
    from feedpub.cli import app

    for command in app.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else "") or ""
        assert text.strip(), command.name
        assert "\n" not in text.strip().replace("\n\n", ""), command.callback


def test_help_texts_say_every_word_they_are_given() -> None:
    """Rich reads `[...]` in a help text as markup and prints nothing of it: `--out`'s
    "Output folder [public]." read "Output folder ." (a news-archive owner's trial)."""
    import typer.main

    from feedpub.cli import app

    command = typer.main.get_command(app)
    assert isinstance(command, typer.main.TyperGroup)
    for name, sub in command.commands.items():
        for param in sub.params:
            text = getattr(param, "help", None) or ""
            assert "[" not in text.replace("\\[", ""), (name, param.name, text)
    code, stdout, _ = run("build", "--help")
    assert code == 0 and "Output folder (public)." in stdout


def test_usage_error_exits_2() -> None:
    code, _, _ = run("build", "--limit", "zero")
    assert code == 2


def test_missing_posts_folder_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run("build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "does not exist" in stderr


def test_output_may_not_be_or_contain_posts(tmp_path: Path) -> None:
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    for out in (posts, tmp_path / "site"):
        code, _, stderr = run("build", str(posts), "--out", str(out))
        assert code == 2
        assert "must not be the folder of posts" in stderr


def write_post(folder: Path, name: str = "2021-01-02-a.md") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        '---\ntitle: "A"\ndate: 2021-01-02T03:04:05Z\nfrom: https://example.com/a\n'
        "categories: [ X ]\ntags: [ X ]\n---\n<p>a</p>\n",
        encoding="utf-8",
    )


def test_settings_layers(tmp_path: Path) -> None:
    """defaults < _config.yml < feedpub.toml < flags."""
    site = tmp_path / "site"
    write_post(site / "_posts")
    (site / "_config.yml").write_text(
        "title: Jekyll Title\ndescription: From Jekyll\n"
        "url: https://jekyll.example\nbaseurl: /blog\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run("build", str(site / "_posts"), "--out", str(out))[0] == 0
    atom = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Jekyll Title</title>" in atom
    assert 'href="https://jekyll.example/blog/feed.xml"' in atom
    (site / "feedpub.toml").write_text('title = "Toml Title"\n', encoding="utf-8")
    assert run("build", str(site / "_posts"), "--out", str(out))[0] == 0
    atom = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Toml Title</title>" in atom
    assert "<subtitle>From Jekyll</subtitle>" in atom
    assert (
        run("build", str(site / "_posts"), "--out", str(out), "--site-url", "https://flag.example")[
            0
        ]
        == 0
    )
    # --site-url replaces url and baseurl together, as Hugo's --baseURL does
    assert 'href="https://flag.example/feed.xml"' in (out / "feed.xml").read_text("utf-8")


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write_post(tmp_path / "_posts")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.feedpub]\ntitle = "From pyproject"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    assert run("build", str(tmp_path / "_posts"), "--out", str(out))[0] == 0
    assert "<title>From pyproject</title>" in (out / "feed.xml").read_text("utf-8")


def test_unknown_setting_is_a_usage_error(tmp_path: Path) -> None:
    write_post(tmp_path / "_posts")
    config = tmp_path / "feedpub.toml"
    config.write_text("titel = 'typo'\n", encoding="utf-8")
    code, _, stderr = run("build", str(tmp_path / "_posts"), "--config", str(config))
    assert code == 2
    assert stderr == f"{config}:1: titel: unknown setting (did you mean 'title'?)\n"


def test_summary_line(tmp_path: Path) -> None:
    """Where the build wrote, and the problems by kind: notes ask nothing of anyone."""
    code, stdout, _ = run("build", str(POSTS), "--out", str(tmp_path / "o"), "--quiet")
    assert code == 0
    assert stdout.startswith("Done: read 13 posts (11 entries), ")
    assert f" files to {tmp_path / 'o'}/, " in stdout and stdout.rstrip().endswith("seconds.")
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-01-01-a.md").write_text("---\ntitle: A\ndate: 2021-01-01\n---\nHi.\n")
    code, stdout, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 0
    assert ", wrote 8 of 8 files to public/, 1 note, in " in stdout
    assert stderr == "(1 note not listed: --verbose lists them)\n"  # no table of what is not
    (posts / "2021-01-01-a.md").write_text("---\ntitle: A\ndate: 2021-01-01T00:00:00Z\n---\n")
    code, stdout, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert " of 8 files to public/, no problems, in " in stdout and stderr == ""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('shift = "corect"', 'shift: must be one of detect, correct, off, not "corect"'),
        ('archive_period = "week"', 'archive_period: must be one of auto, month, year, not "week"'),
        ('limit = "50"', 'limit: must be a whole number, not "50"'),
        ("author_feeds = 1", "author_feeds: must be true or false, not 1"),
        ("feed_bytes = 100", "feed_bytes: must be at least 4096, not 100"),
        (
            'include = ["../other/*.md"]',
            'include: item 1: invalid pattern "../other/*.md": patterns are relative to ROOT,'
            " within it",
        ),
    ],
)
def test_bad_setting_values_are_usage_errors(tmp_path: Path, line: str, message: str) -> None:
    write_post(tmp_path / "_posts")
    (tmp_path / "feedpub.toml").write_text(line + "\n", encoding="utf-8")
    code, _, stderr = run("build", str(tmp_path / "_posts"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert stderr == f"{tmp_path / 'feedpub.toml'}:1: {message}\n"


def test_every_path_of_a_problem_opens_from_the_working_folder(tmp_path: Path) -> None:
    """FP401 names the other copies of a story: from the working folder too, as its
    own path, in the text and in the JSON report (not from ROOT)."""
    root = tmp_path / "site"
    write_post(root / "_posts", "2021-01-02-a.md")
    write_post(root / "archived" / "2021-01-02", "2021-01-02-a.md")
    report = tmp_path / "report.json"
    code, _, stderr = run_in(
        tmp_path, "build", "site", "--out", "out", "--verbose", "--report", str(report)
    )
    assert code == 0, stderr
    other, newest = "site/_posts/2021-01-02-a.md", "site/archived/2021-01-02/2021-01-02-a.md"
    line = next(ln for ln in stderr.splitlines() if " FP401 " in ln)
    assert line.startswith(f"{newest}:1: FP401 duplicate: 2 copies of ")
    assert line.endswith(f"merged into one entry (also in {other})")
    problems = json.loads(report.read_text("utf-8"))["problems"]
    found = next(p for p in problems if p["code"] == "FP401")
    assert (found["path"], found["also"]) == (newest, [other])
    assert found["message"].endswith(f"(also in {other})")
    assert (tmp_path / other).is_file()
    (tmp_path / newest).write_text(
        (tmp_path / newest).read_text("utf-8").replace("title: ", "title: New "), "utf-8"
    )
    code, _, stderr = run_in(tmp_path, "build", "site", "--out", "out", "--verbose")
    line = next(ln for ln in stderr.splitlines() if " FP401 " in ln)
    assert ", titled as this copy: New " in line  # the copies' titles differ: which one shows


def test_check_reports_what_a_strict_build_fails_on(tmp_path: Path) -> None:
    """Tags `BBC` and `bbc` share a path (FP501, found while planning the feeds):
    `check` says so, as `build --strict` does, so that a CI step can ask either."""
    posts = tmp_path / "_posts"
    write_post(posts, "2021-01-02-a.md")
    text = (posts / "2021-01-02-a.md").read_text("utf-8")
    (posts / "2021-01-02-a.md").write_text(text.replace("tags: [ X ]", "tags: [ BBC ]"), "utf-8")
    (posts / "2021-01-03-b.md").write_text(
        text.replace("tags: [ X ]", "tags: [ bbc ]").replace("/a\n", "/b\n"), "utf-8"
    )
    code, stdout, _ = run("check", str(tmp_path), "--format", "json")
    assert code == 0
    checked = {(p["code"], p["path"]) for p in json.loads(stdout) if p["severity"] != "info"}
    assert ("FP501", "tags/bbc") in checked
    code, stdout, _ = run(
        "build", str(tmp_path), "--strict", "--out", str(tmp_path / "o"), "--format", "json"
    )
    assert code == 1
    built = {(p["code"], p["path"]) for p in json.loads(stdout) if p["severity"] != "info"}
    assert built == checked


def test_check_counts_each_code_of_notes_alone_too(tmp_path: Path) -> None:
    """`check` is asked for a report (the README: "a per-code summary"): the trial's
    clean site printed `(75 notes not listed …)` alone, not what they were. Its posts
    folder's own files are the folder's, not `.`'s ("Found 218 post files: . 218.")."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-01-01-a.md").write_text("---\ntitle: A\ndate: 2021-01-01\n---\nHi.\n")
    code, stdout, stderr = run_in(tmp_path, "check", "--site-url", "https://e.org")
    assert code == 0
    assert stderr == (
        "Problems by code:\n  FP307 naive-date                 note          1\n"
        "(1 note not listed: --verbose lists them)\n"
    )
    assert "Found 1 post file: _posts 1." in stdout
    code, stdout, _ = run_in(posts, "check", "--site-url", "https://e.org")
    assert code == 0 and "Found 1 post file.\n" in stdout


def test_check_takes_builds_quiet_and_jobs(tmp_path: Path) -> None:
    """`check -q -j 1`, as a CI step gives `build` the same flags: only its last line
    (and exit 1 on an error, said by the line's counts)."""
    posts = tmp_path / "_posts"
    write_post(posts)
    (posts / "2021-01-03-b.md").write_text("---\ntitle: [b\n---\n", "utf-8")
    code, stdout, stderr = run("check", str(tmp_path), "-q", "-j", "1")
    assert code == 1 and stderr == ""
    assert stdout == "Checked 1 post (1 entry): 1 error, 1 warning.\n"  # and no site URL
    code, stdout, _ = run("check", str(tmp_path), "--jobs", "2")
    assert code == 1 and "Found 2 post files" in stdout and "FP101" in _
    code, _, stderr = run("check", str(tmp_path), "-q", "-v")
    assert code == 2 and stderr == "Error: give only one of --quiet and --verbose\n"


def test_no_posts_says_when_the_patterns_chose_none(tmp_path: Path) -> None:
    write_post(tmp_path / "_posts")
    (tmp_path / "feedpub.toml").write_text('exclude = ["*.md"]\n', encoding="utf-8")
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 0
    assert (
        f"FP008 no-posts: no post files found under {tmp_path} (in _posts/ or archived/"
        " folders, with `include` and `exclude` as set); nothing to publish" in stderr
    )


def test_a_config_line_of_a_million_spaces_is_read_at_once(tmp_path: Path) -> None:
    """The lines of a table header were matched by a regex that was cubic over a
    run of spaces: a hostile feedpub.toml hung the build."""
    from feedpub.tomllines import toml_lines

    text = "[" + " " * 1_000_000 + "x\n[ sources . 'a b' ]  # c\nmarker_offset = 1\n"
    assert toml_lines(text) == {("sources", "a b"): 2, ("sources", "a b", "marker_offset"): 3}


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout here")
def test_a_report_to_dev_stdout_is_written_to_the_output_as_it_goes(tmp_path: Path) -> None:
    """The code review: `--report /dev/stdout >> build.log` was written by renaming a
    file over /dev/stdout (as root, replacing it), then by opening it again, which
    emptied the log and wrote the summary line over the report. The report now goes
    to the open stream, after what was in the log."""
    log = tmp_path / "build.log"
    log.write_text("earlier\n")
    args = ["build", str(POSTS), "--out", str(tmp_path / "out"), "--no-cache", "-q"]
    with open(log, "ab") as out:
        done = subprocess.run(
            [sys.executable, "-m", "feedpub", *args, "--report", "/dev/stdout"], stdout=out
        )
    assert done.returncode == 0
    earlier, report = log.read_text("utf-8").splitlines()  # (its `Done:` on stderr)
    assert earlier == "earlier" and json.loads(report)["posts_read"] > 0
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")  # (not replaced)
