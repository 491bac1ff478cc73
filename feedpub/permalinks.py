"""Where Jekyll publishes a post: the link of an entry whose post has no `from:` URL.

As Jekyll 4 builds it (checked against `jekyll build`): a file in a `_posts`
folder (or under ROOT when ROOT is one) is a post, at its `permalink` (the
site's style or template, or the post's own), filled in with its categories
(the folders above `_posts`, then its `categories`, lower-cased), its date in
the site's `timezone` and its title (the file name without date and
extension, or its `slug:`, slugified as Jekyll's "pretty" mode does: case
kept). A file in `archived/` is a page, at its path, ending as the site's style
ends pages (`.html`, `/` or nothing). The URL is cleaned (`..`, `./`, `//`) and
percent-encoded as Jekyll does.

A post's id is not its link: copies of one post in `_posts/` and `archived/`
must share an id, so the id is the `date` style without the post's own
categories (`id_path`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import quote

STYLES = {  # Jekyll's named permalink styles
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_STRFTIME = {  # Jekyll's date placeholders (`Drops::UrlDrop`)
    "year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M",
    "second": "%S", "short_month": "%b", "long_month": "%B", "short_year": "%y",
    "w_year": "%G", "week": "%V", "w_day": "%u", "short_day": "%a", "long_day": "%A",
    "y_day": "%j",
}  # fmt: skip
PLACEHOLDERS = frozenset(
    {*_STRFTIME, "i_day", "i_month", "title", "slug", "name", "categories"}
    | {"slugified_categories", "collection", "output_ext"}
)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_PRETTY = frozenset("._~!$&'()+,;=@")  # kept besides letters, marks and digits
_SAFE = "-._~!$&'()*+,;=:@/"  # what Jekyll's URL escaping leaves as it is
_DATED = re.compile(r"\d{2,4}-\d{1,2}-\d{1,2}-")
_ASCII_PRETTY = re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+")
_ASCII_DEFAULT = re.compile(r"[^A-Za-z0-9]+")


def slug(name: str, kept: frozenset[str] = _PRETTY, cased: bool = True) -> str:
    """Jekyll's `slugify`: every run of characters other than letters, marks,
    digits and `kept` becomes one `-`, and a `-` at either end goes ("pretty"
    mode; with no `kept` and not `cased`, the "default" mode)."""
    if name.isascii():  # the common case, at C speed
        text = (_ASCII_PRETTY if kept else _ASCII_DEFAULT).sub("-", name)
    else:
        out: list[str] = []
        for ch in name:
            if (
                ch in kept
                or unicodedata.category(ch)[0] in "LM"
                or unicodedata.category(ch) == "Nd"
            ):
                out.append(ch)
            elif not out or out[-1] != "-":
                out.append("-")
        text = "".join(out)
    text = text[1:] if text.startswith("-") else text
    text = text[:-1] if text.endswith("-") else text
    return text if cased else text.lower()


def _stem(path: str) -> str:
    name = path.rpartition("/")[2]
    return name.rpartition(".")[0] or name


def _undated(path: str) -> str:
    """A post's file name without its date and extension (Jekyll's post `slug`)."""
    stem = _stem(path)
    dated = _DATED.match(stem)
    return stem[dated.end() :] if dated else stem


def title_of(path: str, own: str = "") -> str:
    """A post's `:title`: its `slug:`, else its file name without date and extension."""
    return slug(own or _undated(path))


def _above(folders: list[str]) -> list[str]:
    return folders[: folders.index("_posts")] if "_posts" in folders else []


def id_path(path: str, when: datetime) -> str:
    """The path of a post's id under the site: `YYYY/MM/DD/<title>.html`, after the
    folders above its `_posts` (`news/_posts/x.md` and `sport/_posts/x.md` are two
    posts for Jekyll), but none of its own categories, nor `archived/`: a copy kept
    there, or recategorized, is the same story."""
    above = _above(path.split("/")[:-1])
    dated = f"{when:%Y/%m/%d}/{title_of(path)}.html"
    return quote("/".join([*(f.lower() for f in above), dated]), safe=_SAFE)


def link_path(
    path: str, when: datetime, categories: tuple[str, ...], style: str, own: str, own_slug: str
) -> str:
    """Where Jekyll publishes the file at `path` (`when`: its date in the site's
    zone; `own`: its `permalink:`, `own_slug`: its `slug:`), from the site's root."""
    folders = path.split("/")[:-1]
    if "archived" in folders and "_posts" not in folders:  # a page
        stem = _stem(path).rstrip(".")
        url = "/".join([*folders, stem]) + _page_end(style)
    else:
        cats = list(dict.fromkeys(c.lower() for c in (*_above(folders), *categories) if c))
        found: dict[str, str] = {}

        def value(m: re.Match[str]) -> str:
            name = m[1]
            if name not in PLACEHOLDERS and name.endswith("_") and name[:-1] in PLACEHOLDERS:
                return value_of(name[:-1]) + "_"  # Jekyll's `:year_`
            return value_of(name) if name in PLACEHOLDERS else m[0]

        def value_of(name: str) -> str:
            if name not in found:
                found[name] = _placeholder(name, path, when, cats, own_slug)
            return found[name]

        url = _PLACEHOLDER.sub(value, own or STYLES.get(style, style))
    return quote(_sanitized(url), safe=_SAFE)


def _placeholder(name: str, path: str, when: datetime, cats: list[str], own_slug: str) -> str:
    if name in _STRFTIME:
        return when.strftime(_STRFTIME[name])
    if name in ("i_day", "i_month"):
        return str(when.day if name == "i_day" else when.month)
    if name == "title":
        return title_of(path, own_slug)
    if name == "slug":
        return slug(own_slug or _undated(path), frozenset(), cased=False)
    if name == "name":
        return slug(_stem(path), frozenset(), cased=False)
    if name == "categories":
        return "/".join(cats)
    if name == "slugified_categories":
        return "/".join(dict.fromkeys(slug(c, frozenset(), cased=False) for c in cats))
    return "posts" if name == "collection" else ".html"  # output_ext


def _page_end(style: str) -> str:
    """How the site's style ends a page's URL (Jekyll's `add_permalink_suffix`)."""
    if style == "pretty":
        return "/"
    if style in ("date", "ordinal", "none"):
        return ".html"
    return ("/" if style.endswith("/") else "") + (".html" if style.endswith(":output_ext") else "")


def _sanitized(url: str) -> str:
    """Jekyll's `URL#sanitize_url`, without the leading `/`: `..` becomes `/`, `./`
    goes, and runs of `/` become one."""
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub("/{2,}", "/", url).lstrip("/")


def unknown(template: str) -> list[str]:
    """The placeholders of `template` Jekyll does not know (a named style has none)."""
    if template in STYLES:
        return []
    names = (n.removesuffix("_") if n.endswith("_") else n for n in _PLACEHOLDER.findall(template))
    return sorted({n for n in names if n not in PLACEHOLDERS})
