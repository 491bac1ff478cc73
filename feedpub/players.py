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
_OBJECTS = etree.XPath("descendant::object | descendant::embed")
_PLAYS = ("data", "src")  # an `<object>`'s, an `<embed>`'s URL
_MOVIE_PARAMS = frozenset({"movie", "src", "url", "filename"})  # `<param name=… value=URL>`
_FLASH = re.compile(r"\.swf$", re.I)  # a Flash movie's path (its type: `_FLASH_TYPE`)
_FLASH_TYPE = re.compile(r"shockwave|flash")
_IMAGE = re.compile(r"\.(?:avif|bmp|gif|jpe?g|png|svgz?|webp)$", re.I)
_VIMEO_FLASH = re.compile(
    r"https?://(?:www\.)?vimeo\.com/moogaloop\.swf\?(?:.*&)?clip_id=(\d+)", re.I
)


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


def from_objects(body: Any, base: str | None) -> None:
    """`<object>`s and `<embed>`s as a reader can show them, as a browser without
    plugins does: a feed's reader shows none. A video player (the Flash embed code
    YouTube and Vimeo gave until 2012, in many a blog's old posts) becomes the frame
    of its video, which `as_links` makes a link; a picture an `<img>`; any other
    `<object>` its fallback, what its author wrote for a reader that cannot show
    it, else a frame if it shows a page; the rest goes (`html._remove_junk`).
    Innermost first: an object's fallback may be another object."""
    for element in reversed(_OBJECTS(body)):
        url, kind = _played(element, base)
        if url is not None and (video := _video_page(url)) is not None:
            made = element.makeelement("iframe", {"src": video})
        elif url is not None and (_IMAGE.search(urlsplit(url).path) or kind.startswith("image/")):
            made = element.makeelement("img", {"src": url, "alt": _fallback_text(element)})
        elif element.tag == "embed":
            continue  # (what libxml2 put inside it stays: `html._remove_junk`)
        elif _has_fallback(element):
            for param in list(element.iter("param")):
                param.drop_tree()
            element.drop_tag()
            continue
        elif url is not None and not (
            _FLASH.search(urlsplit(url).path) or _FLASH_TYPE.search(kind)
        ):
            made = element.makeelement("iframe", {"src": url})
        else:
            element.drop_tree()
            continue
        if title := (element.get("title") or "").strip():
            made.set("title", title)
        if element.tag == "embed":  # libxml2 holds what follows an `<embed>` in it
            element.addprevious(made)
            continue
        made.tail = element.tail
        element.getparent().replace(element, made)


def _played(element: Any, base: str | None) -> tuple[str | None, str]:
    """The absolute URL an `<object>` or `<embed>` plays, and its type, lowercased."""
    found = next((v for name in _PLAYS if (v := (element.get(name) or "").strip())), "")
    if not found and element.tag == "object":
        for child in element.iter("param", "embed"):
            name = (child.get("name") or "").strip().lower()
            value = (child.get("value") if child.tag == "param" else child.get("src")) or ""
            if value.strip() and (child.tag == "embed" or name in _MOVIE_PARAMS):
                found = value.strip()
                break
    kind = (element.get("type") or "").strip().lower()
    return (absolute(found, base) if found else None), kind


def _video_page(url: str) -> str | None:
    """The player frame of the video a Flash player at `url` plays, if a known one."""
    if (video := videos.video_id(url)) is not None:
        return f"https://www.youtube.com/embed/{video}"
    if vimeo := _VIMEO_FLASH.match(url):
        return f"https://player.vimeo.com/video/{vimeo[1]}"
    return None


def _has_fallback(element: Any) -> bool:
    """Whether an `<object>` holds anything but its parameters and embeds."""
    if (element.text or "").strip():
        return True
    return any(
        child.tag not in ("param", "embed") or (child.tail or "").strip() for child in element
    )


def _fallback_text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


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
