"""Where Jekyll publishes a post: the link, and the id, of an entry whose post has
no `from:` URL.

As Jekyll 4 builds it (checked against `jekyll build`): a file in a `_posts`
folder (or under ROOT when ROOT is one) is a post, at its `permalink` (the
site's style or template, or the post's own), filled in with its categories
(the folders above `_posts`, then its `categories` and `category`, lower-cased),
its date as Jekyll reads it, in the site's `timezone` (a day or a time written
without a zone is the site's; a YAML timestamp without one is UTC), and its
title (the file name without date and extension, or its `slug:`, slugified as
Jekyll's "pretty" mode does: case kept). A file in `archived/` is a page, at its
path, ending as the site's style ends pages (`.html`, `/` or nothing). The URL
is cleaned (`..`, `./`, `//`) and percent-encoded as Jekyll does.

The id is the post's URL as jekyll-feed writes it (without the `.html` or `/`
that ends it), and a page's is that of the post it would be: a copy kept in
`archived/` is the same story as the post it copies, and two posts Jekyll
publishes apart are two stories (`of`).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from . import timestamps
from .model import RawPost
from .settings import PERMALINK_DATES, PERMALINK_PLACEHOLDERS, PERMALINK_STYLES, Settings
from .slugs import slugify

_PLACEHOLDER = re.compile(r":([a-z_]+)")
_PRETTY = frozenset("._~!$&'()+,;=@")  # kept besides letters, marks and digits
_SAFE = "-._~!$&'()*+,;=:@/"  # what Jekyll's URL escaping leaves as it is
_DATED = re.compile(r"\d{2,4}-\d{1,2}-\d{1,2}-")
_ASCII_PRETTY = re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+")
_ASCII_DEFAULT = re.compile(r"[^A-Za-z0-9]+")
# What YAML reads as a timestamp, here without a zone: UTC to Jekyll's YAML.
_YAML_TIMESTAMP = re.compile(r"\d{4}-\d\d?-\d\d?(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?")


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


def titled(path: str) -> str:
    """The title Jekyll gives a post that has none (`titleize_slug`): its file name
    without date and extension, each `-`-separated word capitalized."""
    return " ".join(word.capitalize() for word in _undated(path).rstrip(".").split("-"))


def title_of(path: str, own: str = "") -> str:
    """A post's `:title`: its `slug:`, else its file name without date and extension."""
    return slug(own or _undated(path))


def _above(folders: list[str]) -> list[str]:
    return folders[: folders.index("_posts")] if "_posts" in folders else []


def _is_page(folders: list[str]) -> bool:
    """Whether a file in `folders` is a page for Jekyll (`archived/`), not a post."""
    return "archived" in folders and "_posts" not in folders


def of(raw: RawPost, when: datetime, settings: Settings) -> tuple[str, str, str]:
    """The id and the link of a post without `from:` (see the module doc), and the
    id feedpub gave such a post before its links were Jekyll's (`when`, its
    resolved time, in UTC, and its file name lower-cased), which a manifest that
    holds it keeps without a word."""
    day = _jekyll_date(raw, when, ZoneInfo(settings.timezone))
    own = (raw.categories, settings.permalink, raw.permalink, raw.slug)
    link = settings.site_url + link_path(raw.path, day, *own)
    name = raw.path.rpartition("/")[2]
    copied = _is_page(raw.path.split("/")[:-1])  # a page: the id of the post it copies
    ident = settings.site_url + link_path("_posts/" + name, day, *own) if copied else link
    ident = _post_id(ident, raw.slug or _undated(name))
    stem = _stem(raw.path)  # the old rule, on purpose: a date of exactly 10 characters
    old = slugify(stem[11:] if stem[:10].count("-") == 2 else stem)
    return ident, link, f"{settings.site_url}{when:%Y/%m/%d}/{quote(old)}.html"


def _post_id(url: str, slug: str) -> str:
    """jekyll-feed's id of the post at `url` (Jekyll's `Document#id`: its URL's folder
    and its slug), so that a blog moving from jekyll-feed keeps its entries' ids: the
    URL less the `.html` or `/` that ends it, when what is left ends in the slug (the
    file name's, or `slug:`). Else the URL itself: Jekyll's id would then be another
    post's too (`/:title-:day` gives `/x-01` and `/x-02` one id, `/x`)."""
    base = url.removesuffix("/") if url.endswith("/") else url.removesuffix(".html")
    own = quote(slug, safe=_SAFE, errors="surrogatepass")  # (a file name not UTF-8)
    return base if base.endswith("/" + own) else url


def was(old: str, ident: str) -> bool:
    """Whether `old` is the id `ident` as feedpub wrote it before ids were jekyll-feed's:
    the URL, with its `.html` or `/` (kept for the post, without FP403)."""
    return old.startswith(ident) and old[len(ident) :] in ("/", ".html")


def moved(old: str | None, ident: str, legacy: str, settings: Settings) -> str:
    """Why `ident`, a post's id now, is not `old`, the id it was published with, as
    FP403 says it; "" when they are one (`legacy`, `was`) or it has none."""
    if old is None or old in (ident, legacy) or was(old, ident):
        return ""
    site = settings.site_url
    path = ident[len(site) :] if ident.startswith(site) else ident
    if not old.startswith(site) or (path and old.endswith(f"/{path}")):  # `baseurl` too
        return "after a change of the site URL"
    return "after a change of its permalink or date"


def post_urls(
    found: Iterable[tuple[RawPost, datetime]], names: Collection[str], settings: Settings
) -> dict[str, str]:
    """The URL `{% post_url name %}` gives each of `names` that one of the posts
    `found` (with their resolved times) is: the page of the file whose path, less
    its extension, ends in `/name`; one in a `_posts` folder first, then by path. A
    `{% link fr/_posts/x.md %}` names `fr/_posts/x`, or `x` in a build of that posts
    folder alone (`fallback`)."""
    wanted = set(names) | {short for name in names if (short := fallback(name))}
    best: dict[str, tuple[tuple[bool, str], RawPost, datetime]] = {}
    for raw, when in found:
        for name in names_of(raw.path):
            if name in wanted:
                rank = ("_posts" not in raw.path.split("/")[:-1], raw.path)
                if name not in best or rank < best[name][0]:
                    best[name] = (rank, raw, when)
    urls = {name: of(raw, when, settings)[1] for name, (_, raw, when) in sorted(best.items())}
    return {n: urls.get(n) or urls[fallback(n)] for n in names if n in urls or fallback(n) in urls}


def fallback(name: str) -> str:
    """The name `{% link dir/_posts/x.md %}` gives (`dir/_posts/x`) in a build of the
    posts folder alone (`x`); "" if it has no folder before `_posts/`."""
    head, found, rest = name.rpartition("_posts/")
    return rest if found and head else ""


def names_of(path: str) -> list[str]:
    """The names a `post_url` may give the file at `path`: its path less its
    extension, from its file name up (`x`, `dir/x`, `_posts/dir/x`)."""
    parts = posixpath.splitext(path)[0].split("/")
    return ["/".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)]


def yaml_timestamp(raw: RawPost) -> bool:
    """Whether a post's `date:` is what YAML reads as a timestamp, which Jekyll's YAML
    reads in UTC when it has no zone; a day, or text (a quoted timestamp too: Ruby's
    `Time.parse`), is read in the site's zone."""
    if isinstance(value := raw.date, str):
        return not raw.date_text and bool(_YAML_TIMESTAMP.fullmatch(value.strip()))
    return isinstance(value, datetime)


def _jekyll_date(raw: RawPost, when: datetime, zone: ZoneInfo) -> datetime:
    """The post's date as Jekyll reads it, in the site's zone: YAML's timestamps
    without a zone are UTC, text and days without one are the site's, and with no
    `date:`, or one feedpub cannot read (Ruby's `Time.parse` reads more), the file
    name's day is."""
    value = raw.date
    read = UTC if yaml_timestamp(raw) else zone
    if value is not None and (stamp := timestamps.parse_date(value, read)) is not None:
        return stamp.when.astimezone(zone)
    day = timestamps.parse_filename(raw.path, zone)
    return (day or when).astimezone(zone)


def link_path(
    path: str, when: datetime, categories: tuple[str, ...], style: str, own: str, own_slug: str
) -> str:
    """Where Jekyll publishes the file at `path` (`when`: its date in the site's
    zone; `own`: its `permalink:`, `own_slug`: its `slug:`), from the site's root."""
    folders = path.split("/")[:-1]
    if _is_page(folders):
        stem = _stem(path).rstrip(".")
        if own:  # the page's own `permalink:`
            url = own
        elif stem == "index":  # Jekyll's index page: its folder
            url = "/".join(folders) + "/"
        else:
            url = "/".join([*folders, stem]) + _page_end(style)
    else:
        cats = list(dict.fromkeys(c.lower() for c in (*_above(folders), *categories) if c))

        def value(m: re.Match[str]) -> str:
            name, end = m[1], ""
            if name not in PERMALINK_PLACEHOLDERS and name.endswith("_"):
                name, end = name[:-1], "_"  # Jekyll's `:year_`
            if name not in PERMALINK_PLACEHOLDERS:
                return m[0]
            return _placeholder(name, path, when, cats, own_slug) + end

        url = _PLACEHOLDER.sub(value, own or PERMALINK_STYLES.get(style, style))
    return quote(_sanitized(url), safe=_SAFE)


def _placeholder(name: str, path: str, when: datetime, cats: list[str], own_slug: str) -> str:
    if name in PERMALINK_DATES:
        return when.strftime(PERMALINK_DATES[name])
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
