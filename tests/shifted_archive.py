"""Generated archives with sources whose feed runs hours ahead, and the truth about them.

    python tests/shifted_archive.py OUTDIR [--hours 16] [--seed 1] [--months 18]

writes one (`standard`) as post files in the real archives' format, to build
end to end. A source `h` hours ahead is generated as the real 联合早报 was
saved: for each story the marker is `true + h`; the story is first fetched 5
minutes to 3 hours after publication and saved in `_posts/` with its fetch time
as the date (clamped: the marker lay in the future); a day later it is saved
again in `archived/` with `date == marker`. A few stories (3%) kept only that
later copy. Ordinary sources have `date == marker`, now and then a marker a
few minutes ahead of the fetch (their clock runs fast), and in some months a
handful of posts dated hours in the future. Everything follows from the seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2020, 11, 1, tzinfo=UTC)
ZAOBAO = "联合早报"
WORDS = ("台海", "疫情", "选举", "外交", "经济", "贸易", "峰会", "气候", "航班", "股市")
LOST_FIRST_COPY = 0.03  # shifted stories saved only once, a day later
SKEWED = 0.03  # ordinary posts whose marker runs minutes ahead of the fetch


@dataclass(frozen=True)
class Feed:
    """A source of the archive, and how its clock runs."""

    name: str
    domain: str
    shifts: tuple[tuple[datetime, int], ...] = ()  # (from when, hours ahead) in order; 0: right
    per_month: tuple[int, int] = (3, 30)  # stories a month, uniformly
    future: tuple[int, ...] = ()  # months (from 0) with a handful of future-dated posts
    future_lead: timedelta | None = None  # their lead over the fetch; None: 3 to 40 h each
    outliers: int = 0  # posts dated a day or so ahead among the shifted ones
    late: tuple[int, int] = (300, 3 * 3600)  # seconds from publication to the first fetch

    def hours(self, when: datetime) -> int:
        ahead = 0
        for start, hours in self.shifts:
            if start <= when:
                ahead = hours
        return ahead


@dataclass(frozen=True)
class Story:
    url: str
    source: str
    true: datetime  # when it was really published
    kind: str  # shifted, plain, skewed, future, outlier


@dataclass(frozen=True)
class Archive:
    files: tuple[tuple[str, bytes], ...]  # (path under the posts folder, bytes), by path
    stories: tuple[Story, ...]

    def truth(self) -> dict[str, datetime]:
        """The true publication time of each story, by URL."""
        return {s.url: s.true for s in self.stories}

    def plus(self, files: Iterable[tuple[str, bytes]], stories: Iterable[Story]) -> Archive:
        return Archive(tuple(sorted([*self.files, *files])), (*self.stories, *stories))

    def write(self, root: Path) -> None:
        for rel, data in self.files:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def standard(seed: int, hours: int, months: int = 18, start: datetime = START) -> Archive:
    """A source `hours` ahead all along, and three ordinary ones: one whose clock
    runs minutes fast, one with a few future-dated posts in two months, and one
    with three posts 9 h ahead in one month (taken for a shift once)."""
    return generate(
        seed,
        [
            Feed(ZAOBAO, "www.zaobao.com", shifts=((start, hours),)),
            Feed("BBC 中文网", "www.bbc.com", per_month=(5, 40)),
            Feed("Matters", "matters.news", per_month=(5, 40), future=(3, 11)),
            Feed(
                "iYouPort",
                "www.iyouport.org",
                per_month=(20, 40),
                future=(6,),
                future_lead=timedelta(hours=8, minutes=30),
            ),
        ],
        months,
        start,
    )


def generate(seed: int, feeds: Sequence[Feed], months: int, start: datetime = START) -> Archive:
    """`months` of posts of each feed from `start`."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    stories: list[Story] = []
    for feed in feeds:
        serial = 0
        for month in range(months):
            first = add_months(start, month)
            seconds = int((add_months(start, month + 1) - first).total_seconds())
            count = rng.randint(*feed.per_month)
            future = set(rng.sample(range(count), min(count, rng.randint(3, 5))))
            for i in range(count):
                true = first + timedelta(minutes=rng.randrange(seconds // 60))
                serial += 1
                kind = "future" if month in feed.future and i in future else None
                story = _story(rng, feed, serial, true, kind, files)
                stories.append(story)
        for _ in range(feed.outliers):
            true = start + timedelta(minutes=rng.randrange(months * 30 * 24 * 60))
            serial += 1
            stories.append(_story(rng, feed, serial, true, "outlier", files))
    return Archive(tuple(sorted(files.items())), tuple(stories))


def _story(
    rng: random.Random,
    feed: Feed,
    serial: int,
    true: datetime,
    kind: str | None,
    files: dict[str, bytes],
) -> Story:
    """One story's copies, added to `files`: the clamped one first fetched, if its
    marker lay in the future, and the one saved later with the feed's date."""
    url = f"https://{feed.domain}/news/{true:%Y%m%d}-{serial}"
    title = f"{feed.name}消息{serial}：{rng.choice(WORDS)}{rng.choice(WORDS)}"
    late = timedelta(seconds=rng.randrange(*feed.late), milliseconds=rng.randrange(1, 1000))
    fetched = true + late
    hours = feed.hours(true)
    if kind is not None:  # dated in the future, shifted or not
        lead = feed.future_lead or timedelta(minutes=rng.randrange(3 * 60, 40 * 60))
        marker = (fetched + timedelta(hours=hours) + lead).replace(microsecond=0)
    elif hours:
        marker, kind = true + timedelta(hours=hours), "shifted"
    elif rng.random() < SKEWED:
        skew = timedelta(minutes=rng.randrange(1, 10))
        fetched = true + rng.random() * skew
        marker, kind = true + skew, "skewed"
    else:
        marker, kind = true, "plain"
    copies = []
    if marker > fetched and not (kind == "shifted" and rng.random() < LOST_FIRST_COPY):
        copies.append(("_posts", fetched, marker))
    if kind != "skewed":  # saved again once the feed's date had passed
        folder = "_posts" if kind == "plain" and rng.random() < 0.7 else "archived"
        copies.append((folder, marker, marker))
    files.update(post_files(title, url, feed.name, copies))
    return Story(url, feed.name, true, kind)


def post_files(
    title: str, url: str, source: str, copies: Sequence[tuple[str, datetime, datetime]]
) -> list[tuple[str, bytes]]:
    """The files of one story: a (folder, date, marker) per copy, folder `_posts` or
    `archived` (then in a subfolder of the date's day, as the real archives have it)."""
    out = []
    for folder, date, marker in copies:
        day = f"{date:%Y-%m-%d}"
        path = (
            f"_posts/{day}-{title}.md" if folder == "_posts" else f"archived/{day}/{day}-{title}.md"
        )
        out.append((path, render(title, url, source, date, marker).encode()))
    return out


def render(title: str, url: str, source: str, date: datetime, marker: datetime) -> str:
    """A post as the scraper writes it (see ../shared/corpus/README.md)."""
    return (
        f'---\nlayout: post\ntitle: "{title}"\ndate: {iso_ms(date)}\nauthor: {source}\n'
        f"from: {url}\ntags: [ {source} ]\ncategories: [ {source} ]\n---\n"
        f"<!--{epoch_ms(marker)}-->\n[{title}]({url})\n------\n\n"
        f"<div>\n<p>{title}。</p>\n</div>\n"
    )


def iso_ms(when: datetime) -> str:
    """JavaScript's `toISOString()`, as the scraper writes dates: always milliseconds."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def epoch_ms(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def add_months(when: datetime, months: int) -> datetime:
    year, month = divmod(when.month - 1 + months, 12)
    return when.replace(year=when.year + year, month=month + 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--hours", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--months", type=int, default=18)
    args = ap.parse_args(argv)
    archive = standard(args.seed, args.hours, args.months)
    archive.write(args.outdir)
    print(f"wrote {len(archive.files)} posts of {len(archive.stories)} stories to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
