"""JSON Feed 1.1."""

from __future__ import annotations

import json

from ..model import Content, Feed, Post
from ..settings import Settings
from ..text import indented_json, xml_safe
from .common import Pieces, categories, description, home_of, images, iso, site_author, url_of


def item(post: Post, content: Content, full: bool) -> Pieces:
    """An item, with its full content or (`full` false) its summary as its text."""
    found: dict[str, object] = {
        "id": post.id,
        "url": post.url,
        "title": xml_safe(post.title),
        "content_html": xml_safe(content.html) if full else "",
        "summary": xml_safe(content.summary),
        "date_published": iso(post.published),
        "date_modified": iso(post.updated),
    }
    if not full or not content.html:
        found.pop("content_html")
        found["content_text"] = xml_safe(content.summary)
    if not content.summary:  # none, as Atom's and RSS's entries have none
        found.pop("summary")
    if content.image:
        found["image"] = content.image
    if post.lang:
        found["language"] = post.lang
    if post.author:
        found["authors"] = [_author(post.author, post.author_links[0])]
    if cats := categories(post):
        found["tags"] = [xml_safe(c) for c in cats]
    return (json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode(),)


def _author(name: str, uri: str) -> dict[str, str]:
    return {"name": xml_safe(name), "url": uri} if uri else {"name": xml_safe(name)}


def document(feed: Feed, settings: Settings, items: bytes) -> bytes:
    """The feed around its items (joined by ",\\n")."""
    top = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": xml_safe(feed.title),
        "home_page_url": home_of(settings, feed),  # its page (or the site's home)
        "feed_url": url_of(settings, feed.file("json")),
        "description": xml_safe(description(feed, settings)),
        "authors": [_author(*site_author(settings)[:2])],
    }
    icon, logo = images(feed, settings)
    if logo:
        top["icon"] = logo  # JSON Feed's icon is the large one (512 pixels square)
    if icon:
        top["favicon"] = icon
    if feed.lang:
        top["language"] = feed.lang
    if settings.hub:
        top["hubs"] = [{"type": "WebSub", "url": settings.hub}]
    text = indented_json(top, 1)
    return (text[:-2] + ',\n "items": [\n').encode() + items + b"\n ]\n}\n"
