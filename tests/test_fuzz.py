"""Property tests where parsing meets the world: the post reader on any bytes,
and the whole build on small random post sets. Nothing may raise, every string
that reaches a feed must be one XML can carry, every problem must point into
the file."""

from __future__ import annotations

import codecs
import json
import tempfile
import unicodedata
from pathlib import Path

from conftest import run
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_build import check_all

from feedpub import collector, encoding
from feedpub.problems import CODES
from feedpub.text import ILLEGAL_XML, TERMINAL_CODES, unescape_references

# --- strategies ---------------------------------------------------------------------

# Characters that break things: XML-forbidden controls, YAML-forbidden ones, line
# breaks YAML sees and we do not, BOMs, surrogate-adjacent and non-characters.
NASTY = "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\u2028\u2029\ufeff\ufffd\ufffe\uffff"
YAML_BITS = [
    ": ", " #", "[", "]", "{", "}", ",", "&a", "*a", "!", "!!str ", "!!binary ", "|", ">",
    "'", '"', "\\x08", "\\0", "\\u", "%", "@", "`", "- ", "? ", "---", "...", "\t", "  ",
    "&#8;", "&amp;", "&#x26;", "&#38", "&lt",  # references, decoded in names and titles
]  # fmt: skip
KEYS = ["title", "date", "tags", "categories", "author", "from", "published", "layout", "x"]

scalar_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(NASTY),
        st.sampled_from(YAML_BITS),
    ),
    max_size=20,
).map("".join)
values = st.one_of(
    scalar_text,
    st.sampled_from(
        [
            "2021-04-10T08:44:53.510Z", "2021-13-45", "2021-04-10", "1618094400000", "true",
            "false", "null", "~", "[ a, b ]", "[ 1, '', null, [x] ]", "a, b, c", "{ name: x }",
            '"quoted \\x08 \\0"', "'single ''quoted'''", "&x [ *x ]", "!!timestamp 2021-99-99",
            "9" * 40, "-1e999", "[" * 60,
        ]
    ),
    scalar_text.map(lambda s: f'"{s}"'),
    st.lists(scalar_text, max_size=4).map(lambda xs: "[ " + ", ".join(xs) + " ]"),
)  # fmt: skip
line = st.one_of(
    st.tuples(st.sampled_from(KEYS), values).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(st.sampled_from(KEYS), st.lists(values, max_size=3)).map(
        lambda kv: kv[0] + ":\n" + "".join(f"  - {v}\n" for v in kv[1])
    ),
    scalar_text,
    st.just("# expect: nothing"),
)
preamble = st.lists(
    st.sampled_from(
        ["<!--1618094400000-->", "<!--NaN-->", "<!-- x -->", "[Link](https://e.org/a)", "------"]
    ),
    max_size=3,
)
body = st.lists(
    st.one_of(scalar_text, st.sampled_from(["<p>a & b ]]> c</p>", "<div>", "# md", "---"])),
    max_size=5,
)


@st.composite
def post_bytes(draw: st.DrawFn) -> bytes:
    """Something like a post: front matter, preamble, body, any line endings and encoding."""
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["---", "--- ", "...", "", "----", "\ufeff---"])))
        parts += draw(st.lists(line, max_size=8))
        if draw(st.integers(0, 9)):
            parts.append(draw(st.sampled_from(["---", "...", "--- "])))
    parts += draw(preamble) + draw(body)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(parts)
    if draw(st.booleans()):  # mixed line endings
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])), 1)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding, "replace")
    if draw(st.integers(0, 4)) == 0:  # a stray byte somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


# --- the reader ---------------------------------------------------------------------------


def check_read(data: bytes) -> collector.Reading:
    """`parse` returns a post or problems (never raises); everything in it is sound."""
    read = collector.parse("2021-04-10-fuzz.md", data)
    assert isinstance(read, collector.Reading)
    assert read.post is not None or read.problems
    lines = encoding.decode(data)[0].count("\n") + 2
    for p in read.problems:
        assert p.code in CODES
        assert p.path == "2021-04-10-fuzz.md"
        assert 1 <= p.line <= lines, p
        assert p.col >= 0
        assert str(p).count("\n") == 0
        json.dumps(p.as_dict(), ensure_ascii=False).encode()
    post = read.post
    if post is not None:
        strings = [post.title, post.author, post.url, post.link_text, *post.tags]
        strings += post.categories
        for s in strings:
            assert isinstance(s, str)
            assert not ILLEGAL_XML.search(s), (s, read.problems)
            assert s == s.strip()
        assert post.title
        text, _ = encoding.decode(data)
        assert 0 <= post.body_start <= len(text)
        assert post.encoding
    return read


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"---")
@example(b"---\n---")
@example(b"---\n\x00")
@example(b"\xff\xfe")
@example(b"\x00\x00\xfe\xff")
@example(b"---\ntitle: " + b"[" * 5000 + b"\n---\n")
@example(b"---\ntags: &a [ *a ]\ntitle: *a\nauthor: *a\ndate: *a\n---\n")
@example(b"---\ndate: 2021-02-30\ntitle: !!binary x\n---\n")
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    check_read(data)


@settings(max_examples=600, deadline=None)
@given(post_bytes())
@example(b"---\ntitle: [0: \n---")  # (PyYAML's mark past the front matter's last line)
def test_parse_never_raises_on_post_like_bytes(data: bytes) -> None:
    check_read(data)


body_text = st.text(
    st.sampled_from(
        ["a", "字", " ", "\n", "<", "\t", "\x01", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff"]
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(body_text, st.sampled_from(["", "\x7f", "\x90"]))
def test_utf8_files_are_read_as_their_crlf_and_bom_copies(body: str, front: str) -> None:
    """A body's hash and the characters XML forbids do not depend on a BOM or CRLF
    line ends (the hash is what merges copies of a story)."""
    text = f"---\ntitle: t{front}\n---\n{body}"
    plain = collector.parse("p.md", text.encode())
    assert plain.post is not None
    forbidden = bool(ILLEGAL_XML.search(text)) or bool(front)
    assert ("FP201" in {p.code for p in plain.problems}) == forbidden
    for data in (codecs.BOM_UTF8 + text.encode(), text.replace("\n", "\r\n").encode()):
        other = collector.parse("p.md", data)
        assert other.post is not None
        assert other.post.body_digest == plain.post.body_digest
        assert {p.code for p in other.problems} - {"FP004"} == {p.code for p in plain.problems}


@settings(max_examples=300, deadline=None)
@given(body_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "invalid"]))
def test_forbidden_characters_are_found_in_every_encoding(body: str, codec: str) -> None:
    """FP201 counts the characters XML forbids in the decoded text, and points at
    the first, whether the bytes of strict UTF-8 were scanned or the text itself."""
    text = f"---\ntitle: t\n---\n{body}"
    data = text.encode() + b"\xff" if codec == "invalid" else text.encode(codec)
    found = ILLEGAL_XML.findall(encoding.decode_bytes(data).text)
    read = collector.parse("p.md", data)
    fp201 = [p for p in read.problems if p.code == "FP201" and "control character" in p.message]
    if not found:
        assert not fp201
        return
    assert len(fp201) == 1
    assert fp201[0].message.startswith(f"{len(found)} control character(s)")
    assert f"(first U+{ord(found[0]):04X})" in fp201[0].message


@settings(max_examples=300, deadline=None)
@given(body_text, st.sampled_from(["中", "文", "é", "😀"]), st.integers(1, 3))
def test_a_utf8_file_cut_mid_character_is_read_as_utf8(body: str, last: str, cut: int) -> None:
    """A file truncated in its last character (scrapers cut files short) is UTF-8 with
    that character replaced: its GB18030 reading, one replacement fewer, had turned
    every Chinese character before into mojibake (`中文` as `涓枃`)."""
    text = f"---\ntitle: Notes on 中文 typography\n---\n{body}"
    whole = (text + last).encode()
    if cut >= len(last.encode()):
        return
    decoded = encoding.decode_bytes(whole[:-cut])
    assert (decoded.encoding, decoded.text) == ("utf-8", text + "\ufffd")
    read = collector.parse("p.md", whole[:-cut])
    assert read.post is not None and read.post.title == "Notes on 中文 typography"


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar, every character but printable ASCII escaped."""
    out = []
    for c in text:
        n = ord(c)
        if 0x20 <= n < 0x7F and c not in '"\\':
            out.append(c)
        else:
            out.append(
                f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
            )
    return '"' + "".join(out) + '"'


@given(st.lists(scalar_text, min_size=1, max_size=5), scalar_text)
@example(["\uf900"], "")  # a CJK compatibility ideograph, which NFC changes
@example(["\ufffc"], "")  # an editor's stand-in for a picture (found by Hypothesis)
@settings(max_examples=300, deadline=None)
def test_names_and_title_reach_the_post_clean(tags: list[str], title: str) -> None:
    """Whatever YAML escapes (or character references) put in a value comes out
    without forbidden characters, and is reported."""
    quoted = ", ".join(yaml_quote(t) for t in tags)
    data = f"---\ntitle: {yaml_quote(title)}\ntags: [ {quoted} ]\n---\nbody\n".encode()
    read = check_read(data)
    assert read.post is not None
    decoded = [unescape_references(t) for t in [title, *tags]]
    # Names are NFC, so two spellings are one feed (a CJK compatibility ideograph
    # becomes its unified one); U+FFFC, an editor's stand-in for a picture, goes, and
    # a terminal's codes with the ESC that starts them.
    bare = [ILLEGAL_XML.sub("", TERMINAL_CODES.sub("", t)) for t in decoded[1:]]
    cleaned = [unicodedata.normalize("NFC", t.replace("\ufffc", "").strip()) for t in bare]
    assert set(read.post.tags) == {t for t in cleaned if t}
    if any(ILLEGAL_XML.search(t) for t in decoded):
        assert "FP201" in {p.code for p in read.problems}


# --- the whole pipeline ---------------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(post_bytes(), min_size=1, max_size=5), st.lists(scalar_text, max_size=5))
def test_build_never_raises_and_feeds_stay_valid(posts: list[bytes], names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "posts"
        folder.mkdir()
        for i, data in enumerate(posts):
            (folder / f"2021-04-{10 + i:02d}-p{i}.md").write_bytes(data)
        for i, name in enumerate(names):  # hostile tag names in a good post
            tag = json.dumps(name)
            (folder / f"2021-05-{10 + i:02d}-t{i}.md").write_text(
                f"---\ntitle: T{i}\ndate: 2021-05-01T00:00:00Z\nfrom: https://e.org/{i}\n"
                f"tags: [ {tag} ]\ncategories: [ {tag} ]\nauthor: {tag}\n---\n<p>x</p>\n",
                encoding="utf-8",
            )
        out = Path(tmp) / "out"
        code, stdout, stderr = run(
            "build", str(folder), "--out", str(out), "--site-url", "https://example.org",
            "--no-cache", "--jobs", "1",
        )  # fmt: skip
        assert code == 0, stderr
        assert stdout.startswith("Done:")
        assert check_all(out) == []
        for path in out.rglob("*"):
            assert path.resolve().is_relative_to(out.resolve())
        code, _, _ = run("check", str(folder), "--format", "json")
        assert code in (0, 1)
