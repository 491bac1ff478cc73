"""Pages for subscribers: the OPML list of every feed, the HTML index, the feed stylesheet.

(Each feed's own page is one of its files, rendered with it: `formats.page`.)

Like the feeds, each page is a pure function of the planned feeds and the
settings: sorted, no clock, the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape as html_escape
from importlib.resources import files
from urllib.parse import quote
from zoneinfo import ZoneInfo

from . import language
from .formats import home_of, rfc822, url_of
from .model import EPOCH, MIME, SITE_INDEX, FeedKind, Listing
from .planner import FEED_KINDS, KIND, SITE, kind_of, order
from .settings import Settings
from .text import xml_attr, xml_safe, xml_text

OPML_FILE = "feeds.opml"
INDEX_FILE = SITE_INDEX
XSL_FILE = "feed.xsl"

SOURCE = KIND["source"]
LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON"}
FORMATS = tuple(LABELS)

# Files that do not depend on the posts, by output path.
STATIC: dict[str, bytes] = {XSL_FILE: files("feedpub").joinpath("data", XSL_FILE).read_bytes()}


def _grouped(feeds: Sequence[Listing]) -> list[tuple[FeedKind, list[Listing]]]:
    """(kind, feeds of that kind sorted by path), in FEED_KINDS order, empty kinds left out."""
    groups = []
    for kind in FEED_KINDS:
        members = sorted((f for f in feeds if f.kind == kind), key=lambda f: f.folder)
        if members:
            groups.append((kind, members))
    return groups


def _lang(text: str, fallback: str, stated: bool = False) -> str:
    """The `lang` attribute of a name or title on a page whose own words are English:
    its script's language (`fallback` where that says more: `zh-Hans` for `zh`), else
    `fallback`, if `stated` (the settings') or the text is not in Latin script: a
    Chinese feed's "Matters" or "Nei.st" is a name, not Chinese for a voice to read.
    Not by its words: "Op-Ed Archive" holds Dutch's "op"."""
    own = language.detect(text, words=False)
    if not own and not stated and language.in_latin(text):
        return ""
    lang = language.chosen("", own, fallback)
    return f' lang="{_h(lang)}"' if lang and lang != "en" else ""


def _newest(feeds: Sequence[Listing]) -> str:
    newest = max((f.updated for f in feeds), default=EPOCH)
    return rfc822(newest)


# ---------------------------------------------------------------------------
# OPML 2.0


def _xml_attr(value: str) -> str:
    return xml_attr(xml_safe(value))


def _holder(feed: Listing) -> str:
    """Which feed holds the posts of a feed published as another: "source feed" (its
    title alone may be the same name, `8sight = 8sight`)."""
    kind = kind_of(feed.folder) or SITE
    return "site feed" if kind is SITE else f"{kind.name} feed"


def _own_title(feed: Listing, settings: Settings) -> str:
    """What a feed published as another (`Listing.alias`) would be called: its listing
    has the other's title."""
    return feed.kind.title(feed.name, settings, feed.lang)


def opml(feeds: Sequence[Listing], settings: Settings) -> bytes:
    """`feeds.opml`: every feed's Atom URL, in outlines Site, Sources, Tags, Authors."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        "<head>",
        f"<title>{xml_text(xml_safe(settings.title))}</title>",
        f"<dateModified>{_newest(feeds)}</dateModified>",
        "<docs>http://opml.org/spec2.opml</docs>",
        "</head>",
        "<body>",
    ]
    for kind, members in _grouped(feeds):
        lines.append(f'<outline text="{kind.label}" title="{kind.label}">')
        for feed in members:  # a feed published as another is under its own title
            title = _xml_attr(_own_title(feed, settings) if feed.alias else feed.title)
            xml_url = _xml_attr(url_of(settings, feed.file("atom")))
            home = _xml_attr(home_of(settings, feed))
            lines.append(
                f'<outline type="rss" text={title} title={title} xmlUrl={xml_url} htmlUrl={home}/>'
            )
        lines.append("</outline>")
    lines += ["</body>", "</opml>", ""]
    return "\n".join(lines).encode()


# ---------------------------------------------------------------------------
# index.html


def _h(value: str) -> str:
    """Text or attribute value, escaped for HTML (quotes too)."""
    return html_escape(xml_safe(value), quote=True)


def _href(path: str) -> str:
    """A link relative to the site root, so the page works under any base path."""
    return _h(quote(path))


def _day(when: datetime, zone: str) -> str:
    """The day of `when` in `zone`, as the feed's page shows its entries' times."""
    day = when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    return f'<time datetime="{day}">{day}</time>'


def _date(feed: Listing, settings: Settings) -> str:
    if not feed.total:
        return '<td class="n d">–</td>'
    return f'<td class="n d">{_day(feed.updated, feed.kind.zone(settings, feed.name))}</td>'


def _row(feed: Listing, settings: Settings) -> str:
    limit = settings.limit
    site = feed.kind is SITE  # named by the settings' title, in their language
    name, lang = (feed.title, settings.lang) if site else (feed.name, feed.lang)
    links = " ".join(f'<a href="{_href(feed.file(f))}">{LABELS[f]}</a>' for f in FORMATS)
    same = f' <span class="same">= {_holder(feed)} {_h(feed.title)}</span>' if feed.alias else ""
    return (
        f'<tr><td class="name"><a href="{_href(feed.page)}"{_lang(name, lang, site)}>{_h(name)}</a>'
        f"{same}</td>"
        f'<td class="n">{min(feed.total, limit)}<span class="of"> of {feed.total}</span></td>'
        f'{_date(feed, settings)}<td class="fmt">{links}</td></tr>'
    )


def _table(members: Sequence[Listing], settings: Settings) -> str:
    head = (
        '<table><thead><tr><th scope="col">Feed</th><th scope="col" class="n" title='
        '"the entries the feed holds, of all of its archive">Entries</th>'
        '<th scope="col" class="n d">Newest</th><th scope="col">Subscribe</th></tr></thead><tbody>'
    )
    return head + "\n".join(_row(f, settings) for f in members) + "</tbody></table>"


def _discovery(feeds: Sequence[Listing]) -> list[str]:
    """Autodiscovery links: the site in every format, each source as Atom."""
    links = []
    for feed in sorted(feeds, key=lambda f: (order(f.kind), f.folder)):
        if feed.alias:
            continue
        if feed.kind is SITE:
            for fmt in ("atom", "rss", "json"):
                title = feed.title if fmt == "atom" else f"{feed.title} ({LABELS[fmt]})"
                links.append((fmt, title, feed.file(fmt)))
        elif feed.kind is SOURCE:
            links.append(("atom", feed.title, feed.file("atom")))
    return [
        f'<link rel="alternate" type="{MIME[fmt]}" title="{_h(title)}" href="{_href(path)}">'
        for fmt, title, path in links
    ]


CSS = """
:root{color-scheme:light dark;--line:#8884;--dim:#777}
*{box-sizing:border-box}
body{margin:0 auto;max-width:52rem;padding:1rem;font:16px/1.5 system-ui,sans-serif}
h1{font-size:1.6rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.2rem;margin:0;display:inline}
section,details{margin:1.75rem 0}
summary{cursor:pointer;padding:.25rem 0}
.note{border-left:4px solid #e8912d;padding:.5rem .75rem;background:#e8912d1a}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{padding:.45rem 0 .45rem .9rem;border-bottom:1px solid var(--line);text-align:left}
th:first-child,td:first-child{padding-left:0}
th{font-size:.75rem;color:var(--dim);font-weight:600;text-transform:uppercase}
.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.d,.of{color:var(--dim)}
.name{overflow-wrap:break-word;width:100%}
.fmt{white-space:nowrap}
.fmt a+a{margin-left:.5rem}
.count,.same{color:var(--dim);font-weight:normal}
a{color:#1a6fc9}
@media (prefers-color-scheme:dark){a{color:#6cb0ff}}
@media (max-width:30rem){body{padding:.75rem;font-size:15px}th,td{padding-left:.6rem}
.d,.of{display:none}.name{overflow-wrap:anywhere}}
footer{color:var(--dim);font-size:.85rem;margin-top:2rem}
"""


def _section(kind: FeedKind, members: Sequence[Listing], settings: Settings) -> str:
    count = "" if kind is SITE else f' <span class="count">({len(members)})</span>'
    heading = f"<h2>{kind.label}{count}</h2>"
    table = _table(members, settings)
    if kind in (SITE, SOURCE):  # open; the long lists of tags and authors folded
        return f'<section id="{kind.name}s">{heading}\n{table}\n</section>'
    return f'<details id="{kind.name}s"><summary>{heading}</summary>\n{table}\n</details>'


def _all(count: int) -> str:
    return "the one feed" if count == 1 else f"all {count} feeds"


def _published(feeds: Sequence[Listing]) -> int:
    return sum(not f.alias for f in feeds)


def index_html(feeds: Sequence[Listing], settings: Settings) -> bytes:
    """`index.html`: every feed, its name linked to its page, with the entries it holds
    (at most `limit`) beside all of its archive's, its newest date and its files."""
    title = _h(settings.title)
    about = settings.description  # the site's, whose language the settings say if any
    description = f"<p{_lang(about, settings.lang, True)}>{_h(about)}</p>\n" if about else ""
    groups = _grouped(feeds)
    newest = max((f.updated for f in feeds if f.total), default=None)
    footer = "Published with feedpub."
    if newest is not None:  # (in the site feed's zone)
        footer = f"Newest entry: {_day(newest, SITE.zone(settings, ''))}. {footer}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}: feeds</title>",
        *_discovery(feeds),
        f'<link rel="outline" type="text/x-opml" title="All feeds (OPML)" href="{OPML_FILE}">',
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1{_lang(settings.title, settings.lang, True)}>{title}</h1>",
        description + '<p class="note">These are feeds: copy a feed\'s link into your feed reader, '
        f'or import <a href="{OPML_FILE}">{_all(_published(feeds))} as OPML</a>. A feed '
        f"holds its newest {settings.limit} entries, its archive all of them"
        + "".join(f" ({k.name} feeds have none)" for k, _ in groups if not k.archived)
        + "; a feed's name opens its page."
        "</p></header>",
        "<main>",
        *(_section(kind, members, settings) for kind, members in groups),
        "</main>",
        f"<footer>{footer}</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts).encode()


# ---------------------------------------------------------------------------
# the page left where a feed would be that another holds


def redirect(feed: Listing, settings: Settings) -> bytes:
    """`<folder>/index.html` of a feed not published because `feed.folder`'s has the
    same posts: it sends a browser on, and tells a person where to subscribe."""
    up = "../" * (feed.alias.count("/") + 1)
    page = _h(quote(up + feed.page))  # the file: a folder's URL opens no page from disk
    links = " · ".join(
        f'<a href="{_h(quote(up + feed.file(fmt)))}">{LABELS[fmt]}</a>'
        for fmt in ("atom", "rss", "json")
    )
    lang = f' lang="{_h(feed.lang)}"' if feed.lang else ""
    home = url_of(settings, feed.page)
    own = _own_title(feed, settings)
    words = ' lang="en"' if feed.lang and feed.lang != "en" else ""  # (the paragraph's)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(feed.lang or "en")}">',  # its `<title>`'s: the feeds' titles
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="refresh" content="0; url={page}">',
        f'<link rel="canonical" href="{_h(home)}">',
        '<meta name="robots" content="noindex">',
        f"<title>{_h(own)} → {_h(feed.title)}</title>",
        "</head>",
        "<body>",
        f"<p{words}>The feed of the {feed.kind.name} {_h(feed.name)} has the same posts as the"
        f' {_holder(feed)} <a href="{page}"{lang}>{_h(feed.title)}</a>:'
        f" subscribe there ({links}).</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts).encode()
