"""Shared fixtures: the project's folders, the real corpus, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from feedpub import model, planner
from feedpub.cli import app
from feedpub.settings import Settings

# CI runs the same examples every time, so a landing never hangs on a rare draw;
# locally Hypothesis explores new ones on each run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
POSTS = ROOT / "posts"
GOLDEN = ROOT / "tests" / "golden"
CORPUS = ROOT.parent / "shared" / "corpus" / "archive"


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_in(folder: Path, *args: str) -> tuple[int, str, str]:
    """`run` in `folder`: problems and edits then name the posts from there."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        return run(*args)
    finally:
        os.chdir(here)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file: any rewrite changes one of them."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its own working folder: the default cache lands there."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/archive is absent")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_build(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The corpus built once for the whole session: (output folder, summary line).
    The build's JSON report is `report.json` beside the output folder."""
    out = tmp_path_factory.mktemp("corpus") / "public"
    code, stdout, stderr = run(
        "build", str(corpus), "--out", str(out), "--site-url", "https://example.org",
        "--cache", str(out.parent / "cache"), "--report", str(out.parent / "report.json"),
    )  # fmt: skip
    assert code == 0, stderr
    return out, stdout


def published(feeds: list[model.Feed], settings: Settings) -> list[model.Feed]:
    """The feeds of a plan that a build publishes (one per set of posts, and so on)."""
    hidden = planner.published([f.listing for f in feeds], settings).hidden
    return [f for f in feeds if f.folder not in hidden]
