"""Jekyll's `{% include %}`: a file of the site's `_includes/`, rendered as `jekyll
build` 4.3.1 renders it (checked by hand on these files), built through the CLI as
a blog would be; what is left as written; that no file outside the folder is read;
that an edited include reaches the next warm build."""

from __future__ import annotations

import gc
import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import run_in, tree
from test_build import check_all

from feedpub import includes, jekyllfilters, liquidsite
from feedpub.includes import Includes, listing

POST = """---
title: Hello
date: 2026-11-01 10:00:00 +0000
---
Before.

{% include figure.html image_path="/img/a.png" alt="A \\"cat\\"" caption="The *cat*." %}

{% include_cached boilerplate/tools.md %}

{% include card.html url=page.title %}

{% include {extra} %}
"""
FIGURE = """<figure class="{{ include.class | default: "wide" }}">
  <img src="{{ include.image_path | relative_url }}" alt="{{ include.alt | escape }}">
  {%- if include.caption -%}
    <figcaption>{{ include.caption | markdownify | remove: "<p>" | remove: "</p>" }}</figcaption>
  {%- endif -%}
</figure>
"""
TOOLS = "#### Tools used\n\n- [A pen](https://example.com/pen)\n- {{ site.title }}'s paper\n"
CARD = '<p class="card">{% include link.html to=include.url %}</p>\n'
LINK = '<a href="{{ include.to | absolute_url }}">{{ include.to }}</a>'


def _blog(tmp_path: Path, extra: str = 'link.html to="/about/"') -> Path:
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    (repo / "_includes" / "boilerplate").mkdir(parents=True)
    config = "title: A blog\nurl: https://blog.example.org\nbaseurl: /b\n"
    (repo / "_config.yml").write_text(config, encoding="utf-8")
    for name, text in [
        ("figure.html", FIGURE),
        ("boilerplate/tools.md", TOOLS),
        ("card.html", CARD),
        ("link.html", LINK),
        ("image.html", '<img src="{{ page.image }}">\n'),
    ]:
        (repo / "_includes" / name).write_text(text, encoding="utf-8")
    post = POST.replace("{extra}", extra)
    (repo / "_posts" / "2026-11-01-hello.md").write_text(post, encoding="utf-8")
    return repo


def _content(out: Path) -> str:
    return str(json.loads((out / "feed.json").read_text("utf-8"))["items"][0]["content_html"])


def test_an_include_is_rendered_into_the_post_as_jekyll_renders_it(tmp_path: Path) -> None:
    _blog(tmp_path)
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    html = _content(tmp_path / "out")
    img = 'src="https://blog.example.org/b/img/a.png" alt="A &quot;cat&quot;">'
    assert f"<figure>\n  <img {img}" in html.replace(
        'loading="lazy" referrerpolicy="no-referrer" ', ""
    )
    assert "<figcaption>The <em>cat</em>.\n</figcaption></figure>" in html  # markdownify
    # A Markdown include is part of the post's Markdown, its Liquid rendered.
    assert "<h4>Tools used</h4>" in html
    assert "<li>A blog’s paper</li>" in html  # kramdown's typography: the post's text
    # An include inside an include, with Jekyll's `key=variable` parameters.
    assert '<p><a href="https://blog.example.org/b/Hello">Hello</a></p>\n' in html
    assert '<p><a href="https://blog.example.org/b/about/">/about/</a></p>' in html
    assert "{%" not in html and "FP203" not in stderr
    assert check_all(tmp_path / "out") == []


UNKNOWN = "it reads what feedpub does not know"
REFUSED = "a file name or parameters feedpub cannot read"


def test_an_include_reads_the_configs_values_as_yaml_typed_them(tmp_path: Path) -> None:
    """`comments: false` is false to an include's `if`, `version: 2` equals 2, and both
    print as Jekyll prints them (checked with `jekyll build` 4.3.1: `|v2|false|2.5`);
    as text, "false" was true and "2" was not 2. A table's keys are read as in a post
    (al-folio's `figure.liquid` asks `site.imagemagick.enabled`: its 15 pictures
    were lost, the include shown as written)."""
    repo = _blog(tmp_path, "switches.html")
    config = repo / "_config.yml"
    config.write_text(
        config.read_text() + "comments: false\nversion: 2\nratio: 2.5\n"
        "imagemagick:\n  enabled: true\n  widths: [480]\ngiscus: {lang: en}\n"
    )
    (repo / "_includes" / "switches.html").write_text(
        "{% if site.comments %}COMMENTS{% endif %}|{% if site.version == 2 %}v2{% else %}"
        "not-v2{% endif %}|{{ site.comments }}|{{ site.ratio }}"
        "|{% if site.imagemagick.enabled %}IM{% endif %}|{{ site.giscus.lang }}"
    )
    assert run_in(tmp_path, "build", "blog", "--out", "out")[0] == 0
    assert "<p>|v2|false|2.5|IM|en</p>" in _content(tmp_path / "out")


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ("missing.html", "no file missing.html in _includes/; a theme's includes, in its gem"),
        ("image.html", UNKNOWN),  # reads `page.image`, which feedpub does not know
        ("figure.html image_path=page.image", UNKNOWN),  # likewise, as a parameter
        ("../_config.yml", REFUSED),  # out of the folder: Jekyll refuses the name
        ("{{ page.title }}.html", REFUSED),  # a name from a variable
        ("figure.html | upcase", REFUSED),  # markup Jekyll refuses
        ('figure.html caption="x" | upcase', REFUSED),
    ],
)
def test_an_include_feedpub_cannot_render_is_left_as_written(
    tmp_path: Path, extra: str, why: str
) -> None:
    _blog(tmp_path, extra)
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    html = _content(tmp_path / "out")
    assert f"{{% include {extra} %}}" in html.replace("&quot;", '"').replace("”", '"')
    assert "<h4>Tools used</h4>" in html  # the others are rendered
    assert stderr.count(": FP203 liquid-left: ") == 1 and "Traceback" not in stderr
    assert f"{{% include {extra} %}} ({why}" in stderr


def test_no_file_outside_the_includes_folder_is_read(tmp_path: Path) -> None:
    """A link in `_includes/` (to a secret beside the repository) is not followed, and
    an `includes_dir` out of the site is not used: the tags stay as written."""
    repo = _blog(tmp_path, "secret.html")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n", encoding="utf-8")
    os.symlink(secret, repo / "_includes" / "secret.html")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "figure.html").write_text("TOP SECRET\n", encoding="utf-8")
    assert run_in(tmp_path, "build", "blog", "--out", "out", "-q")[0] == 0
    assert "SECRET" not in _content(tmp_path / "out")
    assert "{% include secret.html %}" in _content(tmp_path / "out")
    config = repo / "_config.yml"
    for folder in ("../outside", str(tmp_path / "outside")):
        config.write_text(f"title: A blog\nincludes_dir: {folder}\n", encoding="utf-8")
        assert run_in(tmp_path, "build", "blog", "--out", "out", "-q")[0] == 0
        html = _content(tmp_path / "out")
        assert "SECRET" not in html and "{% include figure.html" in html


def test_no_hidden_folder_or_file_is_an_include(tmp_path: Path) -> None:
    """`includes_dir: .git` made `.git/config`, where actions/checkout leaves the job's
    token, an include any post could publish (the hostile review): a hidden folder is
    not one (FP603), nor a hidden file or folder inside `_includes/`."""
    repo = _blog(tmp_path, "config")
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text("extraheader = AUTHORIZATION: SECRET\n", "utf-8")
    (repo / "_config.yml").write_text("title: A blog\nincludes_dir: .git\n", encoding="utf-8")
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0
    assert "SECRET" not in _content(tmp_path / "out")
    assert "blog/_config.yml:2: FP603 jekyll-setting-unused: includes_dir .git: no hidden" in stderr
    (repo / "_config.yml").write_text("title: A blog\nincludes_dir: ../x\n", encoding="utf-8")
    assert "no hidden" not in run_in(tmp_path, "build", "blog", "--out", "out")[2]  # not `..`
    (repo / "_config.yml").write_text("title: A blog\n", encoding="utf-8")
    (repo / "_includes" / ".env").write_text("SECRET\n", "utf-8")
    (repo / "_includes" / ".git").mkdir()
    (repo / "_includes" / ".git" / "config").write_text("SECRET\n", "utf-8")
    assert [name for name, _ in listing(repo / "_includes")] == [
        "boilerplate/tools.md", "card.html", "figure.html", "image.html", "link.html",
    ]  # fmt: skip


def test_a_linked_posts_folder_reads_the_sites_includes(tmp_path: Path) -> None:
    """Built as `feedpub build blog/_posts`, where `_posts` links to a folder whose
    `_includes/` beside it links out of the repository: the site's own file is
    rendered (`_posts/..` is the site, as written), the other is never read."""
    repo = _blog(tmp_path)
    inner = repo / "sub" / "a"
    (inner / "_posts").mkdir(parents=True)
    for post in (repo / "_posts").iterdir():
        post.rename(inner / "_posts" / post.name)
    (repo / "_posts").rmdir()
    os.symlink("sub/a/_posts", repo / "_posts")
    (inner / "_includes").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n", encoding="utf-8")
    os.symlink(secret, inner / "_includes" / "figure.html")
    assert run_in(tmp_path, "build", "blog/_posts", "--out", "out", "-q")[0] == 0
    html = _content(tmp_path / "out")
    assert "SECRET" not in html and "<figcaption>The <em>cat</em>." in html


def test_a_pipe_or_a_deep_folder_in_includes_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("A", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.html")  # opened and read, it would wait for ever
    deep = tmp_path.joinpath(*["d"] * 100)  # (1,100 deep: os.walk's recursion failed)
    deep.mkdir(parents=True)
    (deep / "x.html").write_text("X", encoding="utf-8")
    assert [name for name, _ in listing(tmp_path)] == ["a.html"]


def test_an_include_failing_with_some_parameters_renders_with_others(tmp_path: Path) -> None:
    """Only what fails alike for every post (no parse, too slow) is not tried again."""
    (tmp_path / "cond.html").write_text("{% if include.x %}{{ page.image }}{% endif %}ok")
    (tmp_path / "outer.html").write_text("{% if include.x %}{% include bad.html %}{% endif %}ok")
    (tmp_path / "bad.html").write_text("{% if %}")  # does not parse: remembered, for itself
    found = Includes(str(tmp_path), listing(tmp_path))
    variables = {"page": {"title": "T"}}
    assert found.render('cond.html x="1"', variables, (), [0]) is None  # page.image: unknown
    assert found.render("cond.html", variables, (), [0]) == "ok"
    assert found.render('outer.html x="1"', variables, (), [0]) is None
    assert found.render("outer.html", variables, (), [0]) == "ok"
    assert found.render("bad.html", variables, (), [0]) is None


def test_an_include_that_takes_too_long_fails_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template whose parsing takes seconds (quadratic in its brackets) is stopped
    at MAX_SECONDS, and not parsed again by the next tag."""
    (tmp_path / "slow.html").write_text("{{ " + "(" * 20_000 + "1" + ")" * 20_000 + " }}")
    monkeypatch.setattr(includes, "MAX_SECONDS", 0.2)
    found = Includes(str(tmp_path), listing(tmp_path))
    env = includes._environment(found, ())
    parsed = []  # each time python-liquid is asked to parse it (5 s here, unbounded)
    get_template = env.get_template
    monkeypatch.setattr(
        env, "get_template", lambda *a, **k: parsed.append(1) or get_template(*a, **k)
    )
    assert found.render("slow.html", {}, (), [0]) is None
    assert "slow.html" in env.failed  # (python-liquid's error)
    assert found.render("slow.html", {}, (), [0]) is None
    assert parsed == [1]  # stopped once, then not parsed again (no wall clock: it varies)


def test_a_posts_includes_share_a_budget_of_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hostile review: 200 tags of an include looping 99,000 times (0.66 s each,
    under MAX_SECONDS) took 132 s, and a megabyte of them would take hours. A post's
    tags do MAX_POST_WORK in all (loop steps, a file included counting INCLUDE_WORK);
    the tags after are left as written (FP203, which says so). Work, not time (the
    session's review: a budget of seconds left 52, 57 and 55 tags of three builds): the
    same tags are rendered every time, and the next post has a budget of its own."""
    from feedpub import liquid

    (tmp_path / "loop.html").write_text("{% for i in (1..10000) %}{% endfor %}x")
    monkeypatch.setattr(includes, "MAX_POST_WORK", 50_000)
    found = Includes(str(tmp_path), listing(tmp_path))
    site = liquidsite.Site.of("https://e.org", "", {}, found, ())
    body = "{% include loop.html %}\n" * 40
    for _ in range(2):  # 11,000 a tag: four, and the fifth's loop goes past
        text, left = liquid.render(body, site, "T")
        assert text == "x\n" * 4 + "{% include loop.html %}\n" * 36 and left == 4 * 24
    read = liquid.read("p.md", body, 0, site)
    assert "(the post's includes did their work (50,000 loop steps))" in read.problems[0].message
    assert liquid.render("{% include loop.html %}", site, "T") == ("x", None)  # a new post


def test_an_include_timeout_is_not_lost_in_a_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer's exception, raised while a garbage collection's callback ran (a CI
    run: hypothesis times collections), was lost ("ignored in gc_callback"), and the
    parsing went on. No collection runs while an include is timed."""
    (tmp_path / "slow.html").write_text("{{ " + "(" * 20_000 + "1" + ")" * 20_000 + " }}")
    monkeypatch.setattr(includes, "MAX_SECONDS", 0.2)
    found = Includes(str(tmp_path), listing(tmp_path))

    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if signal.getitimer(signal.ITIMER_REAL)[0]:  # timed: the timer fires in here
            time.sleep(0.3)  # (pytest reports what it raised, lost)

    gc.callbacks.append(slow_callback)
    try:
        assert found.render("slow.html", {}, (), [0]) is None
    finally:
        gc.callbacks.remove(slow_callback)


def test_a_filter_refuses_before_it_makes_too_much() -> None:
    """The review: `replace: 'a', sub: b` (the replacement by name) and a list replaced
    as its text were not counted, and one 200-byte include made 2.1 GB before the next
    filter refused it. Each is refused before it runs."""
    env = includes._environment(Includes("", ()), liquidsite.url_filters("", ""))
    replace, join = env.filters["replace"], env.filters["join"]
    assert replace("a" * 320, "a", sub="x" * 4) == "xxxx" * 320
    for call in (
        lambda: replace("a" * 320, "a", sub="x" * 4096),
        lambda: replace(["a"] * 320, "a", "x" * 4096),
        lambda: join(["a"] * 320, separator="x" * 4096),
    ):
        with pytest.raises(jekyllfilters.TooLarge):
            call()


def test_a_file_parsed_as_a_tags_time_ran_out_is_not_marked_failed() -> None:
    """The review: a slow include's time ran out while another file it includes was
    parsed; python-liquid wraps the alarm in its own error, and that healthy file was
    marked failed for the rest of the process (every later post's tag of it, FP203).
    Only the slow tag's own file is marked (`Includes.render`, tested above)."""
    from liquid.exceptions import LiquidError

    from feedpub.includes import _template, _Timeout

    class Env:
        def __init__(self) -> None:
            self.failed: set[str] = set()

        def get_template(self, name: str, context: object = None) -> None:
            raise LiquidError(name, token=None) from _Timeout()

    env = Env()
    with pytest.raises(LiquidError):
        _template(env, "healthy.html")
    assert env.failed == set()


def test_an_edited_include_reaches_the_next_warm_build(tmp_path: Path) -> None:
    """An include is a setting of the site: editing, adding or deleting one builds
    everything again, as a build without cache would."""
    repo = _blog(tmp_path)
    tools = repo / "_includes" / "boilerplate" / "tools.md"
    steps = [
        lambda: tools.write_text("#### Brushes used\n", encoding="utf-8"),
        tools.unlink,
        lambda: tools.write_text(TOOLS, encoding="utf-8"),
    ]
    seen = []
    for n, step in enumerate([lambda: None, *steps]):
        step()
        assert run_in(tmp_path, "build", "blog", "--out", "warm", "-q")[0] == 0
        assert run_in(tmp_path, "build", "blog", "--no-cache", "-q", "--out", f"cold{n}")[0] == 0
        assert tree(tmp_path / "warm") == tree(tmp_path / f"cold{n}")
        seen.append(_content(tmp_path / "warm"))
    assert "<h4>Tools used</h4>" in seen[0] and "<h4>Brushes used</h4>" in seen[1]
    assert "{% include_cached boilerplate/tools.md %}" in seen[2]
    assert seen[3] == seen[0]


INCLUDES = {
    "trim.html": "<p>\n  {%- if include.a -%}\n    {{ include.a }}\n  {%- endif -%}\n</p>\n",
    "self.html": "{% include self.html %}",
    "loop.html": "{% for i in (1..1000000) %}{{ i }}{% endfor %}",
    "big.html": "{% for i in (1..100000) %}{{ include.x }}{% endfor %}",
    "quote.html": "{{ include.q }}|{{ include.s }}|{{ include.none }}|{{ include.v }}",
    "url.html": "{{ include.u | relative_url }}|{{ include.u | absolute_url }}|",
    "outer.html": "[{{ include.a }}|{% include inner.html %}]\n",
    "inner.html": "{{ include.a }}",
    "pass.html": "{% include wrap.html c=include.c %}",
    "wrap.html": "<{{ include.c }}>",
    "bom.html": "\ufefftext",
    "double.html": '{% assign s="0123456789" %}{% for i in (1..30) %}{% assign s = s | append: s %}'
    "{% endfor %}{{ s | size }}",
    "square.html": "{% assign n=9 %}{% for i in (1..40) %}{% assign n = n | times: n %}"
    "{% endfor %}",
    "range.html": "{{ (1..60000000) | reverse | size }}",
    "joined.html": '{% assign s = "0123456789" | split: "" %}{% for i in (1..12) %}'
    "{% assign s = s | concat: s %}{% endfor %}{{ s | join: include.sep | size }}",
    "replaced.html": '{% assign a = "aaaaaaaaaa" %}{% for i in (1..5) %}{% assign a = a | append:'
    ' a %}{% endfor %}{{ a | replace: "a", include.by | size }}',
    "named.html": '{% assign a = "aaaaaaaaaa" %}{% for i in (1..5) %}{% assign a = a | append:'
    ' a %}{% endfor %}{% assign b = "x" %}{% for i in (1..include.n) %}{% assign b = b | append:'
    ' b %}{% endfor %}{{ a | replace: "a", sub: b | size }}',
    "listed.html": '{% assign a = "aaaaaaaaaa" %}{% for i in (1..5) %}{% assign a = a | append:'
    ' a %}{% endfor %}{% assign b = "x" %}{% for i in (1..include.n) %}{% assign b = b | append:'
    ' b %}{% endfor %}{% assign l = a | split: "" %}{{ l | replace: "a", b | size }}',
    **{f"fan{level}.html": f"{{% include fan{level + 1}.html %}}" * 10 for level in range(4)},
    "fan4.html": "",
}


@pytest.mark.parametrize(
    ("markup", "rendered"),
    [
        ('trim.html a="x"', "<p>x</p>\n"),  # the line end after `-%}…</p>` kept (a fix)
        ("trim.html", "<p></p>\n"),
        ("""quote.html q="a \\"b\\"" s='c \\'d\\'' v=page.title""", "a \"b\"|c 'd'||T"),
        ("self.html", None),  # includes itself: too deep
        ("loop.html", None),  # a million loops
        ('big.html x="0123456789abcdef"', None),  # 1.6 MB of output
        ("quote.html v=page.date", None),
        ("quote.html v=include", "|||"),  # nil, as Jekyll's `context["include"]` in a post
        ("quote.html\n\tq=1 s=true v=nil", "1|true||"),  # literals; any space after the name
        ('outer.html a="1"', "[1|1]\n"),  # no parameters: the outer include's
        ('pass.html c="x"', "<x>"),  # a parameter passed on, given or not
        ("pass.html", "<>"),
        ("bom.html", "text"),
        ("double.html", None),  # a variable of 1 MB and more
        ("square.html", None),  # a number of millions of digits
        ("fan0.html", None),  # 10 ** 4 includes
        ("range.html", None),  # a list of 60 million built in one call (2.4 GB)
        ('joined.html sep="-"', "81919"),  # 40,960 items joined; with a longer separator, not
        ('joined.html sep="' + "-" * 30 + '"', None),
        ('replaced.html by="0123456789"', "3200"),
        ('replaced.html by="' + "x" * 4000 + '"', None),  # 320 characters, each 4,000
        ("named.html n=2", "1280"),
        ("named.html n=12", None),  # the same, `sub:` by name
        ("listed.html n=2", "2560"),
        ("listed.html n=12", None),  # a list, replaced as the text the filter makes of it
        ("url.html", "||"),  # Jekyll's URL filters give nil for nil
    ],
)
def test_what_an_include_renders_to(tmp_path: Path, markup: str, rendered: str | None) -> None:
    for name, text in INCLUDES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    includes = Includes(str(tmp_path), listing(tmp_path))
    variables = {"page": {"title": "T"}, "site": {"url": ""}}
    assert (
        includes.render(markup, variables, liquidsite.url_filters("https://e.org", "/b"), [0])
        == rendered
    )
