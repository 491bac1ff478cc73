"""Jekyll's `{% include %}`: a file of the site's `_includes/`, rendered as `jekyll
build` 4.3.1 renders it (checked by hand on these files), built through the CLI as
a blog would be; what is left as written; that no file outside the folder is read;
that an edited include reaches the next warm build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_in, tree
from test_build import check_all

from feedpub import liquid
from feedpub.includes import Includes

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


@pytest.mark.parametrize(
    "extra",
    [
        "missing.html",  # not in the folder: a gem theme's, perhaps
        "image.html",  # reads `page.image`, which feedpub does not know
        "figure.html image_path=page.image",  # likewise, as a parameter
        "../_config.yml",  # out of the folder: Jekyll refuses the name
        "{{ page.title }}.html",  # a name from a variable
        "figure.html | upcase",  # markup Jekyll refuses
        'figure.html caption="x" | upcase',
    ],
)
def test_an_include_feedpub_cannot_render_is_left_as_written(tmp_path: Path, extra: str) -> None:
    _blog(tmp_path, extra)
    code, _, stderr = run_in(tmp_path, "build", "blog", "--out", "out")
    assert code == 0, stderr
    html = _content(tmp_path / "out")
    assert f"{{% include {extra} %}}" in html.replace("&quot;", '"').replace("”", '"')
    assert "<h4>Tools used</h4>" in html  # the others are rendered
    assert stderr.count(": FP203 liquid-left: ") == 1 and "Traceback" not in stderr


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
        ("quote.html v=include", None),
        ("url.html", "||"),  # Jekyll's URL filters give nil for nil
    ],
)
def test_what_an_include_renders_to(tmp_path: Path, markup: str, rendered: str | None) -> None:
    for name, text in INCLUDES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    includes = Includes(str(tmp_path), tuple((name, "") for name in sorted(INCLUDES)))
    variables = {"page": {"title": "T"}, "site": {"url": ""}}
    assert (
        includes.render(markup, variables, liquid._url_filters("https://e.org", "/b")) == rendered
    )
