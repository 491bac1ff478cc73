"""RFC 5005 archive documents (issue 7): valid, fully linked, complete, small, stable.

Every site, source and tag feed gets one Atom document per period under
`<folder>/archive/`: by default the site per month (`YYYY-MM.xml`), sources and
tags per year (`YYYY.xml`), `archive_period` to choose; `.2.xml`, ... when a
period overflows. Each is marked `<fh:archive/>` and chained with
prev-archive/next-archive; the subscription documents link `prev-archive` to
the newest one. Author feeds have no archives.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pytest
from conftest import published, run, stamps, tree
from lxml import etree
from validators import check_atom, check_feedparser

from feedpub import build, config, model, normalizer, planner
from feedpub.writer import MANIFEST

SITE = "https://example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
FH = "http://purl.org/syndication/history/1.0"
BUDGET = config.Settings().feed_bytes  # 1,000,000
SUBSCRIPTION = tuple(model.FILES.values())  # feed.xml, rss.xml, feed.json
WROTE = re.compile(r"wrote (\d+) of (\d+) files")
ENTRIES = re.compile(r"\((\d+) entries\)")


# --- reading what the build wrote -------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One archive document as a reader sees it; links as paths under the output folder."""

    file: str
    marked: bool  # has <fh:archive/> in the feed-history namespace
    links: dict[str, list[str]]  # rel -> targets
    ids: tuple[str, ...]
    published: tuple[datetime, ...]


def _path_of(url: str) -> str:
    assert url.startswith(SITE), url
    return unquote(url[len(SITE) :])


def read_doc(out: Path, rel: str) -> Doc:
    root = etree.parse(str(out / rel)).getroot()
    links: dict[str, list[str]] = defaultdict(list)
    for link in root.findall(f"{ATOM}link"):
        if link.get("rel") != "alternate":
            links[link.get("rel", "")].append(_path_of(link.get("href", "")))
    entries = root.findall(f"{ATOM}entry")
    return Doc(
        file=rel,
        marked=root.find(f"{{{FH}}}archive") is not None,
        links=dict(links),
        ids=tuple(e.findtext(f"{ATOM}id", "") for e in entries),
        published=tuple(
            datetime.fromisoformat(e.findtext(f"{ATOM}published", "")) for e in entries
        ),
    )


def _alternate(out: Path, rel: str) -> str:
    links = etree.parse(str(out / rel)).getroot().findall(f"{ATOM}link[@rel='alternate']")
    assert len(links) == 1, rel
    return links[0].get("href", "")


def prev_archive(out: Path, rel: str) -> list[str]:
    """The prev-archive targets of a subscription document (Atom, or atom:link in RSS)."""
    root = etree.parse(str(out / rel)).getroot()
    return [
        _path_of(link.get("href", ""))
        for link in root.iter(f"{ATOM}link")
        if link.get("rel") == "prev-archive"
    ]


def archive_files(out: Path) -> dict[str, list[str]]:
    """Archive documents by the folder of their feed ("" for the site), sorted by name."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(out.rglob("archive/*")):
        rel = PurePosixPath(path.relative_to(out).as_posix())
        assert path.is_file() and rel.suffix == ".xml", rel
        folder = rel.parent.parent.as_posix()
        found["" if folder == "." else folder].append(rel.as_posix())
    return dict(found)


def _feed_file(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


_ARCHIVE_NAME = re.compile(r"(\d{4}(?:-\d{2})?)(?:\.(\d+))?(-[0-9a-f]{8})?\.xml")


def _period_and_part(rel: str) -> tuple[str, int]:
    """("2021-04", 2) for ".../archive/2021-04.2.xml", ("2021", 1) for ".../2021.xml"
    and for the newest, open document ".../2021-3f9a1c2e.xml"."""
    m = _ARCHIVE_NAME.fullmatch(PurePosixPath(rel).name)
    assert m, rel
    return m[1], int(m[2] or 1)


def _plain(rel: str) -> str:
    """The name `rel` has once a newer document follows it (`planner.open_name`)."""
    return re.sub(r"-[0-9a-f]{8}\.xml$", ".xml", rel)


def _is_open(rel: str) -> bool:
    m = _ARCHIVE_NAME.fullmatch(PurePosixPath(rel).name)
    return bool(m and m[3])


def chain_problems(out: Path, folder: str, files: list[str]) -> list[str]:
    """Everything wrong with the links of one feed's archive documents."""
    problems = []
    docs = {f: read_doc(out, f) for f in files}
    current = _feed_file(folder, "feed.xml")
    for f, doc in docs.items():
        if doc.links.get("self") != [f]:
            problems.append(f"{f}: self is {doc.links.get('self')}")
        if doc.links.get("current") != [current]:
            problems.append(f"{f}: current is {doc.links.get('current')}, not {current}")
        for rel in ("prev-archive", "next-archive"):
            targets = doc.links.get(rel, [])
            if len(targets) > 1 or any(t not in docs for t in targets):
                problems.append(f"{f}: {rel} {targets} is not one archive document of the feed")
    # Walk back from the newest, as an RFC 5005 client does.
    chronological = sorted(files, key=_period_and_part)
    newest = chronological[-1]
    newest_period = _period_and_part(newest)[0]
    opened = [f for f in chronological if _period_and_part(f)[0] == newest_period]
    if [f for f in chronological if _is_open(f)] != opened:  # see `planner.open_name`
        problems.append(f"{folder}: the newest period's documents alone are named for entries")
    for sub in (current, _feed_file(folder, "rss.xml")):
        if prev_archive(out, sub) != [newest]:
            problems.append(f"{sub}: prev-archive is {prev_archive(out, sub)}, not [{newest}]")
    walked = [newest]
    while (prev := docs[walked[-1]].links.get("prev-archive", [""])[0]) in docs.keys() - walked:
        walked.append(prev)
    if walked[::-1] != chronological:
        problems.append(
            f"{folder or 'site'}: walking prev-archive from {newest} visits "
            f"{len(walked)} of {len(files)} documents, not in order: {walked[:4]}..."
        )
    if "next-archive" in docs[newest].links:
        problems.append(f"{newest}: the newest document has a next-archive")
    if "prev-archive" in docs[chronological[0]].links:
        problems.append(f"{chronological[0]}: the oldest document has a prev-archive")
    for older, newer in pairwise(chronological):
        if docs[older].links.get("next-archive") != [newer]:
            problems.append(f"{older}: next-archive is not {newer}, whose prev points back")
    return problems


def _members(post: model.Post, kind: str) -> tuple[str, ...]:
    """The names of the feeds of `kind` that hold `post` (the site's name is "")."""
    if kind == "site":
        return ("",)
    if kind == "author":
        return (post.author,) if post.author else ()
    kinds: tuple[str, ...] = getattr(post, f"{kind}s")
    return kinds


# --- the corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_feeds(corpus: Path) -> tuple[list[model.Post], list[model.Feed]]:
    """The corpus' stories and feeds, worked out without the writer: (posts, feeds)."""
    settings = config.load(corpus, None, url=SITE)
    raws, _, _ = build.collect(corpus, corpus / ".feedpub-none", settings)
    posts = list(normalizer.normalize(raws, settings).posts)
    feeds, _ = planner.plan(posts, settings)
    return posts, published(feeds, settings)


def test_corpus_archive_documents_are_valid(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    docs = [f for files in archive_files(out).values() for f in files]
    assert len(docs) > 300  # 384 in the corpus: the test cannot pass on nothing
    problems = []
    for rel in docs:
        problems += [f"{rel}: {p}" for p in check_atom(out / rel) + check_feedparser(out / rel)]
        if not read_doc(out, rel).marked:
            problems.append(f"{rel}: no <fh:archive/> in {FH}")
    assert problems == []


def test_corpus_archive_links(
    corpus_build: tuple[Path, str],
    corpus_feeds: tuple[list[model.Post], list[model.Feed]],
) -> None:
    out, _ = corpus_build
    _, feeds = corpus_feeds
    found = archive_files(out)
    archived = {f.folder for f in feeds if f.kind.name != "author"}
    assert set(found) == archived  # every site, source and tag feed; no author feed
    assert not list(out.glob("authors/*/archive"))
    for feed in feeds:
        if feed.kind.name == "author":
            for name in ("feed.xml", "rss.xml"):
                assert prev_archive(out, _feed_file(feed.folder, name)) == []
    problems = [
        p for folder, files in sorted(found.items()) for p in chain_problems(out, folder, files)
    ]
    assert problems == []


def test_corpus_every_post_archived_once(
    corpus_build: tuple[Path, str],
    corpus_feeds: tuple[list[model.Post], list[model.Feed]],
) -> None:
    out, summary = corpus_build
    posts, feeds = corpus_feeds
    found = archive_files(out)
    site = [i for f in found[""] for i in read_doc(out, f).ids]
    assert [i for i, n in Counter(site).items() if n > 1] == []
    m = ENTRIES.search(summary)
    assert m and len(site) == int(m[1]) == len(posts)
    assert set(site) == {p.id for p in posts}
    checked = 0
    for feed in feeds:
        if feed.kind.name == "author":
            continue
        docs = [read_doc(out, f) for f in found[feed.folder]]
        ids = [i for d in docs for i in d.ids]
        members = {p.id for p in posts if feed.name in _members(p, feed.kind.name)}
        assert len(ids) == len(set(ids)), feed.folder
        assert set(ids) == members, feed.folder
        # Each document holds its own period (the site's a month, the others' a year).
        for doc in docs:
            period, _ = _period_and_part(doc.file)
            assert len(period) == (7 if feed.kind.name == "site" else 4), doc.file
            fmt = "%Y-%m" if len(period) == 7 else "%Y"
            assert {t.astimezone(UTC).strftime(fmt) for t in doc.published} == {period}, doc.file
            assert list(doc.published) == sorted(doc.published, reverse=True), doc.file
        checked += len(ids)
    # The site and a source for each story; this corpus' tags are its sources' names,
    # so their feeds are the sources' (one feed per thing).
    assert checked >= 2 * len(posts)


def test_corpus_archives_within_budget(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    sizes = {f: (out / f).stat().st_size for files in archive_files(out).values() for f in files}
    assert sizes and max(sizes.values()) <= BUDGET


# --- small builds ---------------------------------------------------------------------


def write_post(
    folder: Path,
    slug: str,
    when: datetime,
    *,
    title: str,
    url: str,
    author: str = "",
    tags: tuple[str, ...] = (),
    source: str = "",
    body: str = "<p>body</p>",
) -> Path:
    """A post in the scraped-archive format: front matter, marker, link, rule, body."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    lines = ["---", "layout: post", f'title: "{title}"', f"date: {stamp}"]
    if author:
        lines.append(f"author: {author}")
    lines.append(f"from: {url}")
    if tags:
        lines.append(f"tags: [ {', '.join(tags)} ]")
    if source:
        lines.append(f"categories: [ {source} ]")
    marker = int(when.timestamp() * 1000)
    lines += [
        "---",
        f"<!--{marker}-->",
        f"[{title}]({url})",
        "------",
        "",
        f"<div>{body}</div>",
        "",
    ]
    path = folder / f"{when:%Y-%m-%d}-{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def feedpub_build(posts: Path, out: Path, *extra: str) -> tuple[int, int]:
    """Build with a cache beside `out`; (files written, files in all)."""
    code, stdout, stderr = run(
        "build", str(posts), "--out", str(out), "--site-url", SITE, "--cache",
        str(out.parent / "cache"), "--quiet", *extra,
    )  # fmt: skip
    assert code == 0, stderr
    m = WROTE.search(stdout)
    assert m, stdout
    return int(m[1]), int(m[2])


def test_crowded_month_is_split_into_linked_parts(tmp_path: Path) -> None:
    """A low budget splits April's 20 posts into parts, oldest first, all linked."""
    posts = tmp_path / "posts"
    (posts).mkdir()
    toml = 'feed_bytes = 9000\narchive_period = "month"\nmerge_duplicates = false\n'
    (posts / "feedpub.toml").write_text(toml, encoding="utf-8")
    for i in range(20):
        when = datetime(2021, 4, 1 + i, 8, tzinfo=UTC)
        write_post(posts / "_posts", f"april-{i}", when, title=f"April {i}",
                   url=f"https://example.com/april/{i}", source="Src", tags=("T",))  # fmt: skip
    for month in (3, 5):
        when = datetime(2021, month, 10, 8, tzinfo=UTC)
        write_post(posts / "_posts", f"m{month}", when, title=f"Month {month}",
                   url=f"https://example.com/m/{month}", source="Src")  # fmt: skip
    out = tmp_path / "public"
    feedpub_build(posts, out)
    found = archive_files(out)
    site = sorted(found[""], key=_period_and_part)
    april = [f for f in site if "/2021-04" in f]
    assert site[0] == "archive/2021-03.xml" and _plain(site[-1]) == "archive/2021-05.xml"
    assert len(april) >= 3
    assert april == ["archive/2021-04.xml"] + [
        f"archive/2021-04.{n}.xml" for n in range(2, len(april) + 1)
    ]
    source = sorted(found["sources/src"], key=_period_and_part)
    assert [_plain(f) for f in source] == [f"sources/src/{_plain(f)}" for f in site]
    tag = sorted(found["tags/t"], key=_period_and_part)
    assert [_plain(f) for f in tag] == [f"tags/t/{f}" for f in april]
    assert "authors" not in {f.split("/")[0] for f in found}
    for folder, files in found.items():
        assert chain_problems(out, folder, files) == []
        # an archive's web page is its feed's (as for the subscription document)
        page = _alternate(out, _feed_file(folder, "feed.xml"))
        assert page.endswith(("/feed.html", "/index.html")), page
        for rel in files:
            assert check_atom(out / rel) + check_feedparser(out / rel) == []
            assert (out / rel).stat().st_size <= 9000
            assert _alternate(out, rel) == page
    # Oldest first: the parts hold April's posts in order, newest first within each.
    ids = [i for rel in april for i in reversed(read_doc(out, rel).ids)]
    assert ids == [f"https://example.com/april/{i}" for i in range(20)]


class Reader:
    """An RFC 5005 client: it reads the subscription document, walks back through
    the archive documents until one it has read, and never reads that one again."""

    def __init__(self, out: Path) -> None:
        self.out, self.read, self.ids = out, set[str](), set[str]()

    def poll(self) -> None:
        self.ids |= set(read_doc(self.out, "feed.xml").ids)
        doc = next(iter(prev_archive(self.out, "feed.xml")), None)
        while doc is not None and doc not in self.read:
            self.read.add(doc)
            found = read_doc(self.out, doc)
            self.ids |= set(found.ids)
            doc = next(iter(found.links.get("prev-archive", [])), None)


def test_a_reader_that_polls_seldom_misses_no_entry(tmp_path: Path) -> None:
    """More new posts in the newest month than the subscription document holds:
    the reader finds the rest in that month's archive document, which has a new
    address for its new entries (as it had the old one, it would never read it
    again). Late posts in a closed month are not announced (see the README)."""
    posts, out = tmp_path / "posts", tmp_path / "public"
    posts.mkdir()
    (posts / "feedpub.toml").write_text('limit = 3\narchive_period = "month"\n', "utf-8")

    def add(n: int, day: int, month: int = 5) -> None:
        when = datetime(2021, month, day, 8, tzinfo=UTC)
        write_post(posts / "_posts", f"p{n}", when, title=f"P{n}",
                   url=f"https://example.com/{n}", source="Src")  # fmt: skip

    for n in range(6):
        add(n, 1 + n, month=4 if n < 3 else 5)
    feedpub_build(posts, out)
    reader = Reader(out)
    reader.poll()
    assert len(reader.ids) == 6
    for n in range(6, 14):  # eight more in May, three of which the current document shows
        add(n, n + 1)
    feedpub_build(posts, out)
    reader.poll()
    assert reader.ids == {f"https://example.com/{n}" for n in range(14)}
    add(14, 1, month=6)  # June begins: May keeps its entries under its plain name
    feedpub_build(posts, out)
    assert (out / "archive" / "2021-05.xml").is_file()
    assert not any(_is_open(f) for f in archive_files(out)[""] if "2021-05" in f)
    reader.poll()
    assert len(reader.ids) == 15


def test_a_post_dated_into_a_crowded_open_period_reaches_the_reader(tmp_path: Path) -> None:
    """The newest period is split into parts, oldest first; a post dated early in
    it moves entries into later parts. Each part it changes has a new address, so
    a reader walking back reads them all and finds the post."""
    posts, out = tmp_path / "posts", tmp_path / "public"
    posts.mkdir()
    toml = 'limit = 2\narchive_period = "month"\nfeed_bytes = 9000\n'
    (posts / "feedpub.toml").write_text(toml, "utf-8")

    def add(n: int, day: int, month: int = 5) -> None:
        when = datetime(2021, month, day, 8, tzinfo=UTC)
        write_post(posts / "_posts", f"p{n}", when, title=f"P{n}",
                   url=f"https://example.com/{n}", source="Src")  # fmt: skip

    add(0, 10, month=4)
    for n in range(1, 21):
        add(n, 1 + n)
    feedpub_build(posts, out)
    assert len([f for f in archive_files(out)[""] if "2021-05" in f]) >= 3
    reader = Reader(out)
    reader.poll()
    add(21, 1)  # the first of May: the first part takes it, and each part moves on
    feedpub_build(posts, out)
    reader.poll()
    assert reader.ids == {f"https://example.com/{n}" for n in range(22)}


def test_default_periods_site_by_month_others_by_year(tmp_path: Path) -> None:
    """Site: a document per month. Sources and tags: per year, a crowded year in parts."""
    posts = tmp_path / "posts"
    posts.mkdir()
    toml = "feed_bytes = 9000\nmerge_duplicates = false\n"  # the source is the site
    (posts / "feedpub.toml").write_text(toml, encoding="utf-8")
    dates = [datetime(2020, 12, 30, 8, tzinfo=UTC)]
    dates += [datetime(2021, 1 + i % 12, 1 + i, 8, tzinfo=UTC) for i in range(20)]
    for i, when in enumerate(dates):
        write_post(posts / "_posts", f"p-{i}", when, title=f"Post {i}",
                   url=f"https://example.com/p/{i}", source="Src", tags=("T",))  # fmt: skip
    out = tmp_path / "public"
    feedpub_build(posts, out)
    found = archive_files(out)
    months = sorted({f"{d:%Y-%m}" for d in dates})
    assert sorted(_period_and_part(f)[0] for f in found[""]) == months
    for folder in ("sources/src", "tags/t"):
        files = sorted(found[folder], key=_period_and_part)
        assert files[0] == f"{folder}/archive/2020.xml"
        assert [_plain(f) for f in files[1:]] == [f"{folder}/archive/2021.xml"] + [
            f"{folder}/archive/2021.{n}.xml" for n in range(2, len(files))
        ]
        assert len(files) >= 3  # 2021 is crowded: split into linked parts
        assert chain_problems(out, folder, files) == []
        ids = [i for rel in files for i in reversed(read_doc(out, rel).ids)]
        assert ids == [
            f"https://example.com/p/{i}" for i, _ in sorted(enumerate(dates), key=lambda x: x[1])
        ]


def test_archive_parts_with_big_entries_stay_within_budget(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "feedpub.toml").write_text("feed_bytes = 20000\n", encoding="utf-8")
    for i in range(8):  # 8 entries of ~3.2 KB (a 1,000-character CJK title) in one part
        when = datetime(2021, 4, 1 + i, 8, tzinfo=UTC)
        write_post(posts / "_posts", f"long-{i}", when, title=f"{i}" + "长" * 1000,
                   url=f"https://example.com/long/{i}", source="Src")  # fmt: skip
    out = tmp_path / "public"
    feedpub_build(posts, out)
    sizes = {f: (out / f).stat().st_size for files in archive_files(out).values() for f in files}
    assert sizes and max(sizes.values()) <= 20000, sizes


# --- incremental rebuilds ------------------------------------------------------------

# Four months of one source folder of the corpus: 2020-09 .. 2020-12, about 300 posts.
MONTHS = ("2020-09", "2020-10", "2020-11", "2020-12")
OLD_MONTH = "2020-10"  # neither the oldest nor the newest


def copy_months(corpus: Path, posts: Path) -> int:
    archived = corpus / "society" / "archived"
    n = 0
    for folder in sorted(archived.iterdir()):
        if folder.is_dir() and folder.name[:7] in MONTHS:
            shutil.copytree(folder, posts / "archived" / folder.name)
            n += sum(1 for _ in folder.iterdir())
    return n


@pytest.fixture
def society(corpus: Path, tmp_path: Path) -> Path:
    posts = tmp_path / "posts"
    n = copy_months(corpus, posts)
    assert 250 <= n <= 400
    return posts


@pytest.mark.parametrize(("limit", "period"), [(1000, "auto"), (50, "auto"), (50, "month")])
def test_new_post_in_old_month_touches_only_its_period(
    society: Path, limit: int, period: str
) -> None:
    """Adding one post rewrites its feeds' current documents (where it shows) and the
    archive document of its period, plus index.html's counts; nothing else."""
    toml = f'limit = {limit}\narchive_period = "{period}"\n'
    (society / "feedpub.toml").write_text(toml, encoding="utf-8")
    settings = config.load(society, None, url=SITE)
    raws, _, _ = build.collect(society, society / ".none", settings)
    before_posts = normalizer.normalize(raws, settings).posts
    months = Counter(f"{p.published.astimezone(UTC):%Y-%m}" for p in before_posts)
    assert set(MONTHS) <= set(months) and max(months) == MONTHS[-1]
    # The new post copies the identity of the busiest source's post in the old month.
    busiest = Counter(s for p in before_posts for s in p.sources).most_common(1)[0][0]
    model = next(
        p
        for p in before_posts
        if f"{p.published.astimezone(UTC):%Y-%m}" == OLD_MONTH and busiest in p.sources
    )
    assert model.author and model.tags

    out = society.parent / "public"
    feedpub_build(society, out)
    old_tree, old_stamps = tree(out), stamps(out)

    when = datetime(2020, 10, 15, 12, 0, 0, tzinfo=UTC)
    write_post(
        society / "archived" / "2020-10-15", "feedpub-new-story", when, title="A new story",
        url="https://www.youtube.com/watch?v=feedpub-new-1", author=model.author,
        tags=model.tags, source=busiest, body="<p>One more story.</p>",
    )  # fmt: skip
    raws, _, _ = build.collect(society, society / ".none", settings)
    after_posts = normalizer.normalize(raws, settings).posts
    assert len(after_posts) == len(before_posts) + 1
    new = next(p for p in after_posts if p.id == "https://www.youtube.com/watch?v=feedpub-new-1")
    assert f"{new.published.astimezone(UTC):%Y-%m}" == OLD_MONTH
    feeds = published(planner.plan(after_posts, settings)[0], settings)

    expected = {"index.html"}  # the entry counts; feeds.opml lists no counts, no dates changed
    renamed: set[str] = set()
    for feed in feeds:
        if feed.name not in _members(new, feed.kind.name):
            continue
        members = [p.id for p in after_posts if feed.name in _members(p, feed.kind.name)]
        if members.index(new.id) < limit:  # the post shows in the current documents
            expected |= {_feed_file(feed.folder, name) for name in SUBSCRIPTION}
            expected.add(feed.page)  # and in the feed's page
        if feed.kind.name != "author":
            by_month = period == "month" or feed.kind.name == "site"
            name = OLD_MONTH if by_month else OLD_MONTH[:4]
            plain = _feed_file(feed.folder, f"archive/{name}.xml")
            opened = [f for f in old_tree if _is_open(f) and _plain(f) == plain]
            if opened:  # the feed's newest document: renamed for its entries
                expected |= {*opened, MANIFEST}
                renamed |= set(opened)
            else:
                expected.add(plain)
    kinds = {f.kind.name for f in feeds if f.name in _members(new, f.kind.name)}
    assert kinds == {"site", "source", "author"}  # the tag's feed is the source's
    if limit == 1000:  # every feed shows every post: all four kinds' current documents
        n = len([f for f in feeds if f.name in _members(new, f.kind.name)])
        assert {"feed.xml", "rss.xml", "feed.json"} <= expected
        archives = n - 1 + (1 if renamed else 0)  # the manifest, for a renamed one
        assert len(expected) == 1 + 4 * n + archives  # index.html; files and page; archives

    written, _ = feedpub_build(society, out)
    new_tree, new_stamps = tree(out), stamps(out)
    changed = {f for f in old_tree.keys() | new_tree.keys() if old_tree.get(f) != new_tree.get(f)}
    added = {f for f in new_tree.keys() - old_tree.keys() if _is_open(f)}
    assert {_plain(f) for f in added} == {_plain(f) for f in renamed}
    assert changed == expected | added
    assert written == len(expected - renamed - {MANIFEST}) + len(added)
    # Every other file, every other month's archive document above all, was not even rewritten.
    untouched = {f: s for f, s in old_stamps.items() if f not in expected}
    assert {f: new_stamps[f] for f in untouched} == untouched
    archives = [f for f in untouched if "/archive/" in f or f.startswith("archive/")]
    others = len(MONTHS) - 1  # the other months: of the site, or of the site, source and tag
    assert len(archives) >= (3 * others if period == "month" else others)


def test_archive_documents_are_stable(society: Path) -> None:
    """Nothing changed: a warm rebuild, a rebuild after a touch, and a cold rebuild
    (no cache) all rewrite nothing."""
    out = society.parent / "public"
    written, total = feedpub_build(society, out)
    assert written == total
    before = stamps(out)
    assert len([f for f in before if "archive/" in f]) >= len(MONTHS) + 2
    assert feedpub_build(society, out) == (0, total)
    assert stamps(out) == before
    # A new mtime on every post defeats the snapshot: each output is planned again.
    for path in sorted(society.rglob("*.md")):
        path.touch()
    assert feedpub_build(society, out) == (0, total)
    assert stamps(out) == before
    assert feedpub_build(society, out, "--no-cache") == (0, total)
    assert stamps(out) == before


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """450 posts over three years: enough for the build to start its worker pool
    (`workers.PARALLEL_MIN`), and archive documents for every feed."""
    posts = tmp_path_factory.mktemp("crowd") / "posts"
    for i in range(450):
        when = datetime(2019, 1, 1, 8, tzinfo=UTC) + timedelta(days=2.4 * i)
        write_post(
            posts / "_posts", f"post-{i}", when, title=f"Post {i}",
            url=f"https://news.example/{i}", author=f"a{i % 3}", tags=(f"t{i % 4}",),
            source=f"s{i % 2}",
        )  # fmt: skip
    return posts


def test_archives_written_by_the_workers_are_the_same(crowd: Path, tmp_path: Path) -> None:
    """With the pool running, the workers write the archive documents: the output is
    byte for byte a one-process build's, and what is recorded of each file (its size
    and time) is right, so that a rebuild rewrites nothing."""
    pool, alone = tmp_path / "pool" / "public", tmp_path / "alone" / "public"
    written, total = feedpub_build(crowd, pool, "--jobs", "2")
    assert written == total
    assert feedpub_build(crowd, alone, "--jobs", "1") == (total, total)
    assert tree(pool) == tree(alone)
    assert len([f for f in tree(pool) if "archive/" in f]) > 20
    before = stamps(pool)
    for path in sorted(crowd.rglob("*.md")):  # past the snapshot: every output checked
        path.touch()
    assert feedpub_build(crowd, pool, "--jobs", "2") == (0, total)
    assert stamps(pool) == before


def test_an_archive_the_workers_cannot_write_fails_the_build(crowd: Path, tmp_path: Path) -> None:
    """A worker's write error ends the build as one in this process would: exit 1,
    one line naming the file, no traceback."""
    first = tmp_path / "first" / "public"
    feedpub_build(crowd, first, "--jobs", "2")
    rel = sorted(f for f in tree(first) if f.startswith("archive/"))[0]
    out = tmp_path / "public"
    (out / rel).mkdir(parents=True)  # a folder where the document goes
    code, _, stderr = run(
        "build", str(crowd), "--out", str(out), "--site-url", SITE, "--no-cache", "--jobs", "2"
    )
    assert code == 1
    last = stderr.splitlines()[-1]
    assert last.startswith(f"Error: cannot write {out / rel}"), stderr
    assert "Traceback" not in stderr
