"""Hostile repositories and faults: nothing leaks, nothing explodes, nothing is lost.

Every build here runs the real console script in its own process, as CI does:
a traceback, a worker left behind or a byte of a file outside the posts folder
in the output fails the test.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from conftest import POSTS, ROOT, tree
from conftest import run as cli
from lxml import etree

from feedpub import writer

FEEDPUB = Path(sys.executable).parent / "feedpub"
SITE = "https://example.org"
SECRET = "TOP-SECRET-3f9c1e"  # in files outside the posts folder only


def post(title: str, n: int, tags: str = "Wire", body: str = "<p>Story.</p>") -> str:
    return (
        f"---\ntitle: {title}\ndate: 2021-05-{n % 28 + 1:02d}T08:00:00Z\nauthor: Ann\n"
        f"from: https://news.example.com/{n}\ntags: [ {tags} ]\ncategories: [ Wire ]\n"
        f"---\n{body}\n"
    )


def feedpub(cwd: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FEEDPUB), *args], cwd=cwd, capture_output=True, text=True, check=False, **kwargs
    )  # type: ignore[call-overload, no-any-return]


# --- hostile repositories ---------------------------------------------------------------


def _secret_post(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret.md"
    path.write_text(post(f"Secret {SECRET}", 99, body=f"<p>{SECRET}</p>"), encoding="utf-8")
    return path


def _symlink_out(posts: Path) -> None:
    (posts / "2021-05-20-x.md").symlink_to(_secret_post(posts.parent.parent / "elsewhere"))


def _symlink_passwd(posts: Path) -> None:
    (posts / "2030-01-01-x.md").symlink_to("/etc/passwd")


def _symlink_out_relative(posts: Path) -> None:
    _secret_post(posts.parent.parent / "elsewhere")
    (posts / "2021-05-21-y.md").symlink_to("../../elsewhere/secret.md")


def _symlink_hidden(posts: Path) -> None:
    """A link to the checkout's `.git/config` (a token may be there), inside ROOT."""
    git = posts.parent / ".git"
    git.mkdir()
    (git / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (posts / "2021-05-28-config.md").symlink_to("../.git/config")


def _loop(posts: Path) -> None:
    (posts / "2021-05-23-la.md").symlink_to("2021-05-23-lb.md")
    (posts / "2021-05-23-lb.md").symlink_to("2021-05-23-la.md")


def _dangling(posts: Path) -> None:
    (posts / "2021-05-22-gone.md").symlink_to(posts / "nowhere.md")


def _folder_link_out(posts: Path) -> None:
    _secret_post(posts.parent.parent / "elsewhere")
    (posts / "more").symlink_to(posts.parent.parent / "elsewhere", target_is_directory=True)


def _tag_bomb(posts: Path) -> None:
    tags = ", ".join(f"t{n}" for n in range(20_000))
    (posts / "2021-05-23-bomb.md").write_text(post("Bomb", 23, tags=tags), encoding="utf-8")


def _deep_nesting(posts: Path) -> None:
    body = "<div>" * 3000 + "<p>Deep text survives.</p>" + "</div>" * 3000
    (posts / "2021-05-24-deep.md").write_text(post("Deep", 24, body=body), encoding="utf-8")


def _crowded_tag(posts: Path) -> None:
    """60,000 attributes in one tag: libxml2 took time with their square (40 s);
    with `/` between them, as HTML allows, too."""
    names = " ".join(f'a{n}=">"' for n in range(60_000))
    slashed = "/".join(f"b{n}" for n in range(60_000))
    body = f"<p {names}>Crowded text survives.</p><p {slashed}>So does this.</p>"
    (posts / "2021-05-29-crowded.md").write_text(post("Crowded", 29, body=body), "utf-8")


def _thirty_megabytes(posts: Path) -> None:
    body = "<p>" + "新闻 news. " * 2_800_000 + "</p>"
    (posts / "2021-05-25-huge.md").write_text(post("Huge", 25, body=body), encoding="utf-8")


def _fifo(posts: Path) -> None:
    os.mkfifo(posts / "2021-05-26-pipe.md")


def _unreadable_folder(posts: Path) -> None:
    locked = posts / "locked"
    locked.mkdir()
    (locked / "2021-05-27-hidden.md").write_text(post("Hidden", 27), encoding="utf-8")
    locked.chmod(0)


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink out": (_symlink_out, "FP007"),
    "symlink to /etc/passwd": (_symlink_passwd, "FP007"),
    "symlink to .git/config": (_symlink_hidden, "FP007"),
    "relative symlink out": (_symlink_out_relative, "FP007"),
    "symlink loop": (_loop, "FP001"),
    "dangling symlink": (_dangling, "FP001"),
    "folder link out": (_folder_link_out, "FP007"),
    "tag bomb": (_tag_bomb, "FP108"),
    "deep nesting": (_deep_nesting, "FP202"),
    "crowded tag": (_crowded_tag, "FP202"),
    "30 MB post": (_thirty_megabytes, "FP002"),
    "FIFO": (_fifo, "FP001"),
    "unreadable folder": (_unreadable_folder, "FP001"),
}


def test_a_preamble_line_of_a_million_spaces_or_brackets_is_read_at_once(
    tmp_path: Path,
) -> None:
    """The marker and link lines were read by regexes that backtracked over such a
    line in cubic and quadratic time: one post hung the build for hours."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    spaces = " " * 1_000_000
    lines = {
        "marker": f"<!--{spaces}1620892800000{spaces}-->",  # 2021-05-13T08:00:00Z
        "no-marker": f"<!--{spaces}x",
        "link": "[" + "](a" * 300_000 + ")",
        "no-link": "[" + "](a" * 300_000,
    }
    for n, (name, line) in enumerate(lines.items(), 2):
        body = f"{line}\n[{name}](https://news.example.com/{name})\n------\n<p>Story.</p>"
        (posts / f"2021-05-0{n}-{name}.md").write_text(post(name, 8 + n, body=body), "utf-8")
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--format", "json", timeout=120)
    assert result.returncode == 0, result.stderr
    feed = etree.parse(str(tmp_path / "public" / "feed.xml")).getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.iter(f"{atom}entry")
    published = {e.findtext(f"{atom}title"): e.findtext(f"{atom}published") for e in entries}
    assert len(published) == 4
    assert published["marker"] == "2021-05-11T08:00:00Z"  # its date: the marker is later
    assert {p["code"] for p in json.loads(result.stdout)} >= {"FP303"}


def _as_a_user(args: list[str]) -> list[str]:
    """Root reads any folder: drop the capabilities that let it (setpriv, util-linux),
    so that a folder with mode 000 is as unreadable as it is for everyone else."""
    if os.geteuid() != 0:
        return args
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *args]


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_repository(tmp_path: Path, case: str) -> None:
    make, code = CASES[case]
    root = tmp_path / "repo"
    posts = root / "_posts"
    posts.mkdir(parents=True)
    (posts / "2021-05-01-good.md").write_text(post("Good", 1), encoding="utf-8")
    make(posts)
    out = tmp_path / "public"
    argv = [str(FEEDPUB), "build", "--out", str(out), "--site-url", SITE, "--format", "json"]
    try:
        result = subprocess.run(
            _as_a_user(argv), cwd=root, capture_output=True, text=True, check=False, timeout=300
        )
        checked = subprocess.run(
            _as_a_user([str(FEEDPUB), "check"]), cwd=root, capture_output=True, text=True
        )
        normalized = subprocess.run(
            _as_a_user([str(FEEDPUB), "normalize"]), cwd=root, capture_output=True, text=True
        )
    finally:
        for folder in posts.glob("locked"):
            folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    for run in (result, checked, normalized):
        assert "Traceback" not in run.stderr, run.stderr
    problems = json.loads(result.stdout)
    codes = {p["code"] for p in problems}
    assert code in codes, problems
    severe = any(p["severity"] == "error" for p in problems)
    assert checked.returncode == (1 if severe else 0), checked.stderr
    assert normalized.returncode in (0, 1), normalized.stderr
    files = tree(out)
    assert "feed.xml" in files and b"Good" in files["feed.xml"]
    leaked = [rel for rel, data in files.items() if SECRET.encode() in data or b"root:x:0" in data]
    assert leaked == []
    if case == "tag bomb":  # 100 tags kept: not 80,000 files
        assert len(files) < 600 and sum(map(len, files.values())) < 10_000_000
    if case == "crowded tag":
        assert b"Crowded text survives." in files["feed.xml"]
    if case == "deep nesting":
        entry = etree.fromstring(files["feed.xml"]).find(".//{http://www.w3.org/2005/Atom}entry")
        assert entry is not None and "Deep text survives." in etree.tostring(entry).decode()


def test_limits_on_feeds_and_output_bytes(tmp_path: Path) -> None:
    """Past `max_feeds` the smallest feeds are not published, a feed published as another
    of the same posts counted too (its folder holds a page: 100 tags of each of 1,500
    posts made 150,000, 1.3 GB, past any limit); past `max_output_bytes` the build stops
    (exit 1) and the last build's pages and files stay."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in range(12):
        tags = ", ".join(f"tag{k}" for k in range(n + 1))  # tag0 in 12 posts, tag11 in 1
        (posts / f"2021-05-{n + 1:02d}-p{n}.md").write_text(post(f"P{n}", n, tags), "utf-8")
    (tmp_path / "feedpub.toml").write_text("max_feeds = 8\n", encoding="utf-8")
    result = feedpub(tmp_path, "build", "--site-url", SITE)
    assert result.returncode == 0, result.stderr
    # 15 feeds, of which the source's, the author's and tag0's are the site's (pages)
    assert "FP503 too-many-feeds: 15 feeds, over the limit of 8 (max_feeds)" in result.stderr
    tags = sorted(p.name for p in (tmp_path / "public" / "tags").iterdir())
    assert tags == ["tag0", *(f"tag{n}" for n in range(1, 5))]  # with the site's three, 8
    assert (tmp_path / "public" / "sources" / "wire" / "index.html").is_file()
    assert "tags/tag5/" not in (tmp_path / "public" / "index.html").read_text("utf-8")
    (tmp_path / "feedpub.toml").write_text("max_feeds = 2\n", encoding="utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    assert sorted(p.name for p in (tmp_path / "public").iterdir() if p.is_dir()) == [
        "archive",
        "sources",
    ]
    (tmp_path / "feedpub.toml").write_text("max_feeds = 8\n", encoding="utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    before = tree(tmp_path / "public")
    (tmp_path / "feedpub.toml").write_text("max_output_bytes = 40000\n", encoding="utf-8")
    result = feedpub(tmp_path, "build", "--site-url", SITE)
    assert result.returncode == 1, result.stderr
    assert "FP504 output-too-large: the output reached the limit of 40,000 bytes" in result.stderr
    assert result.stderr.endswith(
        "Error: the output reached max_output_bytes, so the build stopped: the pages were"
        " not written, no file was removed\n"
    )
    files = tree(tmp_path / "public")
    assert files.keys() >= before.keys()  # nothing of the last build's is removed
    assert files["index.html"] == before["index.html"]
    for href in _links(files["index.html"].decode()):
        assert href in files, href  # the pages never point at a file not there
    for rel in files:
        if rel.endswith("feed.xml"):  # nor a feed at an archive document
            for href in etree.fromstring(files[rel]).xpath("//*[local-name()='link']/@href"):
                path = href.removeprefix(SITE + "/")
                assert "://" in path or unquote(path) in files, (rel, href)


def test_a_title_or_name_is_bounded_in_length(tmp_path: Path) -> None:
    """The hostile review: a 2 MB title was in every archive document of its post's 100
    tags' feeds (2.4 MB of posts made 197 MB of output), and 10 KB tags alike. A title
    is cut at 1,000 characters, a tag, category or author at 200 (FP110)."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    tags = ", ".join(f"t{n}{'x' * 5_000}" for n in range(20))
    (posts / "2021-05-01-big.md").write_text(post("B" * 200_000, 1, tags), "utf-8")
    for n in range(20):  # each tag a feed of its own (not one of the same posts as another)
        (posts / f"2021-05-02-p{n}.md").write_text(post(f"P{n}", n + 2, f"t{n}{'x' * 5_000}"))
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--verbose")
    assert result.returncode == 0, result.stderr
    assert (
        "_posts/2021-05-01-big.md:2: FP110 value-too-long: the title is 200,000 characters long,"
        " over 1,000: cut there." in result.stderr
    )
    assert "_posts/2021-05-01-big.md:6: FP110 value-too-long: a tag is 5,003 characters" in (
        result.stderr
    )
    assert sum(len(b) for b in tree(tmp_path / "public").values()) < 3_000_000  # (was 100 MB)
    items = json.loads((tmp_path / "public" / "feed.json").read_text("utf-8"))["items"]
    big = next(i for i in items if i["title"].startswith("B"))
    assert big["title"] == "B" * 999 + "…" and {len(t) for t in big["tags"]} == {4, 199}  # (Wire)


def test_long_names_that_differ_past_the_cut_stay_apart() -> None:
    """The session's review: two tags that differ only past 200 characters became one
    feed, and a 5,000-character author name from `_data/authors.yml` was not cut. A
    name cut ends with the CRC-32 of all of it; a name of the data is held alike."""
    from feedpub.fields import Fields

    problems: list[Any] = []
    fields = Fields("p.md", {}, problems, 100)
    tags = fields.names("tags", ["a" * 250 + "X", "a" * 250 + "Y"])
    assert len(tags) == 2 and tags[0] != tags[1] and {len(t) for t in tags} == {199}
    author = fields.author({"author": "bob"}, {"bob": "B" * 5_000})
    assert len(author) == 199 and author.startswith("B" * 190 + "…")
    fields.report_removed()
    assert [p.code for p in problems] == ["FP110", "FP110"]


def test_an_object_replacement_character_is_no_part_of_a_name() -> None:
    """The reader review: ten 城寨 titles read "Singjai Stand \ufffcUp II" (an editor's
    stand-in for a picture), a box or a gap in every reader."""
    from feedpub.fields import Fields

    fields = Fields("p.md", {}, [], 100)
    assert fields.text("title", "Singjai Stand \ufffcUp II : 2/2/2025") == (
        "Singjai Stand Up II : 2/2/2025"
    )
    assert fields.names("tags", ["\ufffc", "a\ufffc"]) == ("a",)


def test_two_files_of_one_page_are_a_warning_not_copies(tmp_path: Path) -> None:
    """The hostile review: `x:y.md` and `x?y.md` are both /2021/04/10/x-y.html, as Jekyll
    makes the names; their posts, though not copies of one story, were one entry with
    a note --verbose alone showed (FP401). Jekyll writes one page over the other: a
    warning, FP404. Copies of one name, in `_posts/` and `archived/`, stay a note."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-04-10-x:y.md").write_text("---\ntitle: Three\n---\n<p>three</p>\n")
    (posts / "2021-04-10-x?y.md").write_text("---\ntitle: Four\n---\n<p>four</p>\n")
    (tmp_path / "archived" / "2021-04-11").mkdir(parents=True)
    for folder in (posts, tmp_path / "archived" / "2021-04-11"):
        (folder / "2021-04-11-z.md").write_text("---\ntitle: Z\n---\n<p>z</p>\n")
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--verbose")
    assert result.returncode == 0, result.stderr
    assert (
        "_posts/2021-04-10-x?y.md:1: FP404 page-shared: 2 copies of"
        f" {SITE}/2021/04/10/x-y.html merged into one entry, titled as this copy: Four"
        " (also in _posts/2021-04-10-x:y.md)." in result.stderr
    )
    assert "FP401 duplicate: 2 copies of https://example.org/2021/04/11/z" in result.stderr


def _links(html: str) -> list[str]:
    page = etree.HTML(html)
    return [unquote(h) for h in page.xpath("//a/@href | //link/@href") if "://" not in h]


def test_a_link_in_the_output_folder_is_never_written_through(tmp_path: Path) -> None:
    """`public/tags` made a link to a folder elsewhere: the build refuses to write (or
    delete) through it, and a manifest listing a folder leaves the folder be."""
    (tmp_path / "_posts").mkdir()
    for n in range(3):
        (tmp_path / "_posts" / f"2021-05-0{n + 1}-p{n}.md").write_text(post(f"P{n}", n), "utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    public, outside = tmp_path / "public", tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not feedpub's\n")
    shutil.rmtree(public / "tags")
    (public / "tags").symlink_to(outside)
    manifest = json.loads((public / writer.MANIFEST).read_text("utf-8"))
    manifest["files"] += ["tags/keep.txt", "authors"]
    (public / writer.MANIFEST).write_text(json.dumps(manifest), "utf-8")
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--no-cache")
    assert result.returncode == 1
    assert result.stderr.endswith(
        "Error: public/tags is a symbolic link: feedpub writes only inside the output"
        " folder; replace the link with a folder\n"
    )
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    (public / "tags").unlink()
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (public / "authors").is_dir() and (public / "tags" / "wire" / "index.html").is_file()


def test_a_file_link_in_the_output_folder_becomes_a_file_of_its_own(tmp_path: Path) -> None:
    """`public/feed.json` made a link to a private file (mode 0600): the build wrote
    the feed with the target's mode, which no web server of another user could read.
    The link is replaced by a file made as any other, and the target left alone."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-p.md").write_text(post("P", 0), "utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    public, private = tmp_path / "public", tmp_path / "private.json"
    fresh = (public / "feed.json").read_bytes()
    (public / "feed.json").replace(private)  # its bytes, its time: still no file of ours
    private.chmod(0o600)
    (public / "feed.json").symlink_to(private)
    result = feedpub(tmp_path, "build", "--site-url", SITE)  # (warm: the review's)
    assert result.returncode == 0 and "wrote 1 of" in result.stdout, result.stderr
    made = public / "feed.json"
    assert not made.is_symlink() and made.read_bytes() == fresh
    assert made.stat().st_mode & 0o777 == (public / "feed.xml").stat().st_mode & 0o777
    assert private.stat().st_mode & 0o777 == 0o600 and private.read_bytes() == fresh


def test_a_file_name_that_is_not_utf8_is_built_and_reported(tmp_path: Path) -> None:
    """A post without `from:` whose name holds a byte that is not UTF-8 (its id is
    remembered in the manifest by its name; a broken one is reported by name):
    the manifest, `--report` and `--format json` carry the name as JSON escapes."""
    posts = os.fsencode(tmp_path / "_posts")
    os.mkdir(posts)
    with open(posts + b"/2021-05-01-bad\xff.md", "w", encoding="utf-8") as f:
        f.write("---\ntitle: T\ndate: 2021-05-01T08:00:00Z\n---\n<p>b</p>\n")
    with open(posts + b"/2021-05-02-worse\xfe.md", "w", encoding="utf-8") as f:
        f.write("---\ntitle: T\ntags: [x\n---\n<p>b</p>\n")
    args = ("build", "--site-url", SITE, "--report", "r.json", "--format", "json")
    result = feedpub(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert [p["code"] for p in json.loads(result.stdout)] == ["FP101"]
    assert json.loads((tmp_path / "r.json").read_bytes())["posts_read"] == 1
    manifest = json.loads((tmp_path / "public" / writer.MANIFEST).read_bytes())
    assert manifest["ids"] == {"_posts/2021-05-01-bad\udcff.md": f"{SITE}/2021/05/01/bad.html"}
    again = feedpub(tmp_path, "build", "--site-url", SITE, "--no-cache")
    assert again.returncode == 0 and "wrote 0 of" in again.stdout, again.stderr


# --- two builds at once -------------------------------------------------------------------


def test_two_builds_at_once_share_the_cache_and_the_output_safely(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    reference = tmp_path / "reference"
    assert feedpub(site, "build", "--out", str(reference), "--no-cache").returncode == 0
    out, cache = tmp_path / "public", tmp_path / "cache"
    args = ["build", "--out", str(out), "--cache", str(cache)]
    rng = random.Random(20)
    for rep in range(20):
        victim = rng.choice([out / "feed.xml", out / "rss.xml", out / "tags", None])
        if victim is not None and victim.is_file():
            victim.unlink()
        elif victim is not None and victim.is_dir():
            shutil.rmtree(victim)
        procs = [
            subprocess.Popen(
                [str(FEEDPUB), *args],
                cwd=site,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
        files = {k: v for k, v in tree(out).items() if k != writer.MANIFEST}
        for stdout, stderr, code in results:
            assert code == 0 and "Traceback" not in stderr, (rep, stderr)
            assert f" of {len(files)} files to " in stdout, (rep, stdout, sorted(files))
        assert tree(out) == tree(reference), rep


# --- killed builds --------------------------------------------------------------------------


def _our_processes(marker: str) -> list[int]:
    """Processes whose command line names `marker` (a build, or one of its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _whole(out: Path) -> Iterator[str]:
    """Every feed file that is not whole (XML or JSON that does not parse)."""
    for path in out.rglob("*"):
        try:
            if path.suffix == ".xml":
                etree.parse(path)
            elif path.suffix == ".json":
                json.loads(path.read_bytes())
        except (etree.XMLSyntaxError, ValueError):
            yield path.relative_to(out).as_posix()


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ten-thousand") / "posts"
    make = ROOT / "benchmarks" / "make_posts.py"
    subprocess.run([sys.executable, str(make), str(root), "10000"], check=True)
    return root


def test_kill_9_leaves_no_process_and_whole_feeds(ten_thousand: Path, tmp_path: Path) -> None:
    """kill -9 at several points of a cold 10,000-post build: within a second no process
    of the build is left (its workers die with it), every feed file is whole, and the
    next build completes the output (the same as a build never killed)."""
    reference = tmp_path / "reference"
    started = time.perf_counter()
    argv = [str(FEEDPUB), "build", str(ten_thousand), "--site-url", SITE, "--quiet"]
    done = subprocess.run([*argv, "--out", str(reference), "--no-cache"], capture_output=True)
    assert done.returncode == 0, done.stderr
    duration = time.perf_counter() - started
    out, cache = tmp_path / "public", tmp_path / "cache"
    marker = str(out)
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        proc = subprocess.Popen(
            [*argv, "--out", str(out), "--cache", str(cache)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)  # returns once no process holds its pipes any more
        deadline = time.monotonic() + 1.0
        while _our_processes(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _our_processes(marker) == [], f"left after a kill at {fraction:.0%}"
        if out.exists():
            assert list(_whole(out)) == [], fraction
    done = subprocess.run([*argv, "--out", str(out), "--cache", str(cache)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert tree(out) == tree(reference)
    assert list(out.rglob("*.tmp")) == []


def test_a_worker_killed_ends_the_build_with_one_line(ten_thousand: Path, tmp_path: Path) -> None:
    """A worker killed (the out-of-memory killer's way): the build ends at once with
    exit 1 and one line, and the next build completes the output."""
    reference = tmp_path / "reference"
    argv = [str(FEEDPUB), "build", str(ten_thousand), "--site-url", SITE, "--quiet"]
    done = subprocess.run([*argv, "--out", str(reference), "--no-cache"], capture_output=True)
    assert done.returncode == 0, done.stderr
    out, cache = tmp_path / "public", tmp_path / "cache"
    proc = subprocess.Popen(
        [*argv, "--out", str(out), "--cache", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while len(workers := [p for p in _our_processes(str(out)) if p != proc.pid]) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "no workers seen"
        time.sleep(0.02)
    time.sleep(0.2)  # both busy reading: the forked scan's child is gone by now
    os.kill(workers[-1], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert stderr.decode().endswith(
        "Error: a worker process died (killed, or out of memory); feedpub stopped."
        " Run it again: a build completes what a failed one left\n"
    )
    done = subprocess.run([*argv, "--out", str(out), "--cache", str(cache)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert tree(out) == tree(reference)


def test_ctrl_c_as_the_pool_starts_its_thread_is_an_interrupt() -> None:
    """The Ctrl-C test once came just as the pool started its thread: shutting the pool
    down then raised "cannot join thread before it is started" (exit 1, "a bug in
    feedpub") and the process hung on its workers. It is the interrupt still."""
    import threading
    from unittest import mock

    from feedpub.workers import Workers

    def interrupted(thread: threading.Thread) -> None:
        raise KeyboardInterrupt

    workers = Workers(2)
    pool = workers._pool_for(10_000)
    assert pool is not None
    started = mock.patch.object(threading.Thread, "start", interrupted)
    with pytest.raises(KeyboardInterrupt), workers, started:
        pool.submit(print, "never")


def test_ctrl_c_ends_the_build_with_one_line(ten_thousand: Path, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the build, as a terminal sends it): exit 130 and one line, no
    worker left behind."""
    out = tmp_path / "public"
    argv = [str(FEEDPUB), "build", str(ten_thousand), "--out", str(out), "--no-cache", "-q"]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while len([p for p in _our_processes(str(out)) if p != proc.pid]) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "no workers seen"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout) == (130, b""), stderr.decode()
    assert stderr.decode() == "Interrupted: the next build completes what this one left.\n"
    deadline = time.monotonic() + 5
    while _our_processes(str(out)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _our_processes(str(out)) == []


def test_ctrl_c_while_the_command_line_is_imported_is_one_line_too() -> None:
    """The hostile review: Ctrl-C in the first third of a second (typer, click and rich
    being imported, before `cli.main` catches it) printed a whole traceback. The
    console script's entry imports the command line itself. (A KeyboardInterrupt
    raised by the import of typer, as a signal would, not a race with a timer.)"""
    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def interrupted(name, *args, **kwargs):\n"
        "    if name == 'typer':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupted\n"
        "from feedpub.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (130, "")
    assert done.stderr == "Interrupted: the next build completes what this one left.\n"
    scripts = (ROOT / "pyproject.toml").read_text("utf-8")
    assert 'feedpub = "feedpub.__main__:main"' in scripts  # the entry that catches it


DIE_SENDING = """
import os, signal, struct, sys
from feedpub.workers import WorkerDied, Workers

def die_sending(items):
    # The worst moment to die: half a result written to the pool's pipe, its lock held.
    if items[0] == 0:
        frame = sys._getframe()
        while frame.f_code.co_name != "_process_worker":
            frame = frame.f_back
        queue = frame.f_locals["result_queue"]
        queue._wlock.acquire()
        os.write(queue._writer.fileno(), struct.pack("!i", 1 << 20) + b"half a result")
        os.kill(os.getpid(), signal.SIGKILL)
    return list(items)

try:
    with Workers(2) as workers:
        workers.map(die_sending, list(range(2000)))
except WorkerDied as e:
    print(e)
"""


def test_a_worker_killed_while_sending_a_result_ends_the_run() -> None:
    """Python's pool waits for good on a message its dead worker never finished (and
    its other worker on the pipe's lock): the build sees the worker dead and stops,
    and the interpreter, which joins the pool's thread at exit, exits too."""
    done = subprocess.run(
        [sys.executable, "-c", DIE_SENDING], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("a worker process died (killed, or out of memory)")


# --- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, mounted for the test (root only), or a skip."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_build_and_the_next_one_completes(
    tmp_path: Path, small_disk: Path
) -> None:
    """A build that fills the disk exits 1 with one line; the pages it had published
    still list only files that are there and whole; once there is room, the next
    build completes the output, equal to a build that never failed."""
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    out, cache = small_disk / "public", tmp_path / "cache"
    args = ["build", "--out", str(out), "--cache", str(cache), "--site-url", SITE]
    assert feedpub(site, *args).returncode == 0
    pages = {k: v for k, v in tree(out).items() if k in ("index.html", "feeds.opml")}
    for n in range(300):  # big posts, in many tags: more than the disk holds
        body = f"<p>{'长文 ' * 2000}</p>"
        text = post(f"Long {n}", n, tags=f"long{n}, wire", body=body)
        (site / "_posts" / f"2021-06-{n % 28 + 1:02d}-long-{n}.md").write_text(text, "utf-8")
    failed = feedpub(site, *args)
    assert failed.returncode == 1
    assert failed.stderr.endswith("No space left on device\n"), failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("Error: cannot write ")
    assert "Traceback" not in failed.stderr
    now = tree(out)
    assert {k: now[k] for k in pages} == pages  # the old pages: they list the old feeds
    for href in _links(now["index.html"].decode()):
        assert href in now, href
    assert list(_whole(out)) == []
    for path in (site / "_posts").glob("*-long-*.md"):
        path.unlink()
    # room again: the build completes what the failed one left
    done = feedpub(site, *args)
    assert done.returncode == 0, done.stderr
    reference = tmp_path / "reference"
    built = feedpub(site, "build", "--out", str(reference), "--no-cache", "--site-url", SITE)
    assert built.returncode == 0, built.stderr
    assert tree(out) == tree(reference)


class _Payload:
    """A pickle that runs a command when loaded: what a committed cache could hold."""

    def __init__(self, flag: Path) -> None:
        self.flag = flag

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.flag}",))


@pytest.mark.parametrize("key", ["stamp", "summary", "fragments"])
def test_a_cache_that_came_with_the_repository_runs_none_of_its_code(
    tmp_path: Path, key: str
) -> None:
    """The default cache, `.feedpub-cache/`, is inside the repository a build reads:
    a pickle there that names anything feedpub does not store is refused, not run."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in (1, 2):
        (posts / f"2021-05-0{n}-p.md").write_text(post(f"P{n}", n), encoding="utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    flag = tmp_path / "ran"
    evil = pickle.dumps(_Payload(flag))
    db = sqlite3.connect(tmp_path / ".feedpub-cache" / "cache.sqlite")
    if key == "fragments":
        db.execute("UPDATE fragments SET value = ?", (evil,))
    else:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (evil, key))
    db.commit()
    db.close()
    (posts / "2021-05-03-p.md").write_text(post("P3", 3), encoding="utf-8")  # a warm build
    result = feedpub(tmp_path, "build", "--site-url", SITE)
    assert not flag.exists()
    assert "Traceback" not in result.stderr
    if key == "fragments":  # the cache's data is used: the build stops, and says why
        assert result.returncode == 1
        assert result.stderr.startswith(
            "Error: the cache holds data feedpub never writes (a pickled posix.system)"
        )
    else:  # the stamp or the summary is refused as a damaged one is: made again
        assert result.returncode == 0, result.stderr
        assert "P3" in (tmp_path / "public" / "feed.xml").read_text("utf-8")


def test_a_link_under_a_temporary_files_name_is_not_written_through(tmp_path: Path) -> None:
    """Every file is written to `.NAME.PID.tmp` and renamed: a link planted under that
    name (a repository can commit thousands, one per likely pid) took the bytes to
    its target. And the marker of a running build is never made through a link."""
    out, victim = tmp_path / "public", tmp_path / "victim"
    out.mkdir()
    victim.write_text("kept\n")
    page = out / "index.html"
    writer._temp_name(page).symlink_to(victim)
    (out / writer.BUILDING).symlink_to(tmp_path / "made-through-a-link")
    with writer.writing(out, sure=True):
        assert writer.write_file(page, b"<p>new</p>")
    assert victim.read_text() == "kept\n"
    assert page.read_bytes() == b"<p>new</p>" and not page.is_symlink()
    assert not (tmp_path / "made-through-a-link").exists()
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_a_config_linked_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    """A committed `_config.yml -> /etc/passwd` was read: its first line printed in
    the error, or its `title:` published. Nor is the folder above a repository
    searched (only above a posts folder built alone, for the repository's own)."""
    repo = tmp_path / "repo"
    (repo / "_posts").mkdir(parents=True)
    (repo / "_posts" / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    (tmp_path / "outside.yml").write_text(f"title: {SECRET}\n", encoding="utf-8")
    (repo / "_config.yml").symlink_to("/etc/passwd")
    result = feedpub(repo, "build", "--site-url", SITE)
    assert result.returncode == 2
    assert result.stderr == "_config.yml:1: a symbolic link (to /etc/passwd): not read\n"
    (repo / "_config.yml").unlink()
    (repo / "_config.yml").symlink_to(tmp_path / "outside.yml")
    (repo / "feedpub.toml").symlink_to(tmp_path / "outside.yml")
    result = feedpub(repo, "build", "--site-url", SITE)
    assert result.returncode == 2 and SECRET not in result.stderr
    assert result.stderr.count("): not read") == 2
    (repo / "_config.yml").unlink()  # a link inside the repository: to its `.env`, say
    (repo / ".env").write_text(f"title: {SECRET}\n", encoding="utf-8")
    (repo / "_config.yml").symlink_to(".env")
    result = feedpub(repo, "build", "--site-url", SITE)
    assert result.returncode == 2 and SECRET not in result.stderr
    (repo / "_config.yml").unlink()
    (repo / "feedpub.toml").unlink()
    (tmp_path / "_config.yml").write_text(f"title: {SECRET}\n", encoding="utf-8")
    assert feedpub(repo, "build", "--site-url", SITE).returncode == 0
    assert SECRET not in (repo / "public" / "feed.xml").read_text("utf-8")
    (repo / "_config.yml").write_text("title: Mine\n", encoding="utf-8")
    assert feedpub(repo / "_posts", "build", "--site-url", SITE, "--out", "../out").returncode == 0
    assert "<title>Mine</title>" in (repo / "out" / "feed.xml").read_text("utf-8")


def test_a_config_nested_without_end_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    (tmp_path / "feedpub.toml").write_text("title = " + "[" * 100_000 + "\n")
    result = feedpub(tmp_path, "build", "--site-url", SITE)
    assert (result.returncode, result.stderr) == (
        2,
        "feedpub.toml:1: invalid TOML: nested too deep\n",
    )
    (tmp_path / "feedpub.toml").write_text('[sources.Wire]\nremove = ["' + "div " * 3000 + 'p"]\n')
    result = feedpub(tmp_path, "build", "--site-url", SITE)
    assert result.returncode == 2 and "CSS selector nested too deep" in result.stderr
    assert "Traceback" not in result.stderr and "bug in feedpub" not in result.stderr


def test_a_cache_made_by_anyone_else_is_not_used(tmp_path: Path) -> None:
    """Its fragments are published as they are, uncleaned: a cache that came with the
    repository (made with another key than this user's) is made again instead."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-05-01-p.md").write_text(post("P1", 1), encoding="utf-8")
    assert feedpub(tmp_path, "build", "--site-url", SITE, env=_keyed("theirs")).returncode == 0
    db = sqlite3.connect(tmp_path / ".feedpub-cache" / "cache.sqlite")
    rows = db.execute("SELECT key, value FROM fragments").fetchall()
    assert rows and all(b"Story." in value for _, value in rows)
    db.executemany(
        "UPDATE fragments SET value = ? WHERE key = ?",
        [(value.replace(b"Story.", b"EVIL!!"), key) for key, value in rows],
    )
    db.commit()
    db.close()
    (posts / "2021-05-02-p.md").write_text(post("P2", 2), encoding="utf-8")
    shutil.rmtree(tmp_path / "public")
    # With the key it was made with, the cache is used (as it would be by its maker):
    # its EVIL!! is published. With this user's, it is made again: none is.
    for key, published in (("theirs", True), ("mine", False)):
        result = feedpub(tmp_path, "build", "--site-url", SITE, env=_keyed(key))
        assert result.returncode == 0, result.stderr
        assert ("EVIL!!" in (tmp_path / "public" / "feed.xml").read_text("utf-8")) is published


def _keyed(key: str) -> dict[str, str]:
    return {**os.environ, "FEEDPUB_CACHE_KEY": key}


def test_settings_that_would_blow_a_build_up_are_mistakes(tmp_path: Path) -> None:
    """A 36-byte title pattern, `{name:>999999999}`, made 13.7 GB of titles; a
    summary as long as the text repeats the text. The second security pass."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    for toml, said in [
        ('[feeds.tag]\ntitle = "{name:>999999999}"\n', "only {name} and {site} can be filled in"),
        ('[feeds.tag]\ntitle = "{name.__class__}"\n', "only {name} and {site} can be filled in"),
        ('[feeds.tag]\ntitle = "{name!r}"\n', "only {name} and {site} can be filled in"),
        ("summary_chars = 100000\n", "summary_chars: must be at most 10,000, not 100,000"),
        ('[sources.Wire]\nremove = ["p ~ p"]\n', "sibling combinators (`+`, `~`) are not"),
        ('[sources.Wire]\nremove = ["p + p"]\n', "sibling combinators (`+`, `~`) are not"),
    ]:
        (tmp_path / "feedpub.toml").write_text(toml, encoding="utf-8")
        result = feedpub(tmp_path, "build", "--site-url", SITE)
        assert result.returncode == 2 and said in result.stderr, (toml, result.stderr)
    (tmp_path / "feedpub.toml").write_text('[feeds.tag]\ntitle = "{site}: {name}"\n')
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0


def test_runs_that_regexes_tried_at_each_place_are_read_once() -> None:
    """A run of `!` before a summary's end, and of spaces in a `date:` line for
    normalize, were tried at each of their places: quadratic time."""
    from feedpub import rewrite, summaries

    text = "!" * 200_000 + " x"
    assert [m.group() for m in summaries._SENTENCE_END.finditer(text)] == ["!" * 200_000]
    line = b"date: a" + b" " * 200_000 + b"x"
    found = rewrite._DATE_LINE.fullmatch(line)
    assert found is not None and found["plain"] == line[6:] and found["rest"] == b""


def test_a_name_in_a_diff_is_one_line() -> None:
    """`normalize --diff` printed a file name as it is: one with a newline put a
    `::error` line of its own in a workflow's log."""
    from feedpub import rewrite

    before = b"---\ndate: x\n---\n"
    edit = rewrite.Edit("_posts/a\n::error title=X::b.md", 2, "date: x", "date: y", "", before, b"")
    assert rewrite.unified_diff(edit).startswith("--- a/_posts/a\\x0a::error title=X::b.md\n+++ ")


def test_a_name_that_breaks_or_turns_a_line_is_escaped() -> None:
    """The hostile review: U+2028 in a file name went raw into text and GitHub problem
    lines, where it ends a line as `\\n` does (escaped); so do C1 controls, and a
    direction override shows a name backwards (`exe.txt` read as `txt.exe`)."""
    from feedpub.problems import Problem

    name = "_posts/a\u2028::error::b\x85c\u202etxt.exe.md"
    line = str(Problem(name, 1, 0, "FP001", "cannot read the file"))
    assert line.startswith("_posts/a\\u2028::error::b\\x85c\\u202etxt.exe.md:1: FP001 ")


def test_a_cache_file_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    """A committed `.feedpub-cache/cache.sqlite` linked to another SQLite file had
    SQLite change that file (WAL mode, a table of its own)."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE mine (x)")
    db.commit()
    db.close()
    before = other.read_bytes()
    (tmp_path / ".feedpub-cache").mkdir()
    (tmp_path / ".feedpub-cache" / "cache.sqlite").symlink_to(other)
    assert feedpub(tmp_path, "build", "--site-url", SITE).returncode == 0
    assert other.read_bytes() == before
    assert not (tmp_path / ".feedpub-cache" / "cache.sqlite").is_symlink()


def test_a_from_url_without_end_is_refused_at_once(tmp_path: Path) -> None:
    """An 80 KB `from:` with 8,000 relative links made a 200 KB post take 35 s and
    4.7 GB; canonical rules took time with the square of its length. Over 4,096
    characters it is no URL (FP402), and the message quotes its start alone."""
    (tmp_path / "_posts").mkdir()
    long_url = "https://h.example/" + "a /" * 30_000
    text = post("Long", 1, body='<a href="x">x</a>' * 8_000).replace(
        "from: https://news.example.com/1", f"from: {long_url}"
    )
    (tmp_path / "_posts" / "2021-05-01-long.md").write_text(text, encoding="utf-8")
    result = feedpub(tmp_path, "build", "--site-url", SITE, "--format", "json", timeout=120)
    assert result.returncode == 0, result.stderr
    found = [p for p in json.loads(result.stdout) if p["code"] == "FP402"]
    assert len(found) == 1 and len(found[0]["message"]) < 500


def test_without_a_home_for_the_key_the_cache_still_works(tmp_path: Path) -> None:
    """A container whose home cannot be written keeps no key file: the key is then
    the machine's id and the user's, and a second build is still a warm one."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    (tmp_path / "not-a-folder").write_text("")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "not-a-folder")}
    env.pop("FEEDPUB_CACHE_KEY", None)
    first = feedpub(tmp_path, "build", "--site-url", SITE, env=env)
    (tmp_path / "_posts" / "2021-05-01-a.md").touch()  # read again: the cache is asked
    second = feedpub(tmp_path, "build", "--site-url", SITE, env=env)
    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert " wrote 0 of " in second.stdout


def test_a_path_swapped_for_a_link_while_read_is_not_followed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local user who can write the posts folder swaps a post, or a folder on its path,
    for a link to a file outside it between the checks and the open (the review's race
    published one in 3 of 100 builds): the file opened is checked, not the name."""
    from feedpub import postfiles

    root, outside = tmp_path / "site", tmp_path / "outside"
    (root / "_posts").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text("SECRET", encoding="utf-8")
    (root / "_posts" / "sub").symlink_to(outside, target_is_directory=True)  # a folder, swapped
    with pytest.raises(postfiles.Refused) as refused:
        postfiles.read_bytes(root, "_posts/sub/secret.md", 1000)
    assert refused.value.code == "FP007" and "outside the posts folder" in refused.value.message
    (root / "_posts" / "x.md").symlink_to(outside / "secret.md")
    inside = str(root / "_posts" / "sub")  # its checks saw a file inside, then the link came
    monkeypatch.setattr(os.path, "realpath", lambda p: inside if "x.md" in str(p) else str(p))
    with pytest.raises(postfiles.Refused) as refused:
        postfiles.read_bytes(root, "_posts/x.md", 1000)
    assert refused.value.code in ("FP001", "FP007")  # (ELOOP, or the file checked)


def test_a_cache_that_cannot_be_written_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's cache on a full disk: SQLite rolls the transaction back itself, and
    the ROLLBACK after it ("no transaction is active") hid why, as a bug report."""
    from feedpub.incremental.outputs import Outputs

    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")

    def full(outputs: Outputs, *_: object) -> None:
        outputs.db.execute("ROLLBACK")  # (as SQLITE_FULL does)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Outputs, "save_plans", full)
    cache = tmp_path / "cache"
    code, _, stderr = cli(
        "build", str(posts), "--out", str(tmp_path / "out"), "--cache", str(cache)
    )
    assert code == 1
    assert stderr == (
        f"Error: cannot write the cache {cache}: database or disk is full (free some space,"
        " or build with --no-cache)\n"
    )


def test_a_crafted_manifest_puts_no_id_in_a_feed(tmp_path: Path) -> None:
    """An output folder someone else can write (a gh-pages checkout): the ids its
    manifest says posts were published with are kept only if a build could have made
    them, and a manifest nested past Python's limit is no manifest."""
    posts, out = tmp_path / "posts", tmp_path / "out"
    posts.mkdir()
    (posts / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    args = ("build", str(posts), "--out", str(out), "--no-cache", "-q")
    assert cli(*args)[0] == 0
    before = (out / "feed.xml").read_bytes()
    manifest = out / writer.MANIFEST
    data = json.loads(manifest.read_bytes())
    data["ids"] = {"2021-05-01-a.md": "https://example.org/x]]></id>\x01 not an IRI"}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert cli(*args)[0] == 0
    assert (out / "feed.xml").read_bytes() == before
    manifest.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, stderr = cli(*args)
    assert code == 0, stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc")
def test_a_cache_sqlite_cannot_open_is_one_line(tmp_path: Path) -> None:
    """The review's `--cache /proc/self`: SQLite cannot open a database there, an
    OperationalError that the code making a damaged cache again took for one."""
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2021-05-01-a.md").write_text(post("A", 1), encoding="utf-8")
    args = ("build", str(posts), "--out", str(tmp_path / "out"), "--cache", "/proc/self")
    code, _, stderr = cli(*args)
    assert code == 1
    assert stderr.startswith("Error: cannot use the cache /proc/self: unable to open database")


def test_a_yaml_set_is_read_in_the_order_written(tmp_path: Path) -> None:
    """The hostile review: a `!!set` title, tags or author was printed as Python's set,
    whose order follows the process's hash seed: three cold builds, three feeds, and
    the tag's folder (its URL) moved with each. Its members are a list as written."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-04-14-set.md").write_text(
        "---\ntitle: A set\ndate: 2021-04-14 10:00:00 +0000\n"
        "tags: !!set {x3, x1, x4, x2}\nauthor: !!set {ann, bob}\n---\nx\n",
        "utf-8",
    )
    trees = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / f"out{seed}"
        done = feedpub(tmp_path, "build", "--out", str(out), "--no-cache", "-q", env=env)
        assert done.returncode == 0, done.stderr
        trees.append(tree(out))
    assert trees[0] == trees[1] == trees[2]
    assert sorted(p.name for p in (tmp_path / "out1" / "tags").iterdir()) == [
        "x1",
        "x2",
        "x3",
        "x4",
    ]
    item = json.loads(trees[0]["feed.json"])["items"][0]
    assert item["tags"] == ["x3", "x1", "x4", "x2"]


def test_a_yaml_binary_is_its_text_not_pythons_repr() -> None:
    """The hostile review: a `!!binary` title was published as `b'hello'`, an author as
    `b'\\xff'`: their bytes are their text (Ruby prints them), still FP105 and FP109."""
    from feedpub import collector

    text = "---\ntitle: !!binary aGVsbG8=\nauthor: !!binary /w==\ntags: [!!binary eA==]\n---\nx\n"
    read = collector.parse("p.md", text.encode())
    assert read.post is not None
    assert (read.post.title, read.post.author, read.post.tags) == ("hello", "\ufffd", ("x",))
    assert {p.code for p in read.problems} >= {"FP105", "FP109"}


def test_a_rewritten_files_owner_and_mode_go_to_it_not_to_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's review: the owner and mode were given by name, after the
    temporary file was closed; one who can write the posts folder could swap that
    name for a link between, and root would hand the link's target over. They go
    by the descriptor now. (The swap made where it was possible: in `_owned_as`.)"""
    posts, victim = tmp_path / "posts", tmp_path / "victim"
    posts.mkdir()
    victim.write_bytes(b"secret\n")
    victim.chmod(0o600)
    post = posts / "a.md"
    post.write_bytes(b"old\n")
    post.chmod(0o644)
    owned_as = writer._owned_as

    def swapped(*args: object) -> None:
        (tmp,) = posts.glob(".*.tmp")
        tmp.unlink()
        tmp.symlink_to(victim)
        owned_as(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "_owned_as", swapped)
    monkeypatch.setattr(writer.os, "geteuid", lambda: -1)  # as if it ran as another user
    writer.write_file(post, b"new\n")
    assert oct(victim.stat().st_mode & 0o777) == "0o600"


def test_a_closed_or_full_standard_stream_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """The robustness review: a build started with stdout closed (`>&-`) ended in a
    traceback, exit 1, its feeds all written; with stderr closed, exit 1 and not a
    word; with stdout full (`>/dev/full`) it asked for a bug report."""
    command = f"{FEEDPUB} build {POSTS} --out {{out}} --no-cache"

    def shell(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    done = shell(command.format(out="a") + " >&-")
    assert (done.returncode, done.stderr) == (0, "(5 notes not listed: --verbose lists them)\n")
    assert shell(command.format(out="b") + " 2>&-").returncode == 0
    done = shell(command.format(out="c") + " >/dev/full")
    assert done.returncode == 1
    assert done.stderr.endswith("Error: cannot print the report: No space left on device\n")
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
