"""Settings: every knob of a build, as one frozen value (`config` reads and checks them)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

ShiftMode = Literal["detect", "correct", "off"]
ReferrerPolicy = Literal["no-referrer", "keep"]  # what images get: see html.ContentRules
LOCALHOST = "http://localhost:4000"  # Jekyll's default, used (with a warning) if no URL is set
PERMALINK_STYLES = {  # Jekyll's named permalink styles (`permalink` is one, or a template)
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PERMALINK_DATES = {  # Jekyll's date placeholders (`Drops::UrlDrop`), as strftime formats
    "year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M",
    "second": "%S", "short_month": "%b", "long_month": "%B", "short_year": "%y",
    "w_year": "%G", "week": "%V", "w_day": "%u", "short_day": "%a", "long_day": "%A",
    "y_day": "%j",
}  # fmt: skip
PERMALINK_PLACEHOLDERS = frozenset(
    {*PERMALINK_DATES, "i_day", "i_month", "title", "slug", "name", "categories"}
    | {"slugified_categories", "collection", "output_ext"}
)

POST_FOLDERS = ("_posts", "archived")  # every file in them (at any depth) is a post


@dataclass(frozen=True)
class SourceSettings:
    """Per-source overrides, `[sources."联合早报"]` in the config."""

    zone: str = "UTC"  # the zone naive dates of this source are read in
    own_zone: bool = False  # its table sets `zone` (YAML timestamps too are read in it)
    remove: tuple[str, ...] = ()  # extra CSS selectors of junk to delete from bodies
    summary_skip: tuple[str, ...] = ()  # regular expressions: text its summaries leave out
    summary_leads: bool = True  # its summaries leave out what it shares (the global unless set)
    marker_offset: str = ""  # "-16h": its markers run 16 h ahead; overrides detection
    lang: str = ""  # its language (BCP 47: "zh-Hant"); "" = found from its posts
    referrer_policy: ReferrerPolicy = "no-referrer"  # the global one unless set
    icon: str = ""  # its feeds' icon and logo ("" = the site's)
    logo: str = ""


@dataclass(frozen=True)
class KindSettings:
    """Per-kind settings, `[feeds.tag]` in the config (any kind of `planner.FEED_KINDS` but
    the site's)."""

    enabled: bool = True
    only: tuple[str, ...] = ()  # publish only the feeds of these names
    skip: tuple[str, ...] = ()  # never publish these (`except` in the config)
    min_posts: int = 1  # a feed with fewer posts in its whole history is not published
    title: str = ""  # a pattern: "{name}", "{site}"; "" = the default in the feed's language
    description: str = ""  # likewise

    def wants(self, name: str, total: int) -> bool:
        """Whether a feed of this kind with this name and history is published."""
        if self.only and name not in self.only:
            return False
        return name not in self.skip and total >= self.min_posts


@dataclass(frozen=True)
class Settings:
    title: str = "Feeds"
    description: str = ""
    author: str = ""  # the site's author: of the posts that name none, and of every feed
    lang: str = ""  # the site's language (BCP 47: "zh-Hans", "en"); "" = found from the posts
    url: str = ""  # absolute http(s) URL of the site; "" = none given (LOCALHOST, with a warning)
    baseurl: str = ""
    feeds_url: str = ""  # where the output folder is published, if not at the site's root
    limit: int = 50
    generic_categories: tuple[str, ...] = ("news",)
    author_feeds: bool = True  # the older spelling of [feeds.author] enabled
    merge_duplicates: bool = True  # a feed holding exactly another's posts is not published
    max_bytes: int = 5_000_000  # posts larger than this are skipped
    max_tags: int = 100  # tags, and categories, per post: more are dropped
    max_feeds: int = 10_000  # feeds per build: the smallest tag and author feeds go first
    max_output_bytes: int = 4_000_000_000  # bytes of output per build: then writing stops
    feed_bytes: int = 1_000_000  # budget per feed file; older entries shrink to summaries
    summary_chars: int = 300
    zone: str = "UTC"  # default zone for naive dates
    permalink: str = "date"  # Jekyll's: a named style or a template (`PERMALINK_STYLES`)
    feed_path: str = ""  # jekyll-feed's `feed.path`: the site's Atom feed is copied there
    feed_categories: tuple[str, ...] = ()  # its `feed.categories`: sources copied to feed/
    feed_tags: str | None = None  # its `feed.tags` folder ("feed/by_tag/"): tags' feeds
    feed_tags_only: tuple[str, ...] | None = None  # ... of these tags only (None: all)
    feed_tags_except: tuple[str, ...] = ()
    timezone: str = "UTC"  # Jekyll's: the zone of the dates in links to posts
    jekyll_dates: bool = False  # `zone` is `timezone` (none given): naive dates as Jekyll's
    shift: ShiftMode = "correct"
    iframes: Literal["drop", "link"] = "link"
    data_images: bool = True
    referrer_policy: ReferrerPolicy = "no-referrer"  # on every image, or "keep" the post's
    summary_leads: bool = True  # summaries leave out what their source's stories share
    hub: str = ""
    icon: str = ""  # a small square image (Atom icon, JSON Feed favicon): URL or site path
    logo: str = ""  # a larger one (Atom logo, RSS image, JSON Feed icon)
    archive_period: Literal["auto", "month", "year"] = "auto"  # auto: site by month, rest by year
    sources: dict[str, SourceSettings] = field(default_factory=dict)
    feeds: dict[str, KindSettings] = field(default_factory=dict)  # by kind: "source", "tag"...
    site_values: tuple[tuple[str, str | int | float | None], ...] = ()  # `{{ site.X }}`
    defaults: tuple[tuple[str, str, str], ...] = ()  # its `defaults:` (path, type, values JSON)
    author_names: tuple[tuple[str, str], ...] = ()  # its `_data/authors.yml`: key -> name
    author_links: tuple[tuple[str, str, str], ...] = ()  # (name, uri, email) its authors give
    site_data: str = ""  # its `_data/` as JSON: what a post's `site.data` reads (`sitedata`)
    includes_dir: str = ""  # its `_includes/`, relative to the posts folder ("" for none)
    includes: tuple[tuple[str, str], ...] = ()  # the files in it and a hash of each
    include: tuple[str, ...] = ()  # more post files, besides _posts/ and archived/
    exclude: tuple[str, ...] = ()  # files and folders that are never posts
    site_exclude: tuple[str, ...] = ()  # the Jekyll config's `exclude:` (`jekyllexclude`)
    site_path: str = ""  # the posts folder's path in the Jekyll site ("" for its own)
    # Where each `[sources."X"]` is written, (file, line): for the warning about a
    # source no post has. Not a setting: left out of the fingerprint.
    origins: dict[str, tuple[str, int]] = field(default_factory=dict, compare=False)
    url_at: tuple[str, int] = field(default=("", 0), compare=False)  # so is `url`'s (FP604)
    feed_path_at: tuple[str, int] = field(default=("", 0), compare=False)  # and `feed_path`'s
    site_destination: str = field(default="", compare=False)  # Jekyll's output (`_site`)
    # and the lines of the config's `feed:` and its keys ("feed.path": 3)
    feed_at: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    # What the Jekyll config sets that feedpub cannot use, (file, line, why): FP603. In
    # the fingerprint: a build after it is mended must not print the cache's warning.
    unused: tuple[tuple[str, int, str], ...] = field(default=(), compare=False)

    @property
    def site_url(self) -> str:
        """Absolute URL of the site root, always ending in `/`."""
        url = self.url or LOCALHOST
        return url.rstrip("/") + "/" + (self.baseurl.strip("/") + "/").lstrip("/")

    @property
    def feeds_root(self) -> str:
        """Absolute URL of the output folder, always ending in `/`: the site URL, or
        `feeds_url` (absolute, or a path from the site's root) for feeds published
        beside a Jekyll site, whose posts' pages stay at the site URL."""
        url = self.feeds_url  # ("" or ending in `/`: `checks._feeds_url`)
        return url if "://" in url else self.site_url + url

    def made_without_url(self, url: str) -> bool:
        """Whether `url` (an id a post was published with) was made on LOCALHOST, or on
        another preview's host (`--site-url http://127.0.0.1:8000/`), while the site has
        a URL of another host now: no reader got it from the site, so it is not kept."""
        if not self.url or url.startswith(f"{LOCALHOST}/"):
            return bool(self.url)
        netloc = urlsplit(url).netloc.lower()
        return netloc != urlsplit(self.site_url).netloc.lower() and _preview_host(url)

    def source(self, name: str) -> SourceSettings:
        return self.sources.get(name) or self._any_source

    @functools.cached_property
    def _any_source(self) -> SourceSettings:
        """A source's settings where it has none of its own (asked 100,000 times a build)."""
        return SourceSettings(
            zone=self.zone, referrer_policy=self.referrer_policy, summary_leads=self.summary_leads
        )

    def kind(self, name: str) -> KindSettings:
        found = self.feeds.get(name) or KindSettings()
        if name == "author" and not self.author_feeds:
            return dataclasses.replace(found, enabled=False)
        return found

    def fingerprint(self) -> str:
        """A hash of every setting: a cache built under other settings is void."""
        data = dataclasses.asdict(self)
        for where in ("origins", "url_at", "feed_at", "feed_path_at", "site_destination"):
            del data[where]
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


_PREVIEW_SUFFIXES = (".localhost", ".local", ".test", ".internal")  # RFC 6761, 6762, 2606


def _preview_host(url: str) -> bool:
    """Whether `url`'s host is one only a preview is served at: this machine (`localhost`,
    127.0.0.1, ::1), a private network's or a reserved name no reader on the web reaches."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    if host == "localhost" or host.endswith(_PREVIEW_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_unspecified
