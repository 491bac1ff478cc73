"""RSS 2.0, with the content, Dublin Core, Media RSS and Atom (self, hub, archive) modules."""

from __future__ import annotations

from html import escape as html_escape

from ..model import Content, Feed, Post
from ..settings import Settings
from .common import (
    attr,
    categories,
    description,
    home_of,
    hub,
    images,
    prev_archive,
    prolog,
    rfc822,
    text,
    url_of,
)

_NAMESPACES = (
    'xmlns:atom="http://www.w3.org/2005/Atom"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:media="http://search.yahoo.com/mrss/"'
)


def item(post: Post, content: Content) -> tuple[str, str]:
    """The item before and after where its content goes."""
    parts = [
        f"<item><title>{text(post.title)}</title><link>{text(post.url)}</link>",
        f'<guid isPermaLink="false">{text(post.id)}</guid>',
        f"<pubDate>{rfc822(post.published)}</pubDate>",
    ]
    if post.author:
        parts.append(f"<dc:creator>{text(post.author)}</dc:creator>")
    parts.extend(f"<category>{text(c)}</category>" for c in categories(post))
    if content.summary:
        # RSS readers render a description as HTML: escape the plain text for HTML first
        parts.append(
            f"<description>{text(html_escape(content.summary, quote=False))}</description>"
        )
    thumb = f"<media:thumbnail url={attr(content.image)}/>" if content.image else ""
    return "".join(parts), thumb + "</item>\n"


def wrapped(content: Content, body: bytes) -> tuple[bytes, bytes, bytes]:
    """The escaped content in its element: `content:encoded` beside a summary, else the
    `description` (the RSS Best Practices Profile: "On items with no summary, the full
    content should be stored in description", which readers of RSS alone show; a
    video's still with no text has no summary)."""
    if content.summary:
        return b"<content:encoded>", body, b"</content:encoded>"
    return b"<description>", body, b"</description>"


def head(feed: Feed, settings: Settings, prev: str | None) -> tuple[str, str]:
    """A channel before and after its items."""
    self_url = url_of(settings, feed.file("rss"))
    top = (
        prolog(feed.file("rss")) + f'<rss version="2.0" {_NAMESPACES}>\n<channel>\n'
        f"<title>{text(feed.title)}</title><link>{text(home_of(settings, feed))}</link>"
        f"<description>{text(description(feed, settings))}</description>\n"
        + (f"<language>{text(feed.lang)}</language>\n" if feed.lang else "")
        + f'<atom:link rel="self" type="application/rss+xml" href={attr(self_url)}/>\n'
        + hub(settings, "atom:")
        + prev_archive(settings, "atom:", prev)
        + f"<lastBuildDate>{rfc822(feed.updated)}</lastBuildDate>\n"
        "<generator>feedpub</generator>\n" + _image(feed, settings)
    )
    return top, "</channel>\n</rss>\n"


def _image(feed: Feed, settings: Settings) -> str:
    """RSS's one image: the logo (an RSS reader shows it up to 144 by 400 pixels)."""
    logo = images(feed, settings)[1]
    if not logo:
        return ""
    parts = (text(logo), text(feed.title), text(home_of(settings, feed)))
    return "<image><url>{}</url><title>{}</title><link>{}</link></image>\n".format(*parts)
