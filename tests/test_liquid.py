"""Liquid in a Jekyll blog's posts: what feedpub renders as Jekyll does (checked
against `jekyll build` 4.3.1 by hand), what it leaves as written and reports, and
that hostile markup costs linear time. Built through the CLI as a blog would be."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import run, run_in, tree
from test_build import check_all

from feedpub import liquid, liquidsite
from feedpub.text import printed

SITE = liquidsite.Site("https://blog.example.org", "/b")
POST = """---
title: Hello
date: 2026-11-01 10:00:00 +0000
tags: [python]
{extra}---
Read ![the chart]({{{{ site.baseurl }}}}/img/a.png) or
[the report]({{{{ "/r.pdf" | absolute_url }}}}).

{{% highlight python %}}
def f(x):

    return x < 3  # {{% raw %}}{{{{ kept }}}}{{% endraw %}}
{{% endhighlight %}}

{{% comment %}}A note to myself.{{% endcomment %}}
{{% raw %}}{{{{ page.title }}}} is Liquid.{{% endraw %}}

See [the first]({{% post_url 2026-10-01-first %}})
([again]({{% link _posts/2026-10-01-first.md %}})), not {{% post_url 2001-01-01-gone %}}.
{{% include note.html %}}
"""
FIRST = "---\ntitle: First\ndate: 2026-10-01 10:00:00 +0000\ncategories: [{category}]\n---\nOne.\n"


def _blog(tmp_path: Path, extra: str = "") -> Path:
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    config = "title: A blog\nurl: https://blog.example.org\nbaseurl: /b\n"
    (repo / "_config.yml").write_text(config, encoding="utf-8")
    post = POST.format(extra=extra)
    (repo / "_posts" / "2026-11-01-hello.md").write_text(post, encoding="utf-8")
    first = FIRST.format(category="notes")
    (repo / "_posts" / "2026-10-01-first.md").write_text(first, encoding="utf-8")
    return repo


def _content(out: Path, title: str = "Hello") -> str:
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    return str(next(i for i in items if i["title"] == title)["content_html"])


def test_a_blog_post_reads_as_jekyll_renders_it(tmp_path: Path) -> None:
    _blog(tmp_path)
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    html = _content(tmp_path / "out")
    assert 'src="https://blog.example.org/b/img/a.png"' in html  # as Jekyll: /b/img/a.png
    assert '<a href="https://blog.example.org/b/r.pdf">the report</a>' in html
    # A code block, blank line and indentation kept, `<` escaped once, raw inside.
    assert "<pre><code>def f(x):\n\n    return x &lt; 3  # {{ kept }}</code></pre>" in html
    assert "A note to myself" not in html
    assert "<p>{{ page.title }} is Liquid.</p>" in html
    # post_url: where Jekyll publishes the post it names (checked with `jekyll build`)
    link = '<a href="https://blog.example.org/b/notes/2026/10/01/first.html">the first</a>'
    assert link in html and link.replace("the first", "again") in html  # `link` too
    assert "not {% post_url 2001-01-01-gone %}." in html and "{% include note.html %}" in html
    assert "{% highlight" not in html and "{% raw" not in html
    lines = POST.format(extra="").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "2001-01-01-gone" in text)
    hint = (
        " Write it out as the site shows it, or wrap it in `{% raw %}` to show it as text"
        ' (the README\'s "Entry content" lists the Liquid feedpub renders).'
    )
    reported = [ln for ln in stderr.splitlines() if ": FP203 " in ln]
    assert reported == [
        f"blog/_posts/2026-11-01-hello.md:{line}: FP203 liquid-left: no post 2001-01-01-gone,"
        " which a `post_url` or `link` names; shown as written." + hint,
        f"blog/_posts/2026-11-01-hello.md:{line + 1}:1: FP203 liquid-left: Liquid feedpub"
        " does not render, shown as written: {% include note.html %} (the site has no"
        " _includes/ folder beside its _config.yml)." + hint,
    ]


def test_a_post_url_follows_the_post_it_names_in_warm_builds(tmp_path: Path) -> None:
    """The entry naming a post is built again when that post moves, goes or comes back,
    though its own file did not change: each warm build equals a build without cache."""
    repo = _blog(tmp_path)
    first = repo / "_posts" / "2026-10-01-first.md"
    draft = FIRST.format(category="notes").replace("---\nOne", "published: false\n---\nOne")
    steps = [
        lambda: first.write_text(FIRST.format(category="essays"), encoding="utf-8"),
        first.unlink,
        lambda: first.write_text(FIRST.format(category="notes"), encoding="utf-8"),
        lambda: first.write_text(draft, encoding="utf-8"),
    ]
    seen = []
    for n, step in enumerate([lambda: None, *steps]):
        step()
        if n:  # the same output folder: its manifest keeps the ids published (FP403)
            shutil.copytree(tmp_path / "warm", tmp_path / f"cold{n}")
        build = ["build", "blog", "--cache", "cache", "-q"]
        assert run_in(tmp_path, *build, "--out", "warm")[0] == 0
        assert run_in(tmp_path, "build", "blog", "--no-cache", "-q", "--out", f"cold{n}")[0] == 0
        assert tree(tmp_path / "warm") == tree(tmp_path / f"cold{n}")
        seen.append(_content(tmp_path / "warm"))
    assert "/b/notes/2026/10/01/first.html" in seen[0] and "/b/essays/2026/10/" in seen[1]
    assert "[the first]({% post_url 2026-10-01-first %})" in seen[2]
    assert seen[3] == seen[0] and seen[4] == seen[2]  # a draft is no post to link to


def test_a_flood_of_one_tag_is_summed_up(tmp_path: Path) -> None:
    """A site full of a plugin's tag (made-mistakes.com: 583 posts) lists five posts
    of each tag, then how many more; --verbose lists every one, JSON has them all."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    tags = ['{% figure caption:"A N" %}', "{% youtube vN %}", "{{ page.imageN }}"]
    for n in range(8):
        for i, tag in enumerate(tags[: 1 + (n < 6) + (n < 2)]):  # 8 figures, 6 youtube, 2
            body = f"Text.\n\n{tag.replace('N', str(n))}\n"
            name = f"2021-01-{n + 1:02}-p{i}.md"
            (posts / name).write_text(f"---\ntitle: P{n} {i}\n---\n\n{body}")
    site = ("--site-url", "https://example.org")
    code, stdout, stderr = run_in(tmp_path, "build", ".", "--out", "out", *site)
    assert code == 0, stderr
    listed = [ln for ln in stderr.splitlines() if ": FP203 " in ln]
    shown = Counter(ln.partition(" shown as written: ")[2][:9] for ln in listed)
    assert shown == {"{% figure": 5, "{% youtub": 5, "{{ page.i": 2}
    assert listed[0].startswith("_posts/2021-01-01-p0.md:7:1: FP203 liquid-left: ")
    assert "(3 more FP203 liquid-left at {% figure %} not listed: --verbose lists them)" in stderr
    assert "(1 more FP203 liquid-left at {% youtube %} not listed: --verbose lists them)" in stderr
    assert "to out/, 16 warnings, in " in stdout
    code, _, stderr = run_in(tmp_path, "build", ".", "--out", "out", "--verbose", *site)
    assert sum(": FP203 " in ln for ln in stderr.splitlines()) == 16 and "more FP203" not in stderr
    code, stdout, _ = run_in(tmp_path, "check", ".", "--format", "json", *site)
    assert sum(p["code"] == "FP203" for p in json.loads(stdout)) == 16


def test_a_blogs_feeds_are_valid(tmp_path: Path) -> None:
    """What Liquid and kramdown's extras put in entries (code blocks written with line
    ends as references, tables, footnotes) leaves every feed valid for its spec and
    for feedparser."""
    repo = _blog(tmp_path)
    extras = "\n| a | b |\n|---|---|\n| 1 | 2 |\n{: .table}\n\nSaid[^1].\n\n[^1]: Where.\n"
    post = repo / "_posts" / "2026-11-01-hello.md"
    post.write_text(post.read_text("utf-8") + extras, "utf-8")
    assert run_in(tmp_path, "build", "blog", "--out", "out", "-q")[0] == 0
    assert check_all(tmp_path / "out") == []
    assert "<td>1</td>" in _content(tmp_path / "out")


def test_render_with_liquid_false_keeps_the_text(tmp_path: Path) -> None:
    repo = _blog(tmp_path, extra="render_with_liquid: false\n")
    code, _, stderr = run("build", str(repo), "--out", str(tmp_path / "out"), "-q")
    assert code == 0, stderr
    assert "FP203" not in stderr
    html = _content(tmp_path / "out")
    assert "{% highlight python %}" in html and "{{ site.baseurl }}/img/a.png" in html


def test_the_sites_config_values_and_its_url_with_a_path(tmp_path: Path) -> None:
    """`{{ site.repository }}` is _config.yml's; with the Action's `--site-url
    https://u.github.io/repo/`, `site.url` is the host and `site.baseurl` the path,
    as GitHub Pages' Jekyll gives them. A key the config has not is left (FP203); one
    of a table is read (ruby-lang.org's `{{ site.license.url }}`), three deep at most."""
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    config = (
        "title: A blog\nrepository: me/blog\ncomments: true\nversion: 4.3\n"
        "license: {url: /LICENSE.txt, a: {b: {c: 1, d: {e: 2}}}}\n"
    )
    (repo / "_config.yml").write_text(config, encoding="utf-8")
    body = (
        "[Issues](https://github.com/{{ site.repository }}/issues) of {{ site.title }}"
        " ({{ site.comments }}, {{ site.version }}): ![x]({{ site.baseurl }}/x.png)"
        " {{ site.url }} {{ site.license.url }} {{ site.license.a.b.c }}"
        " {{ site.license.a.b.d.e }} {{ site.nope }}\n"
    )
    post = "---\ntitle: Hi\ndate: 2026-11-01 10:00:00 +0000\n---\n" + body
    (repo / "_posts" / "2026-11-01-hi.md").write_text(post, encoding="utf-8")
    site = "https://u.github.io/repo/"
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out", "--site-url", site)
    assert code == 0, stderr
    html = _content(tmp_path / "out", "Hi")
    assert '<a href="https://github.com/me/blog/issues">Issues</a> of A blog (true, 4.3)' in html
    assert 'src="https://u.github.io/repo/x.png"' in html
    shown = '<a href="https://u.github.io">https://u.github.io</a> /LICENSE.txt 1'
    assert f"{shown} {{{{ site.license.a.b.d.e }}}} {{{{ site.nope }}}}" in html
    assert "blog/_posts/2026-11-01-hi.md:5:" in stderr and "{{ site.license.a.b.d" in stderr


@pytest.mark.parametrize(
    ("url", "baseurl", "config", "shown"),
    [
        # The config's url as written, path and all (indigo's `url:`), as Jekyll prints it.
        ("https://u.github.io/repo", "", {"url": "https://u.github.io/repo"},
         "https://u.github.io/repo|"),
        ("https://x.org", "/b", {"url": "https://x.org", "baseurl": "/b"}, "https://x.org|/b"),
        # No url in the config: the build's site URL, its host and its path.
        ("https://u.github.io/repo/", "", {}, "https://u.github.io|/repo"),
        # `--site-url` replaces the config's: its host and path, as GitHub Pages makes them.
        ("https://m.org/sub", "", {"url": "https://x.org"}, "https://m.org|/sub"),
        ("", "", {}, "|"),
    ],
)  # fmt: skip
def test_site_url_and_baseurl(url: str, baseurl: str, config: dict[str, str], shown: str) -> None:
    site = liquidsite.Site.of(url, baseurl, tuple(sorted(config.items())))
    assert liquid.render("{{ site.url }}|{{ site.baseurl }}", site, "t") == (shown, None)


def test_a_scraped_page_without_liquid_is_untouched(tmp_path: Path) -> None:
    """Braces a scraper copied (a page's own script templates) are text: reported once,
    the body as it was."""
    body = '<p>{{" __html: 电车难题}} and {{ item.name }}, {% if a %}b{% endif %}</p>'
    assert liquid.render(body, SITE, "t") == (body, 3)
    assert not liquid.has_liquid("<p>{ a } %} }}</p>")


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("a {{- site.url -}} b", "ahttps://blog.example.orgb"),
        ("x\n{%- comment -%} gone {%- endcomment -%}\ny", "xy"),
        ("{{ 'img/a.png' | relative_url }}", "/b/img/a.png"),
        ("{{ 'https://x.org/a' | relative_url }}", "https://x.org/a"),
        ("{{ page.title | escape }}", "A &lt;b&gt; &amp; c"),
        ("{% highlight %}\n<b>\n{% endhighlight %}", "<pre><code>&lt;b&gt;</code></pre>"),
        ("{% highlight ruby linenos %}x{% endhighlight %}", '<pre><code class="language-ruby"'
         ' data-lang="ruby">x</code></pre>'),
        ("a {% # a note %} b", "a  b"),  # an inline comment
        ("{{ 'a b/é.png' | relative_url }}", "/b/a%20b/%C3%A9.png"),  # as Addressable
        ("{{ 'mailto:me@example.org' | relative_url }}", "mailto:me@example.org"),
        ("{{ '' | relative_url }}", "/b"),
        ("{% post_url 2020-01-03-a b %}", "https://blog.example.org/b/a-b"),  # spaces too
        # What Liquid reads to the first `{% endraw %}` (a post explaining Liquid).
        ("Use {% raw %}`{{`{% endraw %} and {% raw %}`}}`{% endraw %}.", "Use `{{` and `}}`."),
        # An end tag's words after its name are ignored, as Liquid does.
        ("{% highlight %}\none\n{% endhighlight text %}\n## H\n{% highlight %}\ntwo\n"
         "{% endhighlight %}", "<pre><code>one</code></pre>\n## H\n<pre><code>two</code></pre>"),
        # A raw block inside a highlight holds a sample highlight: one block.
        ("{% highlight liquid %}\n{% raw %}{% highlight ruby %}\nx = 1\n{% endhighlight %}"
         "{% endraw %}\n{% endhighlight %}", '<pre><code class="language-liquid" data-lang='
         '"liquid">{% highlight ruby %}&#10;x = 1&#10;{% endhighlight %}</code></pre>'),
        ("A {% comment %}{% raw %}{% endcomment %}{% endraw %}{% endcomment %} B", "A  B"),
        ("{% comment %}{% comment %}{% endcomment %}x{% endcomment %}y", "y"),  # nested
        # A site plugin's video (mademistakes.com: 90 entries), as a page embeds it.
        ("{% youtube dQw4w9WgXcQ %}", '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ">'
         "</iframe>"),
        ("{% youtube 'https://youtu.be/dQw4w9WgXcQ' 640 360 %}", '<iframe src="https://www.'
         'youtube.com/embed/dQw4w9WgXcQ"></iframe>'),
        ("{% vimeo 76979871 %}", '<iframe src="https://player.vimeo.com/video/76979871"></iframe>'),
        ("{% youtube videoseries?list=PLaLq-2i_M %}", '<iframe src="https://www.youtube.com/'
         'embed/videoseries?list=PLaLq-2i_M"></iframe>'),  # a playlist, as it is embedded
        # In a list item: the item's indentation off each line, the block on one line
        # (its line ends as references) so that CommonMark keeps the item whole.
        ("1. Run:\n\n   {% highlight python %}\n   def f():\n       return 1\n"
         "   {% endhighlight %}", '1. Run:\n\n   <pre><code class="language-python" '
         'data-lang="python">def f():&#10;    return 1</code></pre>'),
    ],
)  # fmt: skip
def test_what_is_rendered(text: str, rendered: str) -> None:
    links = {"2020-01-03-a b": "https://blog.example.org/b/a-b"}
    assert liquid.render(text, SITE, "A <b> & c", links) == (rendered, None)


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("ok {{ site.title }}", 3),  # no config key beyond url and baseurl
        ("{{ page.title | upcase }}", 0),  # a filter feedpub does not know
        ("{{ 'a' | append: 'b' }}", 0),
        ("a {% raw %} never closed", 2),
        ("{% include note.html %}", 0),
        ("{% youtube not-an-id %}", 0),
        ("{% vimeo 1a %}", 0),
        ("{{ " + "x" * 2000 + " }}", 0),  # longer than any template variable
        ("{% highlight %}\n{{ page.url }}\n{% endhighlight %}", 16),  # inside a block
    ],
)
def test_what_is_left_as_written(text: str, left: int) -> None:
    rendered, found = liquid.render(text, SITE, "t")
    assert found == left
    assert text[left : text.find("}", left)] in rendered  # the tag, as written


def test_liquid_in_an_attribute_the_cleaner_drops_is_no_problem() -> None:
    """A scraped React page's `dangerouslysetinnerhtml="{{" __html: 反对者}}"` (the
    corpus's 刘慈欣的电车难题.md) was FP203, "shown as written", a warning that fails
    --strict: the attribute goes, and the reader sees nothing of it. Liquid that a
    reader sees after it, or in a link, is still reported."""
    hidden = 'x <div dangerouslysetinnerhtml="{{" __html: 反对者}}">a</div> y'
    assert liquid.read("a.md", hidden, 0, SITE).problems == ()
    for text in (hidden + " {{ page.foo }}", '<a href="{{ page.foo }}">a</a>'):
        (found,) = liquid.read("a.md", text, 0, SITE).problems
        assert "{{ page.foo }}" in found.message
    many = '<a x="{{y}}">' * 100_000  # each hidden: looked past a few times, then reported
    assert liquid.read("a.md", many, 0, SITE).problems != ()


def test_an_unclosed_tag_ends_the_scan() -> None:
    assert liquid.render("{{ site.url }} {{ site.baseurl", SITE, "t") == (
        "https://blog.example.org {{ site.baseurl",
        None,
    )


def test_what_liquid_adds_to_a_body_is_bounded() -> None:
    """A 100 KB title printed 4,000 times made a 400 MB body (nh3 then aborted):
    `{{ }}` add at most MAX_ADDED characters; the rest stay as written."""
    text = "{{ page.title }}" * 4_000
    rendered, left = liquid.render(text, SITE, "x" * 100_000)
    assert len(rendered) <= len(text) + liquid.MAX_ADDED and left == 10 * len("{{ page.title }}")


def test_a_post_naming_thousands_of_posts_keeps_a_thousand() -> None:
    """Each name is a row of the cache and a link to find: 200,000 of them (5 MB),
    each line counted from the start, took minutes. The rest stay as written."""
    text = "".join(f"{{% post_url 2020-01-01-p{i} %}}\n" for i in range(200_000))
    found = liquid.read("a.md", text, 0, SITE)
    assert len(found.refs) == liquid.MAX_REFS == 1_000
    assert found.refs[-1] == ("2020-01-01-p999", 1_000)
    assert [p.line for p in found.problems] == [1_001]


@pytest.mark.parametrize(
    "hostile",
    [
        "{% raw %}" * 200_000,  # openers no end follows: one look ahead, not one each
        "{% highlight %}{{ x }}" * 100_000,
        "{{" * 1_000_000,
        "{% comment %}" * 100_000 + "{% endcomment %}",
        "{% highlight %}" * 100_000 + "{% endhighlight %}" * 100_000,  # nested too deep
        "{% highlight %}{% raw %}" * 100_000,
        "{% x" + " " * 1_000_000 + "%}",
        # Plugins' blocks inside each other, their ends in another's, or past a raw.
        "{% tab %}{% note %}" * 25_000 + "{% endnote %}{% endtab %}" * 25_000,
        "{% tab %}{% note %}" * 25_000 + "{% endtab %}{% endnote %}" * 25_000,
        "{% tab %}{% note %}" * 25_000 + "{% raw %}" + "{% endnote %}{% endtab %}" * 25_000,
        "{% note %}x{% endtab %}" * 100_000,
        "{% youtube x %}" * 100_000,
    ],
)
def test_hostile_markup_is_read_in_linear_time(hostile: str) -> None:
    """Quadratic reading of these (1-2 MB) would take hours (the suite would not end);
    each takes about a second."""
    rendered, _ = liquid.render(hostile, SITE, "t")
    assert len(rendered) <= len(hostile)


def test_what_captures_and_markdownify_add_is_bounded() -> None:
    """A capture of itself twice, 40 times over, is 2⁴⁰ characters, and 10,000
    `markdownify` of a 100 KB capture of emphasis would render a gigabyte of
    Markdown: what `{{ }}` prints and `markdownify` reads stops at MAX_ADDED."""
    doubled = "{% capture a %}x{% endcapture %}"
    doubled += "{% capture a %}{{ a }}{{ a }}{% endcapture %}" * 40 + "{{ a }}"
    rendered, left = liquid.render(doubled, SITE, "t")
    assert left is not None and len(rendered) <= len(doubled) + liquid.MAX_ADDED
    many = "{% capture a %}" + "*a " * 33_000 + "{% endcapture %}"
    many += "{% assign b = a | markdownify %}" * 10_000 + "{{ b }}"
    rendered, left = liquid.render(many, SITE, "t")
    assert left is not None and rendered.count("<em>") <= 10 * 16_500


def test_a_run_of_base_urls_is_read_in_linear_time() -> None:
    """`{{ site.baseurl }}` 275,000 times (5 MB) with an empty base, which adds nothing
    (the review: 133 s with each one's place copied along the run); and assigns."""
    site = liquidsite.Site("https://e.org", "", data='{"a": [1]}')
    text = "{{ site.baseurl }}" * 275_000 + "{{ site.url }}{% post_url 2020-01-01-x %}"
    rendered, left = liquid.render(text, site, "t", {"2020-01-01-x": "https://e.org/x.html"})
    assert rendered == "https://e.org/x.html" and left is None
    text = "{% assign x = site.data.a | first %}{{ x }}" * 50_000
    assert liquid.render(text, site, "t")[0] == "1" * 50_000


# Ruby's `to_s` of values YAML gives (ruby 3.1, as Jekyll prints them).
RUBY_TO_S = [
    (None, ""),
    (True, "true"),
    (False, "false"),
    (2, "2"),
    (1.5, "1.5"),
    (100.0, "100.0"),
    (1e20, "1.0e+20"),
    (1e16 + 2, "1.0000000000000002e+16"),
    (1e15, "1.0e+15"),
    (1234567890123456.0, "1.234567890123456e+15"),
    (1e15 + 0.5, "1000000000000000.5"),
    (999999999999999.0, "999999999999999.0"),
    (-1e15, "-1.0e+15"),
    (0.0001, "0.0001"),
    (1e-5, "1.0e-05"),
    (-1.5e-7, "-1.5e-07"),
    (5e-324, "5.0e-324"),
    (float("nan"), "NaN"),
    (float("-inf"), "-Infinity"),
]


def test_values_print_as_ruby_prints_them() -> None:
    assert [printed(value) for value, _ in RUBY_TO_S] == [ruby for _, ruby in RUBY_TO_S]


def test_values_yaml_typed_read_as_jekyll_prints_them(tmp_path: Path) -> None:
    """`title: yes` is YAML's true: Jekyll's feed and page say `true`, not Python's
    `True`; so do a tag, a category, an author, and a config value an include prints.
    A config key set to nothing is nil, as in Jekyll (not a value unknown)."""
    (tmp_path / "_config.yml").write_text(
        "url: https://example.org\ntitle: T\nflag: on\nbig: 1.0e+20\ncomments:\n", "utf-8"
    )
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "v.html").write_text(
        "{{ site.flag }},{{ site.big }},{{ site.flag | upcase }}"
        ",{% if site.comments %}on{% else %}off{% endif %}{{ site.comments }}",
        "utf-8",
    )
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-05-01-v.md").write_text(
        "---\ntitle: yes\ndate: 2021-05-01T08:00:00Z\nauthor: no\ntags: [on, 1.50]\n"
        "categories: [off, News]\n---\n{{ page.title }} {% include v.html %}"
        "[{{ site.comments }}]\n",
        "utf-8",
    )
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0, stderr
    feed = (tmp_path / "public" / "feed.xml").read_text("utf-8")
    entry = feed[feed.index("<entry") :]
    assert "<title>true</title>" in entry and "<name>false</name>" in entry
    assert re.findall(r'<category term="([^"]*)"', entry) == ["false", "News", "true", "1.5"]
    assert "&lt;p&gt;true true,1.0e+20,TRUE,off[]&lt;/p&gt;" in entry  # as `jekyll build`
    assert "title is a boolean; used as the text 'true'" in stderr
    assert (tmp_path / "public" / "tags" / "true").is_dir()  # not tags/true-2 beside True


def test_links_to_posts_of_other_folders_and_after_the_baseurl(tmp_path: Path) -> None:
    """`{% link fr/news/_posts/x.md %}` is the post in that folder, not the first of
    its name (translations share names: 510 of 687 such links on ruby-lang.org were
    another language's); `{{ site.baseurl }}{% post_url x %}`, as Jekyll 3 (GitHub
    Pages) documents it, is the post's URL, not the base glued to a whole URL."""
    (tmp_path / "_config.yml").write_text("url: https://e.org\nbaseurl: /repo\n", "utf-8")
    post = "---\ntitle: {t}\ndate: 2021-11-2{d}T10:00:00Z\n---\n{body}\n"
    for lang in ("en", "fr"):
        folder = tmp_path / lang / "news" / "_posts"
        folder.mkdir(parents=True)
        (folder / "2021-11-24-advisory.md").write_text(post.format(t=lang, d=4, body="x"))
    body = (
        "[fr]({% link fr/news/_posts/2021-11-24-advisory.md %}),"
        " [en]({% link en/news/_posts/2021-11-24-advisory.md %}),"
        " [base]({{ site.baseurl }}{% post_url 2021-11-24-advisory %}),"
        " [whole]({{ site.url }}{{ site.baseurl }}"
        "{% link fr/news/_posts/2021-11-24-advisory.md %}),"
        " [img]({{ site.baseurl }}/i.png)"
    )
    (tmp_path / "fr" / "news" / "_posts" / "2021-11-25-links.md").write_text(
        post.format(t="links", d=5, body=body), "utf-8"
    )
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0, stderr
    html = _content(tmp_path / "public", "links")
    fr, en = (f"https://e.org/repo/{lang}/news/2021/11/24/advisory.html" for lang in ("fr", "en"))
    assert re.findall(r'href="([^"]*)"', html) == [fr, en, en, fr, "https://e.org/repo/i.png"]
    posts = tmp_path / "fr" / "news" / "_posts"  # built alone: the names less their folders
    code, _, stderr = run_in(posts, "build", ".", "--out", str(tmp_path / "alone"))
    assert code == 0 and "FP203" not in stderr, stderr
    html = _content(tmp_path / "alone", "links")
    assert "{%" not in html and html.count("/2021/11/24/advisory.html") == 4


RELEASES = """\
- version: 2.7.0
  url: {gz: https://cache.example.org/ruby-2.7.0.tar.gz}
  size: {gz: 16021286}
  stats: {files_changed: 4190}
- version: 2.6.0
  url: {gz: https://cache.example.org/ruby-2.6.0.tar.gz}
"""
RELEASE_POST = """\
---
title: Ruby 2.7.0 Released
date: 2019-12-25T00:00:00Z
---
{% assign release = site.data.releases | where: "version", "2.7.0" | first %}
{% assign last = site.data.releases | last %}
{% assign none = site.data.releases | where: "version", "9.9" | first %}
{% assign other = page.title | upcase %}
[{{ release.stats.files_changed }} files](https://x.org/c): <{{ release.url.gz }}>,
{{ release.size.gz }}; {{ last.url.gz }}; [{{ none.url.gz }}]; {{ site.data.team.info.lead }};
{{ other }}; {{ release.url }}
"""


def test_a_posts_liquid_reads_the_sites_data(tmp_path: Path) -> None:
    """ruby-lang.org's release notes (925 posts) assign a release from `_data/` and
    print its URLs and checksums; they showed as `{{ release.url.gz }}`. Now as
    `jekyll build` 4.3.1 prints them (checked), but a variable another `assign`
    gave, or a table, which stay as written; an assign never shows. An edit of the
    data reaches a warm build; a data file that cannot be read is said (FP603)."""
    (tmp_path / "_config.yml").write_text("url: https://e.org\ntitle: T\n", "utf-8")
    data = tmp_path / "_data"
    (data / "team").mkdir(parents=True)
    (data / "releases.yml").write_text(RELEASES, "utf-8")
    (data / "team" / "info.json").write_text('{"lead": "Matz"}', "utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2019-12-25-r.md").write_text(RELEASE_POST, "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0, stderr
    html = _content(tmp_path / "public", "Ruby 2.7.0 Released")
    assert html == (
        '<p><a href="https://x.org/c">4190 files</a>: <a href="https://cache.example.org/'
        'ruby-2.7.0.tar.gz">https://cache.example.org/ruby-2.7.0.tar.gz</a>,\n16021286;'
        ' <a href="https://cache.example.org/ruby-2.6.0.tar.gz">'
        "https://cache.example.org/ruby-2.6.0.tar.gz</a>; []; Matz;\n{{ other }};"
        " {{ release.url }}</p>"
    )
    (data / "releases.yml").write_text(RELEASES.replace("4190", "4191"), "utf-8")
    (data / "broken.yml").write_text("a: [unclosed\n", "utf-8")
    code, _, stderr = run_in(tmp_path, "build")
    assert code == 0 and "4191 files" in _content(tmp_path / "public", "Ruby 2.7.0 Released")
    assert "_data/broken.yml:1: FP603 jekyll-setting-unused: invalid YAML:" in stderr
    assert "a post's `site.data.broken` shows as written." in stderr


def test_the_sites_data_is_bounded(tmp_path: Path) -> None:
    """A data file is the repository's: a billion laughs (aliases of aliases, 1 KB
    that JSON would write out as 10^9 values), nesting past 100 levels, a link to a
    file outside and keys YAML types are read without harm: each is a warning, and
    the rest of the data is read."""
    data = tmp_path / "_data"
    data.mkdir()
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for p, c in zip("abcdefgh", "bcdefghi", strict=True):  # each 10 of the one before
        laughs.append(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]")
    (data / "laughs.yml").write_text("\n".join(laughs) + "\n", "utf-8")
    (data / "deep.yml").write_text("[" * 150 + "]" * 150 + "\n", "utf-8")
    (tmp_path / "secret.yml").write_text("token: hunter2\n", "utf-8")
    (data / "linked.yml").symlink_to(tmp_path / "secret.yml")
    (data / "typed.yml").write_text(
        "1: one\n2021-01-01: day\nok: yes\nat: 2020-01-01 10:00:00+09:00\n", "utf-8"
    )
    (data / "chain.yml").write_text(
        "a: &a0 [x]\n" + "".join(f"a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, 300)), "utf-8"
    )
    (data / "itself.yml").write_text("a: &r [1, *r]\n", "utf-8")
    (data / "set.yml").write_text("s: !!set {b, a}\n", "utf-8")
    (data / "deep.json").write_text("[" * 150 + "]" * 150, "utf-8")
    from feedpub import sitedata

    text, skipped = sitedata.read(data)
    typed = {"1": "one", "2021-01-01": "day", "ok": True, "at": "2020-01-01 10:00:00 +0900"}
    assert json.loads(text) == {"typed": typed}  # the times as Ruby prints them
    assert sorted((Path(p).name, why.split(":")[0]) for p, why in skipped) == [
        ("chain.yml", "nested more than 100 deep"),
        ("deep.json", "nested more than 100 deep"),
        ("deep.yml", "nested more than 100 deep"),
        ("itself.yml", "nested more than 100 deep"),
        ("laughs.yml", "more than 1,000,000 values, its aliases written out"),
        ("linked.yml", "a symbolic link or not a file"),
        ("set.yml", "a set (`!!set`), which Jekyll refuses"),
    ]


def test_an_assign_in_a_block_left_as_written_is_not_run() -> None:
    """`{% if %}…{% assign %}…{% else %}{% assign %}…{% endif %}`: feedpub does not
    run the condition, so neither branch's value may be printed (the review: the wrong
    branch's was, in empty block tags); it all stays as written, as before. A list's
    `size`, `first` and `last` are Liquid's, as `jekyll build` prints them."""
    data = json.dumps({"r": [{"v": "2.7.0", "t": "v270"}, {"v": "2.1", "t": "v2_10"}]})
    site = liquidsite.Site("https://e.org", "", data=data)
    text = (
        '{% if page.lang == "ja" %}{% assign rel = site.data.r | first %}{% else %}'
        "{% assign rel = site.data.r | last %}{% endif %}{{ rel.t }}|"
        "{% assign one = site.data.r | first %}{% for i in (1..2) %}{{ one.t }}{% endfor %}"
        "{{ one.t }}|{{ site.data.r.size }} {{ site.data.r.first.t }} {{ site.data.r.last.t }}"
    )
    rendered, left = liquid.render(text, site, "t")
    assert rendered == (
        '{% if page.lang == "ja" %}{% assign rel = site.data.r | first %}{% else %}'
        "{% assign rel = site.data.r | last %}{% endif %}{{ rel.t }}|"
        "{% for i in (1..2) %}{{ one.t }}{% endfor %}v270|2 v270 v2_10"
    )
    assert left == 0


def test_a_loop_left_as_written_is_left_whole() -> None:
    """jekyll's 2013 release notes: `[#{{ issue }}]: {{ site.repository }}/issues/{{ issue }}`
    in a `{% for %}` had its site value rendered and its loop's not, and the cleaner
    linked `https://github.com/jekyll/jekyll/issues/{{` (a blog trial). A loop is not
    run, so nothing in it is rendered; an `if`'s text is shown, its site values too."""
    site = liquidsite.Site("https://e.org", "", config={"repo": "https://github.com/j/j"})
    loop = "{% for n in page.issues %}\n[#{{ n }}]: {{ site.repo }}/issues/{{ n }}\n{% endfor %}"
    text = loop + "\n{{ site.repo }} {% if x %}{{ site.repo }}{% endif %}"
    rendered, left = liquid.render(text, site, "t")
    gh = "https://github.com/j/j"
    assert (rendered, left) == (f"{loop}\n{gh} {{% if x %}}{gh}{{% endif %}}", 0)
    # its tags too (the review: `{{ site.repo }}{% post_url %}` made half a link), and an
    # `endfor` with no loop open counts nothing (`{% if %}{% endfor %}`: Jekyll's error)
    links = {"2021-05-01-a": "/2021/05/01/a.html"}
    tags = "{% for n in x %}[a]({{ site.repo }}{% post_url 2021-05-01-a %}){% endfor %}"
    assert liquid.render(tags, site, "t", links) == (tags, 0)
    odd = "{% if a %}{% endfor %}{% endif %}{% for n in x %}{{ site.repo }}{% endfor %}"
    assert liquid.render(odd + "{{ site.repo }}", site, "t") == (odd + gh, 0)


def test_a_plugins_block_shows_what_it_holds() -> None:
    """mademistakes.com's `{% notice %}…{% endnotice %}` (a theme's plugin) showed its
    tags as text around its content: the reader now sees the post's own content, as
    inside the plugin's markup, and an FP204 note says what is not shown. A plugin's
    tag without an end (`{% youtube id %}`) and Liquid's own blocks stay as written
    (FP203, a warning)."""
    text = (
        "A\n{% notice info %}\n![i]({{ site.baseurl }}/a.png)\n{% endnotice %}\n"
        "{% tip %}**Note** {% box %}{% endbox %}{% endtip %}\n"
        "{% youtube q1 %} {% if x %}y{% endif %}"
    )
    rendered, left = liquid.render(text, SITE, "t")
    assert rendered == "A\n\n![i](/b/a.png)\n\n**Note** \n{% youtube q1 %} {% if x %}y{% endif %}"
    # Another name is no plugin's feedpub knows: a Django sample's, as written (the review).
    django = "{% block content %}<h1>Hi</h1>{% endblock %}"
    assert liquid.render(django, SITE, "t") == (django, 0)
    assert left is not None and text[left:].startswith("{% youtube")
    found = liquid.read("a.md", text[: text.index("{% youtube")], 0, SITE)
    (note,) = found.problems
    assert found.rendered and (note.line, note.col, note.code) == (2, 1, "FP204")
    assert note.message == (
        "{% notice %} is a plugin's block: what it holds is shown, not what the plugin adds"
        " around it"
    )
    both = liquid.read("a.md", text, 0, SITE).problems  # the warning and the note: each
    assert [(p.code, p.line) for p in both] == [("FP203", 6), ("FP204", 2)]  # asks its own
    tabs = "{% tabs %}\n{% tab a %}x{% endtab %}\n{% endtabs %}"  # the outer one is named
    assert "{% tabs %} is" in liquid.read("a.md", tabs, 0, SITE).problems[0].message
    nested = "{% tab %}" * 6 + "x" + "{% endtab %}" * 6
    shown, at = liquid.render(nested, SITE, "t")  # four deep at most: the rest as written
    assert shown == "{% tab %}{% tab %}x{% endtab %}{% endtab %}" and at == len("{% tab %}") * 4
    # A `{% details %}`'s caption is the author's text (al-folio's "Click here to know
    # more" was lost): in bold before what it holds.
    details = "{% details Click **here** %}\nMore *x*.\n{% enddetails %}"
    assert liquid.render(details, SITE, "t")[0] == (
        "<p><strong>Click <strong>here</strong></strong></p>\n\n\nMore *x*.\n"
    )


def test_jekyll_figures_render_as_the_plugin_renders_them() -> None:
    """jekyll-figure's `{% figure caption:"…" class:"…" %}` around a picture
    (mademistakes.com: 540 entries, 998 captions, some with links) is its `<figure>`:
    the content's Markdown and the caption's, as `jekyll build` with the plugin
    writes it; no problem to report."""
    text = (
        'A\n\n{% figure caption:"Sketch with [Paper](https://p.org) (**iOS**)." '
        'class:"gallery-2-col" %}\n[![Shot]({{ site.baseurl }}/a.png)](/a-lg.png)\n'
        "{% endfigure %}\n\nB {% figure %}x{% endfigure %}\n"
    )
    assert liquid.render(text, SITE, "t") == (
        'A\n\n<figure class="gallery-2-col">\n<p><a href="/a-lg.png"><img src="/b/a.png" '
        'alt="Shot" /></a></p>\n<figcaption>Sketch with <a href="https://p.org">Paper</a> '
        "(<strong>iOS</strong>).</figcaption></figure>\n\nB <figure>\n<p>x</p>\n</figure>\n",
        None,
    )
    assert liquid.read("a.md", text, 0, SITE).problems == ()


def test_the_configs_tables_are_read_within_bounds() -> None:
    """YAML's aliases make a config's tables repeat (100⁴ values from 40 KB):
    the first MAX_NESTED_VALUES below the top (values and tables) are read, the
    shallower first, and every top-level one."""
    import yaml

    from feedpub import sitedata

    keys = [f"k{i}" for i in range(100)]
    text = "a: &a {" + ", ".join(f"{k}: 1" for k in keys) + "}\n"
    for name, alias in (("b", "a"), ("c", "b"), ("d", "c")):
        text += f"{name}: &{name} {{" + ", ".join(f"{k}: *{alias}" for k in keys) + "}\n"
    long = "k" * 1_000  # a long key, which aliases would repeat: no variable's name
    text += f"e: {{{long}: *d}}\n"
    values = dict(sitedata.config_values(yaml.safe_load(text + "top: 1\n")))
    assert not any(long in key for key in values)
    assert values["top"] == 1 and values["a.k0"] == 1 and values["b.k0.k0"] == 1
    assert len(values) <= sitedata.MAX_NESTED_VALUES + 1  # its tables counted too


def test_a_capture_is_a_value_for_an_include_or_markdownify(tmp_path: Path) -> None:
    """ben.balter.com's `{% capture update %}…{% endcapture %}{% include callout.html
    content=update %}` (7 posts, `{% assign update = update | markdownify %}` between
    them in one) and hux's `{{ x | markdownify }}` of a whole article
    showed their tags and raw Markdown: a capture's rendered text is now the
    variable's value, for `{{ }}`, Jekyll's `markdownify` and an include's
    parameters, and shows nothing itself. One inside a block left as written (`if`),
    or holding Liquid left as written, stays as written, and so does its variable."""
    repo = _blog(tmp_path)
    (repo / "_includes").mkdir()
    callout = '<div class="alert" role="alert">\n  {{ include.content }}\n</div>\n'
    (repo / "_includes" / "callout.html").write_text(callout, "utf-8")
    body = (
        "{% capture content -%}\nPart of a *series*.<br />See [the first]"
        "({% post_url 2026-10-01-first %}).\n{%- endcapture %}\n"
        "{% include callout.html content=content %}\n\n{% capture md %}\n## Why\n\n"
        "It **works**.\n{% endcapture %}\n{% assign md = md | markdownify %}{{ md }}\n\n"
        "{% if x %}{% capture y %}z{% endcapture %}{% endif %}{{ y }}\n"
    )
    post = "---\ntitle: Captured\ndate: 2026-11-02 10:00:00 +0000\n---\n" + body
    (repo / "_posts" / "2026-11-02-captured.md").write_text(post, "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    html = _content(tmp_path / "out", "Captured")
    first = "https://blog.example.org/b/notes/2026/10/01/first.html"
    assert html.startswith(
        f'<div>\n  Part of a *series*.<br>See [the first](<a href="{first}">{first}</a>).\n</div>\n'
        "<h2>Why</h2>\n"
        "<p>It <strong>works</strong>.</p>\n"
    )
    assert "{% if x %}{% capture y %}z{% endcapture %}{% endif %}{{ y }}" in html
    assert "2026-11-02-captured.md:" in stderr and "{% if x %}" in stderr


def test_a_capture_passed_to_many_includes_is_bounded(tmp_path: Path) -> None:
    """A 100 KB capture passed to 40 includes that `markdownify` it took 35 s (the
    review): what an include is passed counts against what Liquid may add to a body,
    so the includes past a million characters stay as written; and the collector's
    reading renders no Markdown (it only learns what the post holds)."""
    from feedpub.includes import Includes, listing

    (tmp_path / "c.html").write_text("<div>{{ include.content | markdownify }}</div>", "utf-8")
    folder, calls = Includes(str(tmp_path), listing(tmp_path)), []

    class Counted:
        def render(self, *args: Any) -> str | None:
            calls.append(1)
            return folder.render(*args)

        def why(self, markup: str) -> str:
            return folder.why(markup)

    site = liquidsite.Site("https://e.org", "", includes=Counted())
    text = "{% capture q %}" + "*a* " * 25_000 + "{% endcapture %}"
    text += "{% include c.html content=q %}\n" * 40
    rendered, left = liquid.render(text, site, "t")
    shown = rendered.count("<div><p><em>a</em>")
    assert 0 < shown < 10 and rendered.count("{% include c.html content=q %}") == 40 - shown
    assert left is not None and len(rendered) < len(text) + 2 * liquid.MAX_ADDED
    assert len(calls) < 10  # the rest are not rendered at all (each of 40 was: 27 s)
    found = liquid.read("a.md", "{% capture q %}*a*{% endcapture %}{{ q | markdownify }}", 0, site)
    assert found.rendered  # (its Markdown not rendered: nothing of it is kept)
