"""The language of a text, as a BCP 47 tag: what `xml:lang`, RSS `<language>`, JSON
Feed `language` and HTML `lang` say, so that readers pick the right glyphs, fonts,
hyphenation and voice.

By script first, which is certain: Han (Chinese; with kana Japanese), Hangul
(Korean), Thai, Greek, Hebrew, Arabic, Devanagari. Chinese is told apart as
Simplified (`zh-Hans`) or Traditional (`zh-Hant`) by the characters only one of
them uses (`data/hanzi.txt`, from hanzidentifier: CC-CEDICT). Latin script is
told apart by its commonest short words, for the languages the archives carry
(a headline of nouns without accents is taken for English, their one
Latin-script language); a text that says too little (a name, a number) has no
language of its own and takes its feed's.

Not a language model: titles are a few words, and a feed's language is the
most common one of its entries' (`majority`). py3langid, the obvious library,
costs 0.13 s to import and 0.67 s to load its model in every process that
uses it: more than a build after a small change takes in all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache

_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# The commonest short words of the Latin-script languages the archives carry.
_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is for on with that it as by are from at this be was how why "
        "what you your we our not will after who has have its into about than new",
        "fr": "le la les des et du un une est pour dans que qui sur pas au avec ce ne sont "
        "aux par plus leur cette",
        "de": "der die das und ist nicht ein eine zu den mit von für auf dem sich im auch "
        "wie sind wird",
        "es": "el los las y en que por con para una es del al se no su como más pero sus",
        "pt": "o os e do da em que para com um uma não no na por mais se dos das ao",
        "it": "il di che e per non del della sono con gli da al si una dei nel alla",
        "nl": "de het een en van is op dat te voor met niet zijn ook aan er bij",
        "id": "yang dan di ini itu dengan untuk dari tidak ada akan pada juga dalam kami",
    }.items()
}
_ACCENTED = re.compile("[à-ÿœæß]")  # letters English does not use
_VIETNAMESE = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
_SCRIPTS = {
    "kana": "[\u3040-\u30ff\u31f0-\u31ff]",
    "ko": "[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]",
    "latin": "[A-Za-z\u00c0-\u024f]",
    "el": "[\u0370-\u03ff]",
    "he": "[\u0590-\u05ff]",
    "ar": "[\u0600-\u06ff]",
    "hi": "[\u0900-\u097f]",
    "th": "[\u0e00-\u0e7f]",
}


# A kana that is no middle dot or long-vowel mark (U+30FB, U+30FC), which counts only
# beside one: Chinese writes "・" between words ("導讀・你真的理解").
_KANA = re.compile("[\u3040-\u30fa\u30fd-\u30ff\u31f0-\u31ff]")


@cache
def _patterns() -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    """Han and the other scripts, compiled on first use (not by `valid`'s importers)."""
    return re.compile(_HAN), {name: re.compile(chars) for name, chars in _SCRIPTS.items()}


@cache
def _variants() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns of the characters only Traditional, and only Simplified, Chinese use
    (regular expressions: a title is counted at C speed, not a character at a time)."""
    from importlib.resources import files

    text = files("feedpub").joinpath("data", "hanzi.txt").read_text("utf-8")
    _, traditional, simplified = text.split("\n")[:3]
    return re.compile(f"[{re.escape(traditional)}]"), re.compile(f"[{re.escape(simplified)}]")


def in_latin(text: str) -> bool:
    """Whether `text` holds a letter of the Latin script."""
    return bool(_patterns()[1]["latin"].search(text))


def detect(text: str, words: bool = True) -> str:
    """The language of `text` ("" when it does not say: too few letters, or a script
    shared by too many languages; with `words` false, Latin script is always that:
    a name's few words are no sentence). A few microseconds for a title."""
    han_chars, scripts = _patterns()
    han = len(han_chars.findall(text))
    counts = {name: len(pattern.findall(text)) for name, pattern in scripts.items()}
    if counts["kana"] and not _KANA.search(text):
        counts["kana"] = 0  # only "・" and "ー", which say nothing alone (see _KANA)
    if counts["kana"] and counts["kana"] + han >= max(counts.values()):
        return "ja"
    script, count = max(counts.items(), key=lambda item: item[1])
    if han and 4 * han >= count:  # a Han character says about as much as a word
        traditional, simplified = _variants()
        t, s = len(traditional.findall(text)), len(simplified.findall(text))
        return "zh-Hant" if t > s else "zh-Hans" if s > t else "zh"
    if not count:
        return ""
    if script == "latin":
        return _latin(text) if words else ""
    return script


def _latin(text: str) -> str:
    low = text.lower()
    if sum(c in _VIETNAMESE for c in low) >= 2:
        return "vi"
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", low))
    scores = Counter({lang: sum(w in found for w in words) for lang, found in _WORDS.items()})
    (best, n), (_, second) = [*scores.most_common(2), ("", 0)][:2]
    if n:
        return best if n > second else ""
    # No common word: a name, or a headline of nouns ("Xi Jinping's Three Balancing
    # Acts"). English, the archives' one Latin-script language, if letters say no other.
    return "en" if len(words) >= 2 and not _ACCENTED.search(low) else ""


def majority(langs: Iterable[str], otherwise: str = "") -> str:
    """The commonest of `langs` ("" ignored; ties by name, so never by order). Chinese
    whose script is not told counts for the commoner script. With `otherwise` (the
    site's), that unless over half of `langs` say the commonest: a blog's feed of one
    French post and one Japanese is its English site's, not French by the alphabet."""
    counts = Counter(lang for lang in langs if lang)
    if not counts:
        return ""
    scripts = [(counts[s], s) for s in ("zh-Hans", "zh-Hant") if counts[s]]
    if "zh" in counts and scripts:
        counts[max(scripts)[1]] += counts.pop("zh")
    best, n = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return best if not otherwise or 2 * n > counts.total() else otherwise


def chosen(source: str, own: str, site: str) -> str:
    """A post's language: its source's, if stated, else its own or its title's (the
    site's where that says more: `en-GB` for `en`), else the site's."""
    return source or (site if site.startswith(f"{own}-") else own) or site


def stated(value: object) -> str:
    """The language a post or a Jekyll config states (`lang: en`, `lang: pt_BR` as a
    locale), as a tag; "" if it states none that is one."""
    if not isinstance(value, str):
        return ""  # most posts state none: no pattern tried for them
    tag = value.strip().replace("_", "-")
    return tag if valid(tag) else ""


def valid(tag: str) -> bool:
    """Whether `tag` is shaped like a BCP 47 language tag (`zh-Hant`, `en`, `pt-BR`)."""
    return bool(_TAG.fullmatch(tag))
