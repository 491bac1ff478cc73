"""Hostile repositories: a body nested deeper than the HTML parser can hold, embed
URLs as link text, character references in plain-text fields. Built through the
CLI as a repository would be, and checked on the corpus."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"atom": ATOM[1:-1]}
# A reference left as text: `&#38;`, `&amp;`, `&#x26;`, `&eacute;`, ...
REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


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
