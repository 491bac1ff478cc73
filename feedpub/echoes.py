"""What of a summary its entry's title and tags already say: a reader shows the title
above the summary, so a summary that is the title again, leads with it or with a
run of hashtags (a video description's `#中國 #老楊到處說 …`) shows it twice. And
what of a title its feed's name says: the site's name a scraped page's title ends with.

Comparisons are of the text without white space and case: scraped titles and bodies
space the same words differently ("老楊週六直播   報刊摘要").
"""

from __future__ import annotations

import re

_HASHTAGS = re.compile(r"(?:#[^#0-9][^#]*)+")  # a word's run of hashtags, from its first `#`
# Hashtags before the text, or after it: `#` and a word that is no number ("#1 pick"),
# apart from the text (`…一条#全职太太离婚获5万家务补偿#的热搜…` is Weibo's topic, text).
_LEADING = re.compile(r"(?:\s*#+(?![0-9]+\b)\w+)+#*(?:\s+|$)")
_TRAILING = re.compile(r"(?:\s+#+(?![0-9]+\b)\w+)+#*$")
GLUED_TITLE = 10  # characters of a title that text without spaces may follow glued
_AFTER_TITLE = " \t\n:：-–—|丨·,，.。"  # what separates a title from the text after it
_URL = re.compile(r"(?:https?://|www\.)[!-~]+")  # (ASCII: not the CJK text glued after it)
_LETTER = re.compile(r"[^\W\d_]")
LINKS_LABEL = 10  # letters of a summary beside its links for it to say something
# What the scraper writes for a live stream's description (5 of the corpus's videos),
# as `repeats` compares text: it says nothing either.
_PLACEHOLDERS = frozenset({"youtubelivestreamdescription"})
# A name after a dash or a bar at a title's end: `… - iYouPort`, `… | The Guardian`.
_SITE_NAME = re.compile(r"\s+[-|–—·]\s+([^\s|–—·-][^|–—·-]{0,40}?)\s*$")
_NOT_ALNUM = re.compile(r"[\W_]+")


def repeats(summary: str, title: str) -> bool:
    """Whether `summary` says nothing its title does not: the title again (a video's
    description often is), perhaps with hashtags after it, or a part of the title from
    a word's or a clause's start to one's end (white space aside: 高晓松's descriptions
    are the `【晓年鉴】高晓松` that ends their titles); or a scraper's placeholder."""
    said = "".join(without_hashtags(summary.casefold()).split())
    if said in _PLACEHOLDERS:
        return True
    named = "".join(title.casefold().split())
    at = named.find(said) if said else -1
    while at >= 0:
        end = at + len(said)
        starts = at == 0 or not (named[at - 1].isalnum() and said[0].isalnum())
        if starts and (end == len(named) or not (said[-1].isalnum() and named[end].isalnum())):
            return True
        at = named.find(said, at + 1)
    return False


def without_site_name(title: str, url: str) -> str:
    """`title` without the name of the site at `url` after a dash or a bar at its end
    (`… - iYouPort` of www.iyouport.org, `… | The Guardian` of theguardian.com): a
    scraper that took a page's <title> kept the site's name after the headline, and a
    reader shows the feed's name beside every entry already. Only a name that is one
    of the host's labels (case, spaces and marks aside) goes: a post's own title
    (one without a `from:` page) names no host, and stays as written."""
    found = _SITE_NAME.search(title)
    if found is None or not title[: found.start()].strip() or "//" not in url:
        return title
    name = _NOT_ALNUM.sub("", found[1].casefold())
    labels = url.split("//", 1)[1].split("/", 1)[0].casefold().split(".")[:-1]
    return title[: found.start()] if name and name in labels else title


def without_hashtags(text: str) -> str:
    """`text` without the hashtags that end it (`… #夜市 #台湾`, or glued to it)."""
    words = text.split()
    while words and (at := words[-1].find("#")) >= 0 and _HASHTAGS.fullmatch(words[-1], at):
        if at:
            words[-1] = words[-1][:at]
            break
        words.pop()
    return " ".join(words)


def title_end(text: str, title: str) -> int:
    """Where `title` ends if `text` starts with it (white space and case aside) at the
    end of a word, or, if it is GLUED_TITLE characters long at least, in text written
    without spaces (a title of two, "電影", may be a word's start: "電影與現實"), else 0."""
    a, b = text[:1], title[:1]
    if a != b and not a.isspace() and not b.isspace() and a.casefold() != b.casefold():
        return 0  # (most bodies)
    i = j = 0
    while j < len(title):
        if title[j].isspace():
            j += 1
        elif i < len(text) and text[i].isspace():
            i += 1
        elif i < len(text) and text[i].casefold() == title[j].casefold():
            i, j = i + 1, j + 1
        else:
            return 0
    glued = 0 < i < len(text) and text[i].isalnum() and text[i - 1].isalnum()
    if glued and (len(title) < GLUED_TITLE or not (is_cjk(text[i]) or is_cjk(text[i - 1]))):
        return 0
    return i


def text_of_its_own(text: str, title: str) -> str:
    """`text` (a summary's, before it is cut) without the title that leads it and the
    hashtags before and after it: "" if nothing else is left."""
    if end := title_end(text, title):
        text = text[end:].lstrip(_AFTER_TITLE)
    if lead := _LEADING.match(text):
        text = text[lead.end() :]
    return text if text.strip() else ""


def without_trailing_hashtags(summary: str) -> str:
    """`summary` without the hashtags apart from the text that end it."""
    return _TRAILING.sub("", summary)


def links_alone(summary: str) -> bool:
    """Whether `summary` is links and their labels (`課金：https://…`, `✪ Fanpage: https://…`):
    fewer than LINKS_LABEL letters beside its URLs (a CJK character counts two, a word
    of its own), nothing a reader reads in a list."""
    if "://" not in summary and "www." not in summary:
        return False
    letters = _LETTER.findall(_URL.sub("", summary))
    return len(letters) + sum(map(is_cjk, letters)) < LINKS_LABEL


def says_nothing(text: str) -> bool:
    """Whether `text` holds no letter and no URL (marks, digits, white space)."""
    return "://" not in text and "www." not in text and not _LETTER.search(text)


def is_cjk(char: str) -> bool:
    """Whether `char` belongs to a script written without spaces between words."""
    return bool(char) and ord(char) >= 0x2E80
