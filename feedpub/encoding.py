"""Bytes to text: UTF-8 (with or without a BOM), UTF-16/32 with a BOM, else the better
of UTF-8 and GB18030, the scraped archives' other encoding. Never raises."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .problems import Problem
from .text import hash_number

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)


@dataclass(frozen=True)
class Decoded:
    text: str  # LF line endings, no BOM
    encoding: str  # "utf-8", "gb18030", "utf-16-le", ...
    replaced: int  # undecodable byte sequences, now U+FFFD
    first_bad: int  # offset in the bytes of the first byte that was not UTF-8, -1 if none


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode_bytes(data: bytes) -> Decoded:
    """Decode a post: UTF-8 (BOM or not), UTF-16/32 with a BOM, else the better of
    UTF-8 and GB18030 with undecodable bytes replaced. Never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, "replace")
            return Decoded(_lf(text), codec, text.count("\ufffd"), 0)
    try:
        return Decoded(_lf(data.decode("utf-8-sig")), "utf-8", 0, -1)
    except UnicodeDecodeError as e:
        first_bad = e.start
    utf8 = data.decode("utf-8-sig", "replace")
    bad_utf8 = utf8.count("\ufffd") - data.count("\ufffd".encode())
    gbk = data.decode("gb18030", "replace")
    bad_gbk = gbk.count("\ufffd") - data.count("\ufffd".encode("gb18030"))
    if bad_gbk < bad_utf8 and not _cut_short(data, first_bad):
        return Decoded(_lf(gbk), "gb18030", max(bad_gbk, 0), first_bad)
    return Decoded(_lf(utf8), "utf-8", max(bad_utf8, 1), first_bad)


def _cut_short(data: bytes, first_bad: int) -> bool:
    """Whether `data` is UTF-8 but for its last character, cut short (a file truncated
    mid-character: its GB18030 reading, one byte sequence fewer replaced, made mojibake
    of every Chinese character before, `中文` as `涓枃`)."""
    if len(data) - first_bad > 3:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def body_digest(data: bytes, decoded: Decoded, start: int) -> int:
    """The hash of the text from `start` on, as UTF-8: of the file's own bytes from
    there when the text is them decoded unchanged (UTF-8, no BOM, no CR), as nearly
    every post is, rather than of the text encoded again. A number, ordered as its
    hexadecimal `content_hash`: 40 bytes less than the string in every reading."""
    text = decoded.text
    if (
        decoded.encoding == "utf-8"
        and decoded.first_bad < 0
        and not data.startswith(codecs.BOM_UTF8)
        and b"\r" not in data
    ):
        return hash_number(memoryview(data)[len(text[:start].encode()) :])
    return hash_number(text[start:].encode("utf-8", "surrogatepass"))


def decode(data: bytes) -> tuple[str, str]:
    """Text (LF line endings) and the encoding used; see `decode_bytes`."""
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


def problem(path: str, data: bytes, decoded: Decoded) -> Problem:
    line = 1
    if decoded.first_bad > 0:
        line = _lf(data[: decoded.first_bad].decode("utf-8-sig", "replace")).count("\n") + 1
    replaced = (
        f"; {decoded.replaced} undecodable byte sequence(s) replaced by U+FFFD"
        if decoded.replaced
        else ""
    )
    if decoded.encoding.startswith("utf-16") or decoded.encoding.startswith("utf-32"):
        msg = f"{decoded.encoding.upper()} with a byte-order mark; decoded{replaced}"
    elif decoded.encoding == "gb18030":
        msg = f"not UTF-8 (first at line {line}); decoded as GB18030{replaced}"
    else:
        msg = f"not valid UTF-8 (first at line {line}); decoded as UTF-8{replaced}"
    return Problem(path, line, 0, "FP004", msg)
