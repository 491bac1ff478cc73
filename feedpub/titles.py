"""What a feed calls itself: its title and description, by kind and language.

A reader's list of subscriptions shows titles side by side, so each says what
the feed is: the source's own name, a tag as a tag, an author as an author, in
the feed's language. `[feeds.tag] title = "..."` and the like replace them.
"""

from __future__ import annotations

from .settings import Settings

# kind -> (title, description) by script: "en" stands for every language but Chinese.
_DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "source": {
        "en": ("{name}", "{name}, as kept by {site}"),
        "zh-Hans": ("{name}", "{site}收录的{name}文章"),
        "zh-Hant": ("{name}", "{site}收錄的{name}文章"),
    },
    "tag": {
        "en": ("#{name}", "Posts tagged {name} on {site}"),
        "zh-Hans": ("标签：{name}", "{site}中标签为「{name}」的文章"),
        "zh-Hant": ("標籤：{name}", "{site}中標籤為「{name}」的文章"),
    },
    "author": {
        "en": ("Posts by {name}", "Posts by {name} on {site}"),
        "zh-Hans": ("作者：{name}", "{site}中{name}的文章"),
        "zh-Hant": ("作者：{name}", "{site}中{name}的文章"),
    },
}
# Any other kind (a row of FEED_KINDS without its own patterns above): the site and the name.
_OTHER: dict[str, tuple[str, str]] = {
    "en": ("{site}: {name}", "Posts of {name} on {site}"),
    "zh-Hans": ("{site}：{name}", "{site}中「{name}」的文章"),
    "zh-Hant": ("{site}：{name}", "{site}中「{name}」的文章"),
}
_HANT = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def _script(lang: str) -> str:
    low = lang.lower()
    if low.startswith(_HANT):
        return "zh-Hant"
    return "zh-Hans" if low == "zh" or low.startswith("zh-") else "en"


def _pattern(kind: str, settings: Settings, lang: str, which: int) -> str:
    chosen = settings.kind(kind)
    stated = chosen.description if which else chosen.title
    return stated or _DEFAULTS.get(kind, _OTHER)[_script(lang)][which]


def title(kind: str, name: str, settings: Settings, lang: str) -> str:
    """The title of the feed of `kind` ("site", "source", ...) named `name`."""
    if kind == "site":
        return settings.title
    return _pattern(kind, settings, lang, 0).format(name=name, site=settings.title)


def description(kind: str, name: str, settings: Settings, lang: str) -> str:
    if kind == "site":
        return settings.description or settings.title
    return _pattern(kind, settings, lang, 1).format(name=name, site=settings.title)
