"""YouTube videos: which one a URL is, and the image and page that stand for it.

Most posts of the archives (8,447 of the corpus' 10,321) are YouTube videos
with a short description or none: without an image, a reader shows such an
entry as a bare title.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_ID = re.compile(r"[A-Za-z0-9_-]{11}")
# Player paths whose next segment has the shape of an id but is none:
# /embed/videoseries?list=… (a playlist), /embed/live_stream?channel=….
_NOT_IDS = frozenset({"videoseries", "live_stream"})
_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
    | {"youtube-nocookie.com", "www.youtube-nocookie.com"}
)
_PLAYERS = frozenset({"embed", "shorts", "live", "v"})  # /embed/<id>, /shorts/<id>, …


def is_id(text: str) -> bool:
    return bool(_ID.fullmatch(text))


def video_id(url: str) -> str | None:
    """The id of the YouTube video at `url` (a watch page, youtu.be, a player), or None.

    An id is 11 characters of [A-Za-z0-9_-]: whatever else is not one, and the
    thumbnail URL made from an id needs no escaping.
    """
    if "youtu" not in url.lower():  # most URLs: no parsing
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a broken IPv6 host
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https"):
        return None
    if host == "youtu.be":
        found = parts.path[1:].split("/", 1)[0]
    elif host in _HOSTS and parts.path.rstrip("/") == "/watch":
        found = parse_qs(parts.query).get("v", [""])[0]
    elif host in _HOSTS:
        segments = parts.path.split("/")  # "/embed/ID" -> ["", "embed", "ID"]
        found = segments[2] if len(segments) > 2 and segments[1] in _PLAYERS else ""
        found = found.partition("&")[0]  # Flash embed code's `/v/<id>&hl=en&fs=1`
    else:
        return None
    return found if _ID.fullmatch(found) and found not in _NOT_IDS else None


def watch_url(video: str) -> str:
    """The video's page: a player's URL shows the player alone, a youtu.be one redirects."""
    return f"https://www.youtube.com/watch?v={video}"


def thumbnail(video: str) -> str:
    """The video's 480x360 still, which YouTube makes for every video (larger ones
    exist only for videos uploaded in HD)."""
    return f"https://i.ytimg.com/vi/{video}/hqdefault.jpg"
