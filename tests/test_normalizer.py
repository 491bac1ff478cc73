"""The normalizer: every post its true time, every story one identity.

Fixture posts in tests/fixtures/times each say what they expect; a generated
archive with a source 16 hours ahead checks shift detection; properties check
that nothing depends on file order; the real corpus checks the issue's claims.
"""

from __future__ import annotations

import json
import random
import shlex
import shutil
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, run
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import build as builder
from feedpub import collector, config, normalizer, rewrite, shifts, timestamps, urls
from feedpub.collector import RawPost
from feedpub.normalizer import Result

FIXTURES = ROOT / "tests" / "fixtures" / "times"
FAST = settings(max_examples=100, deadline=None)
TIME_CODES = {"FP301", "FP302", "FP303", "FP304", "FP305", "FP306", "FP307", "FP402"}


def iso(when: datetime) -> str:
    return timestamps.format_iso(when)


def read(posts: Path, **overrides: object) -> tuple[list[RawPost], config.Settings]:
    settings = replace(config.load(posts), **overrides)  # type: ignore[arg-type]
    raws, problems, _ = builder.collect(posts, posts / ".none", settings, jobs=1)
    assert not [p for p in problems if p.severity == "error"], problems
    return raws, settings


def feed_items(out: Path, name: str = "feed.json") -> list[dict[str, str]]:
    items: list[dict[str, str]] = json.loads((out / name).read_text("utf-8"))["items"]
    return items


# --- the fixture posts ---------------------------------------------------------------


def expectations(raw: RawPost) -> dict[str, list[str]]:
    """The `expect:` line of a fixture post: `key=value` pairs, keys may repeat."""
    found: dict[str, list[str]] = defaultdict(list)
    text = (FIXTURES / raw.path).read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("expect: "))
    for pair in shlex.split(line.removeprefix("expect: ").strip("'")):
        key, _, value = pair.partition("=")
        found[key].append(value)
    return found


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, list[RawPost], Path]:
    out = tmp_path_factory.mktemp("times") / "public"
    cache = out.parent / "cache"
    code, _, stderr = run("build", str(FIXTURES), "--out", str(out), "--cache", str(cache))
    assert code == 0, stderr
    raws, settings = read(FIXTURES)
    return normalizer.normalize(raws, settings), raws, out


def test_every_fixture_says_what_it_expects(
    fixtures: tuple[Result, list[RawPost], Path],
) -> None:
    _, raws, _ = fixtures
    assert len(raws) == 29
    for raw in raws:
        expected = expectations(raw)
        assert expected, raw.path
        assert set(expected) <= {
            "how", "time", "published", "updated", "id", "title", "problem", "normalize"
        }, raw.path  # fmt: skip


def test_fixture_times_and_problems(fixtures: tuple[Result, list[RawPost], Path]) -> None:
    """Each file's own time, how it was found, and the time problems it raises."""
    result, raws, _ = fixtures
    timed = {t.raw.path: t for t in result.resolved}
    codes: dict[str, set[str]] = defaultdict(set)
    for p in result.problems:
        if p.code in TIME_CODES:
            codes[p.path].add(p.code)
    for raw in raws:
        expected = expectations(raw)
        t = timed[raw.path]
        for how in expected.get("how", []):
            assert t.how == how, raw.path
        for when in expected.get("time", []):
            assert iso(t.when) == when, raw.path
        assert codes[raw.path] == set(expected.get("problem", [])), raw.path


def test_fixture_feed_entries(fixtures: tuple[Result, list[RawPost], Path]) -> None:
    """What the feeds say about each file's story: one entry, its id, times and title."""
    result, raws, out = fixtures
    items = {item["id"]: item for item in feed_items(out)}
    assert len(items) == len(result.posts) == 20
    timed = {t.raw.path: t for t in result.resolved}
    for raw in raws:
        expected = expectations(raw)
        item = items[timed[raw.path].ident]
        for ident in expected.get("id", []):
            assert item["id"] == ident, raw.path
        for when in expected.get("published", []):
            assert item["date_published"] == _seconds(when), raw.path
        for when in expected.get("updated", []):
            assert item["date_modified"] == _seconds(when), raw.path
        for title in expected.get("title", []):
            assert item["title"] == title, raw.path


def _seconds(when: str) -> str:
    """The feeds give times to the second."""
    return iso(datetime.fromisoformat(when).replace(microsecond=0))


def test_fixture_normalize_plan(fixtures: tuple[Result, list[RawPost], Path]) -> None:
    """`normalize=` says what `feedpub normalize` does to the file's date line."""
    result, raws, _ = fixtures
    plan = rewrite.plan(
        result, lambda path: (FIXTURES / path).read_bytes(), raws, [], collector.Limits()
    )
    edits = {e.path: e for e in plan.edits}
    skipped = {s.path for s in plan.skipped}
    for raw in raws:
        (what,) = expectations(raw).get("normalize", ["unchanged"])
        if what == "unchanged":
            assert raw.path not in edits and raw.path not in skipped, raw.path
        elif what == "skip":
            assert raw.path in skipped and raw.path not in edits, raw.path
        else:
            assert edits[raw.path].new.endswith(f" {what}") or what in edits[raw.path].new


def test_fixture_feeds_carry_each_canonical_url_once(
    fixtures: tuple[Result, list[RawPost], Path],
) -> None:
    _, _, out = fixtures
    for path in out.rglob("feed.json"):
        items = feed_items(path.parent)
        canonical = [urls.canonical_url(item["url"]) for item in items]
        assert len(set(canonical)) == len(canonical), path
        assert len({item["id"] for item in items}) == len(items), path


def test_moving_a_copy_changes_no_id(tmp_path: Path) -> None:
    """Moving files between `_posts/` and `archived/` changes no feed but for nothing."""
    posts = tmp_path / "times"
    shutil.copytree(FIXTURES, posts)
    assert run("build", str(posts), "--out", str(tmp_path / "a"), "--no-cache")[0] == 0
    moves = [
        ("archived/2021-04-17/2021-04-17-variants-case.md", "_posts/2021-04-17-variants-case.md"),
        (
            "_posts/2021-04-09-疫情下的小贩中心.md",
            "archived/2021-04-09/x/2021-04-09-疫情下的小贩中心.md",
        ),
        ("_posts/2021-04-10-毫秒标记.md", "archived/2021-04-10/2021-04-10-毫秒标记.md"),
    ]
    for src, dst in moves:
        (posts / dst).parent.mkdir(parents=True, exist_ok=True)
        (posts / src).rename(posts / dst)
    assert run("build", str(posts), "--out", str(tmp_path / "b"), "--no-cache")[0] == 0
    before, after = _ids(tmp_path / "a"), _ids(tmp_path / "b")
    assert before == after
    assert len(before["feed.json"]) == 20


def _ids(out: Path) -> dict[str, list[tuple[str, str, str]]]:
    """(id, published, updated) of every entry of every JSON feed under `out`."""
    return {
        path.relative_to(out).as_posix(): [
            (i["id"], i["date_published"], i["date_modified"]) for i in feed_items(path.parent)
        ]
        for path in sorted(out.rglob("feed.json"))
    }


# --- a source 16 hours ahead ---------------------------------------------------------

ZAOBAO = "联合早报"
CLEAN = "BBC 中文网"


@dataclass(frozen=True)
class Story:
    url: str
    source: str
    true: datetime  # when it was really published


def write_post(
    root: Path,
    rel: str,
    *,
    title: str,
    date: str | None,
    marker: str | None,
    url: str,
    source: str,
    crlf: bool = False,
) -> None:
    lines = ["---", "layout: post", f'title: "{title}"']
    if date is not None:
        lines.append(f"date: {date}")
    lines += [f"author: {source}", f"from: {url}", f"tags: [ {source} ]"]
    lines += [f"categories: [ {source} ]", "---"]
    if marker is not None:
        lines += [f"<!--{marker}-->", f"[{title}]({url})", "------", ""]
    lines.append(f"<div><p>{title}</p></div>")
    text = "\n".join(lines) + "\n"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())


def ms(when: datetime) -> str:
    return str(timestamps.to_ms(when))


def fetch_text(when: datetime) -> str:
    """The scraper's `toISOString()`: always milliseconds."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def shifted_archive(root: Path, seed: int = 0, stories: int = 12) -> list[Story]:
    """A `联合早报` feed 16 h ahead in April 2021, like the real one, and a clean source.

    Each shifted story is saved twice: first with the date clamped to the fetch
    time (minutes after publication, the marker 16 h in the future), then a day
    later under a new file name with `date == marker`. A story of the same
    source later in April (after the shift ended) and one in March are clean;
    the clean source has a few minutes of clock skew and two random future
    dates, neither of which is a shift.
    """
    rng = random.Random(seed)
    made = []
    for i in range(stories):
        true = datetime(2021, 4, 2 + 2 * i, 8 + i * 5 % 15, rng.randrange(60), tzinfo=UTC)
        fetched = true + timedelta(
            seconds=rng.randrange(60, 3000), milliseconds=rng.randrange(1, 1000)
        )
        marker = true + timedelta(hours=16)
        url = f"https://www.zaobao.com/realtime/china/story{true:%Y%m%d}-{1138400 + i}"
        title = f"早报新闻{i}"
        write_post(root, f"_posts/{fetched:%Y-%m-%d}-{title}.md", title=title,
                   date=fetch_text(fetched), marker=ms(marker), url=url, source=ZAOBAO)  # fmt: skip
        write_post(root, f"archived/{marker:%Y-%m-%d}/{marker:%Y-%m-%d}-{title}.md", title=title,
                   date=fetch_text(marker), marker=ms(marker), url=url, source=ZAOBAO)  # fmt: skip
        made.append(Story(url, ZAOBAO, true))
    for when, name in [(datetime(2021, 4, 29, 6, 30, tzinfo=UTC), "after"),
                       (datetime(2021, 3, 20, 6, 30, tzinfo=UTC), "before")]:  # fmt: skip
        url = f"https://www.zaobao.com/realtime/world/story-{name}"
        write_post(root, f"_posts/{when:%Y-%m-%d}-{name}.md", title=name, date=fetch_text(when),
                   marker=ms(when), url=url, source=ZAOBAO)  # fmt: skip
        made.append(Story(url, ZAOBAO, when))
    for i in range(15):
        true = datetime(2021, 4, 1 + 2 * i, 10, rng.randrange(60), tzinfo=UTC)
        url = f"https://www.bbc.com/zhongwen/simp/world-{56000000 + i}"
        fetched, marker = true, true
        if i in (3, 7, 11):  # the source's clock a few minutes ahead: clamped by skew
            fetched = true - timedelta(
                minutes=rng.randrange(1, 9), milliseconds=rng.randrange(1, 999)
            )
            made.append(Story(url, CLEAN, fetched))
        elif i in (5, 9):  # a post dated in the future
            fetched = true - timedelta(hours=5 + 4 * i, milliseconds=rng.randrange(1, 999))
            made.append(Story(url, CLEAN, fetched))
        else:
            made.append(Story(url, CLEAN, true))
        write_post(root, f"_posts/{fetched:%Y-%m-%d}-bbc-{i}.md", title=f"BBC {i}",
                   date=fetch_text(fetched), marker=ms(marker), url=url, source=CLEAN)  # fmt: skip
    return made


@pytest.fixture(scope="module")
def shifted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Story]]:
    root = tmp_path_factory.mktemp("shifted")
    return root, shifted_archive(root)


def _published(result: Result) -> dict[str, datetime]:
    return {p.id: p.published for p in result.posts}


def test_shift_corrected(shifted: tuple[Path, list[Story]]) -> None:
    root, stories = shifted
    raws, settings = read(root, shift="correct")
    result = normalizer.normalize(raws, settings)
    assert _published(result) == {s.url: s.true for s in stories}
    (found,) = [p for p in result.problems if p.code == "FP305"]
    assert found.path == ZAOBAO
    assert "markers run 16 h ahead of the fetch times from 2021-04-" in found.message
    assert "12 of 12 stories" in found.message and found.message.endswith("; corrected")
    (shift,) = result.runs[ZAOBAO]
    assert (shift.source, shift.offset, shift.stories) == (ZAOBAO, timedelta(hours=16), 12)
    hows = {t.raw.path: t.how for t in result.resolved}
    assert hows["_posts/2021-04-29-after.md"] == hows["_posts/2021-03-20-before.md"] == "marker"
    # the later copy of the last story keeps its marker: an unclamped copy in a run's
    # last 16 h may be a story published after the feed was fixed (shifts.Shift.applies)
    assert result.report[ZAOBAO].how["shifted"] == 23
    assert result.report[ZAOBAO].shifts == ["+16 h 2021-04-03..2021-04-25"]
    assert result.report[CLEAN].how["clamped"] == 5 and not result.report[CLEAN].shifts


def test_shifted_archive_does_not_depend_on_file_order(shifted: tuple[Path, list[Story]]) -> None:
    root, _ = shifted
    raws, settings = read(root)
    expected = normalizer.normalize(raws, settings)
    assert expected.runs
    rng = random.Random(3)
    for _ in range(5):
        rng.shuffle(raws)
        assert normalizer.normalize(raws, settings) == expected


def test_shift_in_the_feeds(shifted: tuple[Path, list[Story]], tmp_path: Path) -> None:
    root, stories = shifted
    code, _, stderr = run("build", str(root), "--out", str(tmp_path / "out"), "--no-cache")
    assert code == 0, stderr
    assert "FP305" in stderr
    items = {i["id"]: i["date_published"] for i in feed_items(tmp_path / "out")}
    assert items == {s.url: iso(s.true.replace(microsecond=0)) for s in stories}


def test_shift_detected_not_corrected(shifted: tuple[Path, list[Story]]) -> None:
    root, stories = shifted
    raws, settings = read(root, shift="detect")
    result = normalizer.normalize(raws, settings)
    (found,) = [p for p in result.problems if p.code == "FP305"]
    assert found.message.endswith("not corrected (shift = detect)")
    published = _published(result)
    for story in stories:
        if story.source == ZAOBAO and story.true.month == 4 and story.true.day < 29:
            # the clamped copy's fetch time: minutes after the true time, not 16 h
            assert timedelta(0) < published[story.url] - story.true < timedelta(hours=1)
        else:
            assert published[story.url] == story.true
    assert "shifted" not in {t.how for t in result.resolved}


def test_shift_off(shifted: tuple[Path, list[Story]]) -> None:
    root, _ = shifted
    raws, settings = read(root, shift="off")
    result = normalizer.normalize(raws, settings)
    assert not [p for p in result.problems if p.code == "FP305"]
    assert not result.runs
    assert "shifted" not in {t.how for t in result.resolved}
    detect = normalizer.normalize(raws, replace(settings, shift="detect"))
    assert result.posts == detect.posts


def test_a_few_future_posts_are_not_a_shift(tmp_path: Path) -> None:
    """Three posts 9 h ahead in a month of forty are future-dated posts, not a shift."""
    for i in range(40):
        true = datetime(2021, 5, 1, 9, tzinfo=UTC) + timedelta(hours=17 * i)
        fetched, marker = true, true
        if i in (4, 20, 36):
            fetched = true - timedelta(hours=8, minutes=30, milliseconds=7)
        write_post(tmp_path, f"_posts/{fetched:%Y-%m-%d}-{i}.md", title=f"t{i}",
                   date=fetch_text(fetched), marker=ms(marker),
                   url=f"https://a.example/{i}", source="A")  # fmt: skip
    raws, settings = read(tmp_path)
    result = normalizer.normalize(raws, settings)
    assert not result.runs
    assert result.report["A"].how == {"marker": 37, "clamped": 3}


def test_clock_skew_is_not_a_shift() -> None:
    """Leads under an hour (and a little) are skew: never a shift, however many."""
    t = datetime(2021, 4, 10, 8, tzinfo=UTC)
    clamped = [
        (t + timedelta(hours=i, minutes=64), t + timedelta(hours=i), f"s{i}") for i in range(40)
    ]
    markers = [(m, story) for m, _, story in clamped]
    assert shifts.estimate("A", clamped, markers) == ()
    assert not shifts.is_evidence(clamped[0][0], clamped[0][1])


# --- merging -------------------------------------------------------------------------


def _number(text: str) -> int:
    """A body digest for `text`, ordered as the text is (as digests are)."""
    return int.from_bytes(text.encode().ljust(64, b"\0"))


def raw_post(
    path: str,
    *,
    url: str = "https://a.example/x",
    date: str | None = "2021-04-10T08:00:00.000Z",
    marker: str | None = None,
    title: str = "T",
    body: str = "b",
    source: str = "S",
) -> RawPost:
    return RawPost(
        path=path, digest=f"d-{path}-{title}-{body}", body_digest=_number(f"b-{body}"),
        title=title,
        date=date, date_line=3 if date is not None else 0, author="", url=url, tags=(source,),
        categories=(source,), marker=marker, link_text="", body_start=0, body_line=10,
        markdown=False, encoding="utf-8",
    )  # fmt: skip


def test_updated_is_when_the_content_last_changed() -> None:
    """Content A, then B, then A again: it last changed with the third copy."""
    copies = [
        raw_post("_posts/2021-04-10-a.md", date="2021-04-10T08:00:00Z", body="A"),
        raw_post("_posts/2021-04-11-a.md", date="2021-04-11T08:00:00Z", body="B"),
        raw_post("_posts/2021-04-12-a.md", date="2021-04-12T08:00:00Z", body="A"),
        raw_post("_posts/2021-04-13-a.md", date="2021-04-13T08:00:00Z", body="A"),
    ]
    (post,) = normalizer.normalize(copies, config.Settings()).posts
    assert iso(post.published) == "2021-04-10T08:00:00Z"
    assert iso(post.updated) == "2021-04-12T08:00:00Z"
    assert post.path == "_posts/2021-04-13-a.md"
    assert post.copies == tuple(r.path for r in copies)


def test_a_link_encoded_twice_is_repaired_as_its_id_is() -> None:
    """The trial (teahouse): 90 entries linked to `…/@ahyong/%25E5%258F%2596…`, which a
    browser asks for as the literal `%E5…`, where their id was repaired; the link is
    its `from:` as written but for that."""
    twice, settings = "https://matters.news/@m/%25E9%2594%2590-x?q=100%25", config.Settings()
    (post,) = normalizer.normalize([raw_post("_posts/2021-04-10-a.md", url=twice)], settings).posts
    assert post.url == "https://matters.news/@m/%E9%94%90-x?q=100%25"
    assert post.id == "https://matters.news/@m/%E9%94%90-x?q=100%25"
    plain = "http://A.example/x/?utm_source=feed"  # (only the id loses the rest)
    (post,) = normalizer.normalize([raw_post("_posts/2021-04-10-a.md", url=plain)], settings).posts
    assert (post.url, post.id) == (plain, "https://a.example/x")


def test_title_edit_counts_as_a_change_a_comments_line_does_not() -> None:
    same = [
        raw_post("_posts/2021-04-10-a.md", date="2021-04-10T08:00:00Z"),
        raw_post("archived/2021-04-11/2021-04-11-a.md", date="2021-04-11T08:00:00Z"),
    ]
    (post,) = normalizer.normalize(same, config.Settings()).posts
    assert post.updated == post.published
    edited = [same[0], raw_post("_posts/2021-04-11-b.md", date="2021-04-11T08:00:00Z", title="U")]
    (post,) = normalizer.normalize(edited, config.Settings()).posts
    assert (post.title, iso(post.updated)) == ("U", "2021-04-11T08:00:00Z")


def test_latest_copy_does_not_depend_on_the_folder() -> None:
    """Copies with the same time: the file name decides, not `_posts/` or `archived/`."""
    a = raw_post("_posts/2021-04-10-x.md", title="old")
    b = raw_post("archived/2021-04-10/2021-04-10-y.md", title="new")
    moved = raw_post("archived/2021-04-10/2021-04-10-x.md", title="old")
    settings = config.Settings()
    (one,) = normalizer.normalize([a, b], settings).posts
    (two,) = normalizer.normalize([moved, b], settings).posts
    assert one.title == two.title == "new"


def test_a_file_name_time_does_not_make_a_story_earlier() -> None:
    copies = [
        raw_post("_posts/2021-04-10-x.md", date=None),
        raw_post("_posts/2021-04-11-x.md", marker="1618128000000", date=None),  # 04-11T08:00Z
    ]
    (post,) = normalizer.normalize(copies, config.Settings()).posts
    assert (iso(post.published), post.how) == ("2021-04-11T08:00:00Z", "marker")
    (alone,) = normalizer.normalize(copies[:1], config.Settings()).posts
    assert (iso(alone.published), alone.how) == ("2021-04-10T00:00:00Z", "filename")


def test_posts_without_a_url_get_a_permalink() -> None:
    posts = normalizer.normalize(
        [raw_post("_posts/2021-04-10-hello-world.md", url=""), raw_post("_posts/b.md", url="/rel")],
        config.Settings(url="https://example.org"),
    )
    ids = sorted(p.id for p in posts.posts)  # where Jekyll publishes them (category S)
    assert ids == [  # jekyll-feed's ids: the URLs without `.html`
        "https://example.org/s/2021/04/10/b",
        "https://example.org/s/2021/04/10/hello-world",
    ]
    assert [p.code for p in posts.problems] == ["FP402"]


def test_a_relative_url_is_reported_at_its_line() -> None:
    text = "---\ntitle: Hello\ndate: 2021-04-10\nfrom: /news/a.html\n---\n<p>x</p>\n"
    reading = collector.parse("_posts/a.md", text.encode())
    assert reading.post is not None
    result = normalizer.normalize([reading.post], config.Settings(url="https://example.org"))
    (problem,) = [p for p in result.problems if p.code == "FP402"]
    assert (problem.path, problem.line) == ("_posts/a.md", 4)


@pytest.mark.parametrize(
    ("title", "url", "shown"),
    [
        ("数据 - 新的问题 - iYouPort", "https://www.iyouport.org/a/", "数据 - 新的问题"),
        ("Talks stall | The Guardian", "https://www.theguardian.com/world/x", "Talks stall"),
        ("Talks stall — Guardian ", "https://www.guardian.co.uk/x", "Talks stall"),
        ("An interview - John Smith", "https://www.iyouport.org/a/", "An interview - John Smith"),
        ("Notes - Example", "https://news.example/x", "Notes - Example"),  # (a TLD is no name)
        (" - iYouPort", "https://www.iyouport.org/a/", " - iYouPort"),
        ("iYouPort", "https://www.iyouport.org/a/", "iYouPort"),
        ("About iYouPort", "https://www.iyouport.org/a/", "About iYouPort"),
    ],
)
def test_a_scraped_title_loses_the_site_name_after_it(title: str, url: str, shown: str) -> None:
    (post,) = normalizer.normalize([raw_post("_posts/2021-04-10-a.md", title=title, url=url)],
                                   config.Settings()).posts  # fmt: skip
    assert post.title == shown


def test_a_title_of_the_sites_own_keeps_the_name_after_it() -> None:
    """A post without `from:` links to its own page: its title is its author's."""
    raw = raw_post("_posts/2021-04-10-a.md", title="Release notes - Example", url="")
    settings = config.Settings(url="https://example.org")
    (post,) = normalizer.normalize([raw], settings).posts
    assert (post.url, post.title) == ("https://example.org/s/2021/04/10/a.html", raw.title)


# --- properties ------------------------------------------------------------------------

MONTH = datetime(2021, 4, 1, tzinfo=UTC)


@st.composite
def archives(draw: st.DrawFn) -> list[RawPost]:
    """A small archive of every shape: copies, clamped, NaN, shifted, no date, bad date."""
    raws = []
    for i in range(draw(st.integers(1, 14))):
        true = MONTH + timedelta(minutes=draw(st.integers(0, 40 * 24 * 60)))
        lead = draw(st.sampled_from([0, 0, 0, 3, 16 * 60 - 20, 16 * 60 - 5, 16 * 60]))  # minutes
        fetched = true + timedelta(milliseconds=draw(st.integers(0, 10**6)))
        marker = draw(
            st.sampled_from([ms(true + timedelta(minutes=lead)), "NaN", None, "x"])
        )  # fmt: skip
        date = draw(st.sampled_from([fetch_text(fetched), None, "soon", fetch_text(true)]))
        url = f"https://a.example/{draw(st.integers(0, 5))}" + draw(
            st.sampled_from(["", "/", "?utm_x=1"])
        )
        folder = draw(st.sampled_from(["_posts/", "archived/x/"]))
        name = f"{folder}{(date and date[:10]) or '2021-04-02'}-{i}.md"
        source = draw(st.sampled_from(["S", "T"]))
        raws.append(raw_post(name, url=url, date=date, marker=marker, title=f"t{i % 3}",
                             body=f"b{i % 2}", source=source))  # fmt: skip
    return raws


@FAST
@given(archives().flatmap(lambda raws: st.tuples(st.just(raws), st.permutations(raws))))
def test_result_does_not_depend_on_file_order(both: tuple[list[RawPost], list[RawPost]]) -> None:
    raws, shuffled = both
    for mode in ("correct", "detect"):
        settings = config.Settings(shift=mode)
        assert normalizer.normalize(raws, settings) == normalizer.normalize(shuffled, settings)


@FAST
@given(archives())
def test_published_never_after_any_copys_fetch_time(raws: list[RawPost]) -> None:
    result = normalizer.normalize(raws, config.Settings())
    fetched: dict[str, list[datetime]] = defaultdict(list)
    for t in result.resolved:
        assert t.stamp is None or t.when <= t.stamp.when
        if t.stamp is not None:
            fetched[t.ident].append(t.stamp.when)
    for post in result.posts:
        assert post.published <= post.updated
        assert all(post.published <= f for f in fetched[post.id])


URL_PARTS = st.lists(
    st.sampled_from(
        ["/", "?", "#", "&", "=", "%", "%25", "%2F", "a", "Z", ":443", ":8080", "@", " ",
         "\u3000", "\t", "utm_source", "fbclid", "gclid", "x_clid", "新闻", "..", ";"]
    ),
    max_size=12,
).map("".join)  # fmt: skip


@FAST
@given(
    st.one_of(st.text(max_size=40), URL_PARTS),
    st.sampled_from(["https://", "http://", "HTTPS://", ""]),
    st.sampled_from(["a.example/", "A.example/", "a.example", "a.example:443/", ""]),
)
def test_canonical_fast_path_agrees_with_the_rules(tail: str, scheme: str, host: str) -> None:
    url = scheme + host + tail
    assert urls.canonical_url(url) == urls._apply_rules(url)
    ident = urls.canonical_id(url)
    assert ident is None or ident == urls.canonical_url(url)


@FAST
@given(
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
    )
)
def test_iso_fast_path_agrees_with_the_general_parser(text: str) -> None:
    zone = timestamps.UTC
    assert timestamps._parse_iso(text, zone) == timestamps._parse_iso_general(text, zone)


# --- the real corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_result(corpus: Path) -> tuple[list[RawPost], Result]:
    settings = config.load(corpus)
    raws, _, _ = builder.collect(corpus, corpus / ".none", settings)
    return raws, normalizer.normalize(raws, settings)


def test_corpus_feeds_carry_each_canonical_url_once(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    feeds = sorted(out.rglob("feed.json"))
    assert len(feeds) > 100
    for path in feeds:
        items = feed_items(path.parent)
        canonical = [urls.canonical_url(item["url"]) for item in items]
        assert len(set(canonical)) == len(canonical), path
        assert len({item["id"] for item in items}) == len(items), path


def test_corpus_published_never_after_the_first_fetch(
    corpus: Path, corpus_result: tuple[list[RawPost], Result], corpus_build: tuple[Path, str]
) -> None:
    """Computed from the files themselves: each story's earliest `date:` by canonical URL."""
    raws, result = corpus_result
    first_fetch: dict[str, datetime] = {}
    for raw in raws:
        stamp = timestamps.parse_date(raw.date, timestamps.UTC)
        key = urls.canonical_url(raw.url)
        if stamp is not None and (key not in first_fetch or stamp.when < first_fetch[key]):
            first_fetch[key] = stamp.when
    assert len(result.posts) == len({urls.canonical_url(r.url) for r in raws})
    for post in result.posts:
        assert post.published <= first_fetch[post.id], post.id
    out, _ = corpus_build
    for path in out.rglob("feed.json"):
        for item in feed_items(path.parent):
            published = datetime.fromisoformat(item["date_published"])
            assert published <= first_fetch[item["id"]], item["id"]


def test_corpus_moving_posts_changes_no_id(corpus: Path, tmp_path: Path) -> None:
    """A few hundred `society` posts, copies included; move some between the folders."""
    raws = sorted(
        (r for r in builder.collect(corpus / "society", tmp_path, config.Settings())[0]),
        key=lambda r: r.path,
    )
    by_url: dict[str, list[str]] = defaultdict(list)
    for raw in raws:
        by_url[urls.canonical_url(raw.url)].append(raw.path)
    dups = [p for paths in by_url.values() if len(paths) > 1 for p in paths][:40]
    chosen = sorted(set(dups + [r.path for r in raws if r.path.startswith("_posts/")][:60]
                        + [r.path for r in raws[::20]]))  # fmt: skip
    posts = tmp_path / "society"
    for rel in chosen:
        (posts / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "society" / rel, posts / rel)
    assert run("build", str(posts), "--out", str(tmp_path / "a"), "--no-cache")[0] == 0
    moved = 0
    for rel in chosen[::3]:
        name = rel.rpartition("/")[2]
        dst = f"archived/{name[:10]}/{name}" if rel.startswith("_posts/") else f"_posts/{name}"
        if not (posts / dst).exists():
            (posts / dst).parent.mkdir(parents=True, exist_ok=True)
            (posts / rel).rename(posts / dst)
            moved += 1
    assert moved > 20
    assert run("build", str(posts), "--out", str(tmp_path / "b"), "--no-cache")[0] == 0
    assert _ids(tmp_path / "a") == _ids(tmp_path / "b")


def test_corpus_check_table(corpus: Path) -> None:
    code, stdout, _ = run("check", str(corpus))
    assert code == 0
    table = [ln for ln in stdout.splitlines() if ln.startswith("|")]
    assert table[0].startswith("| source | posts | marker | clamped | NaN | shifted |")
    assert table[-1].startswith("| **all** | 10321 | ")
    assert len(table) == 2 + 62 + 1
    # docs/time-and-identity.md shows it as it is: 温相说党史's 401 stories of its
    # promotion alone.
    docs = (Path(__file__).parent.parent / "docs" / "time-and-identity.md").read_text("utf-8")
    assert "\n".join(table) in docs
    assert "| 温相说党史 | 419 | 419 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 401 |" in "\n".join(
        table
    )


def test_a_date_only_copy_does_not_make_a_story_earlier_within_its_day() -> None:
    """oped2's two copies of one story: a `date:` of the day only (the start of that day
    in the site's zone, 22:00 UTC the evening before in Berlin) and a marker that
    day; the marker's time is the story's. A day that ends before it is the earlier."""
    copies = [
        raw_post("_posts/2020-10-08-x.md", marker="1602201450000", date=None),  # 23:57:30Z
        raw_post("_posts/2020-10-09-x.md", date="2020-10-09"),
    ]
    berlin = config.Settings(zone="Europe/Berlin")
    (post,) = normalizer.normalize(copies, berlin).posts
    assert (iso(post.published), post.how) == ("2020-10-08T23:57:30Z", "marker")
    assert post.updated >= post.published
    earlier = [copies[0], raw_post("_posts/2020-10-06-x.md", date="2020-10-06")]
    (post,) = normalizer.normalize(earlier, berlin).posts
    assert (iso(post.published), post.how) == ("2020-10-05T22:00:00Z", "date")


def test_the_report_lists_sources_as_a_person_reads_them() -> None:
    """`check`'s table: "alpha" beside "Alpha", before "Beta", not after every capital."""
    copies = [
        raw_post(f"_posts/2021-04-1{i}-{s}.md", url=f"https://a.example/{i}", source=s)
        for i, s in enumerate(["beta", "Alpha", "Beta", "alpha", "Zed"])
    ]
    result = normalizer.normalize(copies, config.Settings())
    assert list(result.report) == ["Alpha", "alpha", "Beta", "beta", "Zed"]


def test_a_file_names_day_past_2100_is_no_time() -> None:
    """The hostile review: `9999-12-31-end.md` without a `date:` was published at its
    name's day, first in every feed for ever, and read in a zone behind UTC then shown
    in one ahead of it, stopped the whole build (OverflowError). A name's day is held
    to the years a marker and a `date:` are."""
    for name in ("9999-12-31-end.md", "1989-12-31-early.md"):
        result = normalizer.normalize([raw_post(f"_posts/{name}", date=None)], config.Settings())
        assert result.posts == ()
        assert [(p.code, p.message) for p in result.problems] == [
            ("FP302", "no usable time: no plausible marker, date or YYYY-MM-DD file name; skipped")
        ]


def test_a_post_of_year_9999_stops_no_build(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "src" / "_posts").mkdir(parents=True)
    (tmp_path / "src" / "_posts" / "9999-12-31-end.md").write_text("---\ntitle: end\n---\nb\n")
    (tmp_path / "_posts" / "2021-01-01-a.md").write_text("---\ntitle: a\n---\nbody\n")
    toml = 'zone = "Etc/GMT-14"\n[sources."src"]\nzone = "Etc/GMT+12"\n'
    (tmp_path / "feedpub.toml").write_text(toml)
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"), "--no-cache")
    assert code == 0, stderr
    assert "9999-12-31-end.md:1: FP302 no-date: no usable time" in stderr
