"""WebSub: hub and self links in every feed, and `feedpub ping` against a hub on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from conftest import run
from lxml import etree

from feedpub import websub
from feedpub.config import Settings
from feedpub.formats import url_of

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://example.org"


class Hub:
    """A WebSub hub that records each publish request and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, list[tuple[str, str]]]] = []  # (content type, form)
        self.status = 204
        self.reason: str | None = None  # the status line's text (None: the standard one)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                form = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
                hub.requests.append((self.headers.get("Content-Type", ""), form))
                self.send_response(hub.status, hub.reason)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def announced(self) -> list[str]:
        return [value for _, form in self.requests for key, value in form if key == "hub.url"]


@pytest.fixture
def hub() -> Iterator[Hub]:
    hub = Hub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.server.shutdown()
        hub.server.server_close()
        thread.join(5)


def write_posts(site: Path, hub_url: str) -> Path:
    posts = site / "_posts"
    posts.mkdir(parents=True)
    for n, (source, tag) in enumerate([("A", "x"), ("B", "x"), ("B", "y")], start=1):
        (posts / f"2021-01-0{n}-p{n}.md").write_text(
            f'---\ntitle: "Post {n}"\ndate: 2021-01-0{n}T03:04:05Z\n'
            f"from: https://example.com/{n}\ncategories: [ {source} ]\ntags: [ {tag} ]\n"
            f"author: Writer {n}\n---\n<p>Body {n}</p>\n",
            encoding="utf-8",
        )
    toml = f'url = "{SITE}"\nhub = "{hub_url}"\nmerge_duplicates = false\n'  # 8 feeds, 3 alike
    (site / "feedpub.toml").write_text(toml, encoding="utf-8")
    return posts


def build(posts: Path, out: Path, cache: Path) -> list[str]:
    """Build; return the feed files written."""
    code, _, stderr = run("build", str(posts), "--out", str(out), "--cache", str(cache), "-q")
    assert code == 0, stderr
    return websub.changed_feeds(cache).feeds


def feeds_in(out: Path) -> list[str]:
    names = ("feed.xml", "rss.xml", "feed.json")
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in names)


def test_every_feed_has_hub_and_self_links(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, hub.url)
    out = tmp_path / "out"
    build(posts, out, tmp_path / "cache")
    settings = Settings(url=SITE)
    files = feeds_in(out)
    assert len(files) == 3 * 8  # site, 2 sources, 2 tags, 3 authors
    for rel in files:
        self_url = url_of(settings, rel)
        if rel.endswith(".json"):
            doc = json.loads((out / rel).read_text(encoding="utf-8"))
            assert doc["hubs"] == [{"type": "WebSub", "url": hub.url}], rel
            assert doc["feed_url"] == self_url, rel
            continue
        root = etree.parse(str(out / rel)).getroot()
        links = root.findall(f"{ATOM}link") or root.findall(f"channel/{ATOM}link")
        rels = {link.get("rel"): link.get("href") for link in links}
        assert rels["hub"] == hub.url, rel
        assert rels["self"] == self_url, rel


def test_ping_announces_exactly_the_changed_feeds(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, hub.url)
    out, cache = tmp_path / "out", tmp_path / "cache"
    written = build(posts, out, cache)
    assert written == feeds_in(out)  # the first build writes every feed

    code, stdout, stderr = run("ping", str(posts), "--cache", str(cache))
    assert code == 0, stderr
    expected = [url_of(Settings(url=SITE), rel) for rel in written]
    assert hub.announced == expected
    for content_type, form in hub.requests:  # one publish request per feed URL
        assert content_type == "application/x-www-form-urlencoded"
        assert [key for key, _ in form] == ["hub.mode", "hub.url"]
        assert form[0] == ("hub.mode", "publish")
    assert [line.split()[:2] for line in stdout.splitlines()[:-1]] == [
        ["published", url] for url in expected
    ]
    assert stdout.splitlines()[-1] == f"Announced 24 of 24 changed feeds to {hub.url}."

    # Retitle post 3: only the feeds that hold it change.
    post = posts / "2021-01-03-p3.md"
    post.write_text(post.read_text("utf-8").replace("Post 3", "Post 3, revised"), "utf-8")
    hub.requests.clear()
    written = build(posts, out, cache)
    holders = ["", "sources/b/", "tags/y/", "authors/writer-3/"]
    assert written == sorted(
        f"{h}{name}" for h in holders for name in ("feed.json", "feed.xml", "rss.xml")
    )
    assert run("ping", str(posts), "--cache", str(cache))[0] == 0
    assert hub.announced == [url_of(Settings(url=SITE), rel) for rel in written]

    # Nothing changed: nothing to announce.
    hub.requests.clear()
    assert build(posts, out, cache) == []
    code, stdout, _ = run("ping", str(posts), "--cache", str(cache))
    assert code == 0
    assert hub.requests == []
    assert "Nothing to announce" in stdout


def test_ping_skips_non_feed_files(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    written = ["feed.xml", "index.html", "feeds.opml", "feed.xsl", "tags/x/rss.xml", "x.json"]
    (cache / "last-build.json").write_text(json.dumps({"written": written}), encoding="utf-8")
    assert websub.changed_feeds(cache) == websub.LastBuild(["feed.xml", "tags/x/rss.xml"], None)


def test_ping_with_out_skips_feeds_no_longer_there(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, hub.url)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(posts, out, cache)
    (out / "feed.json").unlink()
    assert run("ping", str(posts), "--cache", str(cache), "--out", str(out))[0] == 0
    assert len(hub.announced) == 23
    assert f"{SITE}/feed.json" not in hub.announced


def test_ping_refuses_another_site_url_than_the_builds(tmp_path: Path, hub: Hub) -> None:
    """A trial built with --site-url and pinged without: 192 URLs of the config's site,
    none of which that build changed, went to the hub. The build's URL is kept."""
    posts = write_posts(tmp_path, hub.url)
    cache = tmp_path / "cache"
    args = ("--out", str(tmp_path / "out"), "--cache", str(cache), "-q")
    assert run("build", str(posts), *args, "--site-url", "https://me.example/feeds/")[0] == 0
    code, stdout, stderr = run("ping", str(posts), "--cache", str(cache))
    assert (code, stdout, hub.requests) == (1, "", [])
    assert stderr == (
        "Error: the last build wrote its feeds for https://me.example/feeds/, not"
        f" {SITE}/: give `ping` the settings the build had (--site-url, --feeds-url, --config)\n"
    )
    given = ("--site-url", "https://me.example/feeds/")
    assert run("ping", str(posts), "--cache", str(cache), *given)[0] == 0
    assert hub.announced[0].startswith("https://me.example/feeds/")


def test_hub_flag_overrides_the_config(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, "https://hub.invalid/")
    cache = tmp_path / "cache"
    build(posts, tmp_path / "out", cache)
    code, _, stderr = run("ping", str(posts), "--cache", str(cache), "--hub", hub.url)
    assert code == 0, stderr
    assert len(hub.announced) == 24
    # ... but the feeds name another hub: said (a trial pinged feeds that named none)
    assert stderr == (
        "Warning: the last build's feeds name the hub https://hub.invalid/: readers"
        " subscribe at the hub a feed names, so set `hub` in feedpub.toml and build again\n"
    )
    (posts.parent / "feedpub.toml").write_text(f'url = "{SITE}"\n', encoding="utf-8")
    build(posts, tmp_path / "out", cache)
    code, _, stderr = run("ping", str(posts), "--cache", str(cache), "--hub", hub.url)
    assert code == 0 and stderr.startswith(
        'Warning: the last build\'s feeds name no hub (rel="hub"): readers'
    ), stderr


def test_refusal_exits_1(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, hub.url)
    cache = tmp_path / "cache"
    build(posts, tmp_path / "out", cache)
    hub.status = 400
    code, stdout, stderr = run("ping", str(posts), "--cache", str(cache))
    assert code == 1
    assert stdout.startswith(f"refused {SITE}/authors/writer-1/feed.json (400 Bad Request)")
    assert "the hub refused 24 of 24 feeds" in stderr
    hub.reason = "No\r::error::injected \x1b]0;title\x07"  # a line of its own, a terminal's title
    code, stdout, _ = run("ping", str(posts), "--cache", str(cache))
    assert code == 1 and "\r" not in stdout and "\x1b" not in stdout
    assert "(400 No\\x0d::error::injected \\x1b]0;title\\x07)" in stdout


def test_unreachable_hub_exits_1(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    posts = write_posts(tmp_path, f"http://127.0.0.1:{port}/")
    cache = tmp_path / "cache"
    build(posts, tmp_path / "out", cache)
    code, _, stderr = run("ping", str(posts), "--cache", str(cache))
    assert code == 1
    assert "is unreachable" in stderr
    assert "24 of 24 feeds not announced" in stderr


def test_a_hub_that_answers_no_http_is_unreachable_in_one_line(tmp_path: Path) -> None:
    """A reply that is not HTTP (a bad status line) is no answer: one line, exit 1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def garbage() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"\x00\xffgarbage\r\n\r\n")

    posts = write_posts(tmp_path, f"http://127.0.0.1:{port}/")
    cache = tmp_path / "cache"
    build(posts, tmp_path / "out", cache)
    answering = threading.Thread(target=garbage)
    answering.start()
    try:
        code, _, stderr = run("ping", str(posts), "--cache", str(cache))
    finally:
        answering.join(10)
        server.close()
    assert code == 1
    assert stderr.count("\n") == 1 and stderr.startswith(f"Error: hub http://127.0.0.1:{port}/")
    assert "is unreachable: " in stderr and "24 of 24 feeds not announced" in stderr


@pytest.mark.parametrize(
    ("hub", "wrong"),
    [("http://[::1", "must be an absolute"), ("http://a b/", "must be a plain"),
     ("http://.../", "must be an absolute"), ("http://h/?x=1#f", "must be a plain")],
)  # fmt: skip
def test_a_hub_flag_is_checked_as_the_setting_is(tmp_path: Path, hub: str, wrong: str) -> None:
    posts = write_posts(tmp_path, "")
    code, _, stderr = run("ping", str(posts), "--hub", hub, "--cache", str(tmp_path / "c"))
    assert code == 2
    assert stderr.startswith(f"Error: --hub: {wrong}") and stderr.count("\n") == 1


def test_ping_with_an_output_folder_that_is_not_there_is_a_usage_error(
    tmp_path: Path, hub: Hub
) -> None:
    posts = write_posts(tmp_path, hub.url)
    build(posts, tmp_path / "out", tmp_path / "cache")
    code, _, stderr = run(
        "ping", str(posts), "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "ou")
    )
    assert code == 2
    assert stderr == f"Error: --out {tmp_path / 'ou'}: no such folder (the build's output folder)\n"
    assert hub.requests == []


def test_no_hub_is_a_usage_error(tmp_path: Path) -> None:
    posts = write_posts(tmp_path, "")
    code, _, stderr = run("ping", str(posts), "--cache", str(tmp_path / "cache"))
    assert code == 2
    assert "no WebSub hub" in stderr


def test_hub_must_be_http(tmp_path: Path) -> None:
    posts = write_posts(tmp_path, "file:///etc/passwd")
    code, _, stderr = run("ping", str(posts), "--cache", str(tmp_path / "cache"))
    assert code == 2
    assert "hub: must be an absolute http(s) URL" in stderr


def test_ping_before_any_build_exits_1(tmp_path: Path, hub: Hub) -> None:
    posts = write_posts(tmp_path, hub.url)
    code, _, stderr = run("ping", str(posts), "--cache", str(tmp_path / "none"))
    assert code == 1
    assert "run `feedpub build` first" in stderr
    assert hub.requests == []


def test_ping_help() -> None:
    code, stdout, _ = run("ping", "--help")
    assert code == 0
    assert "--hub" in stdout and "--cache" in stdout
