"""The GitHub Action (action.yml): its metadata, actionlint, and its build step run locally.

The build step is run the way the runner runs it: the `run:` script of the step
`build` in action.yml, through `bash -eo pipefail`, with every variable of the
step's `env:` set, against a temporary git repository. The project's own
feedpub stands in for the one the action installs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, stamps, tree

from feedpub import model, writer

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
BUILD = next(s for s in STEPS if s.get("id") == "build")
EXAMPLES = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent  # the project's virtualenv
FEEDS = ("feed.xml", "rss.xml", "feed.json")


# -- metadata -----------------------------------------------------------------


def test_action_is_composite_with_the_promised_interface() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "posts", "out", "config", "site-url", "feeds-url", "strict", "python-version",
    }  # fmt: skip
    assert ACTION["inputs"]["posts"]["default"] == "."
    assert ACTION["inputs"]["out"]["default"] == "public"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for name in ACTION["inputs"]:
        assert f"inputs.{name} }}}}" in text, f"input {name} is never used"
    assert set(ACTION["outputs"]) == {"feeds-written", "feeds-changed", "problems"}
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.build.outputs.{name} }}}}"
        assert output["description"]


def test_steps_are_safe_and_pinned() -> None:
    for step in STEPS:
        assert step.get("name"), step
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
            # inputs and outputs reach scripts through env, never pasted into
            # the script where a value could inject shell code
            assert "${{" not in step["run"], step["name"]
        else:
            assert re.fullmatch(r"actions/[\w/-]+@v\d+", step["uses"]), step["uses"]
    uses = [s["uses"].split("@")[0] for s in STEPS if "uses" in s]
    assert uses.count("actions/cache/restore") == uses.count("actions/cache/save") == 1
    assert "actions/setup-python" in uses


def actionlint() -> Path:
    path = BIN / "actionlint"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail("actionlint is missing: `make venv` installs the dev extras")
        pytest.skip("actionlint is not installed in this virtualenv")
    return path


def test_actionlint(tmp_path: Path) -> None:
    """actionlint on the examples using this checkout's action, and on the action's steps.

    actionlint checks workflows, not action metadata, so the action is checked
    twice over: the examples with `uses: ./` make actionlint load action.yml
    and check every `with:` against its inputs, and the composite steps are
    wrapped in a workflow of their own so their expressions, the inputs of the
    actions they use and (when shellcheck is on PATH) their scripts are checked.
    """
    project = tmp_path / "project"
    workflows = project / ".github" / "workflows"
    workflows.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    shutil.copy(ROOT / "action.yml", project / "action.yml")
    assert EXAMPLES
    for example in EXAMPLES:
        text = example.read_text(encoding="utf-8")
        assert "uses: OWNER/feedpub@v1" in text, example.name
        (workflows / example.name).write_text(text.replace("OWNER/feedpub@v1", "./"))
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in ACTION["inputs"].items()
    }
    wrapper = {
        "name": "the action's steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": STEPS}},
    }
    (workflows / "action-steps.yml").write_text(yaml.safe_dump(wrapper, sort_keys=False))
    result = subprocess.run(
        [str(actionlint()), "-no-color"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the build step, run locally --------------------------------------------------


def post(title: str | None, day: str, source: str, tags: str, author: str) -> str:
    head = f'title: "{title}"\n' if title is not None else ""
    return (
        f"---\n{head}date: 2024-05-{day}T08:00:00Z\nauthor: {author}\n"
        f"from: https://news.example.com/{day}/{source.split()[0].lower()}\n"
        f"tags: [ {tags} ]\ncategories: [ {source} ]\n---\n<p>Story of the {day}th.</p>\n"
    )


POSTS = {
    "2024-05-01-rain.md": post("Rain all week", "01", "Example Wire", "weather", "Ann"),
    "2024-05-02-cup.md": post("Cup final", "02", "Other Daily", "sport", "Bob"),
    "2024-05-03-market.md": post("Markets calm", "03", "Other Daily", "business, weather", "Bob"),
    "2024-05-04-untitled.md": post(None, "04", "Example Wire", "weather", "Ann").replace(
        "from: https://",
        "from: ",  # not an absolute URL: FP402, a warning
    ),
    # invalid YAML: an unclosed quote
    "2024-05-05-broken.md": '---\ntitle: "Broken\ndate: 2024-05-05\n---\nbody\n',
}
PAGES = {
    "README.md": "# The archive\n\nScraped hourly.\n",
    "_config.yml": "title: The archive\nbaseurl: /repo\n",
    "index.md": "---\nlayout: default\n---\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n",
    "_layouts/default.html": "<html><body>{{ content }}</body></html>\n",
}
NEW_NAME = "2024-05-06-eclipse.md"
NEW = post("Eclipse seen", "06", "Example Wire", "science, weather", "Ann")
NEW_URL = b"https://news.example.com/06/example"
# The folders of the feeds that hold the new post: only these may change.
# Ann's posts are Example Wire's: her feed is that one (authors/ann/index.html says so)
NEW_FOLDERS = {"", "sources/example-wire", "tags/science", "tags/weather"}


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Scraper", "-c", "user.email=scraper@example.com"]
    result = subprocess.run(
        ["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return result.stdout


class Runner:
    """A checkout, a runner temp folder, and the environment the build step gets."""

    def __init__(self, tmp_path: Path, **inputs: str) -> None:
        self.repo = tmp_path / "repo"
        self.temp = tmp_path / "runner-temp"
        self.temp.mkdir()
        (self.repo / "_posts").mkdir(parents=True)
        for name, text in POSTS.items():
            (self.repo / "_posts" / name).write_text(text, encoding="utf-8")
        for name, text in PAGES.items():  # a Jekyll site beside the posts: never read
            (self.repo / name).parent.mkdir(parents=True, exist_ok=True)
            (self.repo / name).write_text(text, encoding="utf-8")
        git(self.repo, "init", "-q", "-b", "main")
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "posts")
        self.output = tmp_path / "github-output"
        self.summary = tmp_path / "step-summary.md"
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_WORKSPACE": str(self.repo),
            "RUNNER_TEMP": str(self.temp),
            # the step's env: as action.yml sets it, with the defaults of its inputs
            "INPUT_POSTS": inputs.get("posts", "."),
            "INPUT_OUT": inputs.get("out", "public"),
            "INPUT_CONFIG": inputs.get("config", ""),
            "INPUT_SITE_URL": inputs.get("site_url", "https://feeds.example.org"),
            "INPUT_FEEDS_URL": inputs.get("feeds_url", ""),
            "INPUT_STRICT": inputs.get("strict", "false"),
            "FEEDPUB_COMMAND": str(BIN / "feedpub"),
            "FEEDPUB_PYTHON": sys.executable,
            "FEEDPUB_CACHE_DIR": str(self.temp / "feedpub-cache"),
            "FEEDPUB_CACHE_KEY": "feedpub-action-1234",
            "ACTION_PATH": str(ROOT),
        }
        missing = set(BUILD["env"]) - set(self.env)
        assert not missing, f"the test does not set {missing}, which action.yml passes"

    def run(self) -> tuple[int, str, dict[str, str]]:
        """Run the build step; return its exit code, its output and its step outputs."""
        self.output.write_text("")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", BUILD["run"]],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = self.output.read_text().splitlines()
        outputs = dict(line.split("=", 1) for line in lines)
        return result.returncode, result.stdout + result.stderr, outputs

    @property
    def out(self) -> Path:
        return self.repo / "public"


def annotations(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("::")]


def check_annotations(log: str) -> None:
    """The bad posts are annotated on their files, as paths from the repository root."""
    found = annotations(log)
    assert len(found) == 2, log
    assert "::warning file=_posts/2024-05-04-untitled.md,line=4,title=FP402 no-url::" in "\n".join(
        found
    ), log
    broken = [a for a in found if a.startswith("::error ")]
    assert len(broken) == 1, log
    where = r"::error file=_posts/2024-05-05-broken\.md,line=[23](,col=\d+)?,"
    assert re.match(where + "title=FP101 yaml-invalid::invalid YAML", broken[0]), log


def published(out: Path) -> dict[str, bytes]:
    """The files readers see: all but feedpub's own manifest."""
    return {k: v for k, v in tree(out).items() if k != writer.MANIFEST}


def test_build_step_publishes_only_what_changed(tmp_path: Path) -> None:
    runner = Runner(tmp_path)

    code, log, outputs = runner.run()
    assert code == 0, log
    check_annotations(log)
    first = published(runner.out)
    assert {"feed.xml", "sources/example-wire/feed.json", "tags/sport/rss.xml"} <= set(first)
    assert outputs == {"feeds-written": str(len(first)), "feeds-changed": "true", "problems": "2"}
    assert "| FP101 | yaml-invalid | error | 1 |" in runner.summary.read_text()
    assert "| code | problem | severity | count |" in runner.summary.read_text()  # not posts
    # the report and the cache stay in the runner's temp folder, out of the checkout
    assert git(runner.repo, "status", "--porcelain", "--untracked-files=normal") == "?? public/\n"
    assert (runner.temp / "feedpub-cache").is_dir()
    assert not list(runner.temp.glob("feedpub-report-*"))

    # the scraper commits one new post, with a tag no post had before
    (runner.repo / "_posts" / NEW_NAME).write_text(NEW, encoding="utf-8")
    git(runner.repo, "add", "-A", "_posts")
    git(runner.repo, "commit", "-q", "-m", "one more post")
    before = stamps(runner.out)
    code, log, outputs = runner.run()
    assert code == 0, log
    check_annotations(log)
    second = published(runner.out)
    changed = {path for path, data in second.items() if first.get(path) != data}
    holding = {path for path, data in second.items() if NEW_URL in data}
    feeds = {f"{folder}/{name}".lstrip("/") for folder in NEW_FOLDERS for name in FEEDS}
    feed_pages = {model.page_file(folder) for folder in NEW_FOLDERS}  # each feed's page lists it
    # The site is archived by month, sources and tags by year; authors are not archived.
    archives = {f"{folder}/archive/2024.xml" for folder in NEW_FOLDERS if folder}
    archives |= {"archive/2024-05.xml"}
    # each the newest of its feed, named for its entries (`planner.open_name`)
    assert {re.sub(r"-[0-9a-f]{8}\.xml$", ".xml", p) for p in holding} == (
        feeds | feed_pages | archives
    )
    assert {p for p in changed if p.rsplit("/", 1)[-1] in FEEDS} == feeds
    assert changed == holding | {"index.html", "feeds.opml"}  # the lists of feeds, with counts
    after = stamps(runner.out)
    assert {p for p in first if p in after and before[p] != after[p]} <= changed  # nothing else
    # the newest documents of the feeds that were there, renamed (the new tag's is new)
    gone = {re.sub(r"-[0-9a-f]{8}\.xml$", ".xml", p) for p in first if p not in after}
    assert gone and gone < archives
    assert outputs == {
        "feeds-written": str(len(changed)), "feeds-changed": "true", "problems": "2",
    }  # fmt: skip

    # nothing new: nothing written, and the outputs say so
    before = stamps(runner.out)
    code, log, outputs = runner.run()
    assert code == 0, log
    check_annotations(log)
    assert stamps(runner.out) == before
    assert outputs == {"feeds-written": "0", "feeds-changed": "false", "problems": "2"}


def test_a_build_that_only_removes_a_file_changed_the_feeds(tmp_path: Path) -> None:
    """A setting taken out (jekyll-feed's `feed.path`) removes its file and writes none:
    `feeds-changed` said false, and the gh-pages workflow kept the file published."""
    runner = Runner(tmp_path)
    (runner.repo / "feedpub.toml").write_text('feed_path = "atom.xml"\n', "utf-8")
    assert runner.run()[0] == 0 and (runner.out / "atom.xml").is_file()
    (runner.repo / "feedpub.toml").unlink()
    code, log, outputs = runner.run()
    assert code == 0 and not (runner.out / "atom.xml").exists(), log
    assert " wrote 0 of " in log and " files (removed 1) to public/" in log, log
    assert outputs == {"feeds-written": "0", "feeds-changed": "true", "problems": "2"}
    assert "0 files written" in runner.summary.read_text() and ", 1 removed." in (
        runner.summary.read_text()
    )


def test_build_step_fails_on_a_link_in_the_site_to_a_file_outside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow packs `public` next, following links: a link committed there
    (to /proc/self/environ: the runner's tokens) would be published."""
    runner = Runner(tmp_path)
    (runner.repo / "public" / "x").mkdir(parents=True)
    (runner.repo / "public" / "x" / "env").symlink_to("/proc/self/environ")
    (runner.repo / "public" / "here").symlink_to("feed.xml")  # inside: as any file
    code, log, _ = runner.run()
    assert code == 1, log
    assert "::error title=feedpub::public/x/env is a link to a file outside it" in log
    assert "public/here" not in log
    assert (  # not only "N files written"
        "35 files written, 0 unchanged.\n\nThe step failed:\n\n- public/x/env is a link to a"
        " file outside it, which the site would publish. Remove it.\n\n| code |"
    ) in runner.summary.read_text()
    (runner.repo / "public" / "x" / "env").unlink()
    shutil.move(runner.repo / "public", tmp_path / "elsewhere")
    (runner.repo / "docs").symlink_to(tmp_path)  # out: docs/elsewhere, through a link
    runner.env["INPUT_OUT"] = "docs/elsewhere"
    code, log, _ = runner.run()
    assert code == 2 and "could point it anywhere" in log, log  # feedpub refuses it
    spec = importlib.util.spec_from_file_location("action_build", ROOT / "action" / "build.py")
    assert spec and spec.loader
    step = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(step)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(runner.repo))  # and so does the check after it
    assert step.links_out(runner.repo / "docs" / "elsewhere") == ["."]
    assert step.links_out(tmp_path / "elsewhere") == []  # a folder outside, named


def test_build_step_publishes_feeds_beside_the_jekyll_site(tmp_path: Path) -> None:
    """`feeds-url`: the feeds under a path of the site, its posts' pages at the site URL."""
    runner = Runner(tmp_path, out="feeds", feeds_url="feeds/")
    code, log, _ = runner.run()
    assert code == 0, log
    atom = (runner.repo / "feeds" / "feed.xml").read_text("utf-8")
    assert (
        'rel="self" type="application/atom+xml" href="https://feeds.example.org/feeds/feed.xml"'
        in (atom)
    )


def test_build_step_strict_fails_but_still_annotates(tmp_path: Path) -> None:
    runner = Runner(tmp_path, strict="true")
    code, log, outputs = runner.run()
    assert code == 1, log
    check_annotations(log)
    assert not runner.out.exists()
    assert outputs == {"feeds-written": "0", "feeds-changed": "false", "problems": "2"}
    summary = runner.summary.read_text()  # (a trial's read "(counted above); nothing was
    assert "No feed was written: --strict: 2 problem(s), errors or warnings.\n" in summary
    assert "| code | problem | severity | count |" in summary  # written" in a summary)


def test_build_step_annotates_a_mistake_in_the_settings(tmp_path: Path) -> None:
    """A mistake that stops feedpub before it reads a post (exit 2) was only a line of
    the log: a pull request's reviewer saw no annotation on the file it edited."""
    runner = Runner(tmp_path)
    (runner.repo / "feedpub.toml").write_text('title = "T"\ntimezone = 5\n', "utf-8")
    code, log, outputs = runner.run()
    assert code == 2, log
    assert "feedpub.toml:2: timezone: must be a time zone name, not 5" in log  # as said
    assert annotations(log) == [
        "::error file=feedpub.toml,line=2,title=feedpub config::timezone: must be a time"
        " zone name, not 5"
    ]
    assert outputs == {"feeds-written": "0", "feeds-changed": "false", "problems": "1"}
    assert runner.summary.read_text() == (  # (a trial's said "No feed was written." alone)
        "### feedpub\n\nNo feed was written:\n\n"
        "- feedpub.toml:2: timezone: must be a time zone name, not 5\n"
    )
    runner.env["INPUT_SITE_URL"] = "ftp://x"
    (runner.repo / "feedpub.toml").unlink()
    code, log, _ = runner.run()
    assert code == 2 and annotations(log) == [
        "::error title=feedpub::--site-url: must be an absolute http(s) URL, like"
        ' https://example.org/, not "ftp://x"'
    ], log


def test_build_step_annotation_escaping() -> None:
    spec = importlib.util.spec_from_file_location("action_build", ROOT / "action" / "build.py")
    assert spec and spec.loader
    step = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(step)
    assert step.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert step.escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    problem = {
        "path": "sources/x", "line": 0, "col": 0, "code": "FP501", "name": "path-collision",
        "severity": "warning", "message": "two names, one path", "hint": "rename one",
        "scope": "feed",
    }  # fmt: skip
    line = step.annotation(problem, Path.cwd())
    assert line == (
        "::warning title=FP501 path-collision::sources/x: two names, one path. Rename one."
    )
    # as feedpub's own lines: a hint in brackets is not bracketed again, none adds nothing
    problem |= {"hint": "remove them (the feeds carry it without them)"}
    assert step.annotation(problem, Path.cwd()).endswith(
        "one path. Remove them (the feeds carry it without them)."
    )
    assert step.annotation(problem | {"hint": ""}, Path.cwd()).endswith("two names, one path")


def test_build_step_annotates_a_post_that_is_a_link_on_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A post that links to itself (Python before 3.13 raises RuntimeError resolving
    it) or to a missing file is annotated on the link, where the problem is."""
    spec = importlib.util.spec_from_file_location("action_build", ROOT / "action" / "build.py")
    assert spec and spec.loader
    step = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(step)
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "loop.md").symlink_to("loop.md")
    (tmp_path / "_posts" / "gone.md").symlink_to("missing.md")
    monkeypatch.chdir(tmp_path / "_posts")
    for name in ("loop.md", "gone.md"):
        problem = {"path": name, "scope": "post"}
        assert step.repo_path(problem, tmp_path) == f"_posts/{name}"
    for path, where in (
        (".", "_posts"),
        ("..", "."),
        ("../..", None),
        ("x/../gone.md", "_posts/gone.md"),
    ):
        assert step.repo_path({"path": path, "scope": "file"}, tmp_path) == where, path
