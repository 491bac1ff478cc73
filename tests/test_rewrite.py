"""`feedpub normalize`: rewrite only `date:` lines, only when they are wrong, safely."""

from __future__ import annotations

import codecs
import os
import random
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run, run_in, tree
from test_normalizer import fetch_text, ms, shifted_archive, write_post

from feedpub import build as builder
from feedpub import collector, config, normalizer, rewrite
from feedpub.collector import RawPost

LIMITS = collector.Limits()  # a site that gives its posts nothing


def parsed(data: bytes, path: str = "_posts/2021-04-10-x.md") -> RawPost:
    post = collector.parse(path, data).post
    assert post is not None
    return post


def post_bytes(date_line: str, eol: str = "\n", marker: str = "1618041600000") -> bytes:
    """A post whose marker is 2021-04-10T08:00:00Z."""
    lines = [
        "---",
        'title: "台总统府：盼促进台美更多互动"',
        date_line,
        "from: https://www.zaobao.com/realtime/china/story20210410-1138402",
        "categories: [ 联合早报 ]",
        "---",
        f"<!--{marker}-->",
        "[台总统府](https://www.zaobao.com/realtime/china/story20210410-1138402)",
        "------",
        "",
        "<div><p>正文</p></div>",
    ]
    return (eol.join(lines) + eol).encode()


def only_date_lines_differ(before: bytes, after: bytes) -> bool:
    """Same lines, same line endings, but for lines that start with `date:` in both."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):
        return False
    for a, b in zip(old, new, strict=True):
        if a != b and not (
            a.startswith(b"date:") and b.startswith(b"date:") and _ending(a) == _ending(b)
        ):
            return False
    return True


def _ending(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")) :]


# --- one edit ----------------------------------------------------------------------------

NEW = "2021-04-10T08:00:00Z"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("date: 2021-04-10T08:44:53.510Z", f"date: {NEW}", id="plain"),
        pytest.param('date: "2021-04-10T08:44:53.510Z"', f'date: "{NEW}"', id="double quotes"),
        pytest.param("date: '2021-04-10T08:44:53.510Z'", f"date: '{NEW}'", id="single quotes"),
        pytest.param("date:   2021-04-10 16:44:53 +08:00", f"date:   {NEW}", id="spacing kept"),
        pytest.param(
            "date: 2021-04-10T08:44:53.510Z  # fetched", f"date: {NEW}  # fetched", id="comment"
        ),
        pytest.param("date: yesterday", f"date: {NEW}", id="unparseable"),
        pytest.param("date:", f"date: {NEW}", id="empty"),
        pytest.param("date: ~ # none", f"date: {NEW} # none", id="null and comment"),
    ],
)
def test_edit_replaces_only_the_value(line: str, expected: str) -> None:
    data = post_bytes(line)
    after, old, new = rewrite.edit(data, parsed(data), NEW, LIMITS)
    assert (old, new) == (line, expected)
    assert after == data.replace(line.encode(), expected.encode())


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_edit_keeps_line_endings(eol: str) -> None:
    data = post_bytes("date: 2021-04-10T08:44:53.510Z", eol)
    after, _, _ = rewrite.edit(data, parsed(data), NEW, LIMITS)
    assert after == post_bytes(f"date: {NEW}", eol)


def test_edit_keeps_the_bom() -> None:
    data = codecs.BOM_UTF8 + post_bytes("date: 2021-04-10T08:44:53.510Z")
    after, _, _ = rewrite.edit(data, parsed(data), NEW, LIMITS)
    assert after == codecs.BOM_UTF8 + post_bytes(f"date: {NEW}")


def test_edit_gb18030_bytes() -> None:
    data = post_bytes("date: 2021-04-10T08:44:53.510Z").decode().encode("gb18030")
    raw = parsed(data)
    assert raw.encoding == "gb18030"
    after, old, _ = rewrite.edit(data, raw, NEW, LIMITS)
    assert old == "date: 2021-04-10T08:44:53.510Z"
    assert after == post_bytes(f"date: {NEW}").decode().encode("gb18030")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        pytest.param(
            post_bytes("date: 2021-04-10T08:44:53.510Z").decode().encode("utf-16"),
            "utf-16",
            id="UTF-16",
        ),
        pytest.param(
            post_bytes("date: 2021-04-09T00:00:00Z\ndate: 2021-04-10T08:44:53.510Z"),
            "more than one `date:` line",
            id="two date lines",
        ),
        pytest.param(
            post_bytes("date: >-\n  2021-04-10T08:44:53.510Z"),
            "not a plain or simply quoted scalar",
            id="folded over two lines",
        ),
        pytest.param(
            post_bytes('date: "2021-04-10T08:44:53.510\\x5a"'),
            "not a plain or simply quoted scalar",
            id="escapes",
        ),
    ],
)
def test_edit_refuses(data: bytes, why: str) -> None:
    with pytest.raises(rewrite.Refused, match=why):
        rewrite.edit(data, parsed(data), NEW, LIMITS)


def test_edit_refuses_a_file_changed_since_it_was_read() -> None:
    data = post_bytes("date: 2021-04-10T08:44:53.510Z")
    raw = parsed(data)
    with pytest.raises(rewrite.Refused, match="changed since it was read"):
        rewrite.edit(data.replace(b"\xe6\xad\xa3", b"\xe5\x89\xaf"), raw, NEW, LIMITS)


def test_reasons() -> None:
    """Why a date line changes, per how the time was found."""
    settings = config.Settings(shift="correct")
    raws = [
        parsed(post_bytes("date: 2021-04-10T08:44:53.510Z"), "_posts/a.md"),
        parsed(post_bytes("date: soon"), "_posts/b.md"),
        parsed(post_bytes("date: 2021-04-10T08:00:00.000Z"), "_posts/c.md"),
        parsed(post_bytes("date: 2021-04-10T07:59:00.123Z"), "_posts/d.md"),
    ]
    result = normalizer.normalize(raws, settings)
    reasons = {t.raw.path: rewrite.reason(t) for t in result.resolved}
    assert reasons == {
        "_posts/a.md": "marker: the marker 2021-04-10T08:00:00Z is earlier than the date",
        "_posts/b.md": "marker: date 'soon' cannot be read; the marker gives 2021-04-10T08:00:00Z",
        "_posts/c.md": None,
        "_posts/d.md": None,  # clamped: the date is the fetch time, and stays
    }


# --- the command ---------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Posts whose date lines need fixing, posts that are fine, and posts to refuse."""
    root = tmp_path / "posts"
    posts = root / "_posts"
    posts.mkdir(parents=True)
    (posts / "2021-04-10-earlier.md").write_bytes(post_bytes("date: 2021-04-10T08:44:53.510Z"))
    (posts / "2021-04-10-crlf.md").write_bytes(
        post_bytes('date: "2021-04-10T09:00:00.250Z"', "\r\n", marker="1618045200000")
    )
    (posts / "2021-04-10-fine.md").write_bytes(post_bytes("date: 2021-04-10T08:00:00.000Z"))
    (posts / "2021-04-11-no-date.md").write_bytes(post_bytes("layout: post", marker="NaN"))
    (posts / "2021-04-12-broken.md").write_bytes(post_bytes("date: [2021-04-12"))
    return root


def test_check_lists_and_exits_1(archive: Path) -> None:
    before = tree(archive)
    code, stdout, stderr = run_in(archive, "normalize", ".")
    assert code == 1
    assert stdout.splitlines() == [
        '_posts/2021-04-10-crlf.md:3: date: "2021-04-10T09:00:00.250Z" -> date: '
        '"2021-04-10T09:00:00Z" (marker: the marker 2021-04-10T09:00:00Z is earlier than the date)',
        "_posts/2021-04-10-earlier.md:3: date: 2021-04-10T08:44:53.510Z -> date: "
        "2021-04-10T08:00:00Z (marker: the marker 2021-04-10T08:00:00Z is earlier than the date)",
    ]
    assert "_posts/2021-04-12-broken.md:3: skipped: not read as a post (FP101" in stderr
    assert "_posts/2021-04-11-no-date.md:1: skipped: no `date:` line" in stderr
    assert (
        "The date line would change in 2 of 4 posts (`feedpub normalize --write` rewrites"
        " them); 2 skipped;" in stderr
    )
    assert tree(archive) == before
    assert run_in(archive, "normalize", ".", "--check")[:2] == (code, stdout)


def test_diff(archive: Path) -> None:
    code, stdout, _ = run("normalize", str(archive), "--diff")
    assert code == 1
    assert stdout.startswith(
        "--- a/_posts/2021-04-10-crlf.md\n"
        "+++ b/_posts/2021-04-10-crlf.md\n"
        "@@ -1,6 +1,6 @@\n"
        " ---\n"
        ' title: "台总统府：盼促进台美更多互动"\n'
        '-date: "2021-04-10T09:00:00.250Z"\n'
        '+date: "2021-04-10T09:00:00Z"\n'
        " from: https://www.zaobao.com/realtime/china/story20210410-1138402\n"
    )
    assert stdout.count("\n--- a/") == 1


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch(1)")
def test_diff_applies_as_write_writes(archive: Path, tmp_path: Path) -> None:
    """`patch` applies the diff (CRLF lines as CRLF) to give what --write gives."""
    copy = tmp_path / "copy"
    shutil.copytree(archive, copy)
    feedpub = Path(sys.executable).parent / "feedpub"  # stdout as bytes, CRs and all
    shown = subprocess.run([feedpub, "normalize", str(archive), "--diff"], capture_output=True)
    assert shown.returncode == 1 and b"\r\n" in shown.stdout
    patched = subprocess.run(
        ["patch", "-p1", "--quiet"], cwd=copy, input=shown.stdout, capture_output=True
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert run("normalize", str(archive), "--write")[0] == 0
    assert tree(copy) == tree(archive)


def test_write_then_check(archive: Path) -> None:
    before = tree(archive)
    code, stdout, _ = run("normalize", str(archive), "--write")
    assert code == 0
    assert len(stdout.splitlines()) == 2
    after = tree(archive)
    assert after.keys() == before.keys()  # nothing deleted, no temporary file left
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == ["_posts/2021-04-10-crlf.md", "_posts/2021-04-10-earlier.md"]
    assert all(only_date_lines_differ(before[k], after[k]) for k in after)
    assert b'date: "2021-04-10T09:00:00Z"\r\n' in after["_posts/2021-04-10-crlf.md"]
    code, stdout, _ = run("normalize", str(archive), "--check")
    assert (code, stdout) == (0, "")


@pytest.mark.parametrize(
    "config",
    [
        "author: NodeBE4\n",  # jekyll-feed's site author, for posts that name none
        'defaults:\n  - scope: {path: ""}\n    values: {tags: [a, b]}\n',
    ],
)
def test_write_reads_back_with_the_sites_values(tmp_path: Path, config: str) -> None:
    """The trial's: with a site-wide `author:` (or `defaults:` giving tags), every post
    that did not say its own was skipped, "the edited file would read differently":
    it was read back without the site's values."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("timezone: UTC\n" + config, encoding="utf-8")
    post = tmp_path / "_posts" / "2021-04-10-x.md"
    post.write_bytes(post_bytes("date: 2021-04-10 09:00:00"))  # (it names no author)
    code, _, stderr = run("normalize", str(tmp_path), "--write")
    assert code == 0 and "of 1 of 1 posts; 0 skipped" in stderr, stderr
    assert b"date: 2021-04-10T08:00:00Z\n" in post.read_bytes()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_write_keeps_a_posts_owner_and_mode(archive: Path) -> None:
    """The hostile review: run as root (a CI job's container), `--write` gave a post of
    another user's to root, and dropped its set-group-ID bit."""
    post = archive / "_posts" / "2021-04-10-earlier.md"
    os.chown(post, 65534, 65534)
    os.chmod(post, 0o2640)
    assert run("normalize", str(archive), "--write")[0] == 0
    st = post.stat()
    assert b"08:44:53.510Z" not in post.read_bytes()  # rewritten
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o2640)


def test_write_keeps_a_linked_post_a_link_and_takes_the_longest_names(archive: Path) -> None:
    """The link's target is rewritten, not the link replaced by a copy; a name of 255
    bytes (the most a file system allows) is rewritten through a shorter temporary."""
    (archive / "real").mkdir()
    target = archive / "real" / "kept.md"
    target.write_bytes(post_bytes("date: 2021-04-10T08:44:53.510Z"))
    link = archive / "_posts" / "2021-04-10-link.md"
    link.symlink_to(Path("..", "real", "kept.md"))
    long = archive / "_posts" / f"2021-04-10-{'a' * 241}.md"
    long.write_bytes(post_bytes("date: 2021-04-10T08:44:53.510Z"))
    assert len(long.name) == 255
    code, stdout, stderr = run("normalize", str(archive), "--write")
    assert code == 0, stderr
    assert len(stdout.splitlines()) == 4
    assert link.is_symlink() and b"date: 2021-04-10T08:00:00Z\n" in target.read_bytes()
    assert b"date: 2021-04-10T08:00:00Z\n" in long.read_bytes()
    assert run("normalize", str(archive), "--check")[:2] == (0, "")


def test_a_file_name_with_a_control_character_is_one_line(archive: Path) -> None:
    """A newline or a byte that is not UTF-8 in a post's name is shown escaped, as
    problems show it: each change and each skip is one line."""
    posts = os.fsencode(archive / "_posts")
    with open(posts + b"/2021-04-10-a\nb\xff.md", "wb") as f:
        f.write(post_bytes("date: 2021-04-10T08:44:53.510Z"))
    with open(posts + b"/2021-04-13-c\td.md", "wb") as f:
        f.write(post_bytes("date: [2021-04-13"))
    code, stdout, stderr = run_in(archive, "normalize", ".")
    assert code == 1
    assert "_posts/2021-04-10-a\\x0ab\\xff.md:3: date: 2021-04-10T08:44:53.510Z -> " in stdout
    assert len(stdout.splitlines()) == 3
    assert "_posts/2021-04-13-c\\x09d.md:3: skipped: not read as a post (FP101" in stderr


def test_one_mode_only(archive: Path) -> None:
    code, _, stderr = run("normalize", str(archive), "--check", "--write")
    assert code == 2
    assert "only one of" in stderr


def test_missing_folder(tmp_path: Path) -> None:
    assert run("normalize", str(tmp_path / "nope"))[0] == 2


def messy_archive(root: Path, seed: int) -> None:
    """The shifted archive plus dates that are wrong in every other way, some CRLF."""
    shifted_archive(root, seed, stories=6)
    rng = random.Random(seed)
    for i in range(30):
        true = datetime(2021, 5, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 60))
        shape = rng.choice(["earlier", "clamped", "nan", "bad", "quoted", "naive", "same"])
        marker: str | None = ms(true)
        date = fetch_text(true)
        if shape == "earlier":
            date = fetch_text(true + timedelta(minutes=rng.randrange(1, 90), milliseconds=5))
        elif shape == "clamped":
            date = fetch_text(true - timedelta(minutes=rng.randrange(1, 900), milliseconds=5))
        elif shape == "nan":
            marker = "NaN"
        elif shape == "bad":
            date = rng.choice(["soon", "2021-02-30", "'0000-00-00'", ""])
        elif shape == "quoted":
            date = f'"{fetch_text(true + timedelta(seconds=rng.randrange(0, 99)))}"'
        elif shape == "naive":
            date = f"{true:%Y-%m-%d %H:%M:%S}"
        copies = rng.choice([1, 1, 2])
        for c in range(copies):
            folder = "_posts" if c == 0 else f"archived/{date[:10] or 'x'}"
            source = rng.choice(["S", "T", "联合早报"])
            write_post(root, f"{folder}/{true:%Y-%m-%d}-{shape}-{i}.md", title=f"{shape} {i}",
                       date=date, marker=marker, url=f"https://m.example/{i}", source=source,
                       crlf=rng.random() < 0.3)  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_write_is_idempotent_and_changes_no_feed(tmp_path: Path, seed: int) -> None:
    posts = tmp_path / "posts"
    messy_archive(posts, seed)
    (posts / "feedpub.toml").write_text('[sources."联合早报"]\nzone = "Asia/Singapore"\n')
    out = tmp_path / "a"
    assert run("build", str(posts), "--out", str(out), "--no-cache")[0] == 0
    before = tree(posts)
    code, stdout, _ = run("normalize", str(posts), "--write")
    assert code == 0 and stdout
    after = tree(posts)
    assert after.keys() == before.keys()
    assert all(only_date_lines_differ(before[k], after[k]) for k in before)
    assert run("normalize", str(posts), "--check")[:2] == (0, "")
    assert run("build", str(posts), "--out", str(tmp_path / "b"), "--no-cache")[0] == 0
    assert tree(tmp_path / "b") == tree(out)


def test_corpus_write_then_check(corpus: Path, tmp_path: Path) -> None:
    """A copy of the corpus, with some date lines made wrong: `--write` fixes only
    those lines, then `--check` finds nothing; every other byte is the same."""
    posts = tmp_path / "archive"
    shutil.copytree(corpus, posts)
    settings = config.load(posts)
    raws, _, _ = builder.collect(posts, tmp_path / "none", settings)
    rng = random.Random(7)
    planted = {}
    for raw in rng.sample([r for r in raws if r.marker and r.marker != "NaN"], 12):
        path = posts / raw.path
        data = path.read_bytes()
        line = next(ln for ln in data.split(b"\n") if ln.startswith(b"date:"))
        wrong = rng.choice([b"date: someday", b"date: 2031-01-01T00:00:00.123Z"])
        if rng.random() < 0.3:
            data = data.replace(b"\n", b"\r\n")
        path.write_bytes(data.replace(line, wrong, 1))
        planted[raw.path] = path.read_bytes()
    before = tree(posts)
    code, stdout, stderr = run_in(posts, "normalize", ".", "--write")
    assert code == 0, stderr
    assert sorted(ln.split(":", 1)[0] for ln in stdout.splitlines()) == sorted(planted)
    after = tree(posts)
    assert after.keys() == before.keys()
    assert sorted(k for k in after if after[k] != before[k]) == sorted(planted)
    assert all(only_date_lines_differ(before[k], after[k]) for k in after)
    code, stdout, stderr = run("normalize", str(posts), "--check")
    assert (code, stdout) == (0, ""), stderr


def test_a_stated_offset_is_cited_as_stated() -> None:
    """A source's offset that the settings state is FP308's, not one feedpub found
    (FP305): `normalize` says which."""
    stated = config.SourceSettings(marker_offset="-2h")
    settings = config.Settings(shift="correct", sources={"联合早报": stated})
    data = post_bytes("date: 2021-04-10T10:05:00Z", marker="1618048800000")
    result = normalizer.normalize([parsed(data)], settings)
    assert [p.code for p in result.problems] == ["FP308"]
    edits = rewrite.plan(result, lambda _: data, [], [], LIMITS).edits
    assert [(e.new, e.reason) for e in edits] == [
        (
            "date: 2021-04-10T08:00:00Z",
            "shifted: source '联合早报' runs 2 h ahead as marker_offset states (FP308);"
            " the marker 2021-04-10T10:00:00Z less 2 h",
        )
    ]
