"""The normalizer: give every post its true time and every story one identity.

Pure: `RawPost`s and settings in, `Post`s (one per story), problems and a
per-source report out. Nothing depends on file order or on the clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import quote
from zoneinfo import ZoneInfo

from . import timestamps
from .collector import RawPost
from .config import Settings
from .problems import Problem
from .slugs import slugify
from .urls import canonical_url, is_absolute_http


@dataclass(frozen=True)
class Post:
    """One story, merged from every file that holds a copy of it."""

    id: str  # the canonical URL: never changes when a copy moves or is re-scraped
    url: str  # link to the original, as the latest copy gives it
    title: str
    published: datetime
    updated: datetime
    how: str  # how `published` was decided: marker, date, clamped, nan-marker, filename, shifted
    author: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    path: str  # the latest copy, whose title and content are used
    digest: str
    body_start: int
    markdown: bool
    copies: tuple[str, ...]

    @property
    def key(self) -> tuple[datetime, str]:
        """Sort key: newest first with `sorted(..., key=..., reverse=True)`, ties by id."""
        return (self.published, self.id)


@dataclass(frozen=True)
class Timed:
    """A file with its resolved time: the unit that merging works on."""

    raw: RawPost
    when: datetime
    how: str
    fetched: datetime  # the front-matter date (the scraper's run time), else `when`
    naive: bool


@dataclass
class SourceReport:
    posts: int = 0
    how: Counter[str] = field(default_factory=Counter)
    naive: int = 0
    duplicates: int = 0
    shift_hours: int = 0


@dataclass(frozen=True)
class Result:
    posts: tuple[Post, ...]
    problems: tuple[Problem, ...]
    report: dict[str, SourceReport]
    resolved: tuple[Timed, ...]  # every file with its time, for `feedpub normalize`


def sources_of(raw: RawPost, settings: Settings) -> tuple[str, ...]:
    generic = set(settings.generic_categories)
    return tuple(c for c in raw.categories if c not in generic)


def _source(raw: RawPost, settings: Settings) -> str:
    found = sources_of(raw, settings)
    return found[0] if found else ""


def _parsed(
    raw: RawPost, settings: Settings
) -> tuple[timestamps.Marker, timestamps.Stamp | None, datetime | None]:
    zone = ZoneInfo(settings.source(_source(raw, settings)).zone)
    marker = timestamps.parse_marker(raw.marker) if raw.marker is not None else None
    stamp = timestamps.parse_date(raw.date, zone) if raw.date is not None else None
    name = timestamps.parse_filename(PurePosixPath(raw.path).name, zone)
    return marker, stamp, name


def _shifts(raws: Iterable[RawPost], settings: Settings) -> dict[tuple[str, str], timestamps.Shift]:
    """Shifts found per (source, month): markers consistently whole hours ahead."""
    pairs: dict[tuple[str, str], list[tuple[datetime, datetime]]] = defaultdict(list)
    for raw in raws:
        marker, stamp, _ = _parsed(raw, settings)
        if isinstance(marker, datetime) and stamp is not None and marker > stamp.when:
            pairs[(_source(raw, settings), f"{stamp.when:%Y-%m}")].append((marker, stamp.when))
    found = {}
    for key in sorted(pairs):
        shift = timestamps.detect_shift(pairs[key])
        if shift is not None:
            found[key] = shift
    return found


def _time(
    raw: RawPost, settings: Settings, shifts: dict[tuple[str, str], timestamps.Shift]
) -> tuple[Timed | None, list[Problem]]:
    marker, stamp, name = _parsed(raw, settings)
    problems = []
    if raw.marker is not None and marker is None:
        problems.append(
            Problem(raw.path, raw.body_line - 1, 0, "FP306", f"marker {raw.marker!r} is not a time")
        )
    if raw.date is not None and stamp is None:
        problems.append(
            Problem(raw.path, raw.date_line or 1, 0, "FP301", f"cannot read date {raw.date!r}")
        )
    shift = timedelta(0)
    if stamp is not None and settings.shift == "correct":
        found = shifts.get((_source(raw, settings), f"{stamp.when:%Y-%m}"))
        shift = timedelta(hours=found.hours) if found else shift
    when, how = timestamps.resolve(marker, stamp, name, shift)
    if when is None:
        problems.append(Problem(raw.path, 1, 0, "FP302", "no usable date; skipped"))
        return None, problems
    fetched = stamp.when if stamp is not None else when
    return Timed(raw, when, how, fetched, stamp is not None and stamp.naive), problems


def _local_url(raw: RawPost, when: datetime, settings: Settings) -> str:
    """Where a post without `from:` lives on the site (Jekyll's `date` permalink)."""
    stem = PurePosixPath(raw.path).stem
    slug = slugify(stem[11:] if stem[:10].count("-") == 2 else stem)
    return f"{settings.site_url}{when:%Y/%m/%d}/{quote(slug)}.html"


def _merge(copies: list[Timed], ident: str, settings: Settings) -> Post:
    """One entry from all copies of a story: earliest credible time, latest content."""
    copies.sort(key=lambda t: (t.fetched, t.raw.path))
    first, latest = min(copies, key=lambda t: (t.when, t.raw.path)), copies[-1]
    same_body = [t for t in copies if t.raw.body_digest == latest.raw.body_digest]
    updated = max(same_body[0].fetched, first.when)
    raw = latest.raw
    url = raw.url if is_absolute_http(raw.url) else ident
    return Post(
        id=ident,
        url=url,
        title=raw.title,
        published=first.when,
        updated=updated,
        how=first.how,
        author=raw.author,
        tags=raw.tags,
        sources=sources_of(raw, settings),
        path=raw.path,
        digest=raw.digest,
        body_start=raw.body_start,
        markdown=raw.markdown,
        copies=tuple(t.raw.path for t in copies),
    )


def normalize(raws: Iterable[RawPost], settings: Settings) -> Result:
    raws = sorted(raws, key=lambda r: r.path)
    problems: list[Problem] = []
    shifts = _shifts(raws, settings) if settings.shift != "off" else {}
    for (source, month), shift in sorted(shifts.items()):
        msg = (
            f"source {source!r} in {month}: markers run {shift.hours} h ahead of fetch times "
            f"in {shift.count} of {shift.total} posts"
            + ("; corrected" if settings.shift == "correct" else "; not corrected (shift = detect)")
        )
        problems.append(Problem(source or "(no source)", 0, 0, "FP305", msg))
    groups: dict[str, list[Timed]] = defaultdict(list)
    resolved = []
    for raw in raws:
        timed, found = _time(raw, settings, shifts)
        problems.extend(found)
        if timed is None:
            continue
        resolved.append(timed)
        url = canonical_url(raw.url) if raw.url else ""
        ident = url if is_absolute_http(url) else _local_url(raw, timed.when, settings)
        groups[ident].append(timed)
    posts = [_merge(copies, ident, settings) for ident, copies in groups.items()]
    report = _report(groups, settings, shifts)
    for ident, copies in sorted(groups.items()):
        if len(copies) > 1:
            paths = ", ".join(t.raw.path for t in copies[:-1])
            msg = f"{len(copies)} copies of {ident} merged into one entry (also in {paths})"
            problems.append(Problem(copies[-1].raw.path, 1, 0, "FP401", msg))
    posts.sort(key=lambda p: p.key, reverse=True)
    return Result(tuple(posts), tuple(problems), report, tuple(resolved))


def _report(
    groups: dict[str, list[Timed]],
    settings: Settings,
    shifts: dict[tuple[str, str], timestamps.Shift],
) -> dict[str, SourceReport]:
    report: dict[str, SourceReport] = defaultdict(SourceReport)
    for copies in groups.values():
        for t in copies:
            row = report[_source(t.raw, settings)]
            row.posts += 1
            row.how[t.how] += 1
            row.naive += t.naive
        report[_source(copies[-1].raw, settings)].duplicates += len(copies) - 1
    for (source, _), shift in shifts.items():
        report[source].shift_hours = shift.hours
    return dict(sorted(report.items()))
