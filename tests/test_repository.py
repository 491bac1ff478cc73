"""feedpub on a repository as its owners keep it: which files are posts, the site URL,
an output folder that is feedpub's own, feed paths that keep their meaning, and
exit codes that say whether anything was published."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import POSTS, run, run_in, tree

from feedpub import writer

PAGES = {
    "README.md": "# 茶馆\n\nAn archive of posts, scraped every hour.\n",
    "index.md": "---\nlayout: default\ntitle: Home\n---\n{% for p in site.posts %}{% endfor %}\n",
    "about.md": "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nWho we are.\n",
    "_layouts/default.html": "<!DOCTYPE html><html><body>{{ content }}</body></html>\n",
    "_includes/head.html": "<title>{{ page.title }}</title>\n",
    "_site/index.html": "<html>built by Jekyll</html>\n",
    "Gemfile": 'source "https://rubygems.org"\n',
}


def repository(corpus: Path, root: Path, baseurl: str) -> Path:
    """A copy of the teahouse archive laid out as its repository is."""
    shutil.copytree(corpus / "teahouse", root)
    for name, text in PAGES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "_config.yml").write_text(
        f"title: 茶馆\nurl: https://owner.github.io\nbaseurl: {baseurl}\n"
        "markdown: kramdown\nplugins:\n  - jekyll-feed\n",
        encoding="utf-8",
    )
    return root


_OURS = re.compile(r"https://owner\.github\.io[^\s\"'<>&]*")


def our_urls(out: Path) -> list[str]:
    """Every URL of the site's own host in every output file."""
    return [
        url
        for rel, data in tree(out).items()
        if rel != writer.MANIFEST
        for url in _OURS.findall(data.decode("utf-8"))
    ]


@pytest.mark.parametrize("flags", [(), ("--site-url", "https://owner.github.io/teahouse")])
def test_a_repository_root_is_read_as_jekyll_reads_it(
    corpus: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    """All 6,040 posts of _posts/ and archived/ are read and nothing else; every URL of
    the site starts with its base exactly once, from _config.yml or from the Pages
    URL given as --site-url (which replaces url and baseurl: no /teahouse/teahouse/)."""
    root = repository(corpus, tmp_path / "teahouse", "/teahouse")
    out = tmp_path / "public"
    report = tmp_path / "report.json"
    code, stdout, stderr = run_in(
        root, "build", "--out", str(out), "--report", str(report), "--quiet", *flags
    )
    assert code == 0, stderr
    assert stdout.startswith("Done: read 6040 posts"), stdout
    problems = json.loads(report.read_bytes())["problems"]
    files = [p["path"] for p in problems if p["scope"] in ("post", "file")]
    assert files and all(re.match(r"(_posts|archived)/", path) for path in files), files
    urls = our_urls(out)
    assert len(urls) > 2000
    assert all(url.startswith("https://owner.github.io/teahouse/") for url in urls)
    assert not [url for url in urls if "/teahouse/teahouse" in url]
    atom = (out / "feed.xml").read_text("utf-8")
    self_link = 'rel="self" type="application/atom+xml" href="https://owner.github.io/teahouse/'
    assert f"<link {self_link}feed.xml" in atom
    # check counts the post files of each top folder
    code, stdout, _ = run_in(root, "check")
    assert code == 0
    assert "Found 6040 post files: _posts 210, archived 5830." in stdout


def test_a_posts_folder_given_itself_is_read_whole(tmp_path: Path) -> None:
    """And a warning says what beside it is not read: a site built from the
    repository, then from `_posts` alone, loses the archive's entries."""
    shutil.copytree(POSTS, tmp_path / "site")
    code, stdout, stderr = run_in(
        tmp_path / "site", "build", "_posts", "--out", str(tmp_path / "a")
    )
    assert code == 0
    assert stdout.startswith("Done: read 12 posts"), stdout  # not the one in archived/
    assert (
        "_posts: FP009 posts-beside: only _posts is read: the posts in archived/ are not" in stderr
    )
    code, stdout, stderr = run_in(tmp_path / "site", "build", "--out", str(tmp_path / "b"))
    assert stdout.startswith("Done: read 13 posts"), stdout
    assert "FP009" not in stderr
    code, _, stderr = run_in(tmp_path / "site", "check", "_posts")
    assert code == 0 and "FP009 posts-beside" in stderr
    for name in (tmp_path / "site" / "archived").rglob("*.md"):  # a folder with no post
        name.unlink()
    code, _, stderr = run_in(tmp_path / "site", "check", "_posts")
    assert code == 0 and "FP009" not in stderr


def write_post(folder: Path, name: str, tags: str = "", body: str = "<p>x</p>") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2021-05-{len(list(folder.iterdir())) + 1:02d}-{name}.md"
    day = path.name[:10]
    path.write_text(
        f"---\ntitle: {name}\ndate: {day}T08:00:00Z\nauthor: Ann\n"
        f"from: https://news.example.com/{name}\ntags: [ {tags} ]\ncategories: [ Wire ]\n"
        f"---\n{body}\n",
        encoding="utf-8",
    )
    return path


def write_titled(root: Path, files: dict[str, str]) -> None:
    """A post for each of `files` (path: title), dated 2021-05-0N, N its place."""
    body = "---\ntitle: {0}\ndate: 2021-05-0{1}\n---\n<p>{0}</p>\n"
    for n, (rel, title) in enumerate(files.items(), 1):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body.format(title, n % 9 or 1), "utf-8")


def test_a_file_of_posts_named_without_a_date_is_not_published(tmp_path: Path) -> None:
    """Jekyll publishes a file of `_posts/` only if its name starts with a date: an
    entry of `_posts/hello.md` (dated in its front matter) would link to a page that
    does not exist. Skipped with a warning (FP010), in a `_posts/` at any depth and
    when `_posts` itself is built; `archived/` keeps any name, as before. A README is
    a folder's notes: skipped without a word, as Jekyll does (a user trial)."""
    files = {
        "_posts/hello.md": "Hello",
        "_posts/README.md": "Readme",
        "news/_posts/2021/notes.markdown": "Notes",
        "_posts/2021-5-2-short.md": "Short",
        "news/_posts/2021/2021-05-03-deep.md": "Deep",
        "archived/2021-05-04/any-name.md": "Any",
    }
    write_titled(tmp_path, files)
    site = ("--site-url", "https://example.org")
    code, stdout, stderr = run_in(tmp_path, "build", *site)
    assert code == 0, stderr
    assert stdout.startswith("Done: read 3 posts (3 entries)"), stdout
    flagged = sorted(line.partition(":")[0] for line in stderr.splitlines() if ": FP010" in line)
    assert flagged == ["_posts/hello.md", "news/_posts/2021/notes.markdown"]
    assert (
        "_posts/hello.md:1: FP010 name-not-dated: Jekyll publishes a file of `_posts/` only if"
        " its name starts with a date (YYYY-MM-DD-), so this one's link would lead nowhere;"
        " skipped. Name the file YYYY-MM-DD-title.md to publish it, or move it out of"
        " `_posts/`." in stderr
    )
    feed = (tmp_path / "public" / "feed.xml").read_text("utf-8")
    assert [t for t in re.findall(r"<title>([^<]*)</title>", feed)[1:]] == ["Any", "Deep", "Short"]
    code, _, stderr = run_in(tmp_path / "_posts", "check", ".")
    assert code == 0 and stderr.count(": FP010") == 1, stderr


def test_what_the_jekyll_config_excludes_is_not_published(tmp_path: Path) -> None:
    """Jekyll reads no file its `exclude:` names (a path's start, or a pattern whose `*`
    crosses folders; `include:` takes a pattern back), so publishes no page for it: no
    entry either (a user trial: `exclude: [archived]` was ignored without a word),
    from the repository and from `_posts` built alone. An `exclude:` that is no list
    is not used, and said so."""
    files = {
        "_posts/2021-05-01-kept.md": "Kept",
        "_posts/2021-05-02-plan-draft.md": "Draft",
        "_posts/2021-05-03-old.md": "Old",
        "archived/2021-05-04/a.md": "Archived",
        "news/_posts/2021-05-05-news.md": "News",
        "_posts/drafts/2021-05-06-d.md": "D",
    }
    write_titled(tmp_path, files)
    config = "title: S\nurl: https://example.org\nexclude:\n{}include: [news]\n"
    patterns = ["archived", "/*-draft.md", "_posts/2021-05-03", "news", "Gemfile"]
    (tmp_path / "_config.yml").write_text(
        config.format("".join(f"  - {p}\n" for p in patterns)), "utf-8"
    )

    def titles(out: Path) -> list[str]:
        return sorted(i["title"] for i in json.loads((out / "feed.json").read_text())["items"])

    code, _, stderr = run_in(tmp_path, "build", "--out", "a")
    assert code == 0, stderr
    assert titles(tmp_path / "a") == ["D", "Kept", "News"]
    code, _, stderr = run_in(tmp_path, "build", "_posts", "--out", "b")
    assert code == 0, stderr
    assert titles(tmp_path / "b") == ["D", "Kept"]
    assert "FP009" not in stderr  # archived/ is not published, built from the site either
    (tmp_path / "_config.yml").write_text(config.format("  - archived/*\n"), "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "_posts", "--out", "b")  # each of its files
    assert code == 0 and "FP009" not in stderr, stderr
    (tmp_path / "_config.yml").write_text(config.format("  - archived/*.html\n"), "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "_posts", "--out", "b")  # not its .md files
    assert code == 0 and "FP009 posts-beside" in stderr, stderr
    (tmp_path / "_config.yml").write_text(
        config.format("".join(f"  - {p}\n" for p in patterns)), "utf-8"
    )
    # In `_posts/` Jekyll looks at each file: a pattern of a folder there takes none of
    # them; `include:` takes back a file by its name (the code review)
    (tmp_path / "_config.yml").write_text(
        config.format("  - '*/drafts'\n  - '*.md'\n").replace("[news]", "[2021-05-01-kept.md]"),
        "utf-8",
    )
    code, _, stderr = run_in(tmp_path, "build", "--out", "c")
    assert code == 0, stderr
    assert titles(tmp_path / "c") == ["Kept"]
    (tmp_path / "_config.yml").write_text(config.format("  - '*/drafts'\n"), "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--out", "c")
    assert code == 0 and len(titles(tmp_path / "c")) == 6, stderr
    # in `_posts/`, an `include:` pattern is of the path there (a second user trial)
    (tmp_path / "_config.yml").write_text(
        config.format("  - _posts/drafts/\n  - '*kept*'\n").replace(
            "[news]", "[drafts/*, _posts/2021-05-01-kept.md]"
        ),
        "utf-8",
    )
    code, _, stderr = run_in(tmp_path, "build", "--out", "c")
    assert code == 0 and titles(tmp_path / "c") == sorted(set(files.values()) - {"Kept"}), stderr
    (tmp_path / "_config.yml").write_text(
        "title: S\nurl: https://example.org\nexclude: x\ninclude: y\n", "utf-8"
    )
    code, _, stderr = run_in(tmp_path, "build", "--out", "a")
    assert code == 0 and len(titles(tmp_path / "a")) == 6, stderr
    assert "_config.yml:3: FP603 jekyll-setting-unused: exclude: not a list of paths" in stderr
    assert "_config.yml:4: FP603 jekyll-setting-unused: include: not a list of paths" in stderr
    # "/" is the site's folder, as Jekyll joins it to the site's path: all of it (a
    # post of news/_posts/ too: Jekyll filters its files by their own names)
    (tmp_path / "_config.yml").write_text(config.format("  - /\n"), "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--out", "d")
    assert "FP008 no-posts" in stderr and "with `include` and `exclude` as set" in stderr


def test_the_folders_above_a_posts_folder_are_categories(tmp_path: Path) -> None:
    """As Jekyll's categories from the path (`jekyll build` 4.3.1 + jekyll-feed): a
    post in `blog/_posts/` is in the category `blog`, and so in its source feed; one in
    `en/news/_posts/` in `en` and `news` (listed in its entry as jekyll-feed lists it,
    though `news`, generic, names no source feed); a folder inside `_posts/` is no
    category. The post's own categories come first (the first names its source)."""
    post = "---\ntitle: {0}\ndate: 2021-05-0{1}T08:00:00Z\n{2}---\n<p>{0}</p>\n"
    files = {
        "blog/_posts/2021-05-01-a.md": ("A", ""),
        "blog/_posts/2021-05-02-b.md": ("B", "categories: [Wire]\n"),
        "en/news/_posts/2021-05-03-c.md": ("C", ""),
        "_posts/2017/2021-05-04-d.md": ("D", ""),
        "c\x07tl/_posts/2021-05-05-e.md": ("E", ""),  # no FP201: no YAML put it there
    }
    for n, (rel, (title, extra)) in enumerate(files.items(), 1):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(post.format(title, n, extra), "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 0 and "FP201" not in stderr, stderr
    items = json.loads((tmp_path / "public" / "feed.json").read_text("utf-8"))["items"]
    tags = {i["title"]: i.get("tags", []) for i in items}
    expected = {"A": ["blog"], "B": ["Wire", "blog"], "C": ["en", "news"], "D": [], "E": ["ctl"]}
    assert tags == expected
    blog = (tmp_path / "public" / "sources" / "blog" / "feed.xml").read_text("utf-8")
    assert re.findall(r"<entry><id>[^<]*</id><title>([^<]*)<", blog) == ["B", "A"]
    assert sorted(p.name for p in (tmp_path / "public" / "sources").iterdir()) == [
        "blog",
        "ctl",
        "en",
        "wire",
    ]


def test_a_build_made_inside_the_posts_is_not_read_as_posts(tmp_path: Path) -> None:
    """`cd archived/2020-01-26 && feedpub build` writes public/ (pages and all) there;
    a build from the root then reads no file of it as a post: a folder whose
    manifest says feedpub built it is skipped, as Jekyll's `_site/` is."""
    day = tmp_path / "archived" / "2021-05-01"
    day.mkdir(parents=True)
    (day / "note.md").write_text("---\ntitle: Note\ndate: 2021-05-01\n---\n<p>n</p>\n", "utf-8")
    site = ("--site-url", "https://example.org")
    assert run_in(day, "build", *site)[0] == 0 and (day / "public" / "feed.html").exists()
    code, stdout, stderr = run_in(tmp_path, "build", *site)
    assert code == 0, stderr
    assert "read 1 post (1 entry)" in stdout + stderr and "public/" not in stderr
    shutil.rmtree(day / "public")
    assert run_in(tmp_path, "build", *site, "--out", "other")[0] == 0
    assert tree(tmp_path / "public") == tree(tmp_path / "other")


def _body(feed: Path) -> bytes:
    """A feed's bytes after its XML declaration and stylesheet (a copy's own path)."""
    return feed.read_bytes().split(b"\n", 2)[2]


def test_jekyll_feeds_own_path_keeps_its_subscribers(tmp_path: Path) -> None:
    """A site that moved its feed (`feed: {path: /blog/atom.xml}`, jekyll-feed's, as
    Octopress blogs had /atom.xml) has its subscribers there: the site's Atom feed is
    written there too, kept up to date, and goes with the setting."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    post = "---\ntitle: Note {n}\ndate: 2021-05-0{n}T08:00:00Z\n---\nText.\n"
    (posts / "2021-05-01-a.md").write_text(post.format(n=1), "utf-8")
    config = tmp_path / "_config.yml"
    config.write_text("title: T\nurl: https://e.org\nfeed:\n  path: /blog/atom.xml\n", "utf-8")
    out = tmp_path / "public"
    assert run_in(tmp_path, "build")[0] == 0
    assert _body(out / "blog/atom.xml") == _body(out / "feed.xml")
    (posts / "2021-05-02-b.md").write_text(post.format(n=2), "utf-8")
    assert run_in(tmp_path, "build")[0] == 0
    assert b"Note 2" in (out / "blog/atom.xml").read_bytes()
    assert (
        b'<?xml-stylesheet type="text/xsl" href="../feed.xsl"?>'
        in (out / "blog/atom.xml").read_bytes()
    )
    assert _body(out / "blog/atom.xml") == _body(out / "feed.xml")
    for taken in ("rss.xml", "feed.xml", "archive", "tags/y"):  # feedpub's, or a later feed's
        config.write_text(f"title: T\nurl: https://e.org\nfeed:\n  path: {taken}\n", "utf-8")
        before = tree(out)
        code, _, stderr = run_in(tmp_path, "build", "--no-cache")
        assert code == 0
        said = {  # (a user trial's went without a word; feed.xml is the very file)
            "rss.xml": "feed.path: /rss.xml is a file of feedpub's own: no copy is written",
            "archive": "feed.path: /archive is the name of feedpub's folder archive/, for its",
            "tags/y": "feed.path: /tags/y is in feedpub's folder tags/, for its own feeds: no",
        }
        assert (taken in said) is ("FP603" in stderr), stderr
        assert (
            taken not in said
            or f"_config.yml:4: FP603 jekyll-setting-unused: {said[taken]}" in stderr
        )
        gone = {"blog/atom.xml", writer.MANIFEST}
        assert {k: v for k, v in tree(out).items() if k not in gone} == {
            k: v for k, v in before.items() if k not in gone
        }
        assert not (out / "blog").exists()
    # a posts folder's name: the output would hold a posts folder, which every later
    # build refused (a user trial)
    wrong_paths = ("../atom.xml", '"."', ".feedpub-manifest.json", "blog/", "/_posts/atom.xml")
    for wrong in (*wrong_paths, "archived/2020/atom.xml"):
        config.write_text(f"title: T\nurl: https://e.org\nfeed:\n  path: {wrong}\n", "utf-8")
        code, _, stderr = run_in(tmp_path, "build")  # Jekyll's config: a warning, FP603
        assert (
            code == 0 and "_config.yml:4: FP603 jekyll-setting-unused: feed.path: must " in stderr
        )
        assert not any((out / name).exists() for name in ("blog", "_posts", "archived"))
        assert run_in(tmp_path, "build")[0] == 0  # (not refused: "must not hold a posts folder")
    # where it was set (the review): feedpub.toml's `feed_path`, beside a `feed:` table
    (tmp_path / "feedpub.toml").write_text('title = "T"\nfeed_path = "rss.xml"\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert "feedpub.toml:2: FP603 jekyll-setting-unused: feed_path: /rss.xml is a file" in stderr
    (tmp_path / "feedpub.toml").unlink()
    # a tag's copy is its path and name joined: `tags` + `x.xml` is no folder of feedpub's
    config.write_text("title: T\nurl: https://e.org\nfeed:\n  tags:\n    path: tags\n", "utf-8")
    assert "FP603" not in run_in(tmp_path, "build")[2]
    site = "title: T\nurl: https://e.org\nfeed:\n  path: https://e.org/atom.xml\n"
    config.write_text(site, "utf-8")  # made-mistakes.com writes the URL
    assert run_in(tmp_path, "build")[0] == 0 and (out / "atom.xml").is_file()
    (tmp_path / "feedpub.toml").write_text('feed_path = ""\n', "utf-8")  # the README's: none
    assert run_in(tmp_path, "build")[0] == 0 and not (out / "atom.xml").exists()


def test_jekyll_feeds_category_and_tag_feeds_keep_their_subscribers(tmp_path: Path) -> None:
    """jekyll-feed's `feed.categories` (/feed/NAME.xml) and `feed.tags`
    (/feed/by_tag/NAME.xml, tags of letters, digits and `_` only, `except` left out):
    each a copy of feedpub's feed of the same posts, entries as `jekyll build` with
    jekyll-feed 0.17 lists them; kept current by a warm build, gone with the setting.
    A category with no source feed (`news`, generic) is said, not written."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    post = (
        "---\ntitle: P{n}\ndate: 2021-01-0{n}T10:00:00Z\ncategories: [{c}]\ntags: [{t}]\n---\nx\n"
    )
    for n in range(1, 5):
        (posts / f"2021-01-0{n}-p{n}.md").write_text(
            post.format(n=n, c="updates", t="python, skip_me, c++, Web_Dev"), "utf-8"
        )
    (posts / "2021-01-05-n.md").write_text(post.format(n=5, c="news, Dev Notes", t="python"))
    config = tmp_path / "_config.yml"
    config.write_text(
        "title: T\nurl: https://e.org\nfeed:\n  categories: [news, updates, Dev Notes, Update]\n"
        "  tags:\n    except: [skip_me]\n",
        "utf-8",
    )
    out = tmp_path / "public"
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0, stderr
    assert (
        "_config.yml:4: FP603 jekyll-setting-unused: feed.categories: 'news' is a generic"
        " category (`generic_categories`), not a source's name, so /feed/news.xml is not"
        " written." in stderr
    )
    assert (
        "_config.yml:4: FP603 jekyll-setting-unused: feed.categories: no post has the category"
        " 'Update' (did you mean 'updates'?), so /feed/Update.xml is not written. Mend or"
        " remove it in the file named" in stderr
    )
    copies = sorted(str(p.relative_to(out)) for p in (out / "feed").rglob("*.xml"))
    assert copies == [
        "feed/Dev Notes.xml",
        "feed/by_tag/Web_Dev.xml",
        "feed/by_tag/python.xml",
        "feed/updates.xml",
    ]

    def titles(rel: str) -> list[str]:
        return re.findall(r"<entry><id>[^<]*</id><title>([^<]*)<", (out / rel).read_text("utf-8"))

    assert titles("feed/updates.xml") == ["P4", "P3", "P2", "P1"]
    assert titles("feed/Dev Notes.xml") == ["P5"]
    assert titles("feed/by_tag/python.xml") == ["P5", "P4", "P3", "P2", "P1"]
    assert _body(out / "feed/updates.xml") == _body(out / "sources/updates/feed.xml")
    (posts / "2021-01-06-p6.md").write_text(post.format(n=6, c="updates", t="Web_Dev"), "utf-8")
    assert run_in(tmp_path, "build")[0] == 0
    assert titles("feed/updates.xml")[0] == "P6" and titles("feed/by_tag/Web_Dev.xml")[0] == "P6"
    config.write_text("title: T\nurl: https://e.org\nfeed:\n  tags: {only: [python]}\n")
    assert run_in(tmp_path, "build")[0] == 0
    assert sorted(p.name for p in (out / "feed").rglob("*.xml")) == ["python.xml"]
    # Where each copy's stylesheet is (the site feed's is feed.xsl beside it), and
    # what jekyll-feed does with a path of nothing, of `/`, and with `tags: yes`.
    for tags, copy in (("{path: ~}", "feed/by_tag/python.xml"), ("{path: /}", "python.xml")):
        config.write_text(f"title: T\nurl: https://e.org\nfeed:\n  tags: {tags}\n")
        assert run_in(tmp_path, "build")[0] == 0
        assert b'href="../../feed.xsl"' in (out / "tags/python/feed.xml").read_bytes()
        assert (
            b'<?xml-stylesheet type="text/xsl" href="%s"?>'
            % (b"../" * copy.count("/") + b"feed.xsl")
            in (out / copy).read_bytes()
        )
    config.write_text("title: T\nurl: https://e.org\nfeed:\n  tags: yes\n  path: 5\n")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0 and (out / "feed/by_tag/Web_Dev.xml").is_file()
    assert "FP603 jekyll-setting-unused: feed.path: must be the path of a file" in stderr


def test_jekyll_feeds_other_settings_and_typos_are_said(tmp_path: Path) -> None:
    """A typo in `feed:` was silent, and the copy its key asked for gone without a word:
    each key jekyll-feed does not read is said, with the key it may mean, and each it
    reads that feedpub does not (`excerpt_only`). `posts_limit` is feedpub's `limit`."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in range(1, 5):
        text = f"---\ntitle: P{n}\ndate: 2021-01-0{n}T10:00:00Z\ntags: [py]\n---\nx\n"
        (posts / f"2021-01-0{n}-p{n}.md").write_text(text, "utf-8")
    config = tmp_path / "_config.yml"
    config.write_text(
        "title: T\nurl: https://e.org\nfeed:\n  pth: atom.xml\n  posts_limit: 2\n"
        "  excerpt_only: true\n  disable_in_development: true\n  tags: {exept: [x]}\n",
        "utf-8",
    )
    code, _, stderr = run_in(tmp_path, "build")
    said = sorted(
        ln.split(" jekyll-setting-unused: ")[1].split(". Mend")[0]
        + ln.split(": FP603")[0].removeprefix("_config.yml")
        for ln in stderr.splitlines()
        if ": FP603" in ln
    )
    assert code == 0 and said == [  # each at its own line
        "feed.excerpt_only: jekyll-feed's, not feedpub's: its entries carry their content"
        " (past feed_bytes, a summary):6",
        "feed.pth: not a setting of jekyll-feed's (did you mean 'path'?): not used:4",
        "feed.tags.exept: not a setting of jekyll-feed's (did you mean 'except'?): not used:8",
    ]
    feed = json.loads((tmp_path / "public/feed.json").read_text("utf-8"))
    assert [item["title"] for item in feed["items"]] == ["P4", "P3"]
    config.write_text("title: T\nurl: https://e.org\nfeed: atom.xml\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0 and (
        '_config.yml:3: FP603 jekyll-setting-unused: feed: "atom.xml", not a table (path:,'
        " categories:, tags:): not used." in stderr
    )


def test_site_url_replaces_a_wrong_url_of_the_config(tmp_path: Path) -> None:
    """`--site-url` replaces `url` and `baseurl`: a wrong one in `_config.yml` (Jekyll's,
    which takes anything) stopped the action's build all the same."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    text = "---\ntitle: P\ndate: 2021-01-01T10:00:00Z\n---\nx\n"
    (posts / "2021-01-01-p.md").write_text(text, "utf-8")
    (tmp_path / "_config.yml").write_text("title: T\nurl: e.org\nbaseurl: 5\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 2 and "_config.yml:2: url: must be an absolute http(s) URL" in stderr
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org/blog/")
    assert code == 0, stderr
    feed = json.loads((tmp_path / "public/feed.json").read_text("utf-8"))
    assert feed["feed_url"] == "https://e.org/blog/feed.json"


def test_jekyll_feeds_copies_of_hostile_names_stay_in_their_folder(tmp_path: Path) -> None:
    """A category's path is cleaned as Jekyll cleans a URL (`a/../../robots` is
    feed/a/robots.xml, not robots.xml over the site's); one that makes no file
    name (300 bytes, hidden, in a folder `_posts`: the output would hold a posts
    folder, which the next build without a manifest refused) is a warning, not a
    build that stops."""
    (tmp_path / "_posts").mkdir()
    long = "x" * 300
    for n, cat in enumerate(("a/../../robots", long, ".hidden", "_posts/x"), 1):
        (tmp_path / "_posts" / f"2021-01-0{n}-p.md").write_text(
            f"---\ntitle: P{n}\ndate: 2021-01-0{n}T10:00:00Z\ncategories: [{cat!r}]\n---\n"
        )
    (tmp_path / "_config.yml").write_text(
        f"url: https://e.org\nfeed:\n  categories: ['a/../../robots', {long}, .hidden, _posts/x]\n"
    )
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0, stderr
    out = tmp_path / "public"
    assert sorted(str(p.relative_to(out)) for p in (out / "feed").rglob("*")) == [
        "feed/a",
        "feed/a/robots.xml",
    ]
    assert not (out / "robots.xml").exists()
    assert stderr.count("makes no file name (hidden, over 200 bytes, or in a folder named") == 3


def test_a_jekyll_setting_feedpub_cannot_use_is_a_warning(tmp_path: Path) -> None:
    """The message audit: `author: [Ann, Bob]` made the authors' feeds vanish and
    `lang: english` was ignored, without a word (feedpub.toml's own are mistakes,
    exit 2; a Jekyll config is the site's, which Jekyll builds). FP603 says so, and
    goes once the setting is mended, in a warm build too."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-05-01-a.md").write_text("---\ntitle: A\ndate: 2021-05-01\n---\nHi.\n")
    config = tmp_path / "_config.yml"
    config.write_text("title: T\nurl: https://e.org\nauthor: [Ann, Bob]\nlang: english\n")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0
    assert [ln.split(". Mend")[0] for ln in stderr.splitlines() if "FP603" in ln][:2] == [
        "_config.yml:3: FP603 jekyll-setting-unused: author: a list, not a name: not used",
        '_config.yml:4: FP603 jekyll-setting-unused: lang: "english", not a language tag'
        " like `en` or `zh-Hans`: not used",
    ]
    assert run_in(tmp_path, "build", "--strict")[0] == 1
    (tmp_path / "feedpub.toml").write_text('lang = "en"\n')  # the hint's other way
    code, _, stderr = run_in(tmp_path, "build")
    assert "author: a list" in stderr and "lang:" not in stderr
    config.write_text("title: T\nurl: https://e.org\nauthor: Ann\nlang: en\n")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0 and "FP603" not in stderr


def test_a_lang_bomb_in_the_jekyll_config_is_named_not_printed(tmp_path: Path) -> None:
    """The hostile-input review: `lang:` was made text whole to see if it was blank, so
    an alias bomb there took 4 GB (9 levels of 9) and 990 nested lists a RecursionError
    ("a bug"). What is no language tag is a warning, as any other value."""
    write_post(tmp_path / "_posts", "a")
    config = tmp_path / "_config.yml"
    config.write_text("url: https://e.org\nlang: " + "[" * 990 + "]" * 990 + "\n")
    code, _, stderr = run_in(tmp_path, "check")
    assert code == 0, stderr
    assert "_config.yml:2: FP603 jekyll-setting-unused: lang: a list, not a language" in stderr
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefg", "bcdefgh", strict=True)
    ]
    config.write_text("url: https://e.org\n" + "\n".join(levels) + "\nlang: [[*h]]\n")
    code, _, stderr = run_in(tmp_path, "check")  # (43 million strings, were it printed)
    assert code == 0 and "lang: a list, not a language" in stderr


def test_no_site_url_is_a_warning_and_strict_fails(tmp_path: Path) -> None:
    write_post(tmp_path / "_posts", "a")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0
    assert (
        ".: FP601 no-site-url: no site URL (no _config.yml or feedpub.toml in .): ids and"
        " links use http://localhost:4000/" in stderr
    )  # (not a _config.yml that is not there: a user trial)
    (tmp_path / "_config.yml").write_text("title: T\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0 and "_config.yml: FP601 no-site-url: no site URL: ids" in stderr
    (tmp_path / "conf").mkdir()  # the config given is where `url` goes (the code review)
    (tmp_path / "conf" / "site.toml").write_text("limit = 5\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--config", "conf/site.toml", "--out", "c")
    assert code == 0 and "conf/site.toml: FP601 no-site-url: no site URL: ids" in stderr
    code, _, stderr = run_in(tmp_path, "build", "--strict", "--out", "strict")
    assert code == 1
    assert "FP601 no-site-url" in stderr and "--strict: 1 problem(s), errors or warnings" in stderr
    assert not (tmp_path / "strict").exists()


def test_a_url_that_ends_with_the_baseurl_is_a_warning(tmp_path: Path) -> None:
    """`url: https://u.github.io/society/` with `baseurl: /society` puts the site at
    /society/society/, as Jekyll joins them: every id then carries it for good, so the
    build says so (a news-archive owner's trial), at the line that sets `url`."""
    write_post(tmp_path / "_posts", "a")
    config = "title: T\nurl: https://u.github.io/society/\nbaseurl: /society\n"
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0
    assert (
        "_config.yml:2: FP604 baseurl-twice: url https://u.github.io/society/ already ends"
        " with baseurl /society: the site is at https://u.github.io/society/society/"
    ) in stderr
    (tmp_path / "feedpub.toml").write_text('url = "https://u.github.io"\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--out", "fixed")
    assert code == 0 and "FP604" not in stderr
    other = tmp_path / "other.toml"  # the file --config names, not the one it replaces
    other.write_text('title = "T"\n\nurl = "https://u.github.io/society"\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--config", "other.toml", "--out", "other")
    assert (
        code == 0 and "other.toml:3: FP604 baseurl-twice: url https://u.github.io/society" in stderr
    )


def test_a_build_a_folder_too_high_stops_and_names_the_site_inside(tmp_path: Path) -> None:
    """Run above the repository, feedpub would read its posts as the folder's, in a
    category of the repository's name (Jekyll's `en/news/_posts/`), without its
    config: the build stops, writing nothing, and names the site inside (two
    news-archive owners' trials: it built the wrong feeds and exited 0); a check fails."""
    repo = tmp_path / "repo"
    write_post(repo / "_posts", "a")
    (repo / "_config.yml").write_text("title: T\nurl: https://u.github.io\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 1 and not (tmp_path / "public").exists()
    assert stderr.splitlines()[0] == (
        "repo/_config.yml: FP605 site-inside: repo/ is a Jekyll site of its own, and this"
        " folder is none (no _config.yml, no feedpub.toml): its posts would be published as"
        " this folder's, without its settings; `feedpub build repo` builds it. To publish"
        " this folder as it is instead, give it a feedpub.toml."
    )
    assert stderr.splitlines()[-1] == (
        "Error: . holds a Jekyll site and is none itself; nothing was written"
    )
    code, out, stderr = run_in(tmp_path, "check", "--quiet")
    assert code == 1 and "1 error" in out + stderr
    code, _, stderr = run_in(tmp_path, "build", "repo", "--out", "fine")
    assert code == 0 and "FP605" not in stderr
    # A feedpub.toml, here or given with --config, says how to read the folder (an
    # archive of several sites, or one excluded): it builds (the reviews).
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "feedpub.toml").write_text('exclude = ["repo/"]\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--config", "elsewhere/feedpub.toml")
    assert code == 0 and "FP605" not in stderr
    code, out, stderr = run_in(tmp_path, "check", "--config", "elsewhere/feedpub.toml")
    assert "FP605" not in out + stderr
    (tmp_path / "feedpub.toml").write_text('exclude = ["repo/"]\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--out", "configured")
    assert code == 0 and "FP605" not in stderr


def test_a_folder_with_posts_of_its_own_or_a_link_to_a_site_is_built(tmp_path: Path) -> None:
    """FP605 is for a folder that is no site: one with posts of its own (a Jekyll site
    needs no _config.yml) builds, with a site in `docs/` beside them; a link to a
    site is not followed by the scan, nor taken for a site inside (the review)."""
    site = tmp_path / "site"
    write_post(site / "docs" / "_posts", "a")
    (site / "docs" / "_config.yml").write_text("title: D\n", "utf-8")
    write_post(site / "_posts", "b")
    code, _, stderr = run_in(site, "build")
    assert code == 0 and "FP605" not in stderr
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "repo").symlink_to(site / "docs", target_is_directory=True)
    code, _, stderr = run_in(linked, "build")
    assert "FP605" not in stderr


def test_settings_that_drop_feeds_drop_their_files_whatever_the_cache(tmp_path: Path) -> None:
    """The output folder is feedpub's own: what it wrote and no longer makes goes, even
    with --no-cache; what someone else put there stays."""
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    out = tmp_path / "public"
    assert run("build", str(site), "--out", str(out))[0] == 0
    assert (out / "authors").is_dir()
    (out / "CNAME").write_text("feeds.example.org\n")
    (out / "authors" / "mine.txt").write_text("mine\n")
    config = site / "feedpub.toml"
    config.write_text("author_feeds = false\n" + config.read_text("utf-8"), encoding="utf-8")
    assert run("build", str(site), "--out", str(out), "--no-cache")[0] == 0
    left = sorted(p.relative_to(out / "authors").as_posix() for p in (out / "authors").rglob("*"))
    assert left == ["mine.txt"]
    assert (out / "CNAME").read_text() == "feeds.example.org\n"
    assert "authors/" not in (out / "index.html").read_text("utf-8")
    manifest = json.loads((out / writer.MANIFEST).read_bytes())
    assert "CNAME" not in manifest["files"] and "index.html" in manifest["files"]
    # a lost cache, a deleted manifest: feedpub then knows of no file of its own
    (out / writer.MANIFEST).unlink()
    config.write_text(config.read_text("utf-8").replace("author_feeds = false\n", ""))
    assert run("build", str(site), "--out", str(out), "--no-cache")[0] == 0
    assert (out / "authors" / "mine.txt").exists() and (out / "CNAME").exists()


def test_a_file_of_the_users_that_a_build_replaces_is_said(tmp_path: Path) -> None:
    """The robustness review: a hand-written `index.html` and another tool's `feed.xml`
    in the output folder were replaced without a word. A build into a folder without
    a manifest says which it replaced (FP506), once; what it does not write stays."""
    out = tmp_path / "public"
    out.mkdir()
    for name, text in [("index.html", "<h1>mine</h1>"), ("feed.xml", "<rss/>"), ("CNAME", "x")]:
        (out / name).write_text(text + "\n", "utf-8")
    code, _, stderr = run("build", str(POSTS), "--out", str(out), "--cache", str(tmp_path / "c"))
    assert code == 0
    said = sorted(ln.split(": FP506")[0] for ln in stderr.splitlines() if ": FP506 " in ln)
    assert said == [f"{out}/feed.xml", f"{out}/index.html"]
    assert (out / "CNAME").read_text("utf-8") == "x\n"
    code, _, stderr = run("build", str(POSTS), "--out", str(out), "--cache", str(tmp_path / "c"))
    assert code == 0 and "FP506" not in stderr  # (a build that wrote nothing: not again)
    # the folder made afresh, a page of the user's in it: the cache knows what the last
    # build wrote there, not that this is it (a user trial: not said by a warm build)
    shutil.rmtree(out)
    out.mkdir()
    (out / "index.html").write_text("<h1>mine</h1>\n", "utf-8")
    code, _, stderr = run("build", str(POSTS), "--out", str(out), "--cache", str(tmp_path / "c"))
    said = [ln.split(": FP506")[0] for ln in stderr.splitlines() if ": FP506 " in ln]
    assert code == 0 and said == [f"{out}/index.html"], stderr


def test_a_warm_build_into_a_folder_made_afresh_removes_no_file_of_the_users(
    tmp_path: Path,
) -> None:
    """The code review: the cache knew tags/old/ as the last build's; a page of the
    user's there, in an output folder made afresh (no manifest), was removed as a feed
    no post has any more. Kept, as a build without the cache keeps it."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    post = posts / "2021-05-01-a.md"
    post.write_text("---\ntitle: A\ntags: [old]\n---\n<p>a</p>\n", "utf-8")
    out, flags = tmp_path / "public", ("--site-url", "https://e.org", "--cache", "c")
    assert run_in(tmp_path, "build", *flags)[0] == 0 and (out / "tags" / "old").is_dir()
    post.write_text("---\ntitle: A\ntags: [new]\n---\n<p>a</p>\n", "utf-8")
    shutil.rmtree(out)
    (out / "tags" / "old").mkdir(parents=True)
    (out / "tags" / "old" / "index.html").write_text("<p>mine</p>\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build", *flags)
    assert code == 0 and (out / "tags" / "new" / "index.html").is_file(), stderr
    assert (out / "tags" / "old" / "index.html").read_text("utf-8") == "<p>mine</p>\n"


def test_an_unreadable_manifest_is_said_when_nothing_knows_what_is_feedpubs(
    tmp_path: Path,
) -> None:
    """The robustness review: a manifest a merge conflict broke was read as none, and
    the author feeds turned off stayed published for good, without a word (FP507).
    With the cache that knows what the last build wrote, they go as ever."""
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    config = site / "feedpub.toml"
    out, cache = tmp_path / "public", ("--cache", str(tmp_path / "c"))
    assert run("build", str(site), "--out", str(out), *cache)[0] == 0
    (out / writer.MANIFEST).write_text('{"files": 5', "utf-8")
    code, _, stderr = run("build", str(site), "--out", str(out), *cache)
    assert code == 0 and "FP507" not in stderr  # (the cache knows what is feedpub's)
    assert json.loads((out / writer.MANIFEST).read_bytes())["files"]  # (and wrote it again)
    (out / writer.MANIFEST).write_text('{"files": 5', "utf-8")
    config.write_text("author_feeds = false\n" + config.read_text("utf-8"), "utf-8")
    code, _, stderr = run("build", str(site), "--out", str(out), *cache)  # (a new cache)
    assert code == 0 and "FP507 manifest-unreadable" in stderr and (out / "authors").exists()
    code, _, stderr = run("build", str(site), "--out", str(out), "--no-cache")
    assert code == 0 and "FP507" not in stderr and "FP506" not in stderr


def test_a_feeds_path_stays_with_its_name(tmp_path: Path) -> None:
    """`BBC` arriving after `bbc` had tags/bbc/ gets another path; with or without cache."""
    posts = tmp_path / "site" / "_posts"
    write_post(posts, "one", "bbc")
    for n, flags in enumerate([(), ("--no-cache",)]):
        out = tmp_path / f"public{n}"
        args = ("build", str(posts.parent), "--out", str(out), "--site-url", "https://e.org")
        assert run(*args, *flags)[0] == 0
        added = write_post(posts, f"two{n}", "BBC")
        code, _, stderr = run(*args, *flags)
        assert code == 0
        bbc = (out / "tags" / "bbc" / "feed.xml").read_text("utf-8")
        assert "https://news.example.com/one" in bbc and f"example.com/two{n}" not in bbc
        other = [p for p in (out / "tags").iterdir() if p.name.startswith("bbc-")]
        assert (
            f"tags/bbc: FP501 path-collision: tags 'bbc', 'BBC' share the path 'bbc'; 'bbc'"
            f" keeps it, 'BBC' to 'tags/{other[0].name}'. Nothing if these paths suit the names"
            in stderr
        )
        assert len(other) == 1 and f"example.com/two{n}" in (other[0] / "feed.xml").read_text()
        added.unlink()


def test_nothing_readable_exits_1_and_leaves_the_output_alone(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    good = write_post(posts, "good")
    out = tmp_path / "public"
    assert run_in(tmp_path, "build", "--site-url", "https://e.org")[0] == 0
    before = tree(out)
    good.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 1
    assert "_posts/2021-05-01-good.md:2:8: FP101 yaml-invalid" in stderr
    assert stderr.endswith("Error: the one post file could not be read; nothing was written\n")
    assert tree(out) == before
    good.write_text("---\ntitle: no time\n---\n<p>x</p>\n", encoding="utf-8")
    good.rename(posts / "2021-00-00-undated.md")  # a name Jekyll reads, no date in it
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 1
    assert "no post of the 1 read has a usable time; nothing was written" in stderr
    assert tree(out) == before


def test_no_posts_at_all_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# nothing yet\n")
    code, stdout, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 0
    assert ".: FP008 no-posts: no post files found under ." in stderr
    assert stdout.startswith("Done: read 0 posts (0 entries)")
    code, stdout, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 0 and "wrote 0 of 7 files" in stdout  # an empty site, built again


@pytest.mark.parametrize("archives", [True, False])
def test_no_posts_leave_a_published_site_alone(tmp_path: Path, archives: bool) -> None:
    """A wrong folder or a failed checkout finds no post file: the site's feeds stay,
    with their archive documents or without (removed by hand)."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in range(1, 61):
        day = f"2021-05-{n % 28 + 1:02d}"
        text = f"---\ntitle: Hello {n}\ndate: {day}\n---\n<p>Post {n}, with a body.</p>\n"
        (posts / f"{day}-hello-{n}.md").write_text(text, encoding="utf-8")
    assert run_in(tmp_path, "build", "--site-url", "https://e.org")[0] == 0
    out = tmp_path / "public"
    if not archives:
        shutil.rmtree(out / "archive")
    assert (out / "archive").exists() is archives
    before = tree(out)
    shutil.rmtree(posts)
    code, stdout, stderr = run_in(tmp_path, "build", "--site-url", "https://e.org")
    assert code == 1 and stdout == ""
    assert ".: FP008 no-posts: no post files found under ." in stderr
    assert stderr.endswith(
        "Error: no post files found under .: the feeds in public were left as they are"
        " (delete public to publish an empty site)\n"
    )
    assert tree(out) == before


@pytest.mark.parametrize("cache", [True, False])
def test_ids_made_before_the_site_had_a_url_are_not_kept(tmp_path: Path, cache: bool) -> None:
    """A build before `url:` was set made ids on Jekyll's http://localhost:4000: no
    reader got them from the site, so the first build with a URL gives the site's ids
    (not 1,005 FP403 and localhost ids for good, as made-mistakes.com had)."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-05-01-note.md").write_text("---\ntitle: Note\n---\n<p>n</p>\n", "utf-8")
    flags = ("--cache", str(tmp_path / "cache")) if cache else ("--no-cache",)
    code, _, stderr = run_in(tmp_path, "build", *flags)
    assert code == 0 and "FP601" in stderr
    assert (
        "<id>http://localhost:4000/2021/05/01/note</id>"
        in (tmp_path / "public/feed.xml").read_text()
    )
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://blog.example", *flags)
    assert code == 0 and "FP403" not in stderr and "FP601" not in stderr
    atom = (tmp_path / "public/feed.xml").read_text()
    assert "localhost" not in atom and "<id>https://blog.example/2021/05/01/note</id>" in atom
    manifest = (tmp_path / "public/.feedpub-manifest.json").read_text()
    assert "localhost" not in manifest


@pytest.mark.parametrize(
    "preview",
    ["http://127.0.0.1:8000/", "http://[::1]:4000/", "http://192.168.1.5/", "http://blog.local/"],
)
def test_ids_of_a_preview_build_are_not_kept(tmp_path: Path, preview: str) -> None:
    """A preview built through the same cache (`--site-url http://127.0.0.1:8000/ --out
    /tmp/preview`) left its ids in the cache's memory, and the real site's first build
    into a fresh folder kept them, with FP403 (the trial's). No reader got them: the
    site's own ids are given. A move between public hosts still keeps its ids."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2025-03-01-hello.md").write_text("---\ntitle: Hello\n---\n<p>Hi</p>\n", "utf-8")
    (tmp_path / "_config.yml").write_text("title: B\nurl: https://real.example\n", "utf-8")
    code, _, _ = run_in(tmp_path, "build", "--site-url", preview, "--out", str(tmp_path / "pre"))
    assert code == 0
    code, _, stderr = run_in(tmp_path, "build", "--out", "public")
    assert code == 0 and "FP403" not in stderr, stderr
    atom = (tmp_path / "public/feed.xml").read_text("utf-8")
    assert "<id>https://real.example/2025/03/01/hello</id>" in atom
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://moved.example", "-o", "m")
    assert code == 0 and ": FP403 id-kept: " in stderr  # a public host's ids are readers'
    assert "<id>https://real.example/2025/03/01/hello</id>" in (tmp_path / "m/feed.xml").read_text()


@pytest.mark.parametrize("cache", [True, False])
def test_a_new_site_url_changes_no_published_id(tmp_path: Path, cache: bool) -> None:
    """Posts without `from:` take their id from the site URL; moving the site keeps
    the ids readers have (FP403), gives them their new links, and --strict fails."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n in range(7):
        (posts / f"2021-05-0{n + 1}-note-{n}.md").write_text(
            f"---\ntitle: Note {n}\ndate: 2021-05-0{n + 1}T08:00:00Z\n---\n<p>n</p>\n", "utf-8"
        )
    flags = ("--cache", str(tmp_path / "cache")) if cache else ("--no-cache",)
    out = tmp_path / "public"
    assert run_in(tmp_path, "build", "--site-url", "https://old.example", *flags)[0] == 0
    before = re.findall(r"<id>([^<]*)</id>", (out / "feed.xml").read_text("utf-8"))
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://new.example/x", *flags)
    assert code == 0
    assert stderr.count(": FP403 id-kept: ") == 5  # of one cause, the first five
    assert (
        "FP403 id-kept: its id would become https://new.example/x/2021/05/01/note-0 after" in stderr
    )
    assert "(2 more FP403 id-kept after a change of the site URL not listed: --verbose" in stderr
    atom = (out / "feed.xml").read_text("utf-8")
    assert re.findall(r"<id>([^<]*)</id>", atom)[1:] == before[1:]  # [0]: the feed's own
    assert 'href="https://new.example/x/2021/05/01/note-0.html"' in atom
    code, _, stderr = run_in(
        tmp_path, "build", "--site-url", "https://new.example/x", "--strict", *flags
    )
    assert code == 1 and "FP403" in stderr
    code, _, stderr = run_in(tmp_path, "build", "--site-url", "https://new.example", *flags)
    assert "/note-0 after a change of the site URL; kept https://old.example/" in stderr  # /x gone


def test_an_unsearchable_data_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hostile-input review: `chmod 000 _data` (as a user, not root) made asking
    whether `_data/authors.yml` is a file raise, "unexpected PermissionError (a bug)"."""
    write_post(tmp_path / "_posts", "a")
    (tmp_path / "_config.yml").write_text("url: https://e.org\n")
    (tmp_path / "_data").mkdir()
    real = Path.is_file

    def is_file(path: Path) -> bool:
        if path.parent.name == "_data":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "is_file", is_file)
    code, _, stderr = run_in(tmp_path, "check")
    assert code == 2
    assert stderr.endswith(
        "_data/authors.yml:1: cannot read the authors' data: Permission denied\n"
    )
