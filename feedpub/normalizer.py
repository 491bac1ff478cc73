"""The normalizer: give every post its true time and every story one identity.

Pure: `RawPost`s and settings in, `Post`s (one per story), problems and a
per-source report out. Nothing depends on file order or on the clock.

1. **Time of each file.** The marker, the `date:` and the file name are parsed
   (naive values in the source's zone) and `timestamps.resolve` picks the time
   and records how (`marker`, `clamped`, `shifted`, ...).
2. **Shifts.** Per source (the shift group), `shifts.estimate` finds the runs
   of posts whose markers run hours ahead of the fetch times, from the copies
   fetched before their marker (`evidence`). With `shift = "correct"` a run's
   offset is taken off the markers it applies to; a source's stated
   `marker_offset` applies to all its markers instead, and nothing is guessed.
3. **Identity.** A file's story is its canonical `from:` URL (`urls.canonical_id`),
   else its date and title (`permalinks`). All of one story's files merge to a `Post`:
   published is the earliest credible time among them, title and content come
   from the latest copy, updated is when the content last changed (its author's
   `last_modified_at:` if later).

Every rule uses only what `feedpub normalize --write` leaves unchanged (the
markers, the resolved times, file names, content), so rewriting the `date:`
lines to the resolved times changes no entry.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from . import echoes, language, permalinks, shifts, timestamps, urls
from .model import Post, RawPost, SourceReport
from .problems import Problem, printable
from .settings import Settings
from .shifts import Shift
from .summaries import Leads, skip_of, source_leads
from .timestamps import How, Stamp
from .urls import canonical_id
from .workers import paused_gc


class Timed(NamedTuple):
    """One file with its resolved time: what merging and `feedpub normalize` work on.
    A NamedTuple, like `timestamps.Stamp`: one is built per file, and a frozen
    dataclass's `__init__` costs three to four times as much."""

    raw: RawPost
    source: str  # first category that is not generic, "" if none
    when: datetime  # the file's own resolved time
    how: How
    stamp: Stamp | None  # the `date:` as read (None: absent, unreadable or implausible)
    marker: datetime | None  # the marker as a time (None: absent, NaN or unreadable)
    shift: timedelta  # taken off the marker, zero unless `how == "shifted"`
    ident: str  # the story: canonical `from:` URL, else the permalink
    link: str  # the link to the original: `from:` as written, else the permalink
    story: str  # canonical `from:` URL, else the file: the story as `evidence` counts it

    @property
    def own(self) -> bool:
        """Whether its story's id is its permalink (no usable `from:`): one that changes
        with the site URL or the date, and so is remembered once published."""
        return self.story == self.raw.path

    @property
    def evidence(self) -> Evidence | None:
        """What the file tells of its source's clock (see `evidence`)."""
        if self.marker is None:
            return None
        stamp = self.stamp
        fetched = stamp.when if stamp is not None and self.marker > stamp.when else None
        return Evidence(self.marker, fetched, self.story)


class Evidence(NamedTuple):
    """What a file tells of its source's clock: its marker, its date if fetched before."""

    marker: datetime  # plausible
    fetched: datetime | None  # the `date:`, when it is earlier than the marker
    story: str  # canonical `from:` URL, else the file


Runs = dict[str, tuple[Shift, ...]]  # by source: the runs of its shifted posts
_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_EXACT = ("marker", "shifted")  # a time of these `how`s is no day's start (`merge`)


@dataclass(frozen=True)
class Result:
    posts: tuple[Post, ...]  # newest first
    problems: tuple[Problem, ...]  # sorted
    report: dict[str, SourceReport]  # by source name, sorted as a person reads (case aside)
    resolved: tuple[Timed, ...]  # every file with its time, by path: for `feedpub normalize`
    runs: Runs = field(default_factory=dict)  # the shifts found, by source
    stated: frozenset[str] = frozenset()  # the sources whose offset the settings state
    leads: dict[str, Leads] = field(default_factory=dict)  # by source (`summaries.leads`)


class Parsed(NamedTuple):
    raw: RawPost
    source: str
    zone: tzinfo
    marker: timestamps.Marker
    stamp: Stamp | None
    ident: str | None  # canonical `from:` URL, None if it is not an absolute http(s) URL


class Context:
    """Settings turned into lookups, so that a post costs no set or ZoneInfo to build."""

    def __init__(self, settings: Settings, kept: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        # The id each post file without `from:` was published with (on a site's URL).
        self.kept = {p: i for p, i in (kept or {}).items() if not settings.made_without_url(i)}
        self.published: dict[str, set[str]] = defaultdict(set)  # id -> names published so
        for path, ident in sorted(self.kept.items()):
            self.published[ident].add(path.rpartition("/")[2])
        self.generic = frozenset(settings.generic_categories)
        self._sources: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._zones: dict[str, tzinfo] = {}
        self.links: dict[str, str] = {}  # post name -> URL: what the stories' post_urls name
        self.leads: dict[str, Leads] = {}  # by source: its `summaries.leads`
        base, links = settings.site_url, reversed(settings.author_links)  # the first wins
        self.authors = {n: (u and urls.on_site(u, base), e) for n, u, e in links}

    def sources(self, raw: RawPost) -> tuple[str, ...]:
        if (found := self._sources.get(raw.categories)) is None:
            found = tuple(c for c in raw.categories if c not in self.generic)
            self._sources[raw.categories] = found
        return found

    def lang(self, source: str, detected: str) -> str:
        """A post's language (`language.chosen`)."""
        return language.chosen(self.settings.source(source).lang, detected, self.settings.lang)

    def leads_of(self, source: str) -> Leads | None:
        """The leads of `source` its summaries leave out (none if its settings say so)."""
        found = self.leads.get(source)
        wanted = found and found.found and self.settings.source(source).summary_leads
        return found if wanted else None

    def zone(self, source: str) -> tzinfo:
        if (zone := self._zones.get(source)) is None:
            zone = self._zones[source] = ZoneInfo(self.settings.source(source).zone)
        return zone

    def parse(self, raw: RawPost) -> Parsed:
        found = self.sources(raw)
        source = found[0] if found else ""
        zone = self.zone(source)
        jekylls = self.settings.jekyll_dates and not self.settings.source(source).own_zone
        if jekylls and permalinks.yaml_timestamp(raw):  # (a source's own zone is its own)
            zone = UTC  # a Jekyll site's YAML timestamp without a zone: Jekyll's reading
        marker = timestamps.parse_marker(raw.marker) if raw.marker is not None else None
        stamp = timestamps.parse_date(raw.date, zone) if raw.date is not None else None
        ident = canonical_id(raw.url) if raw.url else None
        return Parsed(raw, source, zone, marker, stamp, ident)


def evidence(p: Parsed) -> Evidence | None:
    """What the file tells of its source's clock, if it has a plausible marker."""
    marker, stamp = p.marker, p.stamp
    if not isinstance(marker, datetime) or not timestamps.plausible(marker):
        return None
    when = stamp.when if stamp is not None else None
    fetched = when if when is not None and timestamps.plausible(when) and marker > when else None
    return Evidence(marker, fetched, p.ident or p.raw.path)


def stated(settings: Settings, source: str) -> timedelta | None:
    """The offset the settings state for `source` (`marker_offset`), if any."""
    return shifts.parse_offset(text) if (text := settings.source(source).marker_offset) else None


def runs_of(source: str, found: Iterable[Evidence], settings: Settings) -> tuple[Shift, ...]:
    """The shift group's function: the runs of `source`'s posts that run ahead, from
    the evidence of all its files (none when the settings state or switch it off)."""
    if settings.shift == "off" or stated(settings, source) is not None:
        return ()
    found = list(found)
    if not any(e.fetched is not None and shifts.is_evidence(e.marker, e.fetched) for e in found):
        return ()  # nothing runs far enough ahead: the common case, at no cost
    clamped = [(e.marker, e.fetched, e.story) for e in found if e.fetched is not None]
    return shifts.estimate(source, clamped, [(e.marker, e.story) for e in found])


def shift_problem(run: Shift, settings: Settings) -> Problem:
    """FP305: a run of shifted posts found, and whether it was corrected."""
    msg = (
        f"source {run.source!r}: markers run {shifts.hours(run.offset)} ahead of the fetch times "
        f"from {timestamps.format_iso(run.first)} to {timestamps.format_iso(run.last)} "
        f"({run.stories} of {run.span_stories} stories fetched before their marker, "
        f"{run.count} of them bound it)"
        + ("; corrected" if settings.shift == "correct" else "; not corrected (shift = detect)")
    )
    return Problem(run.source or "(no source)", 0, 0, "FP305", msg, "source", f"shift:{run.source}")


def stated_problem(source: str, offset: timedelta, files: int) -> Problem:
    """FP308: a source's markers taken as `offset` ahead, as the settings state."""
    msg = (
        f"source {source!r}: markers taken as {shifts.hours(offset)} ahead (marker_offset), "
        f"in all {files} of its files with a marker"
    )
    return Problem(source or "(no source)", 0, 0, "FP308", msg, "source", f"shift:{source}")


def story_problems(copies: list[Timed], post: Post) -> list[Problem]:
    """A story's notes: FP401, copies made one entry; FP203, a `{% post_url %}` names none."""
    latest, also = copies[-1], tuple(t.raw.path for t in copies[:-1])
    owner, found = f"story:{latest.ident}", []
    if also:
        msg = f"{len(copies)} copies of {latest.ident} merged into one entry"
        if len({t.raw.title for t in copies}) > 1:  # which one readers see
            msg += f", titled as this copy: {printable(post.title)}"
        shared = latest.own and len({t.raw.path.rpartition("/")[2] for t in copies}) > 1
        code = "FP404" if shared else "FP401"  # files of two names, one page: not copies
        found.append(Problem(latest.raw.path, 1, 0, code, msg, owner=owner, also=also))
    missing = {name for name, url in post.links if not url}
    for name, line in [r for r in latest.raw.refs if r[0] in missing][:1]:  # the first
        msg = f"no post {printable(name)}, which a `post_url` or `link` names; shown as written"
        found.append(Problem(latest.raw.path, line, 0, "FP203", msg, owner=owner))
    return found


def time_file(
    p: Parsed, settings: Settings, runs: Runs, problems: list[Problem], ctx: Context
) -> Timed | None:
    """One file's time and story (`ctx.kept`: the ids published: one never changes)."""
    raw, marker, stamp = p.raw, p.marker, p.stamp
    if isinstance(marker, datetime) and not timestamps.plausible(marker):
        _bad_marker(raw, "is not a plausible time (1990 to 2100); ignored", problems)
        marker = None
    elif marker is None and raw.marker is not None:
        _bad_marker(raw, "is not a time", problems)
    timed = isinstance(marker, datetime)  # (a plausible one)
    if stamp is not None:
        if not timestamps.plausible(stamp.when):
            _bad_date(raw, "implausible date (not 1990 to 2100)", timed, problems)
            stamp = None
    elif raw.date is not None:
        _bad_date(raw, "cannot read date", timed, problems)
    offset = _ZERO
    if isinstance(marker, datetime):
        offset = stated(settings, p.source) or _ZERO
        found = runs.get(p.source)
        if found and settings.shift == "correct":
            clamped = stamp is not None and marker > stamp.when
            offset = shifts.offset_at(found, marker, clamped=clamped)
    name = None
    if stamp is None and not isinstance(marker, datetime):
        name = timestamps.parse_filename(raw.path, ctx.zone(p.source))
    when, how = timestamps.resolve(marker, stamp, name, offset)
    if when is None:
        msg = "no usable time: no plausible marker, date or YYYY-MM-DD file name; skipped"
        problems.append(Problem(raw.path, raw.date_line or 1, 0, "FP302", msg))
        return None
    if how != "marker":
        _note(p, how, marker, stamp, settings, problems)
    ident, link = p.ident, urls.undouble(raw.url.strip())  # (a browser asks for `%E5…`)
    if ident is None:
        ident, link, legacy = permalinks.of(raw, when, settings)
        if given := raw.url.strip():  # (a hostile one may run to megabytes: cut)
            given = given if len(given) <= 300 else given[:300] + "…"
            msg = f"`from:` {given!r} is not a valid absolute http(s) URL; id is {ident}"
            problems.append(Problem(raw.path, raw.url_line or 1, 0, "FP402", msg))
        copy = raw.path.rpartition("/")[2] in ctx.published.get(legacy, ())  # a copy's
        old = ctx.kept.get(raw.path) or (legacy if copy else None)
        if why := permalinks.moved(old, ident, legacy, settings):
            msg = f"its id would become {ident} {why}; kept {old}, the id it was published with"
            problems.append(Problem(raw.path, 1, 0, "FP403", msg, group=why))
        ident = old or ident
    marker_time = marker if isinstance(marker, datetime) else None
    story = p.ident or raw.path
    return Timed(raw, p.source, when, how, stamp, marker_time, offset, ident, link, story)


def _bad_marker(raw: RawPost, what: str, problems: list[Problem]) -> None:
    """FP306 for a marker that is not a time or not a plausible one: it counts as absent."""
    problems.append(Problem(raw.path, raw.marker_at, 0, "FP306", f"marker {raw.marker!r} {what}"))


def _bad_date(raw: RawPost, what: str, timed: bool, problems: list[Problem]) -> None:
    """FP301 for a `date:` that cannot be read or is not plausible (`timed`: a marker is)."""
    shown = raw.date if isinstance(raw.date, str) else str(raw.date)  # a date as YAML read it
    named = timestamps.parse_filename(raw.path, UTC) is not None
    then = "the marker's" if timed else "the file name's date" if named else ""
    odd = " (no such day)" if timestamps.off_the_calendar(shown) else ""
    msg = f"{what} {shown!r}{odd}; ignored" + (f" (the time is {then})" if then else "")
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
        problems.append(Problem(path, p.raw.marker_at, 0, "FP304", msg))
    if how in ("date", "nan-marker") and stamp is not None and stamp.naive:
        what = "a naive date, read"
        what = "a date-only value, read as the start of the day," if stamp.date_only else what
        own = settings.source(p.source)  # the site's zone, unless the source sets its own
        why = "the default zone" if own.zone == "UTC" == settings.timezone else "the site's zone"
        why = "its source's zone" if own.own_zone else why
        why = why if str(p.zone) == own.zone else "as Jekyll reads it"
        msg = f"{what} in {p.zone} ({why})"
        problems.append(Problem(path, line, 0, "FP307", msg))


def _age(t: Timed) -> tuple[object, ...]:
    """Oldest first: by resolved time, then file name (it starts with the scraper's
    date), then what the copy says. Not the raw date or the file's bytes, which
    `normalize --write` changes, and the folder only as the very last resort, so
    neither a rewrite nor moving a copy between `_posts/` and `archived/` changes
    which copy is the latest."""
    raw = t.raw
    return (t.when, raw.path.rpartition("/")[2], raw.title, raw.body_digest, raw.author,
            raw.url, raw.categories, raw.tags, raw.path)  # fmt: skip


def merge(copies: list[Timed], ctx: Context) -> Post:
    """One entry from all copies of a story: earliest credible time, latest content.

    A file name's day counts only when no copy has a marker or a date; a `date:` of a
    day alone, when no copy has an exact time within it. `updated` is the time of the
    first copy of the run of copies, at the end, whose title and body equal the latest's.
    """
    if len(copies) == 1:
        only = copies[0]
        return _entry(only, only, only.when, (only.raw.path,), ctx)
    copies.sort(key=_age)
    latest = copies[-1]
    first = next((t for t in copies if t.how != "filename"), copies[0])
    exact = [t for t in copies if t.how in _EXACT or (t.stamp and not t.stamp.date_only)]
    if exact and exact[0].when < first.when + _DAY:  # (a day's start: its exact time is later)
        first = exact[0]
    updated = latest.when
    content = (latest.raw.title, latest.raw.body_digest)
    for t in reversed(copies):
        if (t.raw.title, t.raw.body_digest) != content:
            break
        updated = t.when
    paths = tuple(t.raw.path for t in copies)
    post = _entry(latest, first, max(updated, first.when), paths, ctx)
    if latest.own:  # a story without `from:` links to its post, not to a page copying it
        posted = [t.link for t in copies if "archived" not in t.raw.path.split("/")[:-1]]
        return dataclasses.replace(post, url=posted[-1]) if posted else post
    return post


def _entry(
    latest: Timed, first: Timed, updated: datetime, copies: tuple[str, ...], ctx: Context
) -> Post:
    raw = latest.raw
    updated = timestamps.modified(updated, raw.lead and raw.lead.modified, ctx.zone(latest.source))
    return Post(
        id=latest.ident,
        url=latest.link,
        title=raw.title if latest.own else echoes.without_site_name(raw.title, latest.link),
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
        lang=ctx.lang(latest.source, raw.lang),
        liquid=raw.liquid,
        links=tuple((name, ctx.links.get(name, "")) for name, _ in raw.refs),
        lead=raw.lead,
        categories=raw.categories,
        author_links=ctx.authors.get(raw.author, ("", "")),
        skip=skip_of(raw.opening, ctx.leads_of(latest.source)),
    )


def normalize(
    raws: Iterable[RawPost], settings: Settings, kept: Mapping[str, str] | None = None
) -> Result:
    """Time every file, find shifts, merge the copies of each story (see the module doc)."""
    with paused_gc():
        return _normalize(raws, Context(settings, kept))


# Parsings are freed this many at a time, not one by one: a `Problem` is of their size
# (96 bytes), and one made while timing took the slot a parsing had just left, so the
# few thousand problems of a build kept most of their pages (4 MB at 50,000 posts).
PARSED_STEP = 4096


def _normalize(raws: Iterable[RawPost], ctx: Context) -> Result:
    settings = ctx.settings
    ordered = sorted(raws, key=attrgetter("path", "digest"))
    parsed = [ctx.parse(raw) for raw in ordered]
    problems: list[Problem] = []
    found: dict[str, list[Evidence]] = defaultdict(list)
    for p in parsed:
        if (e := evidence(p)) is not None:
            found[p.source].append(e)
    runs = {s: r for s in sorted(found) if (r := runs_of(s, found[s], settings))}
    problems += [shift_problem(run, settings) for rs in runs.values() for run in rs]
    offsets = {source: stated(settings, source) for source in sorted(found)}
    for source, offset in offsets.items():
        if offset is not None:
            problems.append(stated_problem(source, offset, len(found[source])))
    del found
    report: dict[str, SourceReport] = defaultdict(SourceReport)
    groups: dict[str, list[Timed]] = defaultdict(list)
    resolved = []
    while parsed:  # parsings dropped a step at a time: 50,000 of them are never all kept
        step = parsed[:PARSED_STEP]
        del parsed[:PARSED_STEP]
        for p in step:
            row = report[p.source]
            row.posts += 1
            timed = time_file(p, settings, runs, problems, ctx)
            if p.raw.date is not None and (timed is None or timed.stamp is None):
                row.bad_date += 1
            if timed is None:
                row.how["none"] += 1
                continue
            row.how[timed.how] += 1
            row.naive += timed.stamp is not None and timed.stamp.naive
            resolved.append(timed)
            groups[timed.ident].append(timed)
        del step, p  # together: see PARSED_STEP
    if names := {name for t in resolved for name, _ in t.raw.refs}:
        ctx.links = permalinks.post_urls(((t.raw, t.when) for t in resolved), names, settings)
    ctx.leads = source_leads([(t.source, t.raw.opening) for t in c] for c in groups.values())
    posts = []
    while groups:  # popped: a story's list goes as its post comes
        _, copies = groups.popitem()
        post = merge(copies, ctx)
        posts.append(post)
        row = report[copies[-1].source]
        row.langs[post.lang] += 1
        row.duplicates += len(copies) - 1
        row.leads += bool(post.skip)
        problems += story_problems(copies, post)
    for source, rs in runs.items():
        report[source].shifts += [
            f"+{shifts.hours(r.offset)} {r.first:%Y-%m-%d}..{r.last:%Y-%m-%d}" for r in rs
        ]
    posts.sort(key=lambda p: p.key, reverse=True)
    problems.sort()
    fixed = frozenset(source for source, offset in offsets.items() if offset is not None)
    report = dict(sorted(report.items(), key=lambda kv: (kv[0].casefold(), kv[0])))
    return Result(tuple(posts), tuple(problems), report, tuple(resolved), runs, fixed, ctx.leads)
