"""Sources whose feed runs hours ahead: which of their posts, and by how much.

A feed that writes its local time under the wrong zone (Singapore's read as US
Pacific: 16 h) gives every story a marker of `true + h`. The scraper first
fetches the story `d` after it appeared and, the marker lying in the future,
saves its own fetch time as the date: a *clamped* copy, whose lead `marker -
fetched` is `h - d`. Every clamped copy therefore bounds the shift from below,
and the copies fetched soonest after publication bound it tightly, however late
the others came: the shift is the smallest step of the grid that no clamped
copy's lead exceeds (`SKEW` allowed for clocks a few minutes apart).

A shift is a misconfigured feed and lasts months, so the evidence of many
posts is pooled; `estimate` splits it into runs where the evidence changes
(a shift starts, ends, or changes by an hour) and keeps a run only when it has
more than a handful of stories and covers most stories in its span. A caller
takes a run's `offset` off the marker of the copies of that source whose
marker lies in `[first, last]`, in its last `offset` only of clamped copies
(`Shift.applies`, `offset_at`), and keeps the earlier of that and the copy's
date, as `timestamps.resolve` does for a shift.

**Grid: whole hours.** Zone offsets are whole hours for all but a few zones
(India +5:30, Nepal +5:45, Iran, Newfoundland, central Australia, Myanmar...),
and the sources of these archives are in UTC+8 (China, Hong Kong, Taiwan,
Singapore, Malaysia), misread as UTC or a US zone: whole hours. A finer grid
would need a fetch within one step of publication to pin the shift: with
fetches 5 min to 3 h late, about 30% come within the hour but 3% within 15
minutes (less `SKEW`), so runs of a few dozen stories would be corrected 15 to
45 minutes short. And a lead just under a whole hour is the mark that tells a shift from
a post dated in the future. `grid` can be given for a source known to be in a
half-hour zone (with whole hours a 5.5 h shift is estimated as 6 h: 30 min early).

Pure and deterministic: inputs are sorted, no set or dict order reaches the
result; O(n log n) in the source's posts (the sort; every other pass is linear).
"""

from __future__ import annotations

import math
import re
import sys
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import NamedTuple

GRID = timedelta(hours=1)  # see the module's doc
SKEW = timedelta(minutes=5)  # a lead this much over a step is that step: clocks differ
MIN_SHIFT = timedelta(hours=2)  # 1 h leads are common clock skew, never a shift
MIN_STORIES = 6  # a run needs more than a handful of clamped stories
MIN_SHARE = 0.5  # ... with a clamped copy among the stories in its span
GAP = 8  # stories without a clamped copy outnumbering those with one by this: it ended
CHANCE = 0.001  # how rarely chance may lower a stretch's shift somewhere (see _dip)
WINDOW = 50  # ... in any case this many stories in a row lower it
LOCAL = 10  # stories on either side that tell how often a fetch pins the shift
OUTLIER = timedelta(hours=2)  # a lead this far above its neighbours' is a future post
FEW = 3  # ... above the third highest of them (two more such posts may be near)
NEAR = 30  # ... of the stories on either side

_ZERO = timedelta(0)
_BIG = sys.maxsize


class Clamped(NamedTuple):
    """A copy saved with its fetch time as date because its marker lay in the future."""

    marker: datetime  # aware, UTC, later than `fetched`
    fetched: datetime  # the copy's `date:`
    story: str  # the story's id (canonical URL)


@dataclass(frozen=True, slots=True)
class Shift:
    """A run of one source's posts whose markers run `offset` ahead of the true time."""

    source: str
    offset: timedelta  # a whole number of grid steps, at least MIN_SHIFT
    first: datetime  # the markers the shift applies to: first <= marker <= last
    last: datetime
    count: int  # clamped stories that bound the offset (outliers left out)
    stories: int  # stories with a marker in the span that have a clamped copy
    span_stories: int  # stories with a marker in the span

    def covers(self, marker: datetime) -> bool:
        return self.first <= marker <= self.last

    def applies(self, marker: datetime, clamped: bool) -> bool:
        """Whether a copy with this marker is shifted: any copy in the span, but in
        its last `offset` only a clamped one. Where a shift ended, the stories
        published just after the fix have markers up to `offset` older than the
        last shifted story's, and they were never clamped."""
        return self.first <= marker <= self.last and (clamped or marker <= self.last - self.offset)


class _Entry(NamedTuple):
    """A story at one marker; `bound` in grid steps, None when it has no clamped copy."""

    marker: datetime
    story: str
    bound: int | None


def estimate(
    source: str,
    clamped: Iterable[tuple[datetime, datetime, str]],
    markers: Iterable[tuple[datetime, str]],
    grid: timedelta = GRID,
) -> tuple[Shift, ...]:
    """The runs of shifted posts of one source, oldest first.

    `clamped` holds the source's copies whose marker is later than their date
    (others are ignored), as `Clamped(marker, fetched, story)`; `markers` the
    `(marker, story)` of all its copies, clamped or not, so that a run can be
    checked against the stories it would move. Both aware UTC, plausible times.

    1. Each story's bound: the largest lead of its clamped copies at that
       marker, less `SKEW`, rounded up to the grid. Bounds under `MIN_SHIFT`
       are clock skew, not evidence.
    2. Stretches: in a shifted feed nearly every story has a clamped copy. A
       stretch of the timeline ends where the stories without one outnumber
       those with one by `GAP`, and is trimmed where it is not mostly clamped,
       so a future-dated post near a shift's start or end stays out of it.
    3. Outliers: a bound `OUTLIER` above the third highest of the `NEAR`
       bounds on either side is a post dated in the future, not the shift.
    4. Envelope: each post's shift is the least bound that every post of some
       `width` in a row around it stays under (a morphological closing), so a
       post fetched late inherits its neighbours' shift, and a lower shift
       needs `width` posts in a row none of which reaches the higher one:
       so many that chance gives such a row once in 1 / `CHANCE` stretches
       (`_dip`: about 40 when a third of the fetches come within the hour, 6
       when nearly all do). An opening then cuts higher runs of fewer than
       `MIN_STORIES` posts (a clock glitch at a stretch's end).
    5. Runs: consecutive posts with one shift, kept with `MIN_STORIES`
       stories of which a `MIN_SHARE` of the stories in the span have a
       clamped copy.
    """
    if grid <= _ZERO:
        raise ValueError(f"grid must be positive, not {grid}")
    timeline = _timeline(clamped, markers, grid)
    times = [e.marker for e in timeline]
    least, margin = _steps(MIN_SHIFT, grid), _steps(OUTLIER, grid)
    runs = []
    for stretch in _stretches([e.bound is not None for e in timeline], GAP):
        evidence = [
            (e, e.bound) for e in timeline[stretch] if e.bound is not None and e.bound >= least
        ]
        outlier = _outliers([b for _, b in evidence], NEAR, margin)
        kept = [item for item, out in zip(evidence, outlier, strict=True) if not out]
        levels = _envelope([b for _, b in kept])
        start = 0
        for level, group in groupby(levels):
            size = len(list(group))
            posts = [e for e, _ in kept[start : start + size]]
            run = _run(source, posts, level * grid, timeline, times)
            if run is not None:
                runs.append(run)
            start += size
    return tuple(runs)


def is_evidence(marker: datetime, fetched: datetime, grid: timedelta = GRID) -> bool:
    """Whether a clamped copy runs far enough ahead to count (more than clock skew):
    a source with none has no run, and `estimate` need not be asked."""
    return _steps(marker - fetched - SKEW, grid) >= _steps(MIN_SHIFT, grid)


def offset_at(runs: Sequence[Shift], marker: datetime, *, clamped: bool) -> timedelta:
    """What to take off the marker of a copy of the runs' source (`clamped`: its
    marker is later than its date): the offset of the run that `applies` to it,
    the smaller where two runs touch; zero when none does."""
    return min((r.offset for r in runs if r.applies(marker, clamped)), default=_ZERO)


def _steps(span: timedelta, grid: timedelta) -> int:
    """`span` in grid steps, rounded up."""
    return -(-span // grid)


def _timeline(
    clamped: Iterable[tuple[datetime, datetime, str]],
    markers: Iterable[tuple[datetime, str]],
    grid: timedelta,
) -> list[_Entry]:
    """Every (marker, story) of the source in order, with its bound if it was clamped."""
    leads: dict[tuple[datetime, str], timedelta] = {}
    for marker, fetched, story in clamped:
        if marker > fetched:
            key = (marker, story)
            leads[key] = max(leads.get(key, _ZERO), marker - fetched)
    keys = sorted(leads.keys() | {(marker, story) for marker, story in markers})
    return [
        _Entry(m, s, _steps(leads[m, s] - SKEW, grid) if (m, s) in leads else None) for m, s in keys
    ]


def _stretches(covered: Sequence[bool], gap: int) -> Iterator[slice]:
    """The parts of the timeline where stories with a clamped copy prevail.

    Walking from a clamped story, +1 for each clamped one and -1 for each other,
    a stretch ends at its (last) highest score once the score falls `gap` below
    it, and starts after its (first) lowest score before that: it never begins
    or ends with stories of which more lack a clamped copy than have one.
    """
    i, n = 0, len(covered)
    while i < n:
        if not covered[i]:
            i += 1
            continue
        score = best = 0
        best_at = j = i
        while j < n and score > best - gap:
            score += 1 if covered[j] else -1
            if score >= best:
                best, best_at = score, j
            j += 1
        score = low = 0
        low_at = i - 1
        for k in range(i, best_at):
            score += 1 if covered[k] else -1
            if score < low:
                low, low_at = score, k
        yield slice(low_at + 1, best_at + 1)
        i = j


def _outliers(bounds: Sequence[int], reach: int, margin: int) -> list[bool]:
    """Which bounds lie `margin` above the `FEW`-th highest of the `reach` bounds on
    either side: future-dated posts, which come alone, not the shift, which recurs."""
    flags = []
    for i, bound in enumerate(bounds):
        near = sorted([*bounds[max(0, i - reach) : i], *bounds[i + 1 : i + 1 + reach]])
        flags.append(len(near) >= FEW and bound - near[-FEW] >= margin)
    return flags


def _envelope(bounds: Sequence[int]) -> list[int]:
    """Each post's shift: dips narrower than `_dip` filled, peaks narrower than
    `MIN_STORIES` cut (a closing, then an opening)."""
    return _open(_close(bounds, _dip(bounds)), MIN_STORIES)


def _dip(bounds: Sequence[int]) -> int:
    """How many posts in a row, none reaching the shift, lower it: with a share `p`
    of the posts reaching it (fetched within a step of publication: those as high
    as any of the `LOCAL` on either side), `n` posts show such a row of `k` by
    chance about `n * (1 - p) ** k` times."""
    if not bounds:
        return MIN_STORIES
    pad = [-_BIG] * LOCAL
    highest = _maxima([*pad, *bounds, *pad], 2 * LOCAL + 1)
    p = sum(b == high for b, high in zip(bounds, highest, strict=True)) / len(bounds)
    if p >= 1:
        return MIN_STORIES
    k = math.ceil(math.log(CHANCE / len(bounds)) / math.log1p(-p))
    return max(MIN_STORIES, min(WINDOW, k))


def _close(values: Sequence[int], width: int) -> list[int]:
    """Each value becomes the least of the maxima of the `width`-wide windows that
    hold it (the whole sequence when it is shorter)."""
    if not values:
        return []
    width = min(width, len(values))
    pad = [_BIG] * (width - 1)
    return _minima([*pad, *_maxima(values, width), *pad], width)


def _open(values: Sequence[int], width: int) -> list[int]:
    """Each value becomes the greatest of the minima of the `width`-wide windows that
    hold it (the whole sequence when it is shorter)."""
    if not values:
        return []
    width = min(width, len(values))
    pad = [-_BIG] * (width - 1)
    return _maxima([*pad, *_minima(values, width), *pad], width)


def _maxima(values: Sequence[int], width: int) -> list[int]:
    """The largest of every `width` consecutive values, in O(n) (a monotonic queue)."""
    out = []
    queue: deque[int] = deque()  # indices whose values may still be a window's largest
    for i, value in enumerate(values):
        while queue and values[queue[-1]] <= value:
            queue.pop()
        queue.append(i)
        if queue[0] <= i - width:
            queue.popleft()
        if i >= width - 1:
            out.append(values[queue[0]])
    return out


def _minima(values: Sequence[int], width: int) -> list[int]:
    return [-v for v in _maxima([-v for v in values], width)]


def _run(
    source: str,
    evidence: Sequence[_Entry],
    offset: timedelta,
    timeline: Sequence[_Entry],
    times: Sequence[datetime],
) -> Shift | None:
    """A run over the markers of `evidence`, if it has enough stories and covers
    enough of the stories in its span."""
    if len({e.story for e in evidence}) < MIN_STORIES:
        return None
    first, last = evidence[0].marker, evidence[-1].marker
    span = timeline[bisect_left(times, first) : bisect_right(times, last)]
    stories = {e.story for e in span}
    clamped = {e.story for e in span if e.bound is not None}
    if len(clamped) < MIN_SHARE * len(stories):
        return None
    return Shift(source, offset, first, last, len(evidence), len(clamped), len(stories))


def parse_offset(text: str) -> timedelta | None:
    """`-16h`, `+5h30m`, `-90m` as what to take off the markers (16 h, ...)."""
    m = _OFFSET.fullmatch(text.strip())
    if m is None or not (m["h"] or m["m"]):
        return None
    ahead = timedelta(hours=int(m["h"] or 0), minutes=int(m["m"] or 0))
    return ahead if m["sign"] == "-" else -ahead


def hours(offset: timedelta) -> str:
    """`16 h`, `5 h 30 min`."""
    minutes = int(offset / timedelta(minutes=1))
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{hours} h" + (f" {rest} min" if rest else "")


_OFFSET = re.compile(r"(?P<sign>[+-])(?:(?P<h>\d{1,2})h)?(?:(?P<m>\d{1,3})m)?")
