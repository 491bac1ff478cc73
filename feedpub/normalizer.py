"""The normalizer: give every post its true time and every story one identity.

Pure: `RawPost`s and settings in, `Post`s (one per story), problems and a
per-source report out. Nothing depends on file order or on the clock.

1. **Time of each file.** The marker, the `date:` and the file name are parsed
   (naive values in the source's zone) and `timestamps.resolve` picks the time
   and records how (`marker`, `clamped`, `shifted`, ...).
2. **Shifts.** Per (source, month of the markers), `timestamps.detect_shift`
   looks for markers that run the same whole number of hours (at least
   `MIN_SHIFT_HOURS`) ahead of the fetch times. With `shift = "correct"` the
   posts of that source whose markers lie between the first and the last
   shifted post of that month get `shift` hours taken off their marker.
3. **Identity.** A file's story is its canonical `from:` URL (`urls.canonical_id`),
   else its permalink. All the files of one story merge into one `Post`:
   published is the earliest credible time among them, title and content come
   from the latest copy, updated is when the content last changed.

Every rule uses only what `feedpub normalize --write` leaves unchanged (the
markers, the resolved times, file names, content), so rewriting the `date:`
lines to the resolved times changes no entry.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from operator import attrgetter
from typing import NamedTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo

from . import timestamps
from .model import Post, RawPost
from .problems import Problem
from .settings import Settings
from .slugs import slugify
from .timestamps import How, Stamp
from .urls import canonical_id

MIN_SHIFT_HOURS = 2  # a lead that rounds to 1 h is clock skew, never a shift
MIN_SHIFT_POSTS = 3  # clamped posts in one (source, month) needed to call it a shift
MIN_SHIFT_SHARE = 0.5  # of the month's clamped posts (skew not counted)


class Timed(NamedTuple):
    """One file with its resolved time: what merging and `feedpub normalize` work on.

    A NamedTuple, like `timestamps.Stamp`: one is built per file, and a frozen
    dataclass's `__init__` costs three to four times as much.
    """

    raw: RawPost
    source: str  # first category that is not generic, "" if none
    when: datetime  # the file's own resolved time
    how: How
    stamp: Stamp | None  # the `date:` as read (None: absent, unreadable or implausible)
    marker: datetime | None  # the marker as a time (None: absent, NaN or unreadable)
    shift: int  # hours taken off the marker, 0 unless `how == "shifted"`
    ident: str  # the story: canonical `from:` URL, else the permalink
    link: str  # the link to the original: `from:` as written, else the permalink


@dataclass(frozen=True)
class ShiftFound:
    """A source whose markers ran `hours` ahead of the fetch times in one month."""

    source: str
    month: str  # YYYY-MM of the markers
    hours: int
    count: int  # clamped posts `hours` ahead
    total: int  # clamped posts at least MIN_SHIFT_HOURS ahead
    first: datetime  # earliest and latest marker of those posts: the span corrected
    last: datetime
    stories: int  # stories in the span with a copy `hours` ahead
    span_stories: int  # stories of the source with a marker in the span

    @property
    def group(self) -> str:
        """The shift group it was found in (`group_name`)."""
        return f"{self.source}\0{self.month}"


@dataclass
class SourceReport:
    """One row of `feedpub check`'s table: how the times of one source's files were found."""

    posts: int = 0  # files (copies included)
    how: Counter[str] = field(default_factory=Counter)
    naive: int = 0  # dates without a zone (date-only ones included)
    bad_date: int = 0  # a `date:` that cannot be read or is implausible
    duplicates: int = 0  # files merged into another file's entry
    shifts: list[str] = field(default_factory=list)  # "+16 h in 2021-04" per shifted month


@dataclass(frozen=True)
class Result:
    posts: tuple[Post, ...]  # newest first
    problems: tuple[Problem, ...]  # sorted
    report: dict[str, SourceReport]  # by source name, sorted
    resolved: tuple[Timed, ...]  # every file with its time, by path: for `feedpub normalize`
    shifts: tuple[ShiftFound, ...] = ()


def sources_of(raw: RawPost, settings: Settings) -> tuple[str, ...]:
    generic = set(settings.generic_categories)
    return tuple(c for c in raw.categories if c not in generic)


class Parsed(NamedTuple):
    raw: RawPost
    source: str
    zone: tzinfo
    marker: timestamps.Marker
    stamp: Stamp | None
    ident: str | None  # canonical `from:` URL, None if it is not an absolute http(s) URL


class Context:
    """Settings turned into lookups, so that a post costs no set or ZoneInfo to build."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.generic = frozenset(settings.generic_categories)
        self._sources: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._zones: dict[str, tzinfo] = {}

    def sources(self, raw: RawPost) -> tuple[str, ...]:
        found = self._sources.get(raw.categories)
        if found is None:
            found = tuple(c for c in raw.categories if c not in self.generic)
            self._sources[raw.categories] = found
        return found

    def zone(self, source: str) -> tzinfo:
        zone = self._zones.get(source)
        if zone is None:
            zone = self._zones[source] = ZoneInfo(self.settings.source(source).zone)
        return zone

    def parse(self, raw: RawPost) -> Parsed:
        found = self.sources(raw)
        source = found[0] if found else ""
        zone = self.zone(source)
        marker = timestamps.parse_marker(raw.marker) if raw.marker is not None else None
        stamp = timestamps.parse_date(raw.date, zone) if raw.date is not None else None
        ident = canonical_id(raw.url) if raw.url else None
        return Parsed(raw, source, zone, marker, stamp, ident)


def _month(when: datetime) -> tuple[int, int]:
    return (when.year, when.month)


ShiftKey = tuple[str, tuple[int, int]]  # (source, (year, month) of the marker)


def find_shifts(parsed: list[Parsed]) -> dict[ShiftKey, ShiftFound]:
    """Shifts per (source, month of the marker): markers consistently whole hours ahead.

    `timestamps.detect_shift` finds the lead among the posts fetched before
    their marker; it is a shift only if at least half of the source's stories
    with a marker between the first and the last post so far ahead have a copy
    that far ahead (in a shifted feed every story is first fetched before its
    marker; a few future-dated posts in a month are not a shift).

    The month is the marker's, not the date's: `normalize --write` changes
    dates, never markers, so a rewritten archive finds the same shifts.
    """
    pairs: dict[ShiftKey, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for p in parsed:
        marker, stamp = p.marker, p.stamp
        if (
            isinstance(marker, datetime)
            and stamp is not None
            and marker > stamp.when
            and timestamps.plausible(marker)
            and timestamps.plausible(stamp.when)
        ):
            pairs[(p.source, _month(marker))].append((marker, stamp.when, p.ident or p.raw.path))
    found = {}
    for key in sorted(pairs):
        shift = timestamps.detect_shift(
            [(m, d) for m, d, _ in pairs[key]], MIN_SHIFT_POSTS, MIN_SHIFT_SHARE, MIN_SHIFT_HOURS
        )
        if shift is None:
            continue
        ahead = [(m, s) for m, d, s in pairs[key] if timestamps.lead_hours(m, d) == shift.hours]
        first, last = min(ahead)[0], max(ahead)[0]
        stories = {s for _, s in ahead}
        in_span = {
            p.ident or p.raw.path
            for p in parsed
            if p.source == key[0] and isinstance(p.marker, datetime) and first <= p.marker <= last
        }
        if len(stories) < MIN_SHIFT_SHARE * len(in_span):
            continue
        source, (year, month) = key
        found[key] = ShiftFound(
            source, f"{year:04d}-{month:02d}", shift.hours, shift.count, shift.total,
            first, last, len(stories), len(in_span),
        )  # fmt: skip
    return found


def shift_key(source: str, marker: timestamps.Marker) -> ShiftKey | None:
    """The (source, month of the marker) in which a file counts for `find_shifts`, if
    any: only plausible markers can be, or fall between, the markers of a shift."""
    if isinstance(marker, datetime) and timestamps.plausible(marker):
        return (source, _month(marker))
    return None


def group_name(key: ShiftKey) -> str:
    """A shift group as text: the source and the month of its markers."""
    source, (year, month) = key
    return f"{source}\0{year:04d}-{month:02d}"


def shift_problem(found: ShiftFound, settings: Settings) -> Problem:
    """FP305: a shift found, and whether it was corrected."""
    msg = (
        f"source {found.source!r} in {found.month}: markers run {found.hours} h ahead of "
        f"the fetch times ({found.count} of {found.total} posts fetched over "
        f"{MIN_SHIFT_HOURS - 1} h before their marker; {found.stories} of "
        f"{found.span_stories} stories from "
        f"{timestamps.format_iso(found.first)} to {timestamps.format_iso(found.last)})"
        + ("; corrected" if settings.shift == "correct" else "; not corrected (shift = detect)")
    )
    group = group_name((found.source, (int(found.month[:4]), int(found.month[5:]))))
    return Problem(found.source or "(no source)", 0, 0, "FP305", msg, "source", f"shift:{group}")


def merge_problem(copies: list[Timed]) -> Problem:
    """FP401: the copies of one story (as `merge` sorted them) that became one entry."""
    latest = copies[-1]
    paths = ", ".join(t.raw.path for t in copies[:-1])
    msg = f"{len(copies)} copies of {latest.ident} merged into one entry (also in {paths})"
    return Problem(latest.raw.path, 1, 0, "FP401", msg, owner=f"story:{latest.ident}")


def _permalink(raw: RawPost, when: datetime, settings: Settings) -> str:
    """Where a post without `from:` lives on the site (Jekyll's `date` permalink)."""
    name = raw.path.rpartition("/")[2]
    stem = name.rpartition(".")[0] or name
    slug = slugify(stem[11:] if stem[:10].count("-") == 2 else stem)
    return f"{settings.site_url}{when:%Y/%m/%d}/{quote(slug)}.html"


def time_file(
    p: Parsed, settings: Settings, shifts: dict[ShiftKey, ShiftFound], problems: list[Problem]
) -> Timed | None:
    raw, marker, stamp = p.raw, p.marker, p.stamp
    if isinstance(marker, datetime):
        if not timestamps.plausible(marker):
            _bad_marker(raw, "is not a plausible time (1990 to 2100); ignored", problems)
            marker = None
    elif marker is None and raw.marker is not None:
        _bad_marker(raw, "is not a time", problems)
    if stamp is not None:
        if not timestamps.plausible(stamp.when):
            _bad_date(raw, "implausible date (not 1990 to 2100)", problems)
            stamp = None
    elif raw.date is not None:
        _bad_date(raw, "cannot read date", problems)
    hours = 0
    if shifts and isinstance(marker, datetime) and settings.shift == "correct":
        found = shifts.get((p.source, _month(marker)))
        if found is not None and found.first <= marker <= found.last:
            hours = found.hours
    name = None
    if stamp is None and not isinstance(marker, datetime):
        name = timestamps.parse_filename(raw.path, p.zone)
    when, how = timestamps.resolve(marker, stamp, name, timedelta(hours=hours) if hours else _ZERO)
    if when is None:
        msg = "no usable time: no readable marker, date or YYYY-MM-DD file name; skipped"
        problems.append(Problem(raw.path, raw.date_line or 1, 0, "FP302", msg))
        return None
    if how != "marker":
        _note(p, how, marker, stamp, settings, problems)
    ident, link = p.ident, raw.url.strip()
    if ident is None:
        ident = link = _permalink(raw, when, settings)
        if raw.url.strip():
            msg = f"`from:` {raw.url.strip()!r} is not an absolute http(s) URL; id is {ident}"
            problems.append(Problem(raw.path, 1, 0, "FP402", msg))
    marker_time = marker if isinstance(marker, datetime) else None
    return Timed(raw, p.source, when, how, stamp, marker_time, hours, ident, link)


_ZERO = timedelta(0)


def _marker_line(raw: RawPost) -> int:
    return raw.marker_line or max(raw.body_line - 1, 1)


def _bad_marker(raw: RawPost, what: str, problems: list[Problem]) -> None:
    """FP306 for a marker that is not a time or not a plausible one: it counts as absent."""
    msg = f"marker {raw.marker!r} {what}"
    problems.append(Problem(raw.path, _marker_line(raw), 0, "FP306", msg))


def _bad_date(raw: RawPost, what: str, problems: list[Problem]) -> None:
    """FP301 for a `date:` that cannot be read or is not plausible: it counts as absent."""
    msg = f"{what} {raw.date!r}; ignored"
    problems.append(Problem(raw.path, raw.date_line or 1, 0, "FP301", msg))


def _note(
    p: Parsed,
    how: How,
    marker: timestamps.Marker,
    stamp: Stamp | None,
    settings: Settings,
    problems: list[Problem],
) -> None:
    """The info notes: FP303 clamped, FP304 NaN marker, FP307 a naive date used."""
    path, line = p.raw.path, p.raw.date_line or 1
    if how == "clamped" and stamp is not None and isinstance(marker, datetime):
        msg = (
            f"marker {timestamps.format_iso(marker)} is later than the fetch time "
            f"{timestamps.format_iso(stamp.when)}; using the fetch time"
        )
        problems.append(Problem(path, line, 0, "FP303", msg))
    elif how == "nan-marker":
        msg = "the source gave no pubDate (`<!--NaN-->`); using the date (the fetch time)"
        problems.append(Problem(path, _marker_line(p.raw), 0, "FP304", msg))
    if how in ("date", "nan-marker") and stamp is not None and stamp.naive:
        zone = settings.source(p.source).zone
        what = (
            "a date-only value, read as the start of the day,"
            if stamp.date_only
            else "a naive date, read"
        )
        msg = f"{what} in {zone} (the zone of source {p.source or '(none)'!r})"
        problems.append(Problem(path, line, 0, "FP307", msg))


def _age(t: Timed) -> tuple[object, ...]:
    """Oldest first: by resolved time, then file name (it starts with the scraper's
    date), then what the copy says. Not the raw date or the file's bytes, which
    `normalize --write` changes, and the folder only as the very last resort, so
    neither a rewrite nor moving a copy between `_posts/` and `archived/` changes
    which copy is the latest."""
    raw = t.raw
    return (
        t.when, raw.path.rpartition("/")[2], raw.title, raw.body_digest, raw.author,
        raw.url, raw.categories, raw.tags, raw.path,
    )  # fmt: skip


def merge(copies: list[Timed], ctx: Context) -> Post:
    """One entry from all copies of a story: earliest credible time, latest content.

    A time read from a file name is only a day; it counts only when no copy has
    a marker or a date. `updated` is the time of the first copy of the run of
    copies, at the end, whose title and body equal the latest's.
    """
    if len(copies) == 1:
        only = copies[0]
        return _entry(only, only, only.when, (only.raw.path,), ctx)
    copies.sort(key=_age)
    latest = copies[-1]
    first = next((t for t in copies if t.how != "filename"), copies[0])
    updated = latest.when
    content = (latest.raw.title, latest.raw.body_digest)
    for t in reversed(copies):
        if (t.raw.title, t.raw.body_digest) != content:
            break
        updated = t.when
    paths = tuple(t.raw.path for t in copies)
    return _entry(latest, first, max(updated, first.when), paths, ctx)


def _entry(
    latest: Timed, first: Timed, updated: datetime, copies: tuple[str, ...], ctx: Context
) -> Post:
    raw = latest.raw
    return Post(
        id=latest.ident,
        url=latest.link,
        title=raw.title,
        published=first.when,
        updated=updated,
        how=first.how,
        author=raw.author,
        tags=raw.tags,
        sources=ctx.sources(raw),
        path=raw.path,
        digest=raw.digest,
        body_start=raw.body_start,
        markdown=raw.markdown,
        copies=copies,
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector: normalizing makes no reference cycles, so it could
    free nothing, but its full collections walk every post again and again (a
    third of the time for 50,000 posts). Reference counting frees as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def normalize(raws: Iterable[RawPost], settings: Settings) -> Result:
    """Time every file, find shifts, merge the copies of each story (see the module doc)."""
    with _gc_paused():
        return _normalize(raws, settings)


def _normalize(raws: Iterable[RawPost], settings: Settings) -> Result:
    ctx = Context(settings)
    ordered = sorted(raws, key=attrgetter("path", "digest"))
    parsed = [ctx.parse(raw) for raw in ordered]
    problems: list[Problem] = []
    shifts = find_shifts(parsed) if settings.shift != "off" else {}
    problems += [shift_problem(found, settings) for found in shifts.values()]
    report: dict[str, SourceReport] = defaultdict(SourceReport)
    groups: dict[str, list[Timed]] = defaultdict(list)
    resolved = []
    parsed.reverse()
    while parsed:  # each parsing dropped once used: 50,000 of them are never all kept
        p = parsed.pop()
        row = report[p.source]
        row.posts += 1
        timed = time_file(p, settings, shifts, problems)
        if p.raw.date is not None and (timed is None or timed.stamp is None):
            row.bad_date += 1
        if timed is None:
            row.how["none"] += 1
            continue
        row.how[timed.how] += 1
        row.naive += timed.stamp is not None and timed.stamp.naive
        resolved.append(timed)
        groups[timed.ident].append(timed)
    posts = []
    while groups:  # popped: a story's list goes as its post comes
        _, copies = groups.popitem()
        post = merge(copies, ctx)
        posts.append(post)
        if len(copies) > 1:
            report[copies[-1].source].duplicates += len(copies) - 1
            problems.append(merge_problem(copies))
    for found in shifts.values():
        report[found.source].shifts.append(f"+{found.hours} h in {found.month}")
    posts.sort(key=lambda p: p.key, reverse=True)
    problems.sort()
    return Result(
        tuple(posts),
        tuple(problems),
        dict(sorted(report.items())),
        tuple(resolved),
        tuple(shifts.values()),
    )
