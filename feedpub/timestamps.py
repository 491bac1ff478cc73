"""Timestamps: a chain of small parsers, and one policy that picks a post's time.

Every parser returns an aware UTC datetime (or a `Stamp` holding one) or `None`;
none of them raises on bad input, and nothing is ever filled in from the clock.

A scraped post carries up to three times: the `<!--N-->` marker (the source
feed's pubDate in epoch milliseconds), the front-matter `date` (that same
instant, or the scraper's fetch time when it replaced the pubDate) and the date
in the file name. A post cannot have been published after it was first fetched,
so a marker later than the date is not trusted. `resolve` applies this policy:

| marker        | date | shift | result                                  | how          |
|---------------|------|-------|-----------------------------------------|--------------|
| time <= date  | yes  | 0     | marker (an earlier one is the pubDate)  | `marker`     |
| time > date   | yes  | 0     | date (the clamped fetch time)           | `clamped`    |
| time          | yes  | != 0  | min(marker - shift, date)               | `shifted`    |
| `NaN`         | yes  | any   | date (the fetch time)                   | `nan-marker` |
| none          | yes  | any   | date                                    | `date`       |
| time          | no   | 0     | marker                                  | `marker`     |
| time          | no   | != 0  | marker - shift                          | `shifted`    |
| none or `NaN` | no   | any   | the file name's date, if it has one     | `filename`   |
| none or `NaN` | no   | any   | nothing (the file name has no date)     | `none`       |

A marker or date outside [1990-01-01, 2101-01-01) UTC is treated as absent:
such values are parse accidents (a seconds value read as ms, a zero), not news.
`shift` is how far a source's clock runs ahead (see `detect_shift`).

A naive date is wall time in the source's zone; a date-only value is the start
of that day in that zone; a marker of 12 or more digits is epoch ms, a shorter
one epoch seconds. The date-only start of day is also what the marker is
compared with, so a marker later that day counts as later than the date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal, NamedTuple

Marker = datetime | Literal["nan"] | None  # what parse_marker gives
How = Literal["marker", "date", "clamped", "nan-marker", "filename", "shifted", "none"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)  # first instant of a year > 2100
_MS = timedelta(milliseconds=1)
_HOUR = timedelta(hours=1)


class Stamp(NamedTuple):
    """A parsed front-matter date.

    A NamedTuple rather than a frozen dataclass: one is built for every post,
    and a frozen dataclass's `__init__` costs three times as much.
    """

    when: datetime  # aware, UTC
    naive: bool  # no zone was given (read in the source's zone)
    date_only: bool  # only a day was given (start of that day in the zone)
    fetch_like: bool  # non-zero milliseconds, like the scraper's run time (toISOString())


# --- epoch values -------------------------------------------------------------


def to_ms(when: datetime) -> int:
    """Epoch milliseconds, in integers so that `from_ms` gives back the same instant."""
    return (when - EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    """Aware UTC datetime for epoch milliseconds (no float rounding)."""
    return EPOCH + ms * _MS


def _from_epoch(value: int, ms: bool) -> datetime | None:
    """Epoch ms or s; `None` beyond datetime's range (or 20 digits, or negative)."""
    if not 0 <= value < 10**20:
        return None
    try:
        return from_ms(value if ms else value * 1000)
    except OverflowError:
        return None


def parse_marker(text: str | None) -> Marker:
    """The `<!--N-->` marker: epoch ms (>= 12 digits) or s, `NaN`, else `None`.

    `NaN` is kept apart from garbage: it means the source gave no parseable
    pubDate, so the date is the fetch time.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return "nan" if text.lower() == "nan" else None
    return _from_epoch(int(text), ms=len(text) >= 12)


_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)


def plausible(when: datetime) -> bool:
    """Whether `when` could be a news post's time (1990 to 2100, inclusive)."""
    return EARLIEST <= when < LATEST


# --- front-matter dates ---------------------------------------------------------

# One-digit months, days and hours too (`2016-8-29 9:00:00 -0700`), as YAML's
# timestamps and Ruby's `Time.parse`, which Jekyll reads a date with, take them.
_ISO = re.compile(
    r"""(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})
    (?:(?:T|[\ \t]+)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?
       [\ \t]*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
# Guards `parsedate_to_datetime`, which accepts far too much on its own.
_RFC2822 = re.compile(
    r"(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+\S+)?",
    re.ASCII | re.IGNORECASE,
)


def _to_utc(when: datetime, zone: tzinfo) -> datetime | None:
    """`when` in UTC, reading a naive value as wall time in `zone`; `None` off the calendar."""
    try:
        aware = when.replace(tzinfo=zone) if _is_naive(when) else when
        return aware.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _is_naive(when: datetime) -> bool:
    return when.tzinfo is None or when.utcoffset() is None


def _stamp(when: datetime, zone: tzinfo, date_only: bool = False) -> Stamp | None:
    naive = _is_naive(when)
    if when.tzinfo is UTC:
        utc = when
    else:
        try:
            utc = (when.replace(tzinfo=zone) if naive else when).astimezone(UTC)
        except (OverflowError, ValueError):
            return None
    return Stamp(utc, naive, date_only, fetch_like=utc.microsecond >= 1000)


def _offset(tz: str) -> tzinfo:
    """`Z`, `+08:00`, `+0800` or `+08` as a fixed zone; `ValueError` if out of range."""
    if tz.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(f"bad offset {tz}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# The shapes nearly every post has (`...T08:44:53.510Z`, `...T09:36:39+01:00`):
# `datetime.fromisoformat` reads them exactly as `_ISO` would, ten times faster.
_COMMON_ISO = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)", re.ASCII
)


def _parse_iso(text: str, zone: tzinfo) -> Stamp | None:
    """ISO 8601 and Jekyll's `2021-04-10 16:44:53 +0800`, with or without a zone."""
    if _COMMON_ISO.fullmatch(text):
        try:
            return _stamp(datetime.fromisoformat(text), zone)
        except ValueError:
            pass  # e.g. 2021-02-30: the general parser decides
    return _parse_iso_general(text, zone)


def _parse_iso_general(text: str, zone: tzinfo) -> Stamp | None:
    m = _ISO.fullmatch(text)
    if m is None:
        return None
    g = m.groupdict()
    try:
        day = date(int(g["y"]), int(g["mo"]), int(g["d"]))
        if g["h"] is None:
            return _stamp(datetime.combine(day, time()), zone, date_only=True)
        frac = int((g["frac"] or "0")[:6].ljust(6, "0"))
        clock = time(int(g["h"]), int(g["mi"]), int(g["s"] or 0), frac)
        tz = _offset(g["tz"]) if g["tz"] else None
    except ValueError:
        return None
    return _stamp(datetime.combine(day, clock, tzinfo=tz), zone)


def _parse_rfc2822(text: str, zone: tzinfo) -> Stamp | None:
    """RSS's `Sat, 10 Apr 2021 08:44:53 GMT`; `-0000` or no zone is read in `zone`."""
    if not _RFC2822.fullmatch(text):
        return None
    from email.utils import parsedate_to_datetime  # 4 ms to import, for a rare form

    try:
        return _stamp(parsedate_to_datetime(text), zone)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_date(value: object, zone: tzinfo) -> Stamp | None:
    """What PyYAML gave for `date:` as a `Stamp`; `None` for anything it cannot be.

    YAML already turns most ISO dates into `datetime`/`date`; quoted or
    non-YAML shapes (Jekyll, RFC 2822) arrive as text. An int is an epoch
    value, read like a marker.
    """
    if isinstance(value, datetime):
        return _stamp(value, zone)
    if isinstance(value, date):
        return _stamp(datetime.combine(value, time()), zone, date_only=True)
    if isinstance(value, int) and not isinstance(value, bool):
        when = _from_epoch(value, ms=value >= 10**11)
        return None if when is None else _stamp(when, zone)
    if isinstance(value, str):
        text = value.strip()
        return _parse_iso(text, zone) or _parse_rfc2822(text, zone)
    return None


_FILENAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-", re.ASCII)
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", re.ASCII)


def off_the_calendar(text: str) -> bool:
    """Whether `text` starts with a date that is no day (2025-02-30, 2025-13-01; Ruby rolls
    the first over to March 2nd, and so would Jekyll, but no reader would mean that)."""
    if (m := _DAY.match(text)) is None or m[1] == "0000":  # (year 0: Ruby's, implausible)
        return False
    try:
        return date(*map(int, m.groups())) is None
    except ValueError:
        return True


def parse_filename(name: str, zone: tzinfo) -> datetime | None:
    """Start of the day in a Jekyll name `2021-04-10-title.md`, read in `zone`."""
    if not isinstance(name, str):
        return None
    start = max(name.rfind("/"), name.rfind("\\")) + 1
    return _day_start(name[start : start + 11], zone)


@lru_cache(maxsize=8192)  # posts share their days: a build sees a few thousand
def _day_start(prefix: str, zone: tzinfo) -> datetime | None:
    m = _FILENAME.fullmatch(prefix)
    if m is None:
        return None
    try:
        day = date(*(int(part) for part in m.groups()))
    except ValueError:
        return None
    return _to_utc(datetime.combine(day, time()), zone)


# --- policy ---------------------------------------------------------------------


def resolve(
    marker: Marker,
    date: Stamp | None,
    filename: datetime | None,
    shift: timedelta = timedelta(0),
) -> tuple[datetime | None, How]:
    """A post's publication time and how it was chosen (see the module's table)."""
    if isinstance(marker, datetime) and not plausible(marker):
        marker = None
    if date is not None and not plausible(date.when):
        date = None
    if filename is not None and not plausible(filename):  # a 9999-12-31-x.md is no day
        filename = None
    if isinstance(marker, datetime):
        return _from_marker(marker, date, shift)
    if date is not None:
        return date.when, "nan-marker" if marker == "nan" else "date"
    return (filename, "filename") if filename is not None else (None, "none")


def _from_marker(marker: datetime, date: Stamp | None, shift: timedelta) -> tuple[datetime, How]:
    if shift:
        true = marker - shift
        return (true if date is None else min(true, date.when)), "shifted"
    if date is None or marker <= date.when:
        return marker, "marker"
    return date.when, "clamped"


def format_iso(when: datetime) -> str:
    """`2021-04-10T08:44:53.510Z`: UTC, milliseconds only when they are not zero."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: the core only handles aware ones")
    utc = when.astimezone(UTC).replace(tzinfo=None)
    spec = "milliseconds" if utc.microsecond // 1000 else "seconds"
    return utc.isoformat(timespec=spec) + "Z"


def modified(updated: datetime, value: object, zone: tzinfo) -> datetime:
    """`updated`, or the later time `value` gives (a post's `last_modified_at:`, which
    jekyll-feed writes as the entry's `<updated>`), if it is a plausible one."""
    stamp = parse_date(value, zone) if value is not None else None
    if stamp is None or not plausible(stamp.when):
        return updated
    return max(updated, stamp.when)
