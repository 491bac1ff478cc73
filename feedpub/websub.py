"""WebSub publishing: tell the hub which feeds the last build changed.

The build records the files it wrote in `<cache>/last-build.json`; the feeds
among them are announced to the hub, one form POST per feed URL
(`hub.mode=publish`, `hub.url=<feed URL>`). WebSub §7 leaves the publish
request to the hub; one URL per request is what every public hub accepts, and
it tells us which feed a refusal was about. The hub then fetches each feed and
pushes it to the subscribers.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

from . import __version__
from .formats import url_of
from .model import FILES
from .problems import FeedpubError, printable
from .settings import Settings

TIMEOUT = 10.0  # seconds per request
LAST_BUILD = "last-build.json"


class HubUnreachable(FeedpubError):
    """The hub could not be reached at all: no point in sending the other pings."""


@dataclass(frozen=True)
class Ping:
    url: str  # the feed announced
    status: int  # the hub's HTTP status
    reason: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class LastBuild:
    """What `ping` needs of the last build: the feeds it wrote, and the hub they name."""

    feeds: list[str]
    hub: str | None  # None: not recorded (a build of an older feedpub)


def changed_feeds(cache: Path, feeds_root: str = "") -> LastBuild:
    """The feed files (Atom, RSS, JSON) the last build wrote, relative to its output,
    sorted, and the hub they name (None: not recorded); an error if that build wrote
    them for another output folder's URL than `feeds_root` (given): the hub would be
    sent the URLs of feeds that did not change."""
    path = cache / LAST_BUILD
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise FeedpubError(f"{path}: no build recorded; run `feedpub build` first") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FeedpubError(f"{path}: cannot read the last build's report: {e}") from e
    written = report.get("written") if isinstance(report, dict) else None
    if not isinstance(written, list) or not all(isinstance(w, str) for w in written):
        raise FeedpubError(f'{path}: "written" is not a list of paths')
    built = report.get("site_url")  # (the key older builds wrote; theirs may have none)
    if feeds_root and isinstance(built, str) and built and built != feeds_root:
        raise FeedpubError(
            f"the last build wrote its feeds for {printable(built)}, not {feeds_root}: give"
            " `ping` the settings the build had (--site-url, --feeds-url, --config)"
        )
    named = report.get("hub")  # (older builds recorded none)
    names = set(FILES.values())
    feeds = sorted(w for w in written if PurePosixPath(w).name in names)
    return LastBuild(feeds, named if isinstance(named, str) else None)


def feed_urls(paths: Sequence[str], settings: Settings, out: Path | None = None) -> list[str]:
    """Absolute URLs of `paths`; with `out`, only of the files still there."""
    return [url_of(settings, p) for p in paths if out is None or (out / p).is_file()]


def publish(hub: str, url: str, timeout: float = TIMEOUT) -> Ping:
    """POST one publish notification; raise HubUnreachable if no answer came."""
    data = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
    request = urllib.request.Request(
        hub,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"feedpub/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Ping(url, response.status, response.reason)
    except urllib.error.HTTPError as e:  # the hub answered, with a refusal
        return Ping(url, e.code, str(e.reason))
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        # no answer, or none in HTTP (a bad status line), or a host no DNS can look up
        reason = e.reason if isinstance(e, urllib.error.URLError) else e
        raise HubUnreachable(f"hub {hub} is unreachable: {printable(str(reason))}") from e


def ping(hub: str, urls: Sequence[str], timeout: float = TIMEOUT) -> Iterator[Ping]:
    """Announce each URL in turn; stops with HubUnreachable at the first one with no answer.
    (`hub` is an http(s) URL: the settings are checked so, the flag's as the file's.)"""
    for url in urls:
        yield publish(hub, url, timeout)
