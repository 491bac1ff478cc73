"""The shift estimator (`feedpub.shifts`) on archives whose truth is known.

Generated archives (`shifted_archive.py`) are read as a build reads them
(`collector.parse`, `timestamps.parse_marker`, `timestamps.parse_date`). A
story's corrected time is the earliest over its copies of `marker - offset`
when a run applies to the copy (`shifts.offset_at`), else the copy's own time
(`timestamps.resolve`). Two properties matter: most stories of a shifted
source get their true time, and none is put after its first fetch.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pytest
import shifted_archive as sa
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import collector, shifts, timestamps
from feedpub.shifts import Shift
from feedpub.timestamps import Stamp
from feedpub.urls import canonical_id

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
SEED_POST = ROOT.parent / "shared" / "seed"


class Copy(NamedTuple):
    path: str
    source: str
    story: str
    marker: datetime
    stamp: Stamp


@dataclass(frozen=True)
class Outcome:
    archive: sa.Archive
    copies: list[Copy]
    runs: dict[str, tuple[Shift, ...]]
    corrected: dict[str, datetime]  # by story
    first_fetch: dict[str, datetime]  # the earliest date among its copies

    def accuracy(self, source: str = sa.ZAOBAO, kind: str = "shifted") -> float:
        """The share of `source`'s stories of `kind` corrected to within a minute."""
        stories = [s for s in self.archive.stories if s.source == source and s.kind == kind]
        right = [s for s in stories if abs(self.corrected[s.url] - s.true) <= MINUTE]
        return len(right) / len(stories)

    def after_first_fetch(self, source: str = sa.ZAOBAO, kind: str = "shifted") -> list[str]:
        return [
            s.url
            for s in self.archive.stories
            if s.source == source
            and s.kind == kind
            and self.corrected[s.url] > self.first_fetch[s.url]
        ]


def read(files: Iterable[tuple[str, bytes]]) -> list[Copy]:
    copies = []
    for path, data in files:
        post = collector.parse(path, data).post
        assert post is not None, path
        marker = timestamps.parse_marker(post.marker)
        stamp = timestamps.parse_date(post.date, UTC)
        assert isinstance(marker, datetime) and stamp is not None, path
        copies.append(Copy(path, post.categories[0], post.url, marker, stamp))
    return copies


def estimate(copies: Sequence[Copy], grid: timedelta = shifts.GRID) -> dict[str, tuple[Shift, ...]]:
    """The runs of each source, from its clamped copies and all its markers."""
    by_source: dict[str, list[Copy]] = defaultdict(list)
    for c in copies:
        by_source[c.source].append(c)
    return {
        source: shifts.estimate(
            source,
            [(c.marker, c.stamp.when, c.story) for c in mine if c.marker > c.stamp.when],
            [(c.marker, c.story) for c in mine],
            grid,
        )
        for source, mine in sorted(by_source.items())
    }


def own_time(c: Copy) -> datetime:
    when, _ = timestamps.resolve(c.marker, c.stamp, None)
    assert when is not None
    return when


def correct(copies: Sequence[Copy], runs: dict[str, tuple[Shift, ...]]) -> dict[str, datetime]:
    """Each story's time: the earliest over its copies of `marker - offset` where a
    run applies, else of the copy's own time."""
    out: dict[str, datetime] = {}
    for c in copies:
        clamped = c.marker > c.stamp.when
        offset = shifts.offset_at(runs.get(c.source, ()), c.marker, clamped=clamped)
        when = c.marker - offset if offset else own_time(c)
        out[c.story] = min(out.get(c.story, when), when)
    return out


def evaluate(archive: sa.Archive) -> Outcome:
    copies = read(archive.files)
    runs = estimate(copies)
    first: dict[str, datetime] = {}
    for c in copies:
        first[c.story] = min(first.get(c.story, c.stamp.when), c.stamp.when)
    return Outcome(archive, copies, runs, correct(copies, runs), first)


def months(n: int) -> datetime:
    return sa.add_months(sa.START, n)


# --- a source some hours ahead all along, and ordinary ones -----------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("hours", [8, 13, 16])
def test_true_times_recovered(hours: int, seed: int) -> None:
    out = evaluate(sa.standard(seed, hours))
    (run,) = out.runs[sa.ZAOBAO]
    assert run.offset == timedelta(hours=hours)
    assert out.accuracy() >= 0.95
    assert out.after_first_fetch() == []
    assert {source: runs for source, runs in out.runs.items() if runs and source != sa.ZAOBAO} == {}


def test_ordinary_posts_keep_their_own_time() -> None:
    archive = sa.standard(4, 16)
    copies = read(archive.files)
    own: dict[str, datetime] = {}
    for c in copies:
        own[c.story] = min(own.get(c.story, own_time(c)), own_time(c))
    corrected = correct(copies, estimate(copies))
    assert {c.story for c in copies if corrected[c.story] != own[c.story]} == {
        s.url for s in archive.stories if s.source == sa.ZAOBAO
    }


def test_a_sparse_source_pools_its_months() -> None:
    """One or two stories a month: no month could tell its shift, the months together do."""
    feed = sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, 16),), per_month=(1, 2))
    out = evaluate(sa.generate(5, [feed], 18))
    (run,) = out.runs[sa.ZAOBAO]
    assert run.offset == 16 * HOUR
    assert out.accuracy() >= 0.95 and out.after_first_fetch() == []


def test_future_posts_in_a_shifted_source_change_nothing() -> None:
    feed = sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, 16),), outliers=6)
    out = evaluate(sa.generate(6, [feed], 18))
    (run,) = out.runs[sa.ZAOBAO]
    assert run.offset == 16 * HOUR
    assert out.accuracy() >= 0.95 and out.after_first_fetch() == []
    assert len([s for s in out.archive.stories if s.kind == "outlier"]) == 6
    assert run.count == run.stories - 6  # clamped like the others, but not evidence


# --- shifts that start, end, change --------------------------------------------------


def shifted_markers(out: Outcome) -> list[datetime]:
    """The markers of the copies fetched hours before them."""
    return sorted(c.marker for c in out.copies if c.marker - c.stamp.when > 2 * HOUR)


def test_a_shift_that_ends() -> None:
    """The source's configuration was fixed after eight months: the run ends there,
    and a story published just after the fix, whose marker is older than the last
    shifted one's, keeps its time."""
    fixed = months(8)
    feed = sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, 16), (fixed, 0)))
    archive = sa.generate(7, [feed], 14)
    last, after = fixed - 2 * HOUR, fixed + HOUR  # the marker of `last`: fixed + 14 h
    marker, fetched = last + 16 * HOUR, last + timedelta(minutes=10, milliseconds=3)
    last_url, after_url = "https://z.example/last", "https://z.example/after"
    copies = [("_posts", fetched, marker), ("archived", marker, marker)]
    files = sa.post_files("最后", last_url, sa.ZAOBAO, copies)
    files += sa.post_files("修好之后", after_url, sa.ZAOBAO, [("_posts", after, after)])
    stories = [
        sa.Story(last_url, sa.ZAOBAO, last, "shifted"),
        sa.Story(after_url, sa.ZAOBAO, after, "plain"),
    ]
    out = evaluate(archive.plus(files, stories))
    (run,) = out.runs[sa.ZAOBAO]
    assert (run.first, run.last) == (shifted_markers(out)[0], last + 16 * HOUR)
    assert run.covers(after)
    assert (out.corrected[last_url], out.corrected[after_url]) == (last, after)
    assert out.accuracy() >= 0.95 and out.after_first_fetch() == []
    assert out.accuracy(kind="plain") == 1.0


def test_a_shift_that_starts_and_ends() -> None:
    start, fixed = months(4), months(12)
    feed = sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, 0), (start, 16), (fixed, 0)))
    out = evaluate(sa.generate(8, [feed], 18))
    (run,) = out.runs[sa.ZAOBAO]
    assert (run.first, run.last) == (shifted_markers(out)[0], shifted_markers(out)[-1])
    assert start < run.first and run.last < fixed + 16 * HOUR
    assert out.accuracy() >= 0.95 and out.after_first_fetch() == []
    assert out.accuracy(kind="plain") == 1.0


def test_a_shift_that_changes_by_an_hour() -> None:
    """Singapore's time read as US Pacific: 16 h in winter, 15 h in summer."""
    summer, winter = months(4), months(11)
    shifts_ = ((sa.START, 16), (summer, 15), (winter, 16))
    out = evaluate(sa.generate(9, [sa.Feed(sa.ZAOBAO, "z.example", shifts=shifts_)], 18))
    runs = out.runs[sa.ZAOBAO]
    assert [r.offset // HOUR for r in runs] == [16, 15, 16]
    # a run ends with the last story that pins its shift, a few stories before the change
    for run, change in [(runs[0], summer), (runs[1], winter)]:
        end = run.last - run.offset
        assert end < change
        assert len([s for s in out.archive.stories if end < s.true < change]) < 10
    assert out.accuracy() >= 0.95


def test_a_paused_shift_is_two_runs() -> None:
    """Fixed for three months, then broken again: the months between are not moved."""
    pause, again = months(6), months(9)
    feed = sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, 16), (pause, 0), (again, 16)))
    out = evaluate(sa.generate(10, [feed], 18))
    first, second = out.runs[sa.ZAOBAO]
    assert first.offset == second.offset == 16 * HOUR
    assert first.last < pause + 16 * HOUR and second.first >= again + 16 * HOUR
    assert out.accuracy() >= 0.95 and out.accuracy(kind="plain") == 1.0


# --- what is not a shift --------------------------------------------------------------

T0 = datetime(2021, 5, 1, 9, tzinfo=UTC)


def ordinary(n: int, ahead: dict[int, timedelta]) -> tuple[list[Copy], list[Copy]]:
    """`n` stories 17 h apart; those in `ahead` fetched that long before their marker."""
    clamped, every = [], []
    for i in range(n):
        marker = T0 + i * timedelta(hours=17)
        fetched = marker - ahead.get(i, -timedelta(minutes=3))
        stamp = Stamp(fetched, False, False, True)
        copy = Copy(f"_posts/{i}.md", "A", f"https://a.example/{i}", marker, stamp)
        every.append(copy)
        if marker > fetched:
            clamped.append(copy)
    return clamped, every


def runs_of(clamped: Sequence[Copy], every: Sequence[Copy]) -> tuple[Shift, ...]:
    return shifts.estimate(
        "A",
        [shifts.Clamped(c.marker, c.stamp.when, c.story) for c in clamped],
        [(c.marker, c.story) for c in every],
    )


@pytest.mark.parametrize(
    "ahead",
    [
        pytest.param({4: 8.5 * HOUR, 20: 8.5 * HOUR, 36: 8.5 * HOUR}, id="three 9 h ahead"),
        pytest.param({i: 9 * HOUR for i in range(10, 15)}, id="five in a row"),
        pytest.param({i: 9 * HOUR for i in range(2, 40, 5)}, id="eight of forty"),
        pytest.param({i: (i % 7 + 3) * HOUR for i in range(0, 40, 3)}, id="one in three"),
    ],
)
def test_a_few_future_posts_are_not_a_shift(ahead: dict[int, timedelta]) -> None:
    assert runs_of(*ordinary(40, ahead)) == ()


def test_clock_skew_is_never_a_shift() -> None:
    """Every post fetched 40 to 65 minutes before its marker: skew, however many."""
    assert runs_of(*ordinary(60, {i: (40 + i % 26) * MINUTE for i in range(60)})) == ()


# --- the estimator itself -------------------------------------------------------------


def shifted_rows(
    rng: random.Random, n: int, offset: timedelta, start: datetime = T0, prefix: str = "s"
) -> tuple[list[tuple[datetime, datetime, str]], list[tuple[datetime, str]]]:
    """`n` stories `offset` ahead, each fetched 5 min to 3 h late: (clamped copies,
    markers of both copies of each)."""
    clamped, markers = [], []
    true = start
    for i in range(n):
        true += timedelta(minutes=rng.randrange(30, 3000))
        story, marker = f"{prefix}{i}", true + offset
        fetched = true + timedelta(seconds=rng.randrange(300, 10800), milliseconds=7)
        if marker > fetched:
            clamped.append((marker, fetched, story))
        markers += [(marker, story), (marker, story)]
    return clamped, markers


def test_a_half_hour_grid_for_a_half_hour_zone() -> None:
    """India's time read as UTC: 5.5 h. Whole hours give 6 h (30 min early)."""
    clamped, markers = shifted_rows(random.Random(1), 300, timedelta(hours=5, minutes=30))
    (run,) = shifts.estimate("IN", clamped, markers, grid=timedelta(minutes=30))
    assert run.offset == timedelta(hours=5, minutes=30)
    (coarse,) = shifts.estimate("IN", clamped, markers)
    assert coarse.offset == 6 * HOUR
    with pytest.raises(ValueError):
        shifts.estimate("IN", clamped, markers, grid=timedelta(0))


def test_late_fetches_keep_a_month_in_the_run() -> None:
    """A month whose two stories were fetched hours late inherits its neighbours' shift."""
    rng = random.Random(2)
    clamped, markers = shifted_rows(rng, 40, 16 * HOUR)  # May to early July
    more, more_markers = shifted_rows(rng, 40, 16 * HOUR, datetime(2021, 10, 1, tzinfo=UTC), "b")
    september = [datetime(2021, 9, d, 10, tzinfo=UTC) + 16 * HOUR for d in (1, 20)]
    late = [(m, m - 13 * HOUR - 10 * MINUTE, f"late{i}") for i, m in enumerate(september)]
    assert (
        max(markers)[0] < september[0] and -(-(late[0][0] - late[0][1]) // timedelta(hours=1)) == 14
    )
    every = [*markers, *((m, s) for m, _, s in late), *more_markers]
    (run,) = shifts.estimate("Z", clamped + late + more, every)
    assert run.offset == 16 * HOUR and all(run.covers(m) for m in september)


def test_offset_at() -> None:
    """Touching runs give the smaller offset; in a run's last `offset` only clamped
    copies are moved; outside every run nothing is."""
    t = T0
    early = Shift("A", 16 * HOUR, t, t + 100 * HOUR, 6, 6, 6)
    later = Shift("A", 15 * HOUR, t + 100 * HOUR, t + 200 * HOUR, 6, 6, 6)
    runs = (early, later)
    assert shifts.offset_at(runs, t + 100 * HOUR, clamped=True) == 15 * HOUR
    assert shifts.offset_at(runs, t + 50 * HOUR, clamped=False) == 16 * HOUR
    assert shifts.offset_at(runs, t + 190 * HOUR, clamped=True) == 15 * HOUR
    assert shifts.offset_at(runs, t + 190 * HOUR, clamped=False) == timedelta(0)
    assert shifts.offset_at(runs, t + 185 * HOUR, clamped=False) == 15 * HOUR
    assert shifts.offset_at(runs, t - MINUTE, clamped=True) == timedelta(0)
    assert shifts.offset_at((), t, clamped=True) == timedelta(0)


def test_the_fetches_closest_to_publication_bound_it() -> None:
    """A lead a few minutes over a whole hour is that hour (clocks differ); leads all
    an hour longer are the next hour."""
    clamped, markers = shifted_rows(random.Random(3), 100, 16 * HOUR)
    marker, _, story = clamped[50]
    skewed = [*clamped[:50], (marker, marker - 16 * HOUR - 4 * MINUTE, story), *clamped[51:]]
    assert [r.offset for r in shifts.estimate("Z", skewed, markers)] == [16 * HOUR]
    ahead = [(m, f - HOUR, s) for m, f, s in clamped]
    assert [r.offset for r in shifts.estimate("Z", ahead, markers)] == [17 * HOUR]


def test_the_seed_post_gets_its_true_time() -> None:
    """The real clamped copy (marker 22:40Z, fetched 08:44:53Z) among generated
    neighbours 16 h ahead: published 06:40Z. Alone it would say 14 h."""
    if not SEED_POST.is_dir():
        pytest.skip("../shared/seed is absent")
    (path,) = sorted(SEED_POST.glob("*.md"))
    archive = sa.standard(11, 16, months=10, start=datetime(2020, 11, 1, tzinfo=UTC))
    seed = ("_posts/" + path.name, path.read_bytes())
    copies = read([*archive.files, seed])
    (seed_copy,) = [c for c in copies if c.path == seed[0]]
    runs = estimate(copies)
    (run,) = runs[sa.ZAOBAO]
    assert run.covers(seed_copy.marker)
    assert correct(copies, runs)[seed_copy.story] == datetime(2021, 4, 10, 6, 40, tzinfo=UTC)
    assert -(-(seed_copy.marker - seed_copy.stamp.when) // timedelta(hours=1)) == 14


# --- properties -----------------------------------------------------------------------


# Derandomized: CI runs the same 15 archives each time (a random one failed, below).
@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), hours=st.integers(3, 20))
def test_any_seed(seed: int, hours: int) -> None:
    _one_run_of(seed, hours)


@pytest.mark.xfail(strict=True, reason="known: a 4 h source read as 4 h, 3 h, 4 h")
def test_a_small_shift_may_be_split_in_runs() -> None:
    """Found by the property above (2026-12-06), as on the code of the day before: a
    source 4 h ahead all along, fetched up to 3 h after publication, gets a run of 3 h
    in its middle. A shift little longer than the fetch delays is the estimator's
    weak case; this test says when it is mended."""
    _one_run_of(10245, 4)


def _one_run_of(seed: int, hours: int) -> None:
    feeds = [
        sa.Feed(sa.ZAOBAO, "z.example", shifts=((sa.START, hours),)),
        sa.Feed("M", "m.example", per_month=(5, 40), future=(2, 7)),
    ]
    out = evaluate(sa.generate(seed, feeds, 14))
    assert [r.offset for r in out.runs[sa.ZAOBAO]] == [hours * HOUR]
    assert out.accuracy() >= 0.95 and out.after_first_fetch() == []
    assert out.runs["M"] == ()


SPAN = 60 * 24 * 200  # minutes: 200 days


@st.composite
def sources(
    draw: st.DrawFn,
) -> tuple[list[tuple[datetime, datetime, str]], list[tuple[datetime, str]]]:
    """Copies of up to 150 stories over periods with shifts of 0 to 20 h, fetched up
    to 4 h late, and some dated up to a day ahead (clamped copies, all markers)."""
    periods = draw(st.lists(st.integers(0, 20), min_size=1, max_size=4))
    copies = draw(
        st.lists(
            st.tuples(
                st.integers(0, SPAN - 1),  # the marker, in minutes from T0
                st.integers(0, 240),  # the fetch, in minutes after publication
                st.integers(0, 150),  # the story
                st.sampled_from([0, 0, 0, 0, 0, 600, 1440]),  # minutes dated ahead
            ),
            max_size=400,
        )
    )
    clamped, markers = [], []
    for minute, late, story, ahead in copies:
        hours = periods[minute * len(periods) // SPAN]
        marker = T0 + minute * MINUTE
        fetched = marker - (hours * 60 + ahead - late) * MINUTE
        if marker > fetched:
            clamped.append((marker, fetched, f"s{story}"))
        markers.append((marker, f"s{story}"))
    return clamped, markers


@settings(max_examples=200, deadline=None)
@given(
    source=sources(),
    grid=st.sampled_from([HOUR, 30 * MINUTE]),
    order=st.randoms(use_true_random=False),
)
def test_runs_are_sound_and_do_not_depend_on_order(
    source: tuple[list[tuple[datetime, datetime, str]], list[tuple[datetime, str]]],
    grid: timedelta,
    order: random.Random,
) -> None:
    clamped, markers = source
    runs = shifts.estimate("A", clamped, markers, grid)
    for run in runs:
        assert run.offset >= shifts.MIN_SHIFT and run.offset % grid == timedelta(0)
        assert run.first <= run.last and run.count >= shifts.MIN_STORIES
        assert run.stories >= shifts.MIN_SHARE * run.span_stories
    assert all(a.last <= b.first for a, b in pairwise(runs))
    order.shuffle(clamped)
    order.shuffle(markers)
    assert shifts.estimate("A", clamped, markers, grid) == runs


def test_fifty_thousand_posts() -> None:
    """25,000 stories of one source, two copies each: linear but for the sort."""
    clamped, markers = shifted_rows(random.Random(4), 25_000, 16 * HOUR)
    start = time.perf_counter()
    (run,) = shifts.estimate("Z", clamped, markers)
    assert time.perf_counter() - start < 10  # about 0.2 s; a quadratic step would take minutes
    assert (run.offset, run.count, run.span_stories) == (16 * HOUR, 25_000, 25_000)


# --- end to end: the normalizer and the build ---------------------------------------------


def _normalized(root: Path, shift: str) -> tuple[dict[str, datetime], list[str]]:
    """Each story's published time, by canonical id, and the problem codes."""
    from dataclasses import replace

    from feedpub import build, config, normalizer

    settings = replace(config.load(root), shift=shift)  # type: ignore[arg-type]
    raws, _, _ = build.collect(root, root / ".none", settings, jobs=1)
    result = normalizer.normalize(raws, settings)
    return {p.id: p.published for p in result.posts}, [p.code for p in result.problems]


def _first_fetches(root: Path) -> dict[str, datetime]:
    """The earliest `date:` of each story's copies: when the scraper first had it."""
    found: dict[str, datetime] = {}
    for path in sorted(root.rglob("*.md")):
        raw = collector.parse(path.name, path.read_bytes()).post
        assert raw is not None
        stamp = timestamps.parse_date(raw.date, UTC)
        assert stamp is not None
        ident = canonical_id(raw.url)
        found[ident] = min(found.get(ident, stamp.when), stamp.when)
    return found


@pytest.mark.parametrize("hours", [8, 13, 16])
def test_a_shifted_archive_end_to_end(tmp_path: Path, hours: int) -> None:
    """The normalizer, as a build runs it: 95% or more of the shifted source's stories
    at their true time to the minute, none after its first fetch, no other story moved
    by a second; with `shift = "detect"` the shift is only reported."""
    archive = sa.standard(seed=2, hours=hours)
    archive.write(tmp_path)
    corrected, codes = _normalized(tmp_path, "correct")
    untouched, _ = _normalized(tmp_path, "off")
    first = _first_fetches(tmp_path)
    assert "FP305" in codes
    shifted = [s for s in archive.stories if s.source == sa.ZAOBAO]
    right = [s for s in shifted if abs(corrected[canonical_id(s.url)] - s.true) <= MINUTE]
    assert len(right) >= 0.95 * len(shifted), (len(right), len(shifted))
    assert [i for i, when in corrected.items() if when > first[i]] == []
    others = {canonical_id(s.url) for s in archive.stories if s.source != sa.ZAOBAO}
    assert {i: corrected[i] for i in others} == {i: untouched[i] for i in others}
    detected, codes = _normalized(tmp_path, "detect")
    assert "FP305" in codes and detected == untouched


def _seed_site(tmp_path: Path, toml: str) -> Path:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    for path in SEED_POST.glob("*.md"):
        (site / "_posts" / path.name).write_bytes(path.read_bytes())
    (site / "feedpub.toml").write_text(toml, encoding="utf-8")
    return site


@pytest.mark.skipif(not SEED_POST.is_dir(), reason="../shared/seed is absent")
@pytest.mark.parametrize(
    ("toml", "atom", "rss", "code"),
    [
        ('[sources."联合早报"]\nmarker_offset = "-16h"\n', "2021-04-10T06:40:00Z",
         "Sat, 10 Apr 2021 06:40:00 GMT", "FP308"),
        ("", "2021-04-10T08:44:53Z", "Sat, 10 Apr 2021 08:44:53 GMT", "FP303"),
    ],
)  # fmt: skip
def test_the_seed_post_with_and_without_its_stated_offset(
    tmp_path: Path, toml: str, atom: str, rss: str, code: str
) -> None:
    """The project's first post: 16 h ahead, fetched two hours after it appeared. Stated,
    the offset gives its true time in every format; alone, one post is no evidence of
    a shift, and the fetch time is used, with the note."""
    import json

    from conftest import run

    site = _seed_site(tmp_path, toml)
    out = tmp_path / "public"
    report = tmp_path / "report.json"
    args = ("build", str(site), "--out", str(out), "--site-url", "https://e.org")
    code_, _, stderr = run(*args, "--report", str(report), "--verbose")
    assert code_ == 0, stderr
    assert f"<published>{atom}</published>" in (out / "feed.xml").read_text("utf-8")
    assert f"<pubDate>{rss}</pubDate>" in (out / "rss.xml").read_text("utf-8")
    (item,) = json.loads((out / "feed.json").read_bytes())["items"]
    assert item["date_published"] == atom
    assert code in {p["code"] for p in json.loads(report.read_bytes())["problems"]}
