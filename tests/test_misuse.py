"""Misuse through the real console script: every mistake is one line and the right exit
code (2 for usage, 1 for a failure), never a traceback; the configuration is checked
whole; the progress bar lives on a terminal's stderr and gives the cursor back."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

FEEDPUB = Path(sys.executable).parent / "feedpub"
POST = (
    "---\ntitle: A\ndate: 2021-01-02T03:04:05Z\nfrom: https://example.com/a\n"
    "categories: [ Wire ]\n---\n<p>a</p>\n"
)


def feedpub(cwd: Path, *args: str) -> tuple[int, str, str]:
    result = subprocess.run(
        [str(FEEDPUB), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-01-02-a.md").write_text(POST, encoding="utf-8")
    (tmp_path / "a-file.txt").write_text("not a folder\n")
    return tmp_path


MISUSE = [
    (
        ["build", "--format", "bogus"],
        2,
        "Error: Invalid value for '--format': 'bogus' is not one of",
    ),
    (["build", "--limit", "0"], 2, "Error: Invalid value for '--limit': 0 is not in the range"),
    (["build", "-j", "many"], 2, "Error: Invalid value for '--jobs' / '-j': 'many' is not a valid"),
    (["build", "-j", "100000"], 2, "Error: Invalid value for '--jobs' / '-j': 100000 is not in"),
    (["build", "--no-such-flag"], 2, "Error: No such option: --no-such-flag"),
    (["bogus"], 2, "Error: No such command 'bogus'."),
    (["build", "nope"], 2, "Error: nope does not exist"),
    (["build", "a-file.txt"], 2, "Error: a-file.txt is not a folder"),
    (["build", "--out", "a-file.txt"], 2, "Error: --out a-file.txt: is a file, not a folder"),
    (
        ["build", "--out", "_posts/feeds"],
        2,
        "Error: --out _posts/feeds: must not be a posts folder, or inside one",
    ),
    (["build", "--out", "_posts"], 2, "Error: --out _posts: must not be a posts folder, or inside"),
    (
        ["build", "--out", "a-file.txt/feeds"],
        2,
        "Error: --out a-file.txt/feeds: a-file.txt is a file, not a folder",
    ),
    (
        ["build", "--out", "."],
        2,
        "Error: --out .: must not be the folder of posts (.) or a folder above it",
    ),
    (
        ["build", "--out", "/proc/feedpub-out"],
        1,
        "Error: cannot use the output folder /proc/feedpub-out",
    ),
    (["build", "--cache", "a-file.txt"], 2, "Error: --cache a-file.txt: is a file, not a folder"),
    (["build", "--cache", "a-file.txt/c"], 2, "Error: --cache a-file.txt/c: a-file.txt is a file"),
    (["build", "--cache", "_posts"], 2, "Error: --cache _posts: must not be a posts folder, or in"),
    (
        ["build", "--cache", "."],
        2,
        "Error: --cache .: must not be the folder of posts (.) or a folder above it",
    ),
    (
        ["build", "--cache", "public"],
        2,
        "Error: --cache public: must not be the output folder, inside it, or hold it",
    ),
    (["build", "-o", "o", "--cache", "o/c"], 2, "Error: --cache o/c: must not be the output fold"),
    (["build", "-q", "--report", "/proc/none/r.json"], 1, "Error: cannot write /proc/none/r.json"),
    (["build", "--report", "."], 2, "Error: --report .: is a folder, not a file"),
    (["build", "--out", ".git"], 2, "Error: --out .git: must not be in a .git folder"),
    (["build", "--cache", ".git/c"], 2, "Error: --cache .git/c: must not be in a .git folder"),
    (["build", "--report", ".git/r.json"], 2, "Error: --report .git/r.json: must not be in a .gi"),
    (
        ["build", "--report", "/dev/stdout", "--format", "json"],
        2,
        "Error: --report /dev/stdout and --format json would both write to stdout: give one",
    ),
    (  # (a user trial's `--report _config.yml` replaced the config)
        ["build", "--report", "a-file.txt"],
        2,
        "Error: --report a-file.txt: is a file of another kind, not a report of feedpub's;",
    ),
    (["build", "--report", ""], 2, "Error: --report .: is a folder, not a file"),
    (
        ["build", "--report", "public/feed.xml"],
        2,
        "Error: --report public/feed.xml: must not be in the output folder or the cache",
    ),
    (
        ["build", "--report", "_posts/2021-01-02-a.md"],
        2,
        "Error: --report _posts/2021-01-02-a.md: must not be in a posts folder",
    ),
    (
        ["build", "--site-url", "example.org"],
        2,
        "Error: --site-url: must be an absolute http(s) URL, like https://example.org/,"
        ' not "example.org"',
    ),
    (
        ["build", "--site-url", "ftp://example.org/"],
        2,
        "Error: --site-url: must be an absolute http(s) URL",
    ),
    (["build", "--site-url", "https://"], 2, "Error: --site-url: must be an absolute http(s) URL"),
    (
        ["build", "--site-url", "https://me:secret@example.org/"],
        2,
        'Error: --site-url: must not hold a user name or password: "https://me:secret@',
    ),
    (
        ["build", "--site-url", "https://a\x01b.org/"],  # (in every id of JSON Feed, for good)
        2,
        "Error: --site-url: must be a plain http(s) URL without spaces, control characters,",
    ),
    (
        ["build", "--site-url", "https://a..b.example/"],
        2,
        "Error: --site-url: must be an absolute http(s) URL",
    ),
    (
        ["build", "--site-url", "https://ä" + "x" * 70 + ".example/"],
        2,
        "Error: --site-url: has a host name that is not a valid domain name",
    ),
    (["build", "--config", "missing.toml"], 2, "Error: --config: missing.toml: no such file"),
    (["build", "--config", "_posts"], 2, "Error: --config: _posts: a folder, not a file"),
    (["build", "--config", "/dev/null"], 2, "Error: --config: /dev/null: not a regular file"),
    (["check", "--format", "xml"], 2, "Error: Invalid value for '--format': 'xml'"),
    (["normalize", "--check", "--write"], 2, "Error: give only one of --check, --diff and --write"),
    (["build", "-q", "--verbose"], 2, "Error: give only one of --quiet and --verbose"),
    (
        ["build", "--config", "_config.yml"],
        2,
        "Error: --config: _config.yml: takes a feedpub.toml (or pyproject.toml); the Jekyll",
    ),
    (
        ["build", "--site-url", "https://e.org/blog/feed.xml"],
        2,
        "Error: --site-url: names a file (https://e.org/blog/feed.xml), not the folder",
    ),
    (["ping"], 2, 'Error: no WebSub hub: set hub = "https://..." in feedpub.toml or pass --hub'),
    (["ping", "--hub", "https://hub.example", "--cache", "nowhere"], 1, "Error:"),
]


@pytest.mark.parametrize(("args", "code", "line"), MISUSE, ids=[" ".join(m[0]) for m in MISUSE])
def test_misuse_is_one_line_and_the_right_exit_code(
    repo: Path, args: list[str], code: int, line: str
) -> None:
    got, stdout, stderr = feedpub(repo, *args)
    assert (got, stdout) == (code, ""), stderr
    assert stderr.count("\n") == 1 and stderr.startswith(line), stderr


def test_a_build_in_the_posts_folder_says_where_to_run(repo: Path) -> None:
    """`cd _posts && feedpub build`: the default output folder would be among the
    posts, and the user gave no --out to blame."""
    code, stdout, stderr = feedpub(repo / "_posts", "build")
    assert (code, stdout) == (2, "")
    assert stderr == (
        "Error: the default output folder public: must not be a posts folder, or inside one"
        " (run feedpub in the repository's root, or pass --out DIR)\n"
    )
    assert not (repo / "_posts" / "public").exists()


def test_a_build_of_a_folder_inside_a_posts_folder_says_what_to_build(repo: Path) -> None:
    """`cd archived/2025-02-01 && feedpub build` (a user trial): its posts were none of
    the site's (FP008), and an empty site was written among them. Nothing is written."""
    day = repo / "archived" / "2021-01-03"
    day.mkdir(parents=True)
    (day / "b.md").write_text(POST, encoding="utf-8")
    code, stdout, stderr = feedpub(day, "build")
    assert (code, stdout) == (2, "")
    assert stderr == (
        "Error: . is inside the posts folder ../, whose files are all posts of the site"
        " ../..: build the site (`feedpub build ../..`) or that folder\n"
    )
    code, _, stderr = feedpub(day, "normalize")  # the command given (the next trial's)
    assert "read the site (`feedpub normalize ../..`) or that folder" in stderr, stderr
    (repo / "_posts" / "2021").mkdir()
    code, _, stderr = feedpub(repo, "build", "_posts/2021", "--out", str(repo / "o"))
    assert code == 2 and "Error: _posts/2021 is inside the posts folder _posts/" in stderr
    assert sorted(p.name for p in day.iterdir()) == ["b.md"] and not (repo / "o").exists()
    code, _, stderr = feedpub(day, "check")  # (it said FP008, of posts it did not read)
    assert code == 2 and stderr.startswith("Error: . is inside the posts folder ../,"), stderr
    (repo / "data" / "2024").mkdir(parents=True)  # through a link (the code review)
    (repo / "archived" / "linked").symlink_to(repo / "data", target_is_directory=True)
    code, _, stderr = feedpub(repo, "build", "archived/linked/2024", "-o", str(repo / "o"))
    assert code == 2 and "is inside the posts folder archived/" in stderr, stderr
    # the nearest posts folder above alone counts, and not when the root is one or a
    # site: a repository checked out in /home/runner/work/_posts/_posts (the review)
    for site in (repo / "_posts" / "2021" / "_posts", repo / "_posts" / "2021" / "blog"):
        (site / "_posts" if site.name == "blog" else site).mkdir(parents=True)
        code, _, stderr = feedpub(site, "build", "--site-url", "https://e.org", "-o", "/dev/null/x")
        assert "is inside the posts folder" not in stderr, stderr
    (repo / "x" / "archived" / "day").mkdir(parents=True)  # not a site's: a name
    code, _, stderr = feedpub(repo / "x" / "archived" / "day", "build", "-o", "/dev/null/x")
    assert "is inside the posts folder" not in stderr, stderr


def test_jekylls_site_folder_itself_is_no_output_folder(repo: Path) -> None:
    """`jekyll build && feedpub build --out _site` (a blog trial) replaced the site's
    home page with feedpub's index.html, FP506 said after; below it is the way."""
    (repo / "_config.yml").write_text("url: https://e.org\n", encoding="utf-8")
    (repo / "_site").mkdir()
    (repo / "_site" / "index.html").write_text("home\n", encoding="utf-8")
    code, _, stderr = feedpub(repo, "build", "--out", "_site")
    assert (code, stderr) == (
        2,
        "Error: --out _site: must not be Jekyll's output folder _site/ itself: feedpub's"
        " index.html would replace the site's home page; write the feeds below it"
        " (`--out _site/feeds --feeds-url feeds/`)\n",
    )
    assert [p.name for p in (repo / "_site").iterdir()] == ["index.html"]
    assert feedpub(repo, "build", "-q", "--out", "_site/feeds", "--feeds-url", "feeds/")[0] == 0
    # Jekyll's `destination:`, where it is not _site (the review)
    (repo / "_config.yml").write_text("url: https://e.org\ndestination: www\n", "utf-8")
    code, _, stderr = feedpub(repo, "build", "--out", "www/")
    assert code == 2 and "must not be Jekyll's output folder www/ itself" in stderr, stderr
    code, _, stderr = feedpub(repo, "build", "-q", "--out", "_site", "--cache", "www")
    assert code == 0, stderr  # (not Jekyll's output, then; and a cache is no site's page)


def test_the_home_folder_is_no_output_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--out ~` (a user trial) wrote 610 files among the home folder's, exit 0."""
    home = repo.parent / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for flag in ("--out", "--cache"):
        code, _, stderr = feedpub(repo, "build", flag, str(home))
        assert (code, stderr) == (2, f"Error: {flag} {home}: must not be your home folder\n")
    assert [p.name for p in home.iterdir()] == [".ssh"]


@pytest.mark.parametrize("folder", ["_layouts", "_includes/sub", "_data"])
def test_a_build_in_a_folder_jekyll_builds_from_says_what_to_build(repo: Path, folder: str) -> None:
    """`cd _layouts && feedpub build` (the next trial) wrote an empty site into
    `_layouts/public/`, which `--out _layouts` refuses; now refused, naming the site
    and the command given (`normalize` was told to run `feedpub build`)."""
    (repo / "_config.yml").write_text("url: https://e.org\n", encoding="utf-8")
    (repo / folder).mkdir(parents=True)
    up = "/".join([".."] * len(folder.split("/")))
    for command in ("build", "normalize"):
        code, stdout, stderr = feedpub(repo / folder, command)
        assert (code, stdout) == (2, "")
        top = folder.split("/")[0]
        assert stderr == (
            f"Error: . is in {top}/ of the Jekyll site at {up}, whose files are no posts of"
            f" the site: run `feedpub {command} {up}`\n"
        )
    assert sorted(p.name for p in (repo / folder).iterdir()) == []
    (repo / "linked").symlink_to(repo / folder)  # through a link too (the review's)
    code, _, stderr = feedpub(repo / "linked", "build")
    assert code == 2 and f"is in {top}/ of the Jekyll site at " in stderr, stderr
    # --config says how to read it (a preview of `_drafts/`): not refused (the review)
    (repo / "preview.toml").write_text('include = ["*.md"]\n', encoding="utf-8")
    code, _, stderr = feedpub(repo / folder, "check", "--config", str(repo / "preview.toml"))
    assert "of the Jekyll site" not in stderr, stderr


def test_a_folder_of_a_site_with_no_posts_names_the_site(repo: Path) -> None:
    """`feedpub build docs` in the repository (a user trial) wrote an empty site: its
    FP008 names the site to build. Not for a site of its own, nor a posts folder."""
    (repo / "_config.yml").write_text("url: https://e.org\n", encoding="utf-8")
    (repo / "docs").mkdir()
    (repo / "docs" / "guide.md").write_text("# Guide\n", encoding="utf-8")
    code, _, stderr = feedpub(repo, "build", "docs", "-o", "o")
    assert code == 0 and (
        "docs: FP008 no-posts: no post files found under docs (in _posts/ or archived/"
        " folders); nothing to publish; docs is inside the Jekyll site at .: `feedpub build .`"
        " builds it." in stderr
    ), stderr
    code, _, stderr = feedpub(repo / "docs", "check")
    assert "the Jekyll site at ..: `feedpub build ..` builds it" in stderr, stderr
    (repo / "feedpub.toml").write_text('title = "T"\n', encoding="utf-8")  # (the review)
    code, _, stderr = feedpub(repo, "check", "docs")
    assert "`feedpub build .` builds it" in stderr, stderr
    (repo / "docs" / "_config.yml").write_text("title: Docs\n", encoding="utf-8")
    code, _, stderr = feedpub(repo, "check", "docs")
    assert "FP008" in stderr and "Jekyll site" not in stderr, stderr
    (repo / "_posts" / "2021-01-02-a.md").unlink()
    code, _, stderr = feedpub(repo, "check", "_posts")
    assert "FP008" in stderr and "Jekyll site" not in stderr, stderr


def test_a_tag_named_as_a_posts_folder_does_not_lock_the_output_folder(repo: Path) -> None:
    """A tag `archived` wrote `public/tags/archived/`: with the manifest lost, every
    later build refused the output folder as one holding a posts folder."""
    post = POST.replace("categories: [ Wire ]", "tags: [ archived, _posts ]")
    (repo / "_posts" / "2021-01-02-a.md").write_text(post, encoding="utf-8")
    assert feedpub(repo, "build", "--site-url", "https://e.org")[0] == 0
    assert sorted(p.name for p in (repo / "public" / "tags").iterdir()) == [
        "_posts-",
        "archived-",
    ]
    (repo / "public" / ".feedpub-manifest.json").unlink()
    code, _, stderr = feedpub(repo, "build", "--site-url", "https://e.org", "--no-cache")
    assert code == 0, stderr


def test_an_output_folder_linked_to_a_posts_folder_is_refused(repo: Path) -> None:
    """The scan skips the output folder: its posts would be left out, the feeds
    written among them."""
    (repo / "public").symlink_to("_posts")
    before = sorted(p.name for p in (repo / "_posts").iterdir())
    code, stdout, stderr = feedpub(repo, "build", "--out", "public")
    assert (code, stdout) == (2, "")
    assert stderr == "Error: --out public: must not be a posts folder, or inside one\n"
    assert sorted(p.name for p in (repo / "_posts").iterdir()) == before


@pytest.mark.parametrize("name", ["public", ".feedpub-cache"])
def test_an_output_or_cache_committed_as_a_link_is_refused(repo: Path, name: str) -> None:
    """A repository that holds `public` or `.feedpub-cache` as a link would choose
    where a build of it writes (and what its cache deletes there)."""
    elsewhere = repo.parent / f"elsewhere{name}"
    elsewhere.mkdir()
    (repo / name).symlink_to(elsewhere)
    code, stdout, stderr = feedpub(repo, "build")
    flag = "--out" if name == "public" else "--cache"
    assert (code, stdout) == (2, "")
    assert stderr.startswith(
        f"Error: the default {'output folder' if name == 'public' else 'cache'} {name}"
    )
    assert f"could point it anywhere; name {elsewhere} itself to write there" in stderr
    assert list(elsewhere.iterdir()) == []
    code, _, stderr = feedpub(repo, "build", "_posts")  # the defaults are the working folder's
    assert code == 2 and "could point it anywhere" in stderr and list(elsewhere.iterdir()) == []
    code, _, stderr = feedpub(repo, "build", flag, str(elsewhere))  # named: the user's own
    assert code == 0, stderr
    assert list(elsewhere.iterdir())


def test_a_folder_holding_a_posts_folder_is_not_an_output_or_a_cache(repo: Path) -> None:
    """`news/_posts` is read by the scan unless `news` is skipped as the output or the
    cache: its posts would be left out without a word."""
    (repo / "news" / "_posts").mkdir(parents=True)
    (repo / "site" / "blog" / "archived").mkdir(parents=True)
    for flag, folder, held in [
        ("--out", "news", "_posts"),
        ("--cache", "news", "_posts"),
        ("--out", "site", "blog/archived"),
    ]:
        code, stdout, stderr = feedpub(repo, "build", flag, folder)
        assert (code, stdout) == (2, "")
        assert stderr == f"Error: {flag} {folder}: must not hold a posts folder ({held}/)\n"
    assert not (repo / "news" / "cache.sqlite").exists()


def test_the_sites_data_and_includes_are_no_output_or_cache(repo: Path) -> None:
    """A Jekyll site's `_data/` and `_includes/` (or its `includes_dir`) are read by the
    build: `--out _data` filled them with feeds, read back at the next build as the
    site's data (496 FP603 in the trial). Without a _config.yml they are not read."""
    (repo / "_data").mkdir()
    (repo / "_data" / "authors.yml").write_text("a: {name: A}\n", "utf-8")
    (repo / "parts").mkdir()
    (repo / "parts" / "note.html").write_text("<p>n</p>\n", "utf-8")
    assert feedpub(repo, "build", "--out", "_includes/x")[0] == 0  # no Jekyll site: allowed
    (repo / "_config.yml").write_text("title: T\nincludes_dir: parts\n", "utf-8")
    for flag, folder, read in [
        ("--out", "_data", "_data"),
        ("--out", "_data/feeds", "_data"),
        ("--cache", "_data/c", "_data"),
        ("--out", "parts", "parts"),
    ]:
        code, stdout, stderr = feedpub(repo, "build", flag, folder)
        assert (code, stdout) == (2, ""), stderr
        what = "must not be, be inside or hold the site's"
        assert stderr == f"Error: {flag} {folder}: {what} {read}/, which the build reads\n"
    code, _, stderr = feedpub(repo, "build", "--report", "_data/report.json")
    assert code == 2 and "Error: --report _data/report.json: must not be, be inside" in stderr
    beside = repo.parent / f"{repo.name}-report.json"  # (its folder holds _data: allowed)
    assert feedpub(repo, "build", "--report", str(beside))[0] == 0 and beside.is_file()
    assert sorted(p.name for p in (repo / "_data").iterdir()) == ["authors.yml"]
    assert feedpub(repo, "build", "--out", "_includes")[0] == 0  # not this site's includes
    (repo / "_config.yml").write_text("title: T\nincludes_dir: parts2\n", "utf-8")
    code, _, stderr = feedpub(
        repo, "build", "--out", "parts2"
    )  # not made yet: refused all the same
    assert code == 2 and "Error: --out parts2: must not be, be inside or hold the site's" in stderr
    assert not (repo / "parts2").exists()
    (repo / "_layouts").mkdir()  # Jekyll's: a trial wrote 474 files among the layouts
    for flag, folder in [("--out", "_layouts"), ("--out", "_layouts/f"), ("--cache", "_sass")]:
        code, _, stderr = feedpub(repo, "build", flag, folder)
        name = folder.partition("/")[0]
        said = f"the site's {name}/, which Jekyll builds the site from\n"
        assert (
            code == 2
            and stderr.startswith(f"Error: {flag} {folder}: must not")
            and stderr.endswith(said)
        ), stderr
    assert sorted(p.name for p in (repo / "_layouts").iterdir()) == []


def test_folders_the_scan_never_reads_may_hold_anything(repo: Path) -> None:
    """Jekyll's `_site` (which holds a copy of `archived/`), a folder outside ROOT, and
    the default cache in a posts folder (hidden) are no posts' place: allowed."""
    (repo / "_site" / "archived" / "2021-01-02").mkdir(parents=True)
    assert feedpub(repo, "build", "--out", "_site")[0] == 0
    elsewhere = repo.parent / f"{repo.name}-elsewhere"  # outside ROOT
    (elsewhere / "archived").mkdir(parents=True)
    assert feedpub(repo, "build", "--out", str(elsewhere))[0] == 0
    code, _, stderr = feedpub(repo / "_posts", "build", "--out", str(elsewhere / "o"))
    assert code == 0, stderr
    assert (repo / "_posts" / ".feedpub-cache").is_dir()


def test_the_default_cache_is_named_as_such(repo: Path) -> None:
    out = repo.parent / f"{repo.name}-out"
    out.mkdir()
    code, _, stderr = feedpub(out, "build", str(repo), "--out", ".")
    assert code == 2
    assert stderr == (
        "Error: the default cache .feedpub-cache: must not be the output folder, inside it,"
        " or hold it (pass --cache DIR, or --no-cache)\n"
    )
    assert feedpub(out, "build", str(repo), "--out", ".", "--no-cache")[0] == 0


def test_an_output_folder_in_a_loop_of_links_is_one_line(repo: Path) -> None:
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    code, stdout, stderr = feedpub(repo, "build", "--out", "a")
    assert (code, stdout) == (2, "")
    assert stderr.startswith("Error: --out a: cannot be used: ") and stderr.count("\n") == 1


def test_a_report_through_a_link_replaces_no_other_file(repo: Path) -> None:
    """A second user trial: `--report` to a link to `_config.yml` wrote the report into
    the config; a link is followed, and what it leads to must be a report too."""
    (repo / "_config.yml").write_text("title: Site\n", encoding="utf-8")
    (repo / "r.json").symlink_to("_config.yml")
    got, _, stderr = feedpub(repo, "build", "-q", "--report", "r.json")
    assert got == 2 and stderr.startswith("Error: --report r.json: is a file of another kind")
    assert (repo / "_config.yml").read_text(encoding="utf-8") == "title: Site\n"


def test_a_report_to_a_pipe_is_written_into_it(repo: Path) -> None:
    """`--report /dev/stdout` (or any pipe) is written to, not replaced by a file."""
    fifo = repo / "report.fifo"
    os.mkfifo(fifo)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()), daemon=True)
    reader.start()  # a daemon: if the pipe were replaced by a file, it would wait for good
    argv = [str(FEEDPUB), "build", "-q", "--report", str(fifo)]
    assert subprocess.run(argv, cwd=repo, capture_output=True, timeout=60).returncode == 0
    reader.join(10)
    assert fifo.is_fifo() and read
    assert json.loads(read[0])["posts_read"] == 1


@pytest.mark.parametrize(
    ("typed", "site"),
    [
        ("HTTPS://Example.ORG/News/", "https://example.org/News/"),
        ("https://bücher.example:8443/", "https://xn--bcher-kva.example:8443/"),
    ],
)
def test_a_site_url_is_written_as_clients_write_it(repo: Path, typed: str, site: str) -> None:
    """Ids start with the site URL: typed in capitals, or with an international host,
    it gives the ids and links every client writes (and the next build's, however
    the URL is typed then)."""
    (repo / "_config.yml").write_text(f"url: {typed}\n", encoding="utf-8")
    assert feedpub(repo, "build", "-q", "--out", "a")[0] == 0
    assert feedpub(repo, "build", "-q", "--out", "b", "--no-cache", "--site-url", site)[0] == 0
    feed = (repo / "a" / "feed.xml").read_text(encoding="utf-8")
    assert f"<id>{site}feed.xml</id>" in feed and typed not in feed
    for name in ("feed.xml", "rss.xml", "feed.json", "index.html", "feeds.opml"):
        assert (repo / "a" / name).read_bytes() == (repo / "b" / name).read_bytes(), name


def test_a_posts_folder_spelled_dot_reads_the_repositorys_config(repo: Path) -> None:
    """`cd _posts && feedpub build .` is `feedpub build _posts`: the config files are
    looked for in ROOT and its parent, and the parent of `.` is not `.`."""
    (repo / "_config.yml").write_text("url: https://example.org\nbaseurl: /sub\n", "utf-8")
    posts = repo / "_posts"
    for root, out in ((".", "../a"), ("", "../b"), (str(posts), str(repo / "c"))):
        code, _, stderr = feedpub(posts, "build", *([root] if root else []), "-q", "--out", out)
        assert code == 0 and "FP601" not in stderr, stderr
    feeds = [(repo / out / "feed.xml").read_bytes() for out in "abc"]
    assert b"<id>https://example.org/sub/feed.xml</id>" in feeds[0]
    assert feeds[0] == feeds[1] == feeds[2]


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["build", "-h"], ["check", "--help"]])
def test_help(repo: Path, args: list[str]) -> None:
    code, stdout, stderr = feedpub(repo, *args)
    assert code == 0 and "Usage: feedpub" in stdout and stderr == ""


def test_no_command_prints_the_help(repo: Path) -> None:
    code, stdout, stderr = feedpub(repo)
    assert code == 2 and "Usage: feedpub" in stdout + stderr and "Traceback" not in stderr


CONFIG = """\
title = "Archive"
limt = 5
generic_categories = "news"
hub = "ftp://hub.example"
include = "drafts/*.md"
feed_bytes = 100
shift = "sometimes"

[sources."Wire"]
zone = "Mars/Olympus"
remove = ["div[", 3, "p::before", ".ok"]
summary_skip = ["(", "a*", "Subscribe: \\\\S+"]
colour = "red"

[sources."Wier"]
zone = "Asia/Singapore"
"""


def test_bad_patterns_and_a_config_of_no_settings_are_mistakes(repo: Path) -> None:
    """A pattern the scan could not compile, and a `_config.yml` that is not a
    mapping, are found with the rest of the settings, not while building."""
    toml = 'exclude = ["ok/", "[z-a]", "!"]\ninclude = ["[b-a]*.md"]\n'
    (repo / "feedpub.toml").write_text(toml, encoding="utf-8")
    (repo / "_config.yml").write_text("# the site\n- title\n- url\n", encoding="utf-8")
    for command in ("build", "check"):
        code, stdout, stderr = feedpub(repo, command)
        assert (code, stdout) == (2, "")
        assert stderr.splitlines() == [
            "_config.yml:2: the Jekyll config must be `key: value` lines, not a list",
            'feedpub.toml:1: exclude: item 2: invalid pattern "[z-a]": bad character range z-a;'
            " item 3: invalid pattern \"!\": Invalid git pattern: '!'",
            'feedpub.toml:2: include: item 1: invalid pattern "[b-a]*.md": bad character range b-a',
        ]


def test_the_machines_zone_is_no_zone_of_the_settings(repo: Path) -> None:
    """The hostile review: `zone = "localtime"` passed, and naive dates were read in the
    zone of whatever machine built (`/etc/localtime`): same input, other bytes."""
    (repo / "feedpub.toml").write_text('zone = "localtime"\n', encoding="utf-8")
    (repo / "_config.yml").write_text("timezone: posixrules\n", encoding="utf-8")
    code, _, stderr = feedpub(repo, "check")
    assert code == 2 and stderr.splitlines() == [
        '_config.yml:1: timezone: "posixrules" is whatever zone the machine building links'
        ' it to (use a name like "Asia/Singapore")',
        'feedpub.toml:1: zone: "localtime" is whatever zone the machine building links it to'
        ' (use a name like "Asia/Singapore")',
    ]


def test_a_pattern_python_warns_of_prints_no_warning(repo: Path) -> None:
    """`[[a]` is a literal `[` in gitignore; `re` warns of a nested set on stderr."""
    (repo / "feedpub.toml").write_text('exclude = ["[[a]*.md"]\n', encoding="utf-8")
    for command in (["check"], ["build", "-q", "--site-url", "https://e.org"]):
        code, _, stderr = feedpub(repo, *command)
        assert code == 0 and "Warning" not in stderr, stderr


def test_every_config_mistake_is_one_line_with_its_file_and_line(repo: Path) -> None:
    (repo / "feedpub.toml").write_text(CONFIG, encoding="utf-8")
    config = "title: T\nurl: example.org\ntimezone: Mars/Base\n"  # in line order (a user trial)
    (repo / "_config.yml").write_text(config, encoding="utf-8")
    code, stdout, stderr = feedpub(repo, "build")
    assert (code, stdout) == (2, "")
    lines = stderr.splitlines()
    assert lines == [
        "_config.yml:2: url: must be an absolute http(s) URL, like https://example.org/,"
        ' not "example.org"',
        '_config.yml:3: timezone: unknown time zone "Mars/Base" (use a name like "Asia/Singapore")',
        "feedpub.toml:2: limt: unknown setting (did you mean 'limit'?)",
        "feedpub.toml:3: generic_categories: must be a list of text items,"
        ' like ["a", "b"], not "news"',
        "feedpub.toml:4: hub: must be an absolute http(s) URL, like https://example.org/,"
        ' not "ftp://hub.example"',
        'feedpub.toml:5: include: must be a list of text items, like ["a", "b"], not "drafts/*.md"',
        "feedpub.toml:6: feed_bytes: must be at least 4096, not 100",
        'feedpub.toml:7: shift: must be one of detect, correct, off, not "sometimes"',
        'feedpub.toml:10: sources.Wire.zone: unknown time zone "Mars/Olympus"'
        ' (use a name like "Asia/Singapore")',
        'feedpub.toml:11: sources.Wire.remove: item 1: invalid CSS selector "div[":'
        " Expected ident or '*', got <EOF at 4>; item 2 must be text, not 3;"
        ' item 3: pseudo-elements are not supported: "p::before"',
        'feedpub.toml:12: sources.Wire.summary_skip: item 1: invalid regular expression "(":'
        ' missing ), unterminated subpattern at position 0; item 2: regular expression "a*"'
        " matches empty text",
        "feedpub.toml:13: sources.Wire.colour: unknown setting",
    ]


def test_a_broken_jekyll_config_is_an_error_at_its_line(repo: Path) -> None:
    (repo / "_config.yml").write_text("title: T\nbaseurl: [/news\nurl: x\n", encoding="utf-8")
    code, _, stderr = feedpub(repo, "build")
    assert code == 2
    assert stderr == "_config.yml:2: invalid YAML: did not find expected ',' or ']'\n"


def test_a_source_no_post_has_is_a_warning(repo: Path) -> None:
    (repo / "feedpub.toml").write_text('[sources."Wier"]\nzone = "UTC"\n', encoding="utf-8")
    code, _, stderr = feedpub(repo, "build", "--site-url", "https://e.org")
    assert code == 0
    assert (
        "feedpub.toml:1: FP602 unknown-source: [sources.Wier]: no post has this source "
        "(did you mean 'Wire'?); its settings unused." in stderr
    )


def on_a_terminal(cwd: Path, *args: str) -> tuple[int, bytes, bytes]:
    """Run feedpub with stderr on a pseudo-terminal (stdout a pipe): (code, stdout, tty)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(FEEDPUB), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: feedpub is done
            break
        if not chunk:
            break
        seen += chunk
    assert proc.stdout is not None
    with proc.stdout:
        stdout = proc.stdout.read()
    os.close(leader)
    return proc.wait(timeout=60), stdout, seen


@pytest.mark.parametrize("strict", [False, True])
def test_progress_is_drawn_on_a_terminal_and_the_cursor_comes_back(
    tmp_path: Path, strict: bool
) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in range(600):  # enough for the worker pool and several updates
        text = POST.replace("/a\n", f"/{n}\n").replace("title: A", f"title: Post {n}")
        (posts / f"2021-01-02-p{n}.md").write_text(text, encoding="utf-8")
    args = ["build", "--site-url", "https://e.org"]
    if strict:
        (posts / "2021-01-03-bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
        args.append("--strict")
    code, stdout, tty = on_a_terminal(tmp_path, *args)
    assert code == (1 if strict else 0)
    assert b"\x1b" not in stdout  # the bar is drawn on stderr only
    assert b"\x1b[?25l" in tty and tty.rindex(b"\x1b[?25h") > tty.rindex(b"\x1b[?25l")
    assert f"/{601 if strict else 600} posts".encode() in tty  # counts, not a percentage
    # not a terminal: nothing drawn at all
    code, _, stderr = feedpub(tmp_path, *args)
    assert "\x1b" not in stderr


def test_an_error_naming_a_file_is_one_line_whatever_its_name(repo: Path) -> None:
    """A name with a newline (from a manifest a repository committed, say) is escaped
    in an `Error:` line, as in problem lines: a second line could be `::error …`,
    a command to GitHub's runner."""
    (repo / "a\n::error title=X::b").write_text("a file, not a folder")
    code, _, stderr = feedpub(repo, "build", "--out", "a\n::error title=X::b/public")
    assert code == 2
    assert stderr == (
        "Error: --out a\\x0a::error title=X::b/public: a\\x0a::error title=X::b is a file,"
        " not a folder\n"
    )
