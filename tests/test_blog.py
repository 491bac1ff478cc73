"""A blog's front matter as jekyll-feed reads it: the author's summary
(`description:`, else `excerpt:`), the excerpt before an `excerpt_separator`, and
the picture of `image:`, in every format, in cold and warm builds. The expected
summaries and pictures are jekyll-feed 0.17's for the same blog (`jekyll build`
4.3.1, checked by hand), but for a `javascript:` picture, which it publishes."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from conftest import run_in
from test_build import check_all

CONFIG = "title: A blog\nurl: https://example.org\nbaseurl: /blog\n"
SEPARATOR = "excerpt_separator: <!--more-->\n"
POSTS = {
    "2024-01-02-described.md": """---
title: Described
date: 2024-01-02 10:00:00 +0000
description: A <b>hand-written</b>   summary &amp; more.
image: /assets/pic.png
---
First paragraph of the body, which is long enough to be a summary of its own.

Second paragraph.
""",
    "2024-01-03-excerpted.md": """---
title: Excerpted
date: 2024-01-03 10:00:00 +0000
image:
  path: https://cdn.example.org/x.jpg
---
The *excerpt* is this.

And this too.
<!--more-->
The rest is not in the summary.
""",
    "2024-01-04-own-separator.md": """---
title: Own separator
date: 2024-01-04 10:00:00 +0000
excerpt_separator: "---cut---"
---
Before the cut. ---cut--- After the cut.
""",
    "2024-01-05-excerpt.md": """---
title: Excerpt
date: 2024-01-05 10:00:00 +0000
excerpt_separator: "---cut---"
excerpt: The front matter's excerpt wins.
---
Before the cut. ---cut--- After the cut.
""",
    "2024-01-06-plain.md": """---
title: Plain
date: 2024-01-06 10:00:00 +0000
image: "javascript:alert(1)"
---
No separator here. Just text.
""",
}
WANTED = {  # title: (summary, picture)
    "Described": ("A hand-written summary & more.", "https://example.org/blog/assets/pic.png"),
    "Excerpted": ("The excerpt is this. And this too.", "https://cdn.example.org/x.jpg"),
    "Own separator": ("Before the cut.", None),
    "Excerpt": ("The front matter's excerpt wins.", None),
    "Plain": ("No separator here. Just text.", None),  # a script is no picture
}


def _blog(tmp_path: Path, config: str = CONFIG + SEPARATOR) -> Path:
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    (repo / "_config.yml").write_text(config, "utf-8")
    for name, text in POSTS.items():
        (repo / "_posts" / name).write_text(text, "utf-8")
    return repo


def _build(tmp_path: Path) -> Path:
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out", "--cache", "cache")
    assert code == 0, stderr
    return tmp_path / "out"


def _shown(out: Path) -> dict[str, tuple[str, str | None]]:
    """Each entry's summary and picture, as JSON Feed gives them, checked to be the
    same in Atom and RSS."""
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    shown = {i["title"]: (i["summary"], i.get("image")) for i in items}
    for name in ("feed.xml", "rss.xml"):
        xml = (out / name).read_text("utf-8")
        tag = "summary" if name == "feed.xml" else "description"
        for entry in re.findall(r"<(?:entry|item)>.*?</(?:entry|item)>", xml, re.S):
            title = re.search(r"<title>(.*?)</title>", entry)[1]  # type: ignore[index]
            summary = re.search(f"<{tag}>(.*?)</{tag}>", entry)[1]  # type: ignore[index]
            picture = re.search(r'<media:thumbnail url="([^"]*)"/>', entry)
            summary = unescape(summary if tag == "summary" else unescape(summary))  # RSS: HTML
            assert summary == shown[title][0], name
            assert (picture[1] if picture else None) == shown[title][1], name
    return shown


def test_a_blogs_summaries_and_pictures_are_its_authors(tmp_path: Path) -> None:
    _blog(tmp_path)
    out = _build(tmp_path)
    assert _shown(out) == WANTED
    assert check_all(out) == []
    html = json.loads((out / "feed.json").read_text("utf-8"))["items"][3]["content_html"]
    assert "The rest is not in the summary." in html  # the content stays whole
    assert 'import <a href="feeds.opml">the one feed as OPML</a>' in (
        (out / "index.html").read_text("utf-8")
    )  # a blog without tags has one feed: not "all 1 feeds"


def test_without_a_separator_the_summary_is_feedpubs_own(tmp_path: Path) -> None:
    """Jekyll's default excerpt, the first paragraph, is not used (nor, as jekyll-feed
    does when a post lacks the separator, the whole text)."""
    _blog(tmp_path, config=CONFIG)
    shown = _shown(_build(tmp_path))
    assert shown["Excerpted"][0] == (
        "The excerpt is this. And this too. The rest is not in the summary."
    )
    assert shown["Own separator"][0] == "Before the cut."  # its own separator holds
    assert shown["Described"] == WANTED["Described"]


def test_warm_builds_follow_an_edited_front_matter(tmp_path: Path) -> None:
    repo = _blog(tmp_path)
    _build(tmp_path)
    post = repo / "_posts" / "2024-01-02-described.md"
    text = post.read_text("utf-8").replace("A <b>hand-written</b>", "Another")
    post.write_text(text.replace("/assets/pic.png", "https://img.example.org/b.png"), "utf-8")
    config = repo / "_config.yml"
    config.write_text(CONFIG + "excerpt_separator: And this\n", "utf-8")
    shown = _shown(_build(tmp_path))
    assert shown["Described"] == ("Another summary & more.", "https://img.example.org/b.png")
    assert shown["Excerpted"][0] == "The excerpt is this."
    warm = (tmp_path / "out" / "feed.json").read_bytes()
    code, _, _ = run_in(tmp_path, "build", "blog", "--out", "cold", "--no-cache")
    assert code == 0 and (tmp_path / "cold" / "feed.json").read_bytes() == warm


def test_the_sites_author_is_the_feeds_and_of_posts_naming_none(tmp_path: Path) -> None:
    """`author` of `_config.yml` (text, or a theme's table with `name:`), as jekyll-feed
    reads it: every feed's author, and that of each post with no `author:` of its own."""
    theme = "author:\n  name: Jane Doe\n  avatar: /me.png\n  links: [a, b]\n"
    repo = _blog(tmp_path, config=CONFIG + theme)
    post = repo / "_posts" / "2024-01-06-plain.md"
    post.write_text(post.read_text("utf-8").replace("---\nNo", "author: Guest\n---\nNo"), "utf-8")
    out = _build(tmp_path)
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    assert feed["authors"] == [{"name": "Jane Doe"}]
    authors = {i["title"]: i["authors"][0]["name"] for i in feed["items"]}
    assert authors == {t: "Guest" if t == "Plain" else "Jane Doe" for t in WANTED}
    atom = (out / "feed.xml").read_text("utf-8")
    assert atom.count("<author><name>Jane Doe</name></author>") == 1 + 4  # the feed's, entries'
    assert "<dc:creator>Jane Doe</dc:creator>" in (out / "rss.xml").read_text("utf-8")
    assert check_all(out) == []


def test_an_author_the_config_cannot_name_is_no_mistake(tmp_path: Path) -> None:
    """A list (or a table without `name:`) is some theme's: not used, not an error; a
    feedpub.toml `author` is checked as every setting is."""
    _blog(tmp_path, config=CONFIG + "author: [a, b]\n")
    feed = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))
    assert feed["authors"] == [{"name": "A blog"}]  # the title, as before
    assert "authors" not in feed["items"][0]
    (tmp_path / "blog" / "feedpub.toml").write_text("author = 3\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 2 and "author: must be text, not 3" in stderr, stderr


def test_languages_the_config_and_posts_state(tmp_path: Path) -> None:
    """`lang` of `_config.yml` (a locale such as `en_US` too) is the site's, a post's
    own `lang:` is its entry's: jekyll-feed's `xml:lang`s. One that is no language
    tag is not used, and no mistake."""
    repo = _blog(tmp_path, config=CONFIG + "lang: en_US\n")
    post = repo / "_posts" / "2024-01-06-plain.md"
    post.write_text(post.read_text("utf-8").replace("---\nNo", "lang: fr\n---\nNo"), "utf-8")
    other = repo / "_posts" / "2024-01-05-excerpt.md"
    other.write_text(other.read_text("utf-8").replace("---\nBefore", "lang: [x]\n---\nBefore"))
    out = _build(tmp_path)
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    assert feed["language"] == "en-US"
    langs = {i["title"]: i.get("language") for i in feed["items"]}
    # Its own, else the site's, also where its title says `en` (the site says more).
    assert langs == {t: "fr" if t == "Plain" else "en-US" for t in WANTED}
    atom = (out / "feed.xml").read_text("utf-8")
    assert 'xml:lang="en-US">' in atom and '<entry xml:lang="fr">' in atom
    (repo / "_config.yml").write_text(CONFIG + "lang: 3\n", "utf-8")
    feed = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))
    assert feed["language"] == "en"  # the entries' (fr and en, ties by name), as without


def test_a_site_named_but_not_titled(tmp_path: Path) -> None:
    """jekyll-feed's `site.title | default: site.name` (jekyllrb.com's own config)."""
    _blog(tmp_path, config="name: Jekyll News\nurl: https://example.org\n")
    assert json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["title"] == (
        "Jekyll News"
    )


def test_a_post_led_by_html_is_markdown_still(tmp_path: Path) -> None:
    """poole/hyde's example post starts with `<div class="message">`: Jekyll renders
    it as Markdown all the same (its images, links and code were printed as text)."""
    repo = _blog(tmp_path)
    post = repo / "_posts" / "2024-01-07-led.md"
    body = '<div class="message">\n  Howdy!\n</div>\n\nSee **this** and ![a](/img/a.png).\n'
    post.write_text("---\ntitle: Led\ndate: 2024-01-07 10:00:00 +0000\n---\n" + body, "utf-8")
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    html = next(i["content_html"] for i in items if i["title"] == "Led")
    assert "<strong>this</strong>" in html and "**" not in html
    assert 'src="https://example.org/img/a.png"' in html and "Howdy!" in html


def test_a_jekyll_sites_dates_are_read_in_its_timezone(tmp_path: Path) -> None:
    """With `timezone` in `_config.yml` and no `zone` given, a post's date is what
    Jekyll makes of it (jekyll-feed's `<published>`, checked with `jekyll build`
    4.3.1): a day, text without a zone and the file name's day in the site's zone, a
    YAML timestamp without one in UTC. A `zone` of feedpub's own wins."""
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    (repo / "_config.yml").write_text(CONFIG + "timezone: America/New_York\n", "utf-8")
    dates = {  # file: (its `date:`, when Jekyll says it was published)
        "2021-01-11-a.md": ("2021-01-11", "2021-01-11T05:00:00Z"),
        "2021-03-01-b.md": ("2021-03-01 10:00:00", "2021-03-01T10:00:00Z"),
        "2021-03-02-c.md": ("2021-03-02 10:00", "2021-03-02T15:00:00Z"),
        "2021-03-03-d.md": (None, "2021-03-03T05:00:00Z"),
        # quoted, a timestamp is text: `Time.parse`, in the site's zone (a user trial)
        "2021-03-04-e.md": ('"2021-03-04 10:00:00"', "2021-03-04T15:00:00Z"),
        "2021-03-05-f.md": ("'2021-03-05T10:00:00'", "2021-03-05T15:00:00Z"),
        "2021-03-06-g.md": ('"2021-03-06 10:00:00"  # (read by YAML)', "2021-03-06T15:00:00Z"),
    }
    for name, (date, _) in dates.items():
        said = f"date: {date}\n" if date else ""
        (repo / "_posts" / name).write_text(f"---\ntitle: {name[11]}\n{said}---\nx\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out", "-v")
    assert code == 0, stderr
    items = json.loads((tmp_path / "out" / "feed.json").read_text("utf-8"))["items"]
    assert {i["title"]: i["date_published"] for i in items} == {
        name[11]: when for name, (_, when) in dates.items()
    }
    assert "a naive date, read in UTC (as Jekyll reads it)" in stderr
    assert "read in America/New_York (the site's zone)" in stderr
    (repo / "feedpub.toml").write_text('zone = "UTC"\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out2", "-v")
    assert code == 0 and "in UTC (the site's zone)" in stderr  # `zone`: the site's
    (repo / "_config.yml").write_text(CONFIG, "utf-8")  # and with no zone at all
    assert run_in(tmp_path, "check", "blog", "-v")[2].count("in UTC (the default zone)") == 6
    (repo / "feedpub.toml").write_text('zone = "Asia/Tokyo"\n[sources.""]\nzone = "UTC"\n')
    assert run_in(tmp_path, "check", "blog", "-v")[2].count("in UTC (its source's zone)") == 6
    items = json.loads((tmp_path / "out2" / "feed.json").read_text("utf-8"))["items"]
    times = {i["title"]: i["date_published"][11:16] for i in items}
    assert times == {
        "a": "00:00",
        "b": "10:00",
        "c": "10:00",
        "d": "00:00",
        "e": "10:00",
        "f": "10:00",
        "g": "10:00",
    }
    # a source's own zone is its own, the site's `timezone` though it be (the review)
    (repo / "_config.yml").write_text(CONFIG + "timezone: America/New_York\n", "utf-8")
    (repo / "feedpub.toml").write_text('[sources.""]\nzone = "America/New_York"\n')
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out3", "-v")
    items = json.loads((tmp_path / "out3" / "feed.json").read_text("utf-8"))["items"]
    assert {i["title"]: i["date_published"][11:16] for i in items}["b"] == "15:00"
    assert "in America/New_York (its source's zone)" in stderr and "as Jekyll" not in stderr


def test_a_date_of_defaults_is_read_as_a_posts_own(tmp_path: Path) -> None:
    """`defaults:` may give the date (Jekyll's `merge_data!` reads it as a post's own):
    quoted it is text, read in the site's zone; unquoted a YAML timestamp, in UTC."""
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    sets = [("2021-03-07-q", '"2021-03-07 10:00:00"'), ("2021-03-08-u", "2021-03-08 10:00:00")]
    defaults = "".join(
        f"  - scope: {{path: _posts/{name}}}\n    values: {{date: {date}}}\n" for name, date in sets
    )
    defaults += '  - scope: {path: ""}\n    values: {"\\0timestamp": x}\n'  # (the review)
    config = CONFIG + f"timezone: America/New_York\ndefaults:\n{defaults}"
    (repo / "_config.yml").write_text(config, "utf-8")
    for name, _ in sets:
        (repo / "_posts" / f"{name}.md").write_text(f"---\ntitle: {name[11]}\n---\nx\n")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    items = json.loads((tmp_path / "out" / "feed.json").read_text("utf-8"))["items"]
    assert {i["title"]: i["date_published"] for i in items} == {
        "q": "2021-03-07T15:00:00Z",
        "u": "2021-03-08T10:00:00Z",
    }


def _authored(tmp_path: Path, author: str, data: str, said: dict[str, str]) -> tuple[Path, Path]:
    """The blog built with the config's `author`, `_data/authors.yml` and a line added
    to the front matter of posts: its folder and its output."""
    repo = _blog(tmp_path, config=CONFIG + author)
    (repo / "_data").mkdir()
    (repo / "_data" / "authors.yml").write_text(data, "utf-8")
    for name, line in said.items():
        post = repo / "_posts" / name
        post.write_text(post.read_text("utf-8").replace("\n---\n", f"\n{line}\n---\n", 1))
    return repo, _build(tmp_path)


def test_authors_by_their_keys_in_the_sites_data(tmp_path: Path) -> None:
    """jekyll-feed's `post.author | default: post.authors[0] | default: site.author`,
    then `site.data.authors[that].name`: minimal-mistakes' and others' multi-author
    blogs name authors by a key of `_data/authors.yml`."""
    data = "jdoe:\n  name: Jane Doe\n  email: j@example.org\nbob: Robert Roe\nnone: [1]\n"
    said = {"2024-01-06-plain.md": "author: bob", "2024-01-05-excerpt.md": "authors: [bob, x]"}
    repo, out = _authored(tmp_path, "author: jdoe\n", data, said)
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    assert feed["authors"] == [{"name": "Jane Doe"}]
    authors = {i["title"]: i["authors"][0]["name"] for i in feed["items"]}
    assert authors == {t: "Robert Roe" if t in ("Plain", "Excerpt") else "Jane Doe" for t in WANTED}
    (repo / "_data" / "authors.yml").write_text("jdoe: [\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 2 and "authors.yml:2: invalid YAML" in stderr, stderr


def test_an_authors_uri_and_email_as_jekyll_feed_writes_them(tmp_path: Path) -> None:
    """mademistakes.com's `author: {name: Michael Rose, uri: https://…/about/}`, the
    author of its 1,005 posts, or a key of `_data/authors.yml` with them: Atom's
    `<uri>` and `<email>` (JSON Feed's `url`), of the entries and of every feed; a path
    made absolute under the site's base path (as `absolute_url`), an address not of RFC
    4287's shape left out."""
    author = "author:\n  name: Mia\n  uri: https://example.org/about/\n  email: mia@e.org\n"
    data = "bob:\n  name: Robert Roe\n  uri: /bob/\n  email: not one\nann: {name: Ann}\n"
    said = {"2024-01-06-plain.md": "author: bob", "2024-01-05-excerpt.md": "author: ann"}
    _, out = _authored(tmp_path, author, data, said)
    assert check_all(out) == []
    atom = (out / "feed.xml").read_text("utf-8")
    mia = "<author><name>Mia</name><uri>https://example.org/about/</uri><email>mia@e.org</email>"
    assert atom.count(mia) == 1 + 3  # the feed's, and its three posts'
    assert (
        "<author><name>Robert Roe</name><uri>https://example.org/blog/bob/</uri></author>" in atom
    )
    assert "<author><name>Ann</name></author>" in atom
    archive = next((out / "archive").glob("*.xml")).read_text("utf-8")
    assert archive.count(mia) == 1 + 3
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    assert feed["authors"] == [{"name": "Mia", "url": "https://example.org/about/"}]
    authors = {i["title"]: i["authors"][0] for i in feed["items"]}
    assert authors["Plain"] == {"name": "Robert Roe", "url": "https://example.org/blog/bob/"}
    assert authors["Excerpt"] == {"name": "Ann"}


KRAMDOWN = """---
title: Kramdown
date: 2024-01-08 10:00:00 +0000
---
My complete gear list[^w], inline {::comment}hidden{:/comment} and \\
{::nomarkdown}<b>raw</b>{:/nomarkdown} too.

{::comment}
TODO: ask Bob before publishing his salary numbers.
{:/comment}

<div class="notice--info" markdown="1">
**Heads up:** this is a [notice](https://example.com).
</div>

| Name | Value |
| ---- | ----- |
| pipe \\| escaped | `a|b` |

[^w]: Base weight, without food.
"""


def test_kramdowns_comments_notices_and_tables_as_jekyll_renders_them(tmp_path: Path) -> None:
    """The blog trial's post: `{::comment}` hides an author's note (it was published),
    `{::nomarkdown}` keeps its HTML in a line too, a `markdown="1"` notice without blank
    lines is Markdown (it went out as `**Heads up:**`), a `|` in a table's code span is
    the code's (the cell was split and its rest lost), two backslashes end a line, and
    the summary leaves the footnotes out ("gear list1. … ↩")."""
    repo = _blog(tmp_path)
    (repo / "_posts" / "2024-01-08-kramdown.md").write_text(KRAMDOWN, "utf-8")
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    item = next(i for i in items if i["title"] == "Kramdown")
    html = item["content_html"]
    assert "Bob" not in html and "hidden" not in html and "{:" not in html
    assert (
        "<p>My complete gear list<sup>" in html and "inline  and <br>\n<b>raw</b> too.</p>" in html
    )
    assert (
        '<p><strong>Heads up:</strong> this is a <a href="https://example.com">notice</a>.</p>'
        in html
    )
    assert "<td>pipe | escaped</td>\n<td><code>a|b</code></td>" in html
    assert "Base weight, without food." in html  # the note stays in the content
    assert item["summary"] == (
        "My complete gear list, inline and raw too. Heads up: this is a notice."
        " Name Value pipe | escaped a|b"
    )


def test_a_titles_markup_is_stripped_as_jekyll_feed_strips_it(tmp_path: Path) -> None:
    """`Using <code>git</code>` reads "Using git" in every format (jekyll-feed's
    `strip_html`); an escaped tag is text, and `x<y` is no tag."""
    repo = _blog(tmp_path)
    title = 'Using <code>git</code> &amp; <a href="/x">&lt;b&gt;</a>: x<y, y>z'
    text = f"---\ntitle: '{title}'\ndate: 2024-01-07 10:00:00 +0000\n---\nBody.\n"
    (repo / "_posts" / "2024-01-07-git.md").write_text(text, "utf-8")
    out = _build(tmp_path)
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert items[0]["title"] == "Using git & <b>: x<y, y>z"
    assert "<title>Using git &amp; &lt;b&gt;: x&lt;y, y&gt;z</title>" in (
        (out / "feed.xml").read_text("utf-8")
    )


def test_an_authors_summary_is_bounded_and_never_empty(tmp_path: Path) -> None:
    """A 520 KB `description:` emptied every feed (each kept in its byte budget by
    dropping entries): an author's summary is cut at 10,000 characters, as the longest
    `summary_chars`. One of no text (an image alone) gives way to the body's."""
    repo = _blog(tmp_path)
    long = "---\ntitle: Long\ndate: 2024-01-08 10:00:00 +0000\ndescription: {}\n---\nBody.\n"
    (repo / "_posts" / "2024-01-08-long.md").write_text(long.format("Word. " * 90_000), "utf-8")
    (repo / "_posts" / "2024-01-09-image.md").write_text(
        long.replace("Long", "Image").replace("08", "09").format('"<img src=x>"'), "utf-8"
    )
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    assert len(items) == len(WANTED) + 2
    summaries = {i["title"]: i["summary"] for i in items}
    assert 9_000 < len(summaries["Long"]) <= 10_000 and summaries["Image"] == "Body."


def test_a_sources_own_zone_wins_over_the_sites_timezone(tmp_path: Path) -> None:
    """A source's `zone` is its naive dates' zone, YAML timestamps included, whatever
    the Jekyll site's `timezone` says."""
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    (repo / "_config.yml").write_text(CONFIG + "timezone: America/New_York\n", "utf-8")
    (repo / "feedpub.toml").write_text('[sources.reuters]\nzone = "Asia/Shanghai"\n', "utf-8")
    post = "---\ntitle: T\ndate: 2021-03-01 10:00:00\ncategories: [reuters]\n---\nx\n"
    (repo / "_posts" / "2021-03-01-t.md").write_text(post, "utf-8")
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    assert items[0]["date_published"] == "2021-03-01T02:00:00Z"


def test_an_excerpts_reference_links_are_defined_after_it(tmp_path: Path) -> None:
    """Jekyll adds to an excerpt the definitions of the reference links that follow
    it, so that `[the docs][docs]` reads "the docs", not the brackets."""
    repo = _blog(tmp_path)
    body = "Read [the docs][docs] now.\n<!--more-->\nMore.\n\n[docs]: https://e.org/d\n"
    text = "---\ntitle: Refs\ndate: 2024-01-07 10:00:00 +0000\n---\n" + body
    (repo / "_posts" / "2024-01-07-refs.md").write_text(text, "utf-8")
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    assert next(i["summary"] for i in items if i["title"] == "Refs") == "Read the docs now."


def test_a_posts_first_comment_or_link_is_its_own_not_a_scrapers(tmp_path: Path) -> None:
    """The scraper's preamble is a marker (a number or NaN), then `[title](url)` and a
    `------` rule. A blog post (benbalter.com's) opening with a linked picture lost
    the picture and took its target as the entry's link and id; one opening with a
    lint comment was read as a scraped page (its Markdown shown as written, and
    FP306 for a "marker" that is not a time)."""
    repo = _blog(tmp_path)
    picture = "[![Golden Hammer](https://imgs.xkcd.com/comics/hammer.png)](https://xkcd.com/801/)"
    posts = {
        "2024-01-07-linked.md": f"\n{picture}\n\nMy biggest gripe.\n",
        "2024-01-08-lint.md": "\n<!-- lint ignore -->\n\n*Originally* here.\n\n## Head\n",
    }
    for name, body in posts.items():
        title = name[11:-3]
        front = f"---\ntitle: {title}\ndate: {name[:10]} 10:00:00 +0000\n---\n"
        (repo / "_posts" / name).write_text(front + body, "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out", "--no-cache")
    assert code == 0 and "FP306" not in stderr, stderr
    items = json.loads((tmp_path / "out" / "feed.json").read_text("utf-8"))["items"]
    shown = {i["title"]: i for i in items}
    linked, lint = shown["linked"], shown["lint"]
    assert (
        linked["url"] == linked["id"] + ".html" == "https://example.org/blog/2024/01/07/linked.html"
    )
    assert 'href="https://xkcd.com/801/"' in linked["content_html"]
    assert "hammer.png" in linked["content_html"]
    assert lint["content_html"].startswith("<p><em>Originally</em> here.</p>")
    assert "<h2>Head</h2>" in lint["content_html"]
    # Not a marker: a comment of a few digits; not the preamble: a link, a blank line, a
    # rule (the scraper's rule follows its link at once); two such posts stay two.
    for n in (9, 10):
        front = f"---\ntitle: ruled {n}\ndate: 2024-01-{n:02} 10:00:00 +0000\n---\n"
        body = f"\n<!-- 2019 -->\n{picture}\n\n---\n\nPost {n}.\n"
        (repo / "_posts" / f"2024-01-{n:02}-ruled.md").write_text(front + body, "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out2", "--no-cache")
    assert code == 0 and "FP306" not in stderr and "FP401" not in stderr, stderr
    items = json.loads((tmp_path / "out2" / "feed.json").read_text("utf-8"))["items"]
    ruled = [i for i in items if i["title"].startswith("ruled")]
    assert len(ruled) == 2 and all("hammer.png" in i["content_html"] for i in ruled)


def test_last_modified_at_is_the_entrys_update(tmp_path: Path) -> None:
    """minimal-mistakes' posts say when they last changed (244 of made-mistakes.com's
    1,005): jekyll-feed writes it as `<updated>`; feedpub wrote the publication time.
    Earlier than the post, unreadable, or not a time: ignored."""
    repo = _blog(tmp_path)
    values = {"changed": "2024-02-26T21:06:25-05:00", "earlier": "2023-01-01", "bad": "[1, 2]"}
    for n, (title, value) in enumerate(values.items()):
        front = f"---\ntitle: {title}\ndate: 2024-01-1{n} 10:00:00 +0000\n"
        text = front + f"last_modified_at: {value}\n---\nBody.\n"
        (repo / "_posts" / f"2024-01-1{n}-{title}.md").write_text(text, "utf-8")
    items = json.loads((_build(tmp_path) / "feed.json").read_text("utf-8"))["items"]
    shown = {i["title"]: (i["date_published"], i.get("date_modified")) for i in items}
    assert shown["changed"] == ("2024-01-10T10:00:00Z", "2024-02-27T02:06:25Z")
    assert shown["earlier"][1] in (None, "2024-01-11T10:00:00Z")
    assert shown["bad"][1] in (None, "2024-01-12T10:00:00Z")
    atom = (tmp_path / "out" / "feed.xml").read_text("utf-8")
    assert "<updated>2024-02-27T02:06:25Z</updated>" in atom


def test_feeds_published_beside_the_jekyll_site(tmp_path: Path) -> None:
    """README's "Beside a Jekyll site": the feeds under `feeds/` of the site, its posts'
    pages where Jekyll publishes them. With `--site-url …/feeds/` (the recipe before)
    every post without `from:`, its `post_url`s, `{{ site.baseurl }}` links and its
    `image:` pointed into feeds/, where Jekyll publishes nothing (the trial's 404s)."""
    repo = _blog(tmp_path, CONFIG + "permalink: pretty\n")
    (repo / "_posts" / "2024-01-07-linked.md").write_text(
        "---\ntitle: Linked\ndate: 2024-01-07 10:00:00 +0000\n---\n"
        "See [about]({{ site.baseurl }}/about/) and [plain]({% post_url 2024-01-06-plain %}).\n",
        "utf-8",
    )
    site, feeds = "https://example.org/blog/", "https://example.org/blog/feeds/"
    for flag in ("feeds/", "/feeds", feeds):  # a path from the site's root, or the URL
        out = tmp_path / "blog" / "feeds"
        code, _, stderr = run_in(repo, "build", "--out", "feeds", "--feeds-url", flag, "-q")
        assert code == 0, stderr
        assert check_all(out) == []
        data = json.loads((out / "feed.json").read_text("utf-8"))
        # the site's feed links to the blog's home, as jekyll-feed's (the blog trial's
        # "visit website" went to feeds/feed.html, a list of feeds)
        assert (data["feed_url"], data["home_page_url"]) == (feeds + "feed.json", site)
        items = {i["title"]: i for i in data["items"]}
        assert items["Plain"]["url"] == site + "2024/01/06/plain/"
        assert items["Described"]["image"] == site + "assets/pic.png"
        html = items["Linked"]["content_html"]
        assert f'href="{site}about/"' in html and f'href="{site}2024/01/06/plain/"' in html
        atom = (out / "feed.xml").read_text("utf-8")
        assert f'<link rel="self" type="application/atom+xml" href="{feeds}feed.xml"/>' in atom
        assert f'<link rel="alternate" type="text/html" href="{site}"/>' in atom
        assert f"<link>{site}</link>" in (out / "rss.xml").read_text("utf-8")
        assert f'xmlUrl="{feeds}feed.xml"' in (out / "feeds.opml").read_text("utf-8")
        last = json.loads((repo / ".feedpub-cache" / "last-build.json").read_text("utf-8"))
        assert last["site_url"] == feeds  # what `ping` announces
    (repo / "feedpub.toml").write_text('feeds_url = "feeds/"\n', "utf-8")  # as a setting
    code, stdout, stderr = run_in(repo, "build", "--out", "feeds", "-q")
    assert code == 0 and "wrote 0 of" in stdout + stderr, stderr
    code, _, stderr = run_in(repo, "build", "--out", "feeds", "--feeds-url", "../x?y")
    assert code == 2 and stderr.splitlines() == [
        "Error: --feeds-url: must be an http(s) URL or a plain path from the site's root"
        ' like "feeds/", not "../x?y"'
    ]


def test_jekyll_feeds_copies_are_made_only_inside_the_feeds_folder(tmp_path: Path) -> None:
    """With `feeds_url`, the output folder is a path of the site: a jekyll-feed copy at
    `/atom.xml` would have been written to feeds/atom.xml, another URL than its
    subscribers' (the session's review). One under feeds/ is made, at its place in the
    folder; one outside it is not, with FP603."""
    repo = _blog(tmp_path, CONFIG + "feed:\n  path: feeds/atom.xml\n  categories: [news2]\n")
    post = (repo / "_posts" / "2024-01-06-plain.md").read_text("utf-8")
    (repo / "_posts" / "2024-01-06-plain.md").write_text(
        post.replace("title: Plain", "title: Plain\ncategories: [news2]"), "utf-8"
    )
    code, _, stderr = run_in(repo, "build", "--out", "feeds", "--feeds-url", "feeds/")
    out = repo / "feeds"
    assert code == 0, stderr
    assert (out / "atom.xml").read_bytes().count(b"<entry") == 5
    assert not (out / "feeds").exists() and not (out / "feed").exists()
    assert (
        "_config.yml:6: FP603 jekyll-setting-unused: feed.categories: /feed/news2.xml is outside"
        " https://example.org/blog/feeds/, where feeds_url publishes the output" in stderr
    )
    said = [ln for ln in stderr.splitlines() if " FP603 " in ln]
    code, _, checked = run_in(repo, "check", "--feeds-url", "feeds/")  # says what build says
    assert code == 0 and [ln for ln in checked.splitlines() if " FP603 " in ln] == said


def test_feeds_url_is_one_form_however_written(tmp_path: Path) -> None:
    """ "feeds/", "/feeds", "./feeds" are one setting (one cache, one set of ids); a
    name is escaped as a URL's path is; a file's URL is no folder's (the review)."""
    repo = _blog(tmp_path)
    runs = [
        run_in(repo, "build", "--out", "feeds", "--feeds-url", url, "-q")
        for url in ("feeds/", "/feeds", "./feeds", "feeds//")
    ]
    assert [code for code, _, _ in runs] == [0, 0, 0, 0]
    assert [("wrote 0 of" in out + err) for _, out, err in runs] == [False, True, True, True]
    code, _, _ = run_in(repo, "build", "--out", "feeds", "--feeds-url", "订阅/", "-q")
    data = json.loads((repo / "feeds" / "feed.json").read_text("utf-8"))
    assert data["feed_url"] == "https://example.org/blog/%E8%AE%A2%E9%98%85/feed.json"
    code, _, stderr = run_in(repo, "build", "--feeds-url", "https://e.org/f/feed.xml")
    assert code == 2 and stderr == (
        "Error: --feeds-url: names a file (https://e.org/f/feed.xml), not the folder the"
        " output is published at\n"
    )
