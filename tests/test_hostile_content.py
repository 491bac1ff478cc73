"""Hostile repositories: a body nested deeper than the HTML parser can hold, embed
URLs as link text, character references in plain-text fields. Built through the
CLI as a repository would be, and checked on the corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import feedparser
from conftest import run
from lxml import etree

from feedpub.text import NESTING_LIMIT, nesting_depth, too_deep

SITE = "https://example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"atom": ATOM[1:-1]}
DEEP = "<div>" * 3000 + "<p>Deep inside, the text survives.</p>" + "</div>" * 3000
# The scraper's shape: front matter (lines 1-8), marker, link, rule, then the body.
POST = f"""---
layout: post
title: A runaway page
date: 2021-06-10T08:00:00Z
from: https://example.com/news/deep
tags: [ Hostile ]
categories: [ Hostile ]
---
<!--1623312000000-->
[A runaway page](https://example.com/news/deep)
------

{DEEP}
"""
BODY_LINE = 13
# A reference left as text: `&#38;`, `&amp;`, `&#x26;`, `&eacute;`, ...
REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')


def _build(repo: Path, out: Path, cache: Path) -> tuple[int, str, list[dict[str, Any]]]:
    report = out.parent / f"{out.name}-report.json"
    code, _, stderr = run(
        "build", str(repo), "--out", str(out), "--site-url", SITE, "--cache", str(cache),
        "--report", str(report),
    )  # fmt: skip
    return code, stderr, json.loads(report.read_text("utf-8"))["problems"]


# --- nesting ------------------------------------------------------------------------


def test_deep_body_is_published_as_text_and_reported(tmp_path: Path) -> None:
    posts = tmp_path / "repo" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2021-06-10-deep.md").write_text(POST, encoding="utf-8")
    code, stderr, problems = _build(tmp_path / "repo", tmp_path / "public", tmp_path / "cache")
    assert code == 0, stderr
    assert [(p["path"], p["line"], p["code"], p["message"]) for p in problems] == [
        (
            "repo/_posts/2021-06-10-deep.md",
            BODY_LINE,
            "FP202",
            "body nests 3001 elements deep, over the 512 the HTML parser can hold;"
            " published as plain text",
        )
    ]
    atom = feedparser.parse((tmp_path / "public" / "feed.xml").read_bytes())
    [entry] = atom.entries
    assert entry.content[0].value == "<p>Deep inside, the text survives.</p>"
    assert entry.summary == "Deep inside, the text survives."
    [item] = json.loads((tmp_path / "public" / "feed.json").read_text("utf-8"))["items"]
    assert item["content_html"] == "<p>Deep inside, the text survives.</p>"
    assert item["summary"] == "Deep inside, the text survives."
    # The cleaned fragment is cached: a warm build still reports the post.
    code, stderr, again = _build(tmp_path / "repo", tmp_path / "public2", tmp_path / "cache")
    assert code == 0, stderr
    assert [(p["line"], p["code"]) for p in again] == [(BODY_LINE, "FP202")]


def test_depth_estimate() -> None:
    assert nesting_depth("<div><p>a</p><br><img src=x><hr/><input></div>") == 2
    assert nesting_depth("<DIV><p>a<P>b</div>") == 3  # unclosed soup: deeper, never shallower
    assert nesting_depth("<div></span>" * 10) == 10  # libxml2 ignores an end tag with no start
    assert nesting_depth("<div/>" * 10) == 0  # libxml2 closes `<x/>` at once
    assert nesting_depth("<x><y><z></x><w>") == 3  # `</x>` closes y and z too
    assert nesting_depth('<a title="a>b"><b>x</b></a>') == 2
    assert nesting_depth("<p>" + "<div>" * 600, start=3 + 5 * 100) == 500
    assert too_deep("<div>" * NESTING_LIMIT) == 0
    assert too_deep("<div>" * (NESTING_LIMIT + 1)) == NESTING_LIMIT + 1
    assert too_deep("<br>" * 10_000 + "<div>") == 0


def test_corpus_has_no_deep_body(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    problems = json.loads((out.parent / "report.json").read_text("utf-8"))["problems"]
    assert problems  # the report is there, and FP202 is not in it
    assert [p for p in problems if p["code"] == "FP202"] == []


# --- iframes -----------------------------------------------------------------------


def test_corpus_iframe_links_read_as_title_or_host(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    players: list[str] = []
    watched: set[str] = set()  # a YouTube or Vimeo player's link leads to the video's page
    for path in out.rglob("feed.json"):
        for item in json.loads(path.read_text("utf-8"))["items"]:
            for href, text in LINK.findall(item.get("content_html", "")):
                if "/embed/" in href or "/player" in href or "player." in href:
                    assert not text.startswith(("http:", "https:")), (path, text)
                    players.append(text)
                elif href.startswith(("https://www.youtube.com/watch?v=", "https://vimeo.com/")):
                    watched.add(text)
    assert "player.vimeo.com" not in players and "Vimeo" in watched and "YouTube" in watched
    assert "www.youtube.com" in watched and "YouTube video player" in watched
    assert not any("youtube.com/embed/" in p for p in players)


# --- character references ----------------------------------------------------------


def test_corpus_names_and_titles_hold_no_references(corpus_build: tuple[Path, str]) -> None:
    """The scraper wrote `&#38;` into 30 posts' authors and `&amp;` into a title."""
    out, _ = corpus_build
    texts: dict[str, set[str]] = {"title": set(), "author": set(), "category": set()}
    # The site's archive documents hold every entry once.
    for path in [out / "feed.xml", *sorted((out / "archive").glob("*.xml"))]:
        for entry in etree.parse(path).iterfind(f"{ATOM}entry"):
            texts["title"].add(entry.findtext(f"{ATOM}title") or "")
            texts["author"].update(entry.xpath("atom:author/atom:name/text()", namespaces=NS))
            texts["category"].update(entry.xpath("atom:category/@term", namespaces=NS))
    for field, values in texts.items():
        assert len(values) > 20, field
        assert [v for v in values if REFERENCE.search(v)] == [], field
    assert "Lydia Wong & Thomas Kellogg" in texts["author"]
    assert "资中筠：1900 & 2020 庚子年的忧思" in texts["title"]
