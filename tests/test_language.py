"""Languages: detected from the posts, stated in the settings, written where every
format and page says it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run, run_in
from lxml import etree

from feedpub import language

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("台总统府：盼促进台美更多互动", "zh-Hans"),
        ("台總統府：盼促進台美更多互動", "zh-Hant"),
        ("香港", "zh"),  # characters both scripts share: the feed decides
        ("從World Value Survey看港台民眾的錯覺與策略選擇", "zh-Hant"),
        ("東京の天気予報", "ja"),
        ("コーヒー・ブレイク", "ja"),
        ("iPhone スーパーセール", "ja"),  # (the marks count beside kana: the code review)
        ("12・25", ""),  # (the marks alone say nothing: the next code review)
        ("Aー・・", ""),
        ("《區塊鏈社會學》導讀・你真的理解「去中心化」嗎？", "zh-Hant"),  # a reader's review
        ("서울 뉴스", "ko"),
        ("Why the election was lost", "en"),
        ("Xi Jinping's Three Balancing Acts", "en"),
        ("Le gouvernement et la crise des retraites", "fr"),
        ("Die Regierung und der Haushalt", "de"),
        ("Tin tức Việt Nam hôm nay đặc biệt", "vi"),
        ("2021", ""),
        ("Müller", ""),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert language.detect(text) == lang


def test_majority() -> None:
    assert language.majority(["zh-Hans", "zh-Hant", "zh-Hant", "", "en"]) == "zh-Hant"
    assert language.majority(["zh", "zh", "zh-Hans"]) == "zh-Hans"  # script untold: counted
    assert language.majority(["en", "fr"]) == "en"  # a tie, by name: never by order
    assert language.majority(["", ""]) == ""
    # With the site's language: the commonest only if over half say it (the blog trial's
    # travel feed of a French post and a Japanese one was `fr`, its site `en-US`).
    assert language.majority(["fr", "ja"], "en-US") == "en-US"
    assert language.majority(["fr", "ja", "fr", ""], "en-US") == "fr"
    assert language.majority(["zh", "zh-Hans", "en"], "en") == "zh-Hans"


def test_the_table_is_hanzidentifiers() -> None:
    """feedpub/data/hanzi.txt is the library's data (regenerate with `make tables`)."""
    hanzi = pytest.importorskip("hanzidentifier.helpers")
    root = Path(language.__file__).parent
    _, traditional, simplified = (root / "data" / "hanzi.txt").read_text("utf-8").split("\n")[:3]
    shared = hanzi.SHARED_CHARACTERS
    assert set(traditional) == hanzi.TRADITIONAL_CHARACTERS - shared
    assert set(simplified) == hanzi.SIMPLIFIED_CHARACTERS - shared


# --- the corpus ------------------------------------------------------------------------------

TRADITIONAL = ("老楊到處說", "柳傑克", "城寨", "圍城記", "石炳锋")
SIMPLIFIED = ("温相说党史", "罗宾", "时事大家谈", "方舟子", "iYouPort")
ENGLISH = ("serpentza",)


def _folder(out: Path, source: str) -> Path:
    found = [p for p in (out / "sources").iterdir() if p.name == source.lower()]
    assert found, source
    return found[0]


def says(path: Path) -> bool:
    """Whether a feed or page says its language (files of other kinds need not)."""
    if path.name == "rss.xml":
        return etree.parse(path).find("channel/language") is not None
    if path.suffix == ".xml":
        return bool(etree.parse(path).getroot().get(XML_LANG))
    if path.name == "feed.json":
        return bool(json.loads(path.read_bytes()).get("language"))
    if path.suffix == ".html":
        return bool(re.search(rb'<html lang="[^"]+"', path.read_bytes()))
    return True


def test_every_feed_and_page_of_the_corpus_says_its_language(
    corpus_build: tuple[Path, str],
) -> None:
    out, _ = corpus_build
    missing = [p.relative_to(out).as_posix() for p in sorted(out.rglob("*")) if not says(p)]
    assert missing == []


def test_sources_are_in_their_script(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    found = {}
    for source in TRADITIONAL + SIMPLIFIED + ENGLISH:
        root = etree.parse(_folder(out, source) / "feed.xml").getroot()
        found[source] = root.get(XML_LANG)
        assert (
            etree.parse(_folder(out, source) / "rss.xml").findtext("channel/language")
            == (found[source])
        )
    assert found == {
        **dict.fromkeys(TRADITIONAL, "zh-Hant"),
        **dict.fromkeys(SIMPLIFIED, "zh-Hans"),
        **dict.fromkeys(ENGLISH, "en"),
    }


def test_entries_say_theirs(corpus_build: tuple[Path, str]) -> None:
    """An English story in a Traditional Chinese source says it is English."""
    out, _ = corpus_build
    root = etree.parse(_folder(out, "好青年荼毒室") / "feed.xml").getroot()
    langs = {e.get(XML_LANG) for e in root.iter(f"{ATOM}entry")}
    assert root.get(XML_LANG) == "zh-Hant" and "en" in langs


def test_stated_languages_win(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n, (source, title) in enumerate([("港", "香港新聞"), ("港", "香港"), ("Wire", "News")]):
        (posts / f"2021-05-0{n + 1}-p{n}.md").write_text(
            f"---\ntitle: {title}\ndate: 2021-05-0{n + 1}T08:00:00Z\nfrom: https://e.org/{n}\n"
            f"categories: [ {source} ]\n---\n<p>x</p>\n",
            "utf-8",
        )
    (tmp_path / "feedpub.toml").write_text(
        'lang = "zh-Hant"\n\n[sources."Wire"]\nlang = "en-GB"\n', "utf-8"
    )
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"), "--site-url",
                          "https://e.org")  # fmt: skip
    assert code == 0, stderr
    site = etree.parse(tmp_path / "out" / "feed.xml").getroot()
    assert site.get(XML_LANG) == "zh-Hant"
    wire = etree.parse(tmp_path / "out" / "sources" / "wire" / "feed.xml").getroot()
    assert wire.get(XML_LANG) == "en-GB"
    assert {e.get(XML_LANG) for e in wire.iter(f"{ATOM}entry")} == {"en-GB"}
    (tmp_path / "feedpub.toml").write_text('lang = "chinese!"\n', "utf-8")
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2 and 'lang: must be a language tag like "zh-Hant"' in stderr


def test_a_tags_feed_and_its_archives_of_no_majority_are_the_sites_language(
    tmp_path: Path,
) -> None:
    """The blog trial's travel feed (a French post, a Japanese one) was `fr`; the review
    then found its archive documents still `fr` while the feed was the site's `en-US`."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    titles = ["Café crème et croissants à Paris", "日本の旅：京都と奈良"]
    for year in (2020, 2021):
        for n, title in enumerate(titles):
            text = f"---\ntitle: {title}\ndate: {year}-05-0{n + 1}\ntags: [travel]\n---\nx\n"
            (posts / f"{year}-05-0{n + 1}-t{n}.md").write_text(text, "utf-8")
    (posts / "2021-06-01-home.md").write_text("---\ntitle: Home news\n---\nx\n", "utf-8")
    (tmp_path / "_config.yml").write_text("title: B\nurl: https://b.example\nlang: en-US\n")
    (tmp_path / "feedpub.toml").write_text('limit = 2\narchive_period = "year"\n', "utf-8")
    code, _, stderr = run_in(tmp_path, "build", "--no-cache", "-q")
    assert code == 0, stderr
    folder = tmp_path / "public" / "tags" / "travel"
    documents = [folder / "feed.xml", *sorted((folder / "archive").glob("*.xml"))]
    assert len(documents) >= 3
    for path in documents:
        lang = etree.parse(str(path)).getroot().get("{http://www.w3.org/XML/1998/namespace}lang")
        assert lang == "en-US", path
