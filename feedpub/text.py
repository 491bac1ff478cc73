"""Small helpers about text: characters XML 1.0 cannot carry, hashes, escaping,
indented JSON, where a YAML error is, and how deep a body's markup nests."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from html.entities import html5

# C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_C0 = bytes(range(0x20)).translate(None, b"\t\n\r")  # the C0 controls XML forbids


def first_illegal(text: str, utf8: bytes | None = None) -> re.Match[str] | None:
    """The first character of `text` that XML 1.0 forbids, if any.

    `utf8`: the bytes `text` was decoded from as strict UTF-8 (line ends aside).
    They hold such a character only as a C0 control, one byte in UTF-8, and the
    text only as U+FFFE or U+FFFF (strict UTF-8 has no surrogates): scans at C
    speed, in half the time of the regular expression's over the whole text.
    """
    if (
        utf8 is not None
        and len(utf8.translate(None, _C0)) == len(utf8)
        and "\ufffe" not in text
        and "\uffff" not in text
    ):
        return None
    return ILLEGAL_XML.search(text)


def content_hash(data: bytes | memoryview) -> str:
    """The hash files are known by: SHA-256 (twice as quick as BLAKE2b where the CPU
    has SHA instructions), cut to 128 bits."""
    return hashlib.sha256(data).hexdigest()[:32]


def hash_number(data: bytes | memoryview) -> int:
    """`content_hash` as a number (ordered as the hexadecimal string is)."""
    return int.from_bytes(hashlib.sha256(data).digest()[:16])


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # compact: the C encoder
_LONE = re.compile("[\ud800-\udfff]")


def compact_json(value: object) -> bytes:
    """`value` as one line of JSON (and a newline), UTF-8: a report's file."""
    return json_utf8(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")


def json_utf8(text: str) -> bytes:
    """JSON text as UTF-8, each lone surrogate written as a JSON escape: a file name's
    bytes that are not UTF-8 come to Python as surrogates, which UTF-8 cannot
    encode, and JSON gives them back as they were."""
    return _LONE.sub(lambda m: f"\\u{ord(m[0]):04x}", text).encode()


def indented_json(value: object, indent: int, depth: int = 1) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=indent)`, for a feed's head and the
    manifest. json's own indenting encoder is closures that call each other: a
    reference cycle per call, which a build never frees (`workers.paused_gc`)."""
    if not isinstance(value, dict | list) or not value:
        return _JSON(value)
    inner = "\n" + " " * (indent * depth)
    if isinstance(value, dict):
        parts = [f"{_JSON(k)}: {indented_json(v, indent, depth + 1)}" for k, v in value.items()]
    else:
        parts = [indented_json(v, indent, depth + 1) for v in value]
    ends = "{}" if isinstance(value, dict) else "[]"
    outer = "\n" + " " * (indent * (depth - 1))
    return ends[0] + inner + ("," + inner).join(parts) + outer + ends[1]


def xml_text(value: str) -> str:
    """Character data escaped as `xml.sax.saxutils.escape` does (whose module imports
    urllib.request, http and ssl: a tenth of a small build's start-up)."""
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_attr(value: str) -> str:
    """An attribute value quoted as `xml.sax.saxutils.quoteattr` does."""
    value = xml_text(value).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (lxml refuses them), and without
    the terminal's colour and title codes their ESC starts (a user trial: a title
    `ESC [31m red` read "[31m red")."""
    if not ILLEGAL_XML.search(text):
        return text
    return ILLEGAL_XML.sub("", TERMINAL_CODES.sub("", text))


# ECMA-48's control sequences (CSI: `ESC [ 31 m`) and operating system commands
# (OSC: `ESC ] 0;title BEL`), as a terminal reads them; within a line, so that the
# front matter's lines keep their numbers.
TERMINAL_CODES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\))")


# A complete character reference, `;` and all: decimal, hexadecimal or named. The
# digits are bounded, as int() refuses over 4,300 decimal ones (html.unescape raises).
_REFERENCE = re.compile(
    r"&(?:#([0-9]{1,32})|#[xX]([0-9a-fA-F]{1,32})|([a-zA-Z][a-zA-Z0-9]{0,31}));"
)


def unescape_references(text: str) -> str:
    """`text` with its complete character references decoded, once.

    Scrapers escape plain text as if it were HTML (`AT&#38;T`). Only whole
    references count, so the text people write stays as written: `AT&T`,
    `R&D`, `a&lt b` (html.unescape would decode `&lt` and `&ampfoo;`).
    `&amp;#38;` becomes `&#38;`. A reference to a character XML forbids gives
    that character, for `xml_safe` to remove and the caller to count, as if it
    had been written raw (html.unescape would drop it without a trace).
    """
    return _REFERENCE.sub(_decode_reference, text) if "&" in text else text


def _decode_reference(ref: re.Match[str]) -> str:
    decimal, hexadecimal, name = ref.groups()
    if name is not None:
        return html5.get(name + ";", ref[0])
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code < 0x110000 and ILLEGAL_XML.match(chr(code)):
        return chr(code)
    return unescape(ref[0])  # HTML's rules: `&#150;` is windows-1252's en dash, ...


# YAML errors found at the end of something left open (a quote, a bracket, a key
# without its colon): the line that opened it is the one to fix.
_OPENED_AT = frozenset(
    {
        "while scanning a simple key",
        "while scanning a quoted scalar",
        "while parsing a quoted scalar",
        "while parsing a flow sequence",
        "while parsing a flow mapping",
        "while scanning a flow sequence",
        "while scanning a flow mapping",
    }
)


def yaml_mark(error: Exception) -> tuple[int, int] | None:
    """Where a PyYAML error is to be fixed, as 0-based (line, column) of its text,
    or None if it has no mark. Duck-typed, so this module needs no YAML."""
    mark = getattr(error, "problem_mark", None)
    opened = getattr(error, "context_mark", None)
    if mark is not None and opened is not None and getattr(error, "context", None) in _OPENED_AT:
        mark = opened if opened.line < mark.line else mark
    return (mark.line, mark.column) if mark is not None else None


# How deep a body may nest. libxml2's HTML parser (lxml) drops, without an error,
# everything nested beyond ~2,046 elements; the deepest body of the 10,321-post
# corpus nests 33 deep. Far above real content, far below the parser's limit.
NESTING_LIMIT = 512
# Elements that never hold others: they add no depth.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
# A tag: `/` if it ends an element, its name, and what follows up to its `>`
# (quoted values may hold `>`; a quote left open ends the tag: no backtracking).
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']+|\"[^\"]*\"|'[^']*')*)>?")


def nesting_depth(html: str, start: int = 0) -> int:
    """How deep the elements of `html[start:]` nest, estimated from its tags alone:
    the collector needs it without lxml, and lxml cannot tell (it fails on depth).

    An end tag closes the latest open element of its name and all opened after
    it, and is ignored when none is open, as libxml2 does; `<x/>` closes at
    once, as libxml2 does too. Elements never closed count to the end, so tag
    soup may come out deeper than a parser would make it, never shallower.
    """
    stack: list[str] = []
    open_: dict[str, int] = {}
    deepest = 0
    for end, name, rest in TAG.findall(html, start):
        name = name.lower()
        if end:
            if open_.get(name):
                while (top := stack.pop()) != name:
                    open_[top] -= 1
                open_[name] -= 1
        elif name not in _VOID and not rest.endswith("/"):
            stack.append(name)
            open_[name] = open_.get(name, 0) + 1
            deepest = max(deepest, len(stack))
    return deepest


def too_deep(html: str, start: int = 0) -> int:
    """`nesting_depth(html, start)` if it is over NESTING_LIMIT, else 0.

    The walk over the tags costs a third of reading a post; a body with no more
    start tags than the limit cannot nest beyond it, and counting is nearly
    free: `<` first, `</` (twice as slow) only for the 243 bodies of the
    corpus with more `<` than the limit; 45 of its 10,321 need the walk.
    """
    tags = html.count("<", start)
    if tags <= NESTING_LIMIT or tags - html.count("</", start) <= NESTING_LIMIT:
        return 0
    depth = nesting_depth(html, start)
    return depth if depth > NESTING_LIMIT else 0


MAX_ATTRIBUTES = 5_000  # in one start tag: libxml2 checks each against the others
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_LONG_TAG = re.compile(rf"<[a-zA-Z][^>]{{{3 * MAX_ATTRIBUTES}}}")
_NAME = re.compile(r"[\s/][^\s\"'=>/]+")  # a name, after white space or a `/`


def crowded(html: str, start: int = 0) -> int:
    """How many attributes the most crowded start tag of `html[start:]` holds, if
    over MAX_ATTRIBUTES, else 0: the parser's time grows with their square (a
    1.9 MB tag of them took 40 s). A shorter tag cannot hold so many names."""
    if len(html) - start < 3 * MAX_ATTRIBUTES:
        return 0
    if html.count("=", start) < MAX_ATTRIBUTES and not _LONG_TAG.search(html, start):
        return 0  # the common case: cheap tests (quoted `>` need an `=`)
    tags = [t for t in TAG.findall(html, start) if len(t[2]) >= 3 * MAX_ATTRIBUTES]
    most = max((len(_NAME.findall(_QUOTED.sub(" ", t[2]))) for t in tags), default=0)
    return most if most > MAX_ATTRIBUTES else 0


def printed(value: object) -> str:
    """A YAML scalar as Jekyll prints it (Ruby's `to_s`): `true`, not Python's `True`;
    nil as nothing; `1.0e+20`, not `1e+20`. The text of a title, tag or author that
    YAML typed, and of a config value an include prints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "NaN" if value != value else ("-" if value < 0 else "") + "Infinity"
        if 1e15 <= abs(value) < 1e16 and value.is_integer():  # Ruby writes these as 1.0e+15
            digits = repr(abs(value)).replace(".", "").rstrip("0")
            return f"{'-' if value < 0 else ''}{digits[0]}.{digits[1:] or '0'}e+15"
        found = repr(value)
        mantissa, e, exponent = found.partition("e")
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else found
    if isinstance(value, bytes):  # YAML's `!!binary`: Ruby prints its bytes, not `b'…'`
        return value.decode("utf-8", "replace")
    return str(value)


class RubyFloat(float):
    """A number that prints as Ruby's (`1.0e+20`): a config's, in an include."""

    def __str__(self) -> str:
        return printed(float(self))


def indent_at(text: str, at: int) -> str:
    """The white space before `at` on its line, if nothing else is (a list item's):
    looked at back to the first other character, not to the line's start."""
    start = at
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return text[start:at] if start == 0 or text[start - 1] == "\n" else ""


def dedented(code: str, indent: str) -> str:
    """`code` with `indent` taken off the lines that start with it: a block inside a
    list item keeps the indentation its lines have relative to each other."""
    if not indent:
        return code
    cut = len(indent)
    return "\n".join(ln[cut:] if ln.startswith(indent) else ln for ln in code.split("\n"))
