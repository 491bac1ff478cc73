"""permalinks.py: an entry without `from:` links where Jekyll publishes its post.

The expected URLs are what `jekyll build` (Jekyll 4.3.1, Debian's, TZ=UTC) made
of these files, read back from `{{ post.url }}`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run

from feedpub import checks, collector, config, normalizer, permalinks
from feedpub.model import RawPost

DAY = datetime(2021, 4, 10, 8, tzinfo=UTC)
SITE = "https://example.org/sub/"


@pytest.mark.parametrize(
    ("path", "categories", "own_slug", "url"),
    [
        (
            "_posts/2021-04-10-C++.md",
            ("Blog", "News Items"),
            "",
            "blog/news%20items/2021/04/10/C++.html",
        ),
        ("_posts/2021-04-10-c.md", (), "", "2021/04/10/c.html"),
        ("_posts/2021-04-10-Hello World!.md", (), "", "2021/04/10/Hello-World!.html"),
        (
            "_posts/2021-04-10-中文，标题（一）.md",
            ("新闻",),
            "",
            "%E6%96%B0%E9%97%BB/2021/04/10/%E4%B8%AD%E6%96%87-%E6%A0%87%E9%A2%98-%E4%B8%80.html",
        ),
        ("_posts/2021-04-10-a🎉b'(x)~$@=;,.md", (), "", "2021/04/10/a-b'(x)~$@=;,.html"),
        ("_posts/2021-04-10-a b%c#d.md", (), "", "2021/04/10/a-b-c-d.html"),
        (
            "news/_posts/2021-04-10-weekly-update.md",
            ("extra",),
            "",
            "news/extra/2021/04/10/weekly-update.html",
        ),
        (
            "_posts/2021-04-10-x.md",
            ("Two", "Words", "Single Cat"),
            "",
            "two/words/single%20cat/2021/04/10/x.html",
        ),
        ("_posts/2021-04-10-with-slug.md", (), "Custom Slug", "2021/04/10/Custom-Slug.html"),
        (
            "archived/2021-04-10/2021-04-10-x.md",
            ("news",),
            "",
            "archived/2021-04-10/2021-04-10-x.html",
        ),
    ],
)
def test_links_are_where_jekyll_publishes_the_post(
    path: str, categories: tuple[str, ...], own_slug: str, url: str
) -> None:
    assert permalinks.link_path(path, DAY, categories, "date", "", own_slug) == url


def test_styles_and_templates() -> None:
    post = "_posts/2021-04-10-My-Post.md"
    assert permalinks.link_path(post, DAY, ("a",), "pretty", "", "") == "a/2021/04/10/My-Post/"
    assert permalinks.link_path(post, DAY, ("a",), "none", "", "") == "a/My-Post.html"
    assert permalinks.link_path(post, DAY, (), "ordinal", "", "") == "2021/100/My-Post.html"
    own = "/custom/:year/:title/"  # the post's own `permalink:`
    assert permalinks.link_path(post, DAY, (), "date", own, "") == "custom/2021/My-Post/"
    assert checks.unknown_placeholders("/:year/:nope/:title") == ["nope"]


def raw(path: str, **values: object) -> RawPost:
    fields: dict[str, object] = dict(
        path=path, digest="d", body_digest=0, title="T", date=DAY, date_line=3, author="",
        url="", tags=(), categories=(), marker=None, link_text="", body_start=0, body_line=5,
        markdown=False, encoding="utf-8",
    )  # fmt: skip
    return RawPost(**(fields | values))  # type: ignore[arg-type]


def test_posts_whose_names_slug_alike_stay_two_stories() -> None:
    """`C++` and `c`, `Hello` and `hello`: two pages for Jekyll, two entries here
    (they were merged as copies of one story when their ids lower-cased the name)."""
    names = ["C++", "c", "Hello", "hello"]
    posts = [raw(f"_posts/2021-04-10-{n}.md", author=n) for n in names]
    result = normalizer.normalize(posts, config.Settings(url="https://example.org"))
    assert sorted(p.author for p in result.posts) == sorted(names)
    assert [p.code for p in result.problems if p.code == "FP401"] == []


def test_one_name_in_two_category_folders_is_two_stories() -> None:
    """`news/_posts/x.md` and `sport/_posts/x.md` are two pages for Jekyll; a copy
    of `_posts/x.md` kept in `archived/` is the same story (its id is the URL it
    would have as a post)."""
    settings = config.Settings(url="https://example.org")
    name = "2021-04-10-weekly-update.md"
    two = [raw(f"{f}/_posts/{name}", author=f) for f in ("news", "sport")]
    result = normalizer.normalize(two, settings)
    assert sorted(p.id for p in result.posts) == [  # jekyll-feed's: no `.html`
        "https://example.org/news/2021/04/10/weekly-update",
        "https://example.org/sport/2021/04/10/weekly-update",
    ]
    copies = [
        raw(f"_posts/{name}", categories=("A",)),
        raw(f"archived/2021-04-10/{name}", categories=("A",)),
    ]
    (story,) = normalizer.normalize(copies, settings).posts
    assert story.id == "https://example.org/a/2021/04/10/weekly-update"


def test_an_id_published_before_jekyll_slugs_is_kept_without_a_word() -> None:
    """A manifest's id from the lower-cased slug is the post's id still, and no
    FP403: the site did not move. Another kept id is FP403, as before."""
    post = raw("_posts/2021-04-10-Hello.md")
    settings = config.Settings(url="https://example.org")
    old = "https://example.org/2021/04/10/hello.html"
    result = normalizer.normalize([post], settings, {post.path: old})
    assert [p.id for p in result.posts] == [old] and not result.problems
    moved = "https://old.example/2021/04/10/hello.html"
    result = normalizer.normalize([post], settings, {post.path: moved})
    assert [p.id for p in result.posts] == [moved]
    assert [p.code for p in result.problems] == ["FP403"]


@pytest.mark.parametrize(
    ("style", "name", "slug", "url", "ident"),
    [
        ("date", "2021-04-10-hello.md", "", "2021/04/10/hello.html", "2021/04/10/hello"),
        ("pretty", "2021-04-10-hello.md", "", "2021/04/10/hello/", "2021/04/10/hello"),
        ("/:title/", "2021-04-10-hello.md", "", "hello/", "hello"),
        ("/:title", "2021-04-10-hello.md", "", "hello", "hello"),
        ("date", "2021-04-10-x.md", "Own Slug", "2021/04/10/Own-Slug.html", None),
        ("/:title-:day/", "2021-04-10-x.md", "", "x-10/", None),  # Jekyll's `/x`: any day's
    ],
)
def test_an_id_is_jekyll_feeds(
    style: str, name: str, slug: str, url: str, ident: str | None
) -> None:
    """jekyll-feed's `<id>` is Jekyll's `post.id` (the URL's folder and the post's slug):
    a blog moving to feedpub keeps its entries' ids, so its readers see none again.
    Where that id is not the URL less its `.html` or `/` (a slug Jekyll's URL cleans,
    a permalink that puts more after the title), it could be another post's too: the
    URL is the id then."""
    settings = config.Settings(url="https://example.org", permalink=style)
    (post,) = normalizer.normalize([raw(f"_posts/{name}", slug=slug)], settings).posts
    assert post.url == "https://example.org/" + url
    assert post.id == "https://example.org/" + (url if ident is None else ident)


def test_an_id_published_as_the_url_is_kept_without_a_word() -> None:
    """Before ids were jekyll-feed's, feedpub published the URL: a manifest that holds
    it keeps it (no reader sees the entry twice), and says nothing, as for any id of
    the post's own."""
    post = raw("_posts/2021-04-10-hello.md")
    settings = config.Settings(url="https://example.org")
    for old in ("https://example.org/2021/04/10/hello.html", "https://example.org/x.html"):
        result = normalizer.normalize([post], settings, {post.path: old})
        assert [p.id for p in result.posts] == [old]
        assert [p.code for p in result.problems] == ([] if "hello" in old else ["FP403"])


def test_the_sites_permalink_and_timezone_come_from_its_jekyll_config(tmp_path: Path) -> None:
    """`permalink: pretty` and `timezone:` in _config.yml, and a post's own `slug:`:
    02:00 UTC (as Jekyll reads a date without a zone) is the day before in New
    York, and the link has New York's date; the entry's time is the same instant."""
    (tmp_path / "_config.yml").write_text(
        "url: https://example.org\npermalink: pretty\ntimezone: America/New_York\n", "utf-8"
    )
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-04-16-late.md").write_text(
        "---\ntitle: Late\ndate: 2021-04-17 02:00:00\ncategories: [ Blog ]\nslug: Very Late\n"
        "---\n<p>x</p>\n",
        "utf-8",
    )
    out = tmp_path / "out"
    assert run("build", str(tmp_path), "--out", str(out), "--no-cache", "-q")[0] == 0
    (item,) = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert item["url"] == "https://example.org/blog/2021/04/16/Very-Late/"
    assert item["date_published"] == "2021-04-17T02:00:00Z"


def test_the_posts_collections_permalink_wins(tmp_path: Path) -> None:
    """Jekyll's own site publishes its posts at `collections.posts.permalink`
    (`/news/:year/...`), not at the site's `permalink`: a feed linking there led to
    missing pages. Checked against `jekyll build` 4.3.1."""
    config = (
        "url: https://example.org\npermalink: pretty\n"
        "collections:\n  posts:\n    permalink: /news/:year/:month/:day/:title/\n"
    )
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-04-16-release.md").write_text(
        "---\ntitle: Out\ndate: 2021-04-16 10:00:00\ncategories: [ release ]\n---\nx\n", "utf-8"
    )
    out = tmp_path / "out"
    assert run("build", str(tmp_path), "--out", str(out), "--no-cache", "-q")[0] == 0
    (item,) = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert item["url"] == "https://example.org/news/2021/04/16/release/"
    bad = config.replace("/news/:year/:month/:day/:title/", "/:nope/")
    (tmp_path / "_config.yml").write_text(bad, "utf-8")
    code, _, stderr = run("build", str(tmp_path), "--out", str(out))
    assert code == 2 and "_config.yml:5: collections.posts.permalink: unknown placeholder" in stderr


DEFAULTS = """url: https://example.org
defaults:
  - scope:
      path: ""
      type: posts
    values:
      permalink: /blog/:year/:title/
      author: Jane
  - scope:
      path: _posts/notes
    values:
      author: Nora
  - scope:
      type: pages
    values:
      author: Paul
  - scope:
      path: _posts/drafts
    values:
      published: false
"""


def test_jekylls_defaults_give_what_a_post_does_not_say(tmp_path: Path) -> None:
    """Front matter defaults in _config.yml, merged as Jekyll merges them (a longer
    scope path wins; the post's own front matter over all): links and authors as
    `jekyll build` 4.3.1 gave them, from the repository or its `_posts` folder."""
    (tmp_path / "_config.yml").write_text(DEFAULTS, "utf-8")
    posts = tmp_path / "_posts"
    (posts / "notes").mkdir(parents=True)
    (posts / "drafts").mkdir()  # `published: false` by default: not published, as in Jekyll
    (posts / "drafts" / "2021-04-19-d.md").write_text("---\ntitle: D\n---\nx\n", "utf-8")
    for path, own in [("2021-04-16-a.md", ""), ("notes/2021-04-17-b.md", ""),
                      ("2021-04-18-c.md", "author: Carl\n")]:  # fmt: skip
        day = path.split("/")[-1][:10]
        text = f"---\ntitle: {path[-4]}\ndate: {day} 10:00:00 +0000\n{own}---\nx\n"
        (posts / path).write_text(text, "utf-8")
    for root in (tmp_path, posts):
        out = tmp_path / f"out-{root.name}"
        assert run("build", str(root), "--out", str(out), "--no-cache", "-q")[0] == 0
        items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
        assert [(i["url"], i["authors"][0]["name"]) for i in items] == [
            ("https://example.org/blog/2021/c/", "Carl"),
            ("https://example.org/blog/2021/b/", "Nora"),
            ("https://example.org/blog/2021/a/", "Jane"),
        ]


@pytest.mark.parametrize(
    "sets",
    [
        # YAML's aliases: 545 bytes that JSON would write out as gigabytes (MemoryError)
        "- &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"- &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "- scope: {}\n  values: {author: *i}\n",
        "- scope: {}\n  values: &v {again: *v}\n",  # circular
        "- scope: {}\n  values: {1: a, author: [b, {c: d}]}\n",  # a key not text, a table
        "- scope: _posts\n  values: {author: x}\n",  # a scope that is not a table
    ],
)
def test_defaults_jekyll_would_not_give_are_passed_over(tmp_path: Path, sets: str) -> None:
    """Each crashed the build or took minutes: only values a post's front matter could
    hold are kept, of sets of a scope table and a values table."""
    config = "defaults:\n" + "".join(f"  {line}\n" for line in sets.splitlines())
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-04-16-a.md").write_text("---\ntitle: A\n---\nx\n", "utf-8")
    out = tmp_path / "out"
    code, _, stderr = run("build", str(tmp_path), "--out", str(out), "--no-cache", "-q")
    assert code == 0, stderr
    (item,) = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert "authors" not in item


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("[ a ]", "must be a style (date, pretty, ordinal, weekdate, none) or a template"),
        ("/:year/:nope/", "unknown placeholder(s) :nope"),
    ],
)
def test_a_permalink_setting_jekyll_cannot_use_is_a_mistake(
    tmp_path: Path, value: str, says: str
) -> None:
    (tmp_path / "_config.yml").write_text(f"permalink: {value}\n", "utf-8")
    (tmp_path / "_posts").mkdir()
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2 and f"_config.yml:1: permalink: {says}" in stderr


def test_only_a_leading_date_is_taken_off_a_name() -> None:
    """`covid-19-2-3-update` has no date: Jekyll keeps its digits (two posts were
    merged when a date was taken off the middle)."""
    assert (
        permalinks.title_of("archived/2021-04-10/covid-19-2-3-update.md") == "covid-19-2-3-update"
    )
    assert permalinks.title_of("_posts/2021-4-1-x.md") == "x"


def test_a_root_that_is_a_posts_folder_holds_posts() -> None:
    """`feedpub build _posts`: the paths have no `_posts` in them."""
    assert permalinks.link_path("2021-04-10-x.md", DAY, ("A",), "date", "", "") == (
        "a/2021/04/10/x.html"
    )


@pytest.mark.parametrize(
    ("style", "url"),
    [
        ("date", "archived/2021-04-10/2021-04-10-x.html"),
        ("pretty", "archived/2021-04-10/2021-04-10-x/"),
        ("weekdate", "archived/2021-04-10/2021-04-10-x"),
        ("/:year/:title/", "archived/2021-04-10/2021-04-10-x/"),
        ("/:year/:title:output_ext", "archived/2021-04-10/2021-04-10-x.html"),
    ],
)
def test_a_page_ends_as_the_sites_style_ends_pages(style: str, url: str) -> None:
    assert (
        permalinks.link_path("archived/2021-04-10/2021-04-10-x.md", DAY, (), style, "", "") == url
    )


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("/:short_month/:long_day/:title/", "Apr/Saturday/My-Post/"),
        ("/:year_:month_:title.html", "2021_04_My-Post.html"),
        (":year/:title.html", "2021/My-Post.html"),
        ("/:w_year/:w_day/:slugified_categories/:name", "2021/6/news-items/2021-04-10-my-post"),
        ("/:title/../..//x/./", "My-Post/x/"),
    ],
)
def test_every_jekyll_placeholder_and_its_cleaning(template: str, url: str) -> None:
    """As `jekyll build` made them (4.3.1); `..`, `./` and `//` cleaned as Jekyll does."""
    post = "_posts/2021-04-10-My-Post.md"
    assert checks.unknown_placeholders(template) == []
    assert permalinks.link_path(post, DAY, ("News Items",), template, "", "") == url


def test_a_copy_of_a_post_published_under_its_old_id_takes_that_id() -> None:
    """The manifest knows `_posts/...-Hello.md` as `.../hello.html` (lower case, as
    earlier versions wrote it); its copy in `archived/` is the same story."""
    a = raw("_posts/2021-04-10-Hello.md", author="a")
    b = raw("archived/2021-04-10/2021-04-10-Hello.md", author="b")
    old = "https://example.org/2021/04/10/hello.html"
    result = normalizer.normalize([a, b], config.Settings(url="https://example.org"), {a.path: old})
    assert [p.id for p in result.posts] == [old]


def test_jekylls_category_is_a_category_too() -> None:
    """`category: Single Cat` after `categories: Two Words`, as jekyll build made it:
    `/two/words/single%20cat/2021/04/17/cat-string.html`."""
    from feedpub import collector

    text = "---\ntitle: T\ncategory: Single Cat\ncategories: Two Words\n---\nx\n"
    reading = collector.parse("_posts/2021-04-17-cat-string.md", text.encode())
    post = reading.post  # names separated by spaces: Jekyll's own form, no FP106
    assert post is not None and post.categories == ("Two", "Words", "Single Cat")
    assert reading.problems == ()
    when = datetime(2021, 4, 17, tzinfo=UTC)
    link = permalinks.link_path(post.path, when, post.categories, "date", "", "")
    assert link == "two/words/single%20cat/2021/04/17/cat-string.html"


def test_a_daily_post_is_one_entry_a_day() -> None:
    """`2020-03-01-daily-log.md` at 20:00 in Los Angeles is 04:00 UTC the next day,
    the day of `2020-03-02-daily-log.md`: two posts for Jekyll, at two URLs; they
    were merged into one entry when the id took the UTC day (a blogger's trial)."""
    settings = config.Settings(url="https://example.org", timezone="America/Los_Angeles")
    posts = [
        raw("_posts/2020-03-01-daily-log.md", date="2020-03-01 20:00:00 -08:00", author="a"),
        raw("_posts/2020-03-02-daily-log.md", date="2020-03-02 10:00:00 -08:00", author="b"),
    ]
    result = normalizer.normalize(posts, settings)
    assert sorted(p.id for p in result.posts) == [
        "https://example.org/2020/03/01/daily-log",
        "https://example.org/2020/03/02/daily-log",
    ]


@pytest.mark.parametrize(
    ("date", "day"),
    [
        ("2019-02-14", "2019/02/14"),  # a day is the site's day
        (None, "2019/02/14"),  # so is the file name's
        ("2019-02-14 20:00", "2019/02/14"),  # text without seconds: the site's time
        ("2019-02-14 02:00:00", "2019/02/13"),  # a YAML timestamp without a zone: UTC
        ("2019-02-14T02:00:00+01:00", "2019/02/13"),
        ("2019-02-14 18:30:22 2019 -0800", "2019/02/14"),  # Ruby reads it, feedpub not
    ],
)
def test_the_day_in_a_link_is_the_day_jekyll_reads(date: str | None, day: str) -> None:
    """As `jekyll build` dated them with `timezone: America/Los_Angeles`."""
    settings = config.Settings(url="https://example.org", timezone="America/Los_Angeles")
    (post,) = normalizer.normalize([raw("_posts/2019-02-14-cake.md", date=date)], settings).posts
    assert post.url == f"https://example.org/{day}/cake.html"


def test_an_index_page_is_its_folder_and_a_page_may_name_its_own_url() -> None:
    """As jekyll build made them: `archived/2021-04-10/index.md` is the folder,
    and a page's `permalink: /moved-here/` is where it is."""
    page = "archived/2021-04-10/index.md"
    assert permalinks.link_path(page, DAY, (), "date", "", "") == "archived/2021-04-10/"
    moved = "archived/2021-04-10/moved.md"
    assert permalinks.link_path(moved, DAY, (), "date", "/moved-here/", "") == "moved-here/"


def test_a_story_and_its_archived_copy_link_to_the_post() -> None:
    """The copy in `archived/` is a page Jekyll publishes too; the entry links to
    the post (a blogger's trial found it linked to the page, whichever copy
    the merge took as the latest)."""
    name = "2021-04-10-old.md"
    copies = [raw(f"_posts/{name}"), raw(f"archived/2021-04-10/{name}")]
    (story,) = normalizer.normalize(copies, config.Settings(url="https://example.org")).posts
    assert story.url == story.id + ".html" == "https://example.org/2021/04/10/old.html"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("2021-03-01-my-iOS-app..md", "My Ios App"),
        ("2021-03-02-ärger-über--straße-.md", "Ärger Über  Straße"),
        ("2021-03-03-中文标题.md", "中文标题"),
    ],
)
def test_a_post_without_a_title_takes_the_one_jekyll_gives_it(name: str, title: str) -> None:
    """As `{{ page.title }}` showed it in `jekyll build`: the file name without date
    and extension, each word capitalized (the rest of it lower-cased)."""
    read = collector.parse(f"_posts/{name}", b"---\ndate: 2021-03-01\n---\n<p>x</p>\n")
    assert read.post is not None
    assert read.post.title == title
    assert [p.code for p in read.problems] == ["FP104"]
