"""Embedded players (YouTube, SoundCloud, Embedly's widgets) as links to what they
play: a feed cannot embed a frame, and a reader drops it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from . import videos
from .urls import absolute, is_absolute_http

_FRAMES = etree.XPath("descendant::iframe")


def as_links(body: Any, base: str | None, mode: str) -> tuple[str | None, list[Any]]:
    """Embedded players become a link to what they play (or go): feeds cannot embed
    them. Returns the first YouTube video they play, dropped or not, and the links
    that read as their player's host or a player's name ("YouTube video player", the
    title YouTube's embed code gives): no text of the post's, not in its summary.

    The link reads as the frame's title, else the player's host: an embed URL
    runs to hundreds of characters of parameters, in the text and the summary.
    It leads to the video's page, not its bare player, and through a wrapper
    (`_embedded`) to what the wrapper shows; a "like" button goes. It gets a
    paragraph of its own unless it already sits in one.
    """
    first = None
    hosts = []
    for frame in _FRAMES(body):
        src = frame.get("src") or frame.get("data-src") or ""
        url = absolute(src.strip(), base)
        url, name = _embedded(url) if url is not None else (None, "")
        video = videos.video_id(url) if url is not None else None
        if first is None:
            first = video
        title = (frame.get("title") or "").strip() or name
        host = urlsplit(url).hostname if url else None
        if mode != "link" or url is None or not (title or host) or host in _BUTTONS:
            frame.drop_tree()  # its tail stays (mailto: has no host)
            continue
        if next(frame.iterancestors("a"), None) is not None:  # a link holds it: its text
            link = frame.makeelement("span", {})  # (a link in a link: the outer one empty)
        else:
            link = frame.makeelement("a", {"href": videos.watch_url(video) if video else url})
        link.text = title or host
        if not title or _PLAYER_TITLE.search(title):
            hosts.append(link)
        if link.tag == "a" and next(frame.iterancestors("p"), None) is None:
            para = frame.makeelement("p", {})
            para.append(link)
            link = para
        link.tail = frame.tail
        frame.getparent().replace(frame, link)
    return first, hosts


_PLAYER_TITLE = re.compile(
    r"(?:video|audio|media|embed) player$|^(?:youtube|vimeo|video|embed|player)$", re.I
)
# Players that show a button, not content: a link to them would be noise.
_BUTTONS = frozenset({"button.like.co"})  # LikeCoin's "like" button (Matters): 8 files


_VIMEO_PLAYER = re.compile(r"https?://player\.vimeo\.com/video/(\d+)(?:[/?#]|$)", re.I)


def _embedded(url: str) -> tuple[str, str]:
    """The page an embedding service's player shows, and its name: Embedly (Medium,
    Matters) wraps YouTube and forms in a widget whose URL names neither, and the
    link to it would read `cdn.embedly.com`; Vimeo's player is its video's page
    (`?h=`, an unlisted video's key, goes along). Other URLs as they are, no name."""
    parts, name = urlsplit(url), ""
    if parts.hostname == "cdn.embedly.com":
        query = parse_qs(parts.query)
        page = next(iter(query.get("url", []) + query.get("src", [])), "")
        if is_absolute_http(page):
            url, name = page, next(iter(query.get("display_name", [])), "")
    if vimeo := _VIMEO_PLAYER.match(url):
        key = parse_qs(urlsplit(url).query).get("h", [""])[0]
        key = f"/{key}" if re.fullmatch(r"[0-9a-f]{6,20}", key) else ""
        return f"https://vimeo.com/{vimeo[1]}{key}", "Vimeo"
    return url, name
