"""A feed's HTML page: its entries for a browser, without XSLT (which browsers drop).

Static HTML5 with a little inline CSS and no JavaScript. Every link it makes is
relative (its feed files, the site's index), so the page works under any
`baseurl` and opened from a local folder. Times show in the feed's zone, with
the UTC instant in `<time datetime>`. An entry's fragment is shared by every
feed that holds it, and those may differ in zone (a source's and the site's),
so the fragment stops short of the local time, which each page puts in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from ..model import FILES, MIME, SITE_INDEX, Content, Feed, Post
from ..settings import Settings
from .common import Pieces, attr, budget, description, iso, text

LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
CSS = """
:root{color-scheme:light dark;--line:#8884;--dim:#777}
*{box-sizing:border-box}
body{margin:0 auto;max-width:46rem;padding:1rem;font:16px/1.5 system-ui,sans-serif}
h1{font-size:1.6rem;line-height:1.2;margin:.5rem 0;overflow-wrap:anywhere}
.note{border-left:4px solid #e8912d;padding:.5rem .75rem;background:#e8912d1a}
.note a+a{margin-left:.6rem}
ol{list-style:none;padding:0;margin:1.5rem 0}
li{border-bottom:1px solid var(--line);padding:.75rem 0}
h2{font-size:1.1rem;line-height:1.3;margin:0;overflow-wrap:anywhere}
.meta{color:var(--dim);font-size:.85rem;margin:.2rem 0}
.summary{margin:.3rem 0 0;overflow-wrap:anywhere}
a{color:#1a6fc9}
@media (prefers-color-scheme:dark){a{color:#6cb0ff}}
@media (max-width:30rem){body{padding:.6rem;font-size:15px}}
"""


def entry(post: Post, content: Content) -> Pieces:
    """An entry before and after its local time (the feed's zone decides it)."""
    lang = f" lang={attr(post.lang)}" if post.lang else ""
    title = text(post.title)
    if post.url.lower().startswith(("https://", "http://")):  # never a javascript: link
        title = f"<a href={attr(post.url)}>{title}</a>"
    author = f" · {text(post.author)}" if post.author else ""
    summary = f'<p class="summary">{text(content.summary)}</p>' if content.summary else ""
    before = f'<li{lang}><h2>{title}</h2><p class="meta"><time datetime="{iso(post.published)}">'
    return before.encode(), f"</time>{author}</p>{summary}</li>\n".encode()


def local(when: datetime, zone: tzinfo) -> bytes:
    t = when.astimezone(zone)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}".encode()


def document(feed: Feed, settings: Settings, entries: Sequence[Pieces]) -> bytes:
    """The page of `feed`, `entries` being the `entry` of each of its posts; the
    oldest are left out if they would take it past the byte budget."""
    zone_name = feed.kind.zone(settings, feed.name)
    zone = ZoneInfo(zone_name)
    top, tail = _head(feed, settings)
    intro = max(len(_intro(n, zone_name)) for n in (0, len(entries)))  # or fewer entries
    sizes = [sum(map(len, e)) + 16 for e in entries]  # 16: the local time
    _, keep = budget([(s, s) for s in sizes], settings.feed_bytes - len(top) - intro - len(tail))
    shown = [
        before + local(post.published, zone) + after
        for post, (before, after) in zip(feed.posts[:keep], entries[:keep], strict=True)
    ]
    return top + _intro(keep, zone_name) + b"".join(shown) + tail


def _intro(n: int, zone: str) -> bytes:
    count = "No entries yet" if not n else "1 entry" if n == 1 else f"{n} entries, newest first"
    return f'<p class="meta">{count}; times in {text(zone)}.</p>\n<ol>\n'.encode()


def _head(feed: Feed, settings: Settings) -> tuple[bytes, bytes]:
    """The page before and after its entries."""
    up = "../" * (feed.folder.count("/") + 1) if feed.folder else ""  # to the output root
    title = text(feed.title)
    about = description(feed, settings)
    shown_about = f"<p>{text(about)}</p>\n" if about != feed.title else ""
    lang = f" lang={attr(feed.lang)}" if feed.lang else ""
    links = [
        f'<link rel="alternate" type="{MIME[fmt]}" title='
        + attr(feed.title if fmt == "atom" else f"{feed.title} ({LABELS[fmt]})")
        + f" href={attr(name)}>"
        for fmt, name in FILES.items()
    ]
    subscribe = " ".join(f"<a href={attr(name)}>{LABELS[fmt]}</a>" for fmt, name in FILES.items())
    top = "\n".join(
        [
            "<!DOCTYPE html>",
            f"<html{lang}>",
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f'<meta name="description" content={attr(about)}>',
            *links,
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            f'<header><p class="meta"><a href="{up}{SITE_INDEX}">{text(settings.title)}:'
            " all feeds</a></p>",
            f"<h1>{title}</h1>",
            shown_about + '<p class="note"><strong>To follow this feed, copy a link into your '
            f"feed reader:</strong><br>{subscribe}</p></header>",
            "<main>",
            "",
        ]
    )
    tail = (
        '</ol>\n</main>\n<footer class="meta">Published with feedpub.</footer>\n</body>\n</html>\n'
    )
    return top.encode(), tail.encode()
