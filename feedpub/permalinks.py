"""Where Jekyll publishes a post: the link of an entry whose post has no `from:` URL.

As Jekyll 4 builds it (checked against `jekyll build`): a file in a `_posts`
folder is a post, at its `permalink` (the site's style or template, or the
post's own), filled in with its categories (the folders above `_posts`, then
its `categories`, lower-cased), its date in the site's zone and its title (the
file name without date and extension, or its `slug:`, slugified as Jekyll's
"pretty" mode does: case kept). Anything else (`archived/2021-04-10/x.md`) is a
page, at its path with `.html` for its extension. The URL is percent-encoded as
Jekyll encodes it.

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
PLACEHOLDERS = frozenset(
    {
        *("year", "month", "i_month", "day", "i_day", "short_year", "y_day", "week"),
        *("short_day", "hour", "minute", "second", "title", "slug", "categories", "output_ext"),
    }
)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_KEPT = frozenset("._~!$&'()+,;=@")  # besides letters, marks and digits: Jekyll's "pretty"
_SAFE = "-._~!$&'()*+,;=:@/"  # what Jekyll's URL escaping leaves as it is
_DATED = re.compile(r"\d{2,4}-\d{1,2}-\d{1,2}-")


def slug(name: str, kept: frozenset[str] = _KEPT) -> str:
    """Jekyll's `slugify(name, mode: "pretty", cased: true)`: every run of other
    characters than letters, marks, digits and `kept` becomes one `-`, and a `-`
    at either end goes."""
    out: list[str] = []
    for ch in name:
        if ch in kept or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd":
            out.append(ch)
        elif not out or out[-1] != "-":
            out.append("-")
    text = "".join(out)
    text = text[1:] if text.startswith("-") else text
    return text[:-1] if text.endswith("-") else text


def title_of(path: str, own: str = "", kept: frozenset[str] = _KEPT) -> str:
    """A post's `:title`: its `slug:`, else its file name without date and extension."""
    name = path.rpartition("/")[2]
    stem = name.rpartition(".")[0] or name
    return slug(own or _DATED.sub("", stem, count=1), kept)


def id_path(path: str, when: datetime) -> str:
    """The path of a post's id under the site: `YYYY/MM/DD/<title>.html`, after the
    folders above its `_posts` (`news/_posts/x.md` and `sport/_posts/x.md` are two
    posts for Jekyll), but none of its own categories, nor `archived/`: a copy kept
    there, or recategorized, is the same story."""
    folders = path.split("/")[:-1]
    above = folders[: folders.index("_posts")] if "_posts" in folders else []
    dated = f"{when:%Y/%m/%d}/{title_of(path)}.html"
    return quote("/".join([*(f.lower() for f in above), dated]), safe=_SAFE)


def link_path(
    path: str, when: datetime, categories: tuple[str, ...], style: str, own: str, own_slug: str
) -> str:
    """Where Jekyll publishes the file at `path` (`when`: its date in the site's
    zone; `own`: its `permalink:`, `own_slug`: its `slug:`), from the site's root."""
    folders = path.split("/")[:-1]
    if "_posts" not in folders:
        stem = path.rpartition(".")[0] or path
        return quote(f"{stem}.html", safe=_SAFE)
    above = folders[: folders.index("_posts")]
    cats = list(dict.fromkeys(c.lower() for c in (*above, *categories) if c))
    values = {
        "year": f"{when:%Y}",
        "month": f"{when:%m}",
        "i_month": str(when.month),
        "day": f"{when:%d}",
        "i_day": str(when.day),
        "short_year": f"{when:%y}",
        "y_day": f"{when:%j}",
        "week": f"{when:%V}",
        "short_day": f"{when:%a}",
        "hour": f"{when:%H}",
        "minute": f"{when:%M}",
        "second": f"{when:%S}",
        "title": title_of(path, own_slug),
        "slug": title_of(path, own_slug, frozenset()).lower(),  # Jekyll's "default" mode
        "categories": "/".join(cats),
        "output_ext": ".html",
    }
    template = own or STYLES.get(style, style)
    filled = _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), template)
    url = re.sub("/{2,}", "/", "/" + filled)
    return quote(url.lstrip("/"), safe=_SAFE)


def unknown(template: str) -> list[str]:
    """The placeholders of `template` Jekyll does not know (a named style has none)."""
    if template in STYLES:
        return []
    return sorted({m for m in _PLACEHOLDER.findall(template) if m not in PLACEHOLDERS})
