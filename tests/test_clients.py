"""Real feed readers' parsers read every feed feedpub writes.

validators.py checks the specs; this checks what a subscriber's reader makes of
the files. Seven parsers from four ecosystems read the sample build and a
representative part of the corpus build (every source's feed in each format,
the site feed, a few archive documents), and must read each document in each
format they support with no error and find the feed's title and the same
entries (id, title, link) as feedparser, the reference. A JSON Feed is held to
feedparser's reading of the Atom feed beside it (feedparser 6.0 reads no JSON).

Each client reads all its files in one process. A client that is not installed
is skipped with the command that installs it; `.ci/run` installs them all.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import POSTS, ROOT, run
from lxml import etree

CLIENTS_DIR = ROOT / "tests" / "clients"
NODE_MODULES = CLIENTS_DIR / "node_modules"
GOPATH = Path("/usr/share/gocode")  # where Debian's golang-*-dev packages put Go sources
ATOM, RSS, JSON = "atom", "rss", "json"

Reading = dict[str, Any]  # {"title", "entries": [{"id", "title", "link"}]} or {"error"}
Readings = dict[Path, Reading]


@dataclass(frozen=True)
class Client:
    name: str
    formats: frozenset[str]
    install: str  # the command that installs it, for the skip reason
    installed: Callable[[], bool]
    read: Callable[[list[Path], Path], Readings]  # (files, a scratch folder) -> readings


def _lines(command: list[str], paths: list[Path], env: dict[str, str] | None = None) -> Readings:
    """Run an adapter over `paths`; it prints one JSON line per file."""
    done = subprocess.run(
        [*command, *map(str, paths)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stderr[-3000:]}"
    readings = {Path(r.pop("path")): r for r in map(json.loads, done.stdout.splitlines())}
    assert readings.keys() == set(paths), f"{command} did not report every file"
    return readings


def _python(client: str) -> Callable[[list[Path], Path], Readings]:
    def read(paths: list[Path], scratch: Path) -> Readings:
        return _lines([sys.executable, str(CLIENTS_DIR / "python_read.py"), client], paths)

    return read


def _node(script: str) -> Callable[[list[Path], Path], Readings]:
    def read(paths: list[Path], scratch: Path) -> Readings:
        return _lines(["node", str(CLIENTS_DIR / script)], paths)

    return read


def _read_gofeed(paths: list[Path], scratch: Path) -> Readings:
    """Build the adapter against Debian's gofeed sources (GOPATH mode: no module proxy)."""
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOFLAGS": ""}
    binary = scratch / "gofeed-read"
    built = subprocess.run(
        ["go", "build", "-o", str(binary), "."],
        cwd=CLIENTS_DIR / "gofeed", capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return _lines([str(binary)], paths)


def _entry_ids(path: Path) -> set[str]:
    tree = etree.parse(str(path))
    ids = tree.xpath("//a:entry/a:id/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    return set(ids) | set(tree.xpath("//item/guid/text()"))


def _read_newsboat(paths: list[Path], scratch: Path) -> Readings:
    """newsboat, the terminal reader, fetches each file through an `exec:cat` URL
    (`-x reload`); its cache database then holds what it read. The cache keys an
    item by its id alone, so files that share ids are read in separate runs."""
    batches: list[tuple[set[str], list[Path]]] = []
    for path in paths:
        ids = _entry_ids(path)
        batch = next((b for b in batches if not b[0] & ids), None)
        if batch is None:
            batches.append((set(ids), [path]))
        else:
            batch[0].update(ids)
            batch[1].append(path)
    readings: Readings = {}
    for number, (_, batch_paths) in enumerate(batches):
        home = scratch / f"newsboat-{number}"
        home.mkdir()
        urls = {}
        for index, path in enumerate(batch_paths):
            link = home / f"{index}.xml"  # a plain name: the URL goes through a shell
            link.symlink_to(path)
            urls[f"exec:cat {shlex.quote(str(link))}"] = path
        (home / "urls").write_text("".join(f'"{url}"\n' for url in urls), encoding="utf-8")
        (home / "config").write_text("", encoding="utf-8")
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
        env["XDG_DATA_HOME"] = str(home)
        done = subprocess.run(
            ["newsboat", "-u", str(home / "urls"), "-c", str(home / "cache.db"),
             "-C", str(home / "config"), "-x", "reload", "-l", "3", "-d", str(home / "log")],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        log = (home / "log").read_text(encoding="utf-8", errors="replace").splitlines()
        with sqlite3.connect(home / "cache.db") as db:
            titles = dict(db.execute("SELECT rssurl, title FROM rss_feed"))
            items = db.execute("SELECT feedurl, guid, title, url FROM rss_item ORDER BY id")
            entries: dict[str, list[dict[str, str]]] = {url: [] for url in urls}
            for feed_url, guid, title, link in items:
                entries[feed_url].append({"id": guid, "title": title, "link": link})
        for url, path in urls.items():
            if url in titles:
                readings[path] = {"title": titles[url], "entries": entries[url]}
            else:
                said = [line for line in log if url in line] or ["not in the cache"]
                readings[path] = {"error": "\n".join(said)}
    return readings


def _importable(module: str) -> Callable[[], bool]:
    def check() -> bool:
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        return done.returncode == 0

    return check


def _node_package(package: str) -> Callable[[], bool]:
    return lambda: bool(shutil.which("node")) and (NODE_MODULES / package).is_dir()


NPM = "npm ci --prefix tests/clients"
CLIENTS = [
    Client("feedparser", frozenset({ATOM, RSS}), "make venv",
           _importable("feedparser"), _python("feedparser")),
    Client("fastfeedparser", frozenset({ATOM, RSS, JSON}), "make venv",
           _importable("fastfeedparser"), _python("fastfeedparser")),
    Client("rss-parser", frozenset({ATOM, RSS}), NPM,
           _node_package("rss-parser"), _node("rss-parser.mjs")),
    Client("feed-extractor", frozenset({ATOM, RSS, JSON}), NPM,
           _node_package("@extractus/feed-extractor"), _node("feed-extractor.mjs")),
    Client("feedsmith", frozenset({ATOM, RSS, JSON}), NPM,
           _node_package("feedsmith"), _node("feedsmith.mjs")),
    Client("gofeed", frozenset({ATOM, RSS, JSON}),
           "apt-get install golang-go golang-github-mmcdole-gofeed-dev",
           lambda: bool(shutil.which("go")) and (GOPATH / "src/github.com/mmcdole/gofeed").is_dir(),
           _read_gofeed),
    Client("newsboat", frozenset({ATOM, RSS}), "apt-get install newsboat",
           lambda: bool(shutil.which("newsboat")), _read_newsboat),
]  # fmt: skip


def _format(path: Path) -> str:
    if path.suffix == ".json":
        return JSON
    with path.open("rb") as file:
        head = file.read(1024)
    return RSS if b"<rss" in head else ATOM


def _reference_path(path: Path) -> Path:
    """The document whose feedparser reading `path` is held to."""
    return path.with_name("feed.xml") if _format(path) == JSON else path


@dataclass(frozen=True)
class Documents:
    """A build's documents to read, with feedparser's readings as the reference."""

    paths: list[Path]
    scratch: Path  # the build's folder: paths are reported relative to it
    reference: Readings


def _documents(paths: list[Path], scratch: Path) -> Documents:
    paths = sorted(paths)
    reference = _python("feedparser")(sorted({_reference_path(p) for p in paths}), scratch)
    return Documents(paths, scratch, reference)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    out = tmp_path_factory.mktemp("sample") / "public"
    code, _, stderr = run("build", str(POSTS), "--out", str(out), "--no-cache", "--quiet")
    assert code == 0, stderr
    paths = [p for p in out.rglob("*") if p.suffix in (".xml", ".json")]
    paths = [p for p in paths if not p.name.startswith(".")]
    return _documents(paths, out.parent)


@pytest.fixture(scope="module")
def corpus_documents(corpus_build: tuple[Path, str]) -> Documents:
    out, _ = corpus_build
    names = ("feed.xml", "rss.xml", "feed.json")
    paths = [out / name for name in names]
    paths += [p for name in names for p in out.glob(f"sources/*/{name}")]
    archives = sorted((out / "archive").glob("*.xml"))
    paths += [archives[0], archives[len(archives) // 2], archives[-1]]
    paths += sorted(out.glob("sources/*/archive/*.xml"))[:3]
    return _documents(paths, out.parent)


def _words(text: object) -> str:
    return " ".join(str(text or "").split())


def _url(link: object) -> tuple[str, ...]:
    """A link as a reader follows it: scheme and host in any case, a default port or
    none, and no utm_ tracking parameters (feed-extractor drops them)."""
    parts = urlsplit(_words(link))
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = str(parts.port if parts.port not in (None, default) else "")
    host = (parts.hostname or "").lower()
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("utm_"))
    return parts.scheme.lower(), host, port, parts.path, query, parts.fragment


def _entries(reading: Reading) -> list[tuple[str, str, tuple[str, ...]]]:
    entries = reading["entries"]
    return sorted((_words(e["id"]), _words(e["title"]), _url(e["link"])) for e in entries)


def _differences(reading: Reading, reference: Reading) -> list[str]:
    if "error" in reading:
        return [f"error: {reading['error'][:1000]}"]
    if "error" in reference:
        return [f"feedparser's error: {reference['error'][:1000]}"]
    problems = []
    if not _words(reading["title"]) or _words(reading["title"]) != _words(reference["title"]):
        problems.append(f"feed title {reading['title']!r}, feedparser: {reference['title']!r}")
    got, want = _entries(reading), _entries(reference)
    if len(got) != len(want):
        problems.append(f"{len(got)} entries, feedparser: {len(want)}")
    missing = [e for e in want if e not in got]
    extra = [e for e in got if e not in want]
    if missing or extra:
        problems.append(f"entries differ: feedparser's {missing[:3]} read as {extra[:3]}")
    if any(not (e["id"] and e["title"] and e["link"]) for e in reading["entries"]):
        problems.append("an entry without an id, a title or a link")
    return problems


def _check(client: Client, documents: Documents) -> None:
    if not client.installed():
        pytest.skip(f"{client.name} is not installed: {client.install}")
    paths = [p for p in documents.paths if _format(p) in client.formats]
    assert paths, f"no documents in the formats {client.name} reads"
    scratch = documents.scratch / client.name
    scratch.mkdir(exist_ok=True)
    # feedparser is the reference: its readings of these files are already there.
    readings = documents.reference if client.name == "feedparser" else client.read(paths, scratch)
    root = documents.scratch
    problems = [
        f"{path.relative_to(root)}: {problem}"
        for path in paths
        for problem in _differences(readings[path], documents.reference[_reference_path(path)])
    ]
    assert not problems, f"{client.name} reads {len(problems)} documents otherwise:\n" + "\n".join(
        problems[:20]
    )


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_client_reads_sample_feeds(client: Client, sample: Documents) -> None:
    _check(client, sample)


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_client_reads_corpus_feeds(client: Client, corpus_documents: Documents) -> None:
    _check(client, corpus_documents)
