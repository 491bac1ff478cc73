"""Timestamp parsers and the policy that picks a post's time.

Example values are shapes measured in the news corpus (../shared/corpus/README.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.timestamps import (
    EARLIEST,
    LATEST,
    Stamp,
    format_iso,
    from_ms,
    parse_date,
    parse_filename,
    parse_marker,
    resolve,
    to_ms,
)

CST = timezone(timedelta(hours=8))
SHANGHAI = ZoneInfo("Asia/Shanghai")
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "archive"
FAST = settings(max_examples=200, deadline=None)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)


def yaml_date(line: str) -> object:
    """What the collector hands over: PyYAML's value for one `date:` line."""
    return yaml.load(line, Loader=yaml.CSafeLoader)["date"]


# --- markers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1618094400000", utc(2021, 4, 10, 22, 40), id="13-digit ms"),
        pytest.param("1618094400123", utc(2021, 4, 10, 22, 40, 0, 123000), id="ms kept"),
        pytest.param("1618094400", utc(2021, 4, 10, 22, 40), id="10-digit s"),
        pytest.param("161809440000", utc(1975, 2, 16, 19, 4), id="12 digits are ms"),
        pytest.param("16180944000", utc(2482, 10, 2, 10, 40), id="11 digits are s"),
        pytest.param(" 1618094400000\n", utc(2021, 4, 10, 22, 40), id="surrounding space"),
        pytest.param("NaN", "nan", id="NaN: no pubDate"),
        pytest.param(" nan ", "nan", id="NaN any case"),
        pytest.param(" ", None, id="blank marker seen in corpus"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="no marker"),
        pytest.param("-1618094400000", None, id="negative"),
        pytest.param("1618094400000.5", None, id="fraction"),
        pytest.param("１６１８０９４４００", None, id="full-width digits"),
        pytest.param("99999999999999999", None, id="beyond datetime"),
        pytest.param("9" * 400, None, id="absurdly long"),
        pytest.param("Sat, 10 Apr 2021", None, id="not a number"),
    ],
)
def test_parse_marker(text: str | None, expected: object) -> None:
    assert parse_marker(text) == expected


# --- front-matter dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "when", "naive", "date_only", "fetch_like"),
    [
        pytest.param(
            "date: 2021-04-10T08:44:53.510Z",
            utc(2021, 4, 10, 8, 44, 53, 510000),
            False,
            False,
            True,
            id="scraper fetch time (toISOString)",
        ),
        pytest.param(
            "date: 2021-04-10T22:40:00.000Z",
            utc(2021, 4, 10, 22, 40),
            False,
            False,
            False,
            id="pubDate with .000",
        ),
        pytest.param(
            "date: 2014-02-04T09:36:39+01:00",
            utc(2014, 2, 4, 8, 36, 39),
            False,
            False,
            False,
            id="oped2 offset",
        ),
        pytest.param(
            "date: 2020-06-17T16:03:28Z", utc(2020, 6, 17, 16, 3, 28), False, False, False, id="Z"
        ),
        pytest.param(
            "date: 2020-05-18", utc(2020, 5, 17, 16), True, True, False, id="oped2 date only"
        ),
        pytest.param(
            "date: 2021-04-10 16:44:53",
            utc(2021, 4, 10, 8, 44, 53),
            True,
            False,
            False,
            id="naive, read in the zone",
        ),
        pytest.param(
            "date: 2021-04-10 16:44:53 +0800",
            utc(2021, 4, 10, 8, 44, 53),
            False,
            False,
            False,
            id="Jekyll style (a YAML string)",
        ),
        pytest.param(
            "date: '2021-04-10T08:44:53.510Z'",
            utc(2021, 4, 10, 8, 44, 53, 510000),
            False,
            False,
            True,
            id="quoted ISO",
        ),
        pytest.param(
            "date: '2021-04-10T16:44:53.123456789'",
            utc(2021, 4, 10, 8, 44, 53, 123456),
            True,
            False,
            True,
            id="9-digit fraction, naive",
        ),
        pytest.param(
            "date: '2021-04-10'", utc(2021, 4, 9, 16), True, True, False, id="quoted date only"
        ),
        pytest.param(
            "date: Sat, 10 Apr 2021 08:44:53 GMT",
            utc(2021, 4, 10, 8, 44, 53),
            False,
            False,
            False,
            id="RFC 2822",
        ),
        pytest.param(
            "date: Sat, 10 Apr 2021 16:44:53 -0000",
            utc(2021, 4, 10, 8, 44, 53),
            True,
            False,
            False,
            id="RFC 2822 without zone",
        ),
        pytest.param(
            "date: 1618094400000", utc(2021, 4, 10, 22, 40), False, False, False, id="epoch ms"
        ),
        pytest.param(  # daattali.com: YAML's text (its offset has no colon), Jekyll's time
            "date: 2016-08-29 9:00:00 -0700",
            utc(2016, 8, 29, 16),
            False,
            False,
            False,
            id="one-digit hour, as Ruby reads it",
        ),
        pytest.param(
            "date: '2015-6-4  5:30'", utc(2015, 6, 3, 21, 30), True, False, False, id="1-digit"
        ),
    ],
)
def test_parse_date(
    line: str, when: datetime, naive: bool, date_only: bool, fetch_like: bool
) -> None:
    stamp = parse_date(yaml_date(line), CST)
    assert stamp == Stamp(when, naive, date_only, fetch_like)
    assert stamp.when.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2021-02-30", id="no such day"),
        pytest.param("2021-04-10T25:00:00Z", id="no such hour"),
        pytest.param("2021-04-10T08:44:53+25:00", id="no such offset"),
        pytest.param("2021-04-10T08:44:53+08:75", id="no such offset minute"),
        pytest.param("yesterday", id="words"),
        pytest.param("", id="empty"),
        pytest.param("Sat, 10 Foo 2021 08:44:53 GMT", id="no such month"),
        pytest.param(None, id="None"),
        pytest.param(True, id="bool is not an epoch"),
        pytest.param(-1, id="negative epoch"),
        pytest.param(1.5, id="float"),
        pytest.param([2021, 4, 10], id="list"),
        pytest.param(datetime(1, 1, 1), id="falls off the calendar in the zone"),  # noqa: DTZ001
    ],
)
def test_parse_date_garbage(value: object) -> None:
    assert parse_date(value, CST) is None


def test_parse_date_uses_the_zone_rules() -> None:
    winter = parse_date(datetime(2021, 1, 10, 12), ZoneInfo("Europe/Berlin"))  # noqa: DTZ001
    summer = parse_date(datetime(2021, 7, 10, 12), ZoneInfo("Europe/Berlin"))  # noqa: DTZ001
    assert winter is not None and winter.when == utc(2021, 1, 10, 11)
    assert summer is not None and summer.when == utc(2021, 7, 10, 10)


# --- file names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "zone", "expected"),
    [
        pytest.param("2021-04-10-title.md", UTC, utc(2021, 4, 10), id="UTC"),
        pytest.param("2021-04-10-title.md", SHANGHAI, utc(2021, 4, 9, 16), id="source zone"),
        pytest.param(
            "archived/2021-04-10/2021-04-11-x.md", UTC, utc(2021, 4, 11), id="path: name only"
        ),
        pytest.param("2021-04-10- #|:?*%\ufffd.md", UTC, utc(2021, 4, 10), id="odd title chars"),
        pytest.param("2021-02-30-title.md", UTC, None, id="no such day"),
        pytest.param("2021-04-10.md", UTC, None, id="no title, not Jekyll"),
        pytest.param("title.md", UTC, None, id="no date"),
        pytest.param("", UTC, None, id="empty"),
    ],
)
def test_parse_filename(name: str, zone: timezone, expected: datetime | None) -> None:
    assert parse_filename(name, zone) == expected


# --- epoch ms and formatting --------------------------------------------------------


def test_ms_round_trip_example() -> None:
    when = utc(2021, 4, 10, 8, 44, 53, 510000)
    assert to_ms(when) == 1618044293510
    assert from_ms(1618044293510) == when


@pytest.mark.parametrize(
    ("when", "text"),
    [
        pytest.param(utc(2021, 4, 10, 8, 44, 53, 510000), "2021-04-10T08:44:53.510Z", id="ms"),
        pytest.param(utc(2021, 4, 10, 22, 40), "2021-04-10T22:40:00Z", id="no ms"),
        pytest.param(utc(2021, 4, 10, 22, 40, 0, 999), "2021-04-10T22:40:00Z", id="sub-ms dropped"),
        pytest.param(
            datetime(2014, 2, 4, 9, 36, 39, tzinfo=timezone(timedelta(hours=1))),
            "2014-02-04T08:36:39Z",
            id="offset to UTC",
        ),
    ],
)
def test_format_iso(when: datetime, text: str) -> None:
    assert format_iso(when) == text


def test_format_iso_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_iso(datetime(2021, 4, 10))  # noqa: DTZ001


# --- resolve ------------------------------------------------------------------------

T = utc(2021, 4, 10, 8, 0)
FETCH = Stamp(T, naive=False, date_only=False, fetch_like=True)
FILENAME = utc(2021, 4, 10)
H16 = timedelta(hours=16)


@pytest.mark.parametrize(
    ("marker", "stamp", "filename", "shift", "expected"),
    [
        pytest.param(T, FETCH, FILENAME, timedelta(0), (T, "marker"), id="marker == date"),
        pytest.param(
            T - timedelta(hours=2),
            FETCH,
            None,
            timedelta(0),
            (T - timedelta(hours=2), "marker"),
            id="earlier marker is the pubDate",
        ),
        pytest.param(
            T + timedelta(minutes=5),
            FETCH,
            None,
            timedelta(0),
            (T, "clamped"),
            id="marker after the fetch: date is the clamped fetch time",
        ),
        pytest.param(
            T + timedelta(hours=15, minutes=30),
            FETCH,
            None,
            H16,
            (T - timedelta(minutes=30), "shifted"),
            id="shifted source, clamped copy",
        ),
        pytest.param(
            T, FETCH, None, H16, (T - H16, "shifted"), id="shifted source, copy with date == marker"
        ),
        pytest.param(
            T + timedelta(hours=20),
            FETCH,
            None,
            H16,
            (T, "shifted"),
            id="shift not enough: never after the fetch",
        ),
        pytest.param("nan", FETCH, FILENAME, timedelta(0), (T, "nan-marker"), id="NaN marker"),
        pytest.param(None, FETCH, FILENAME, timedelta(0), (T, "date"), id="no marker (oped2)"),
        pytest.param(None, FETCH, None, H16, (T, "date"), id="no marker: shift does not apply"),
        pytest.param(T, None, FILENAME, timedelta(0), (T, "marker"), id="marker, no date"),
        pytest.param(T, None, None, H16, (T - H16, "shifted"), id="marker, no date, shifted"),
        pytest.param(
            None, None, FILENAME, timedelta(0), (FILENAME, "filename"), id="file name only"
        ),
        pytest.param(
            "nan", None, FILENAME, timedelta(0), (FILENAME, "filename"), id="NaN, no date"
        ),
        pytest.param(None, None, None, timedelta(0), (None, "none"), id="nothing"),
        pytest.param(
            from_ms(1618094400),
            FETCH,
            None,
            timedelta(0),
            (T, "date"),
            id="implausible marker (s read as ms) is absent",
        ),
        pytest.param(
            utc(2200, 1, 1),
            FETCH,
            None,
            timedelta(0),
            (T, "date"),
            id="marker after 2100 is absent",
        ),
        pytest.param(
            T,
            Stamp(utc(1970, 1, 1), False, False, False),
            None,
            timedelta(0),
            (T, "marker"),
            id="date before 1990 is absent",
        ),
        pytest.param(
            utc(1989, 12, 31),
            Stamp(utc(2101, 1, 1), False, False, False),
            FILENAME,
            timedelta(0),
            (FILENAME, "filename"),
            id="both implausible",
        ),
    ],
)
def test_resolve(
    marker: datetime | str | None,
    stamp: Stamp | None,
    filename: datetime | None,
    shift: timedelta,
    expected: tuple[datetime | None, str],
) -> None:
    assert resolve(marker, stamp, filename, shift) == expected  # type: ignore[arg-type]


def test_plausibility_bounds_are_inclusive_of_1990_and_2100() -> None:
    assert resolve(EARLIEST, None, None) == (EARLIEST, "marker")
    last = LATEST - timedelta(milliseconds=1)
    assert resolve(last, None, None) == (last, "marker")
    assert resolve(LATEST, None, None) == (None, "none")


# --- properties -------------------------------------------------------------------

ZONES = st.sampled_from([UTC, CST, timezone(timedelta(hours=-5, minutes=-30)), SHANGHAI])
AWARE = st.datetimes(
    min_value=datetime(1800, 1, 1),  # noqa: DTZ001
    max_value=datetime(2300, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, CST, timezone(timedelta(hours=-11))]),
)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.binary(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, CST, timezone(timedelta(hours=-23))])),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)
DATEISH = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r" ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?\Z"
)


@FAST
@given(st.integers(min_value=to_ms(utc(1, 1, 2)), max_value=to_ms(utc(9999, 12, 30))))
def test_ms_round_trip(ms: int) -> None:
    assert to_ms(from_ms(ms)) == ms


@FAST
@given(AWARE)
def test_datetime_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    back = from_ms(to_ms(when))
    assert back == when and back.tzinfo is UTC


@FAST
@given(st.one_of(st.text(), DATEISH, st.from_regex(r"\A[0-9]{1,25}\Z")), ZONES)
def test_parsers_never_raise_on_text(text: str, zone: timezone) -> None:
    marker = parse_marker(text)
    assert marker is None or marker == "nan" or marker.tzinfo is UTC
    stamp = parse_date(text, zone)
    assert stamp is None or stamp.when.tzinfo is UTC
    name = parse_filename(text, zone)
    assert name is None or name.tzinfo is UTC


@FAST
@given(ANYTHING, ZONES)
def test_parsers_never_raise_on_objects(value: object, zone: timezone) -> None:
    parse_marker(value)  # type: ignore[arg-type]
    stamp = parse_date(value, zone)
    assert stamp is None or stamp.when.tzinfo is UTC
    parse_filename(value, zone)  # type: ignore[arg-type]


@FAST
@given(DATEISH, ZONES)
def test_parse_date_agrees_with_yaml(text: str, zone: timezone) -> None:
    """A date that YAML turns into a datetime means the same as the same text quoted."""
    try:
        value = yaml_date(f"date: {text}")
    except ValueError:  # YAML refuses 2021-02-30 outright; the collector reports that
        return
    if isinstance(value, str):
        return
    assert parse_date(value, zone) == parse_date(text, zone)


MARKERS = st.one_of(st.none(), st.just("nan"), AWARE)
STAMPS = st.builds(
    Stamp, AWARE.map(lambda d: d.astimezone(UTC)), st.booleans(), st.booleans(), st.booleans()
)


@FAST
@given(MARKERS, STAMPS, st.none() | AWARE, st.timedeltas(timedelta(days=-2), timedelta(days=2)))
def test_resolve_never_after_the_date(
    marker: datetime | str | None, stamp: Stamp, filename: datetime | None, shift: timedelta
) -> None:
    when, how = resolve(marker, stamp, filename, shift)  # type: ignore[arg-type]
    if EARLIEST <= stamp.when < LATEST:
        assert when is not None and when <= stamp.when
        assert how != "filename"


# --- the corpus --------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_every_corpus_post_gets_a_time() -> None:
    """Each date line and marker in the real archive parses, and resolve picks a time."""
    date_line = re.compile(r"^date:.*$", re.MULTILINE)
    marker_line = re.compile(r"^<!--(.*?)-->", re.MULTILINE)
    hows: set[str] = set()
    for path in CORPUS.rglob("*.md"):
        with path.open("rb") as f:
            head = f.read(4000).decode("utf-8", "replace")
        line = date_line.search(head)
        assert line is not None, path
        stamp = parse_date(yaml_date(line.group()), SHANGHAI)
        assert stamp is not None, path
        found = marker_line.search(head)
        marker = parse_marker(found.group(1)) if found else None
        when, how = resolve(marker, stamp, parse_filename(path.name, SHANGHAI))
        assert when is not None and when <= stamp.when, path
        hows.add(how)
    assert {"marker", "date", "nan-marker"} <= hows
