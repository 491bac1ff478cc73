"""Spec checkers for the files feedpub writes.

Each ``check_*`` function takes the path of a written file and returns a list of
problems, one human-readable string each; an empty list means the file passed.
Tests use them as ``assert check_atom(path) == []`` so that a failure prints every
problem at once.

Sources:

* Atom: RFC 4287. The RELAX NG schema in ``schemas/atom.rng`` is the RFC's own
  Appendix B schema (``schemas/atom.rnc``) converted with Trang; ``check_atom``
  adds in Python what RELAX NG cannot say: the Schematron rules of Appendix B and
  the prose rules of sections 3.3, 4.1.1, 4.1.2, 4.1.3.2 and 4.2.6.
* RSS: the RSS 2.0 specification, https://www.rssboard.org/rss-specification.
* JSON Feed: https://www.jsonfeed.org/version/1.1/, as the JSON Schema in
  ``schemas/jsonfeed-1.1.json`` plus Python checks for dates, URLs and ids.
* OPML: OPML 2.0, http://opml.org/spec2.opml (subscription lists).

A few checks are stricter than the specs, on purpose, because they are promises
feedpub makes: XML files must be UTF-8, every RSS item needs a unique guid,
entry/item ids must be unique in a feed, and links must be absolute (or, in
Atom, resolvable against an ``xml:base``).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import jsonschema
from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
A = f"{{{ATOM_NS}}}"

# XML 1.0 section 2.2, production [2] Char, negated.
_ILLEGAL_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHAR_REF = re.compile(r"&#(?:x([0-9A-Fa-f]+)|([0-9]+));")
_XML_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']""")

# RFC 3339 section 5.6 date-time. ``strict`` is the Atom form (RFC 4287 section 3.3:
# an uppercase "T" and "Z"); JSON Feed takes RFC 3339 as written, where T and Z
# may be lower case.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_RFC3339_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")

# RFC 822 section 5 date-time, as the RSS 2.0 spec asks for, with RFC 1123's
# four-digit years also allowed. The single-letter military zones are left out:
# RFC 1123 section 5.2.14 notes that RFC 822 got their sign backwards.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RFC822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?"
    r"\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:\d{2}|\d{4}) "
    r"\d{2}:\d{2}(?::\d{2})? "
    r"(?:UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[+-]\d{4})$"
)

# RFC 3986 scheme, and the characters that may never appear in an IRI (RFC 3987
# section 2.2: no space, controls, or the "unwise" characters of RFC 2396).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')
_JSON_EXTENSION_KEY = re.compile(r"^_[A-Za-z]")
_JSON_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # as $defs/url in the schema


# ---------------------------------------------------------------------------
# shared helpers


def _where(el: etree._Element) -> str:
    """``line N: <tag>`` for messages about one element."""
    tag = etree.QName(el).localname if isinstance(el.tag, str) else "?"
    return f"line {el.sourceline}: <{tag}>"


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _illegal_chars(text: str) -> list[str]:
    """XML 1.0 forbids most C0 controls, surrogates, U+FFFE and U+FFFF, raw or as refs."""
    problems = []
    # split on "\n" only: str.splitlines() would also split on the very
    # controls (\x0b, \x0c, \x1c-\x1e) this is looking for.
    for lineno, line in enumerate(text.split("\n"), 1):
        for m in _ILLEGAL_XML_CHAR.finditer(line):
            problems.append(
                f"line {lineno}: character U+{ord(m.group()):04X} is not allowed in XML"
            )
        for m in _CHAR_REF.finditer(line):
            code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
            if code > 0x10FFFF or _ILLEGAL_XML_CHAR.match(chr(code)):
                problems.append(
                    f"line {lineno}: character reference {m.group()} is to a character "
                    "XML does not allow"
                )
    return problems


def _parse_xml(path: Path) -> tuple[etree._ElementTree | None, list[str]]:
    """Parse ``path`` as UTF-8 XML; problems if it is not UTF-8 or not well-formed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [f"cannot read {path}: {exc}"]
    problems: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ["file is UTF-16 (byte-order mark); feeds must be UTF-8"]
    m = _XML_DECL_ENCODING.match(data)
    if m and m.group(1).decode("ascii", "replace").lower() not in ("utf-8", "utf8"):
        problems.append(f"XML declaration says encoding={m.group(1).decode()!r}, not UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [*problems, f"not UTF-8: {exc}"]
    problems += _illegal_chars(text)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False
    )
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        return None, [*problems, f"not well-formed XML: {exc}"]
    if tree.docinfo.doctype:
        problems.append(f"unexpected DOCTYPE {tree.docinfo.doctype!r}")
    problems += _check_prefixes(tree)
    return tree, problems


# Namespaces of the extensions feeds commonly use, by their customary prefix. A
# prefix bound to a near miss (a typo, a missing trailing slash) makes readers
# silently drop the element, so a document that uses one of these prefixes must
# bind it to the namespace its spec gives.
KNOWN_PREFIXES = {
    "atom": ATOM_NS,
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "fh": "http://purl.org/syndication/history/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "media": "http://search.yahoo.com/mrss/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


def _check_prefixes(tree: etree._ElementTree) -> list[str]:
    problems = []
    for el in tree.getroot().iter(etree.Element):
        parent = el.getparent()
        inherited = parent.nsmap if parent is not None else {}
        for prefix, uri in el.nsmap.items():
            if inherited.get(prefix) == uri:
                continue  # reported where it was declared
            if prefix in KNOWN_PREFIXES and uri != KNOWN_PREFIXES[prefix]:
                problems.append(
                    f"{_where(el)} binds {prefix}: to {uri!r}, not {KNOWN_PREFIXES[prefix]!r}"
                )
    return problems


def _is_absolute_url(value: str, *, web: bool = False) -> bool:
    """An absolute URI (scheme and, for http(s), a host); ``web`` demands http(s)."""
    if not value or value != value.strip() or _NOT_IN_IRI.search(value):
        return False
    if not _SCHEME.match(value):
        return False
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.hostname)
    return not web


def _check_rfc3339(value: str, what: str, *, strict: bool) -> list[str]:
    """Problems with an RFC 3339 date-time; ``strict`` applies RFC 4287 section 3.3."""
    m = _RFC3339.match(value)
    if not m:
        if _RFC3339_NAIVE.match(value.strip()):
            return [f"{what}: {value!r} has no time zone (RFC 3339 needs Z or ±hh:mm)"]
        return [f"{what}: {value!r} is not an RFC 3339 date-time"]
    if strict and ("t" in value or value.endswith("z")):
        return [f"{what}: {value!r}: RFC 4287 section 3.3 needs an uppercase T and Z"]
    # RFC 3339 allows a leap second (:60); datetime does not.
    normal = value.upper()
    if m.group(6) == "60":
        normal = normal[:17] + "59" + normal[19:]
    try:
        datetime.fromisoformat(normal)
    except ValueError as exc:
        return [f"{what}: {value!r} is not a real date-time: {exc}"]
    return []


# ---------------------------------------------------------------------------
# Atom


@cache
def _atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


def _base(el: etree._Element) -> str | None:
    """The xml:base in scope at ``el`` (section 2 of RFC 4287, XML Base), or None."""
    chain = []
    node: etree._Element | None = el
    while node is not None:
        b = node.get(f"{{{XML_NS}}}base")
        if b is not None:
            chain.append(b)
        node = node.getparent()
    base: str | None = None
    for b in reversed(chain):
        base = urljoin(base, b) if base else b
    return base if base and _SCHEME.match(base) else None


def _check_atom_iri_ref(el: etree._Element, value: str, what: str) -> list[str]:
    """An IRI reference that must end up absolute once xml:base is applied."""
    if _NOT_IN_IRI.search(value.strip()) or value != value.strip():
        return [f"{_where(el)} {what} {value!r} is not a valid IRI reference"]
    if _SCHEME.match(value):
        return [] if _is_absolute_url(value) else [f"{_where(el)} {what} {value!r} is malformed"]
    base = _base(el)
    if base is None:
        return [f"{_where(el)} {what} {value!r} is relative and no xml:base is in scope"]
    return []


def _check_atom_container(el: etree._Element, kind: str, *, required: bool) -> list[str]:
    """Cardinality, dates, ids and links of an atom:feed, atom:entry or atom:source."""
    problems: list[str] = []
    counts = Counter(etree.QName(c).localname for c in el if etree.QName(c).namespace == ATOM_NS)
    exactly_one = ("id", "title", "updated") if required else ()
    for name in exactly_one:
        if counts[name] != 1:
            problems.append(
                f"{_where(el)} {kind} must have exactly one atom:{name}, has {counts[name]}"
            )
    for name in ("generator", "icon", "logo", "rights", "subtitle", "content", "published",
                 "source", "summary", "id", "title", "updated"):  # fmt: skip
        if counts[name] > 1:
            problems.append(
                f"{_where(el)} {kind} has {counts[name]} atom:{name}, at most one allowed"
            )

    for name in ("updated", "published"):
        for d in el.findall(A + name):
            problems += _check_rfc3339(_text(d), f"{_where(d)}", strict=True)

    for id_el in el.findall(A + "id"):
        value = _text(id_el)
        if not _is_absolute_url(value):
            problems.append(
                f"{_where(id_el)} {value!r} is not an absolute IRI (RFC 4287 section 4.2.6)"
            )

    alternates: Counter[tuple[str | None, str | None]] = Counter()
    for link in el.findall(A + "link"):
        href = link.get("href")
        if href is not None:
            problems += _check_atom_iri_ref(link, href, "href")
        if link.get("rel", "alternate") == "alternate":
            alternates[(link.get("type"), link.get("hreflang"))] += 1
    for (typ, lang), n in alternates.items():
        if n > 1:
            problems.append(
                f"{_where(el)} {kind} has {n} rel=alternate links with type={typ!r} "
                f"hreflang={lang!r} (RFC 4287 sections 4.1.1, 4.1.2)"
            )
    for name in ("icon", "logo"):
        for u in el.findall(A + name):
            problems += _check_atom_iri_ref(u, _text(u), "IRI")
    for g in el.findall(A + "generator"):
        if g.get("uri") is not None:
            problems += _check_atom_iri_ref(g, g.get("uri", ""), "uri")
    for person in (*el.findall(A + "author"), *el.findall(A + "contributor")):
        for u in person.findall(A + "uri"):
            problems += _check_atom_iri_ref(u, _text(u), "IRI")
    return problems


def _is_xml_media_type(media_type: str) -> bool:
    mt = media_type.split(";")[0].strip().lower()
    return mt.endswith(("/xml", "+xml"))


def _check_atom_entry(entry: etree._Element, feed_has_author: bool) -> list[str]:
    problems = _check_atom_container(entry, "atom:entry", required=True)
    has_author = (
        entry.find(A + "author") is not None or entry.find(f"{A}source/{A}author") is not None
    )
    if not feed_has_author and not has_author:
        problems.append(f"{_where(entry)} atom:entry has no atom:author and neither has its feed")
    content = entry.find(A + "content")
    if content is None:
        # Appendix B Schematron rule; a link with no rel is rel=alternate (4.2.7.2).
        if not any(
            link.get("rel", "alternate") == "alternate" for link in entry.findall(A + "link")
        ):
            problems.append(
                f"{_where(entry)} atom:entry has neither atom:content nor a rel=alternate link"
            )
    else:
        src = content.get("src")
        typ = content.get("type", "text")
        if src is not None:
            problems += _check_atom_iri_ref(content, src, "src")
            if content.get("type") in ("text", "html", "xhtml"):
                problems.append(
                    f"{_where(content)} content with src= must have a media type, not {typ!r} "
                    "(RFC 4287 section 4.1.3.2)"
                )
        needs_summary = src is not None or (
            typ not in ("text", "html", "xhtml")
            and not typ.lower().startswith("text/")
            and not _is_xml_media_type(typ)
        )
        if needs_summary and entry.find(A + "summary") is None:
            problems.append(
                f"{_where(entry)} atom:entry with out-of-line or base64 content needs an "
                "atom:summary (RFC 4287 section 4.1.2)"
            )
    for source in entry.findall(A + "source"):
        problems += _check_atom_container(source, "atom:source", required=False)
    return problems


def check_atom(path: Path) -> list[str]:
    """Problems with an Atom 1.0 document (RFC 4287); [] when valid."""
    tree, problems = _parse_xml(path)
    if tree is None:
        return problems
    root = tree.getroot()
    if root.tag not in (A + "feed", A + "entry"):
        return [*problems, f"root element is {root.tag!r}, not atom:feed or atom:entry"]

    schema = _atom_schema()
    if not schema.validate(tree):
        problems += [f"line {e.line}: RELAX NG: {e.message}" for e in schema.error_log]

    if root.tag == A + "entry":
        return problems + _check_atom_entry(root, feed_has_author=False)

    problems += _check_atom_container(root, "atom:feed", required=True)
    feed_has_author = root.find(A + "author") is not None
    entries = root.findall(A + "entry")
    for entry in entries:
        problems += _check_atom_entry(entry, feed_has_author)
    ids = Counter(_text(i) for e in entries for i in e.findall(A + "id"))
    problems += [f"entry id {i!r} is used by {n} entries" for i, n in ids.items() if n > 1]
    return problems


# ---------------------------------------------------------------------------
# RSS 2.0

# Elements of the RSS 2.0 spec, which have no namespace, by parent.
_RSS_CHANNEL = {
    "title", "link", "description", "language", "copyright", "managingEditor",
    "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud",
    "ttl", "image", "rating", "textInput", "skipHours", "skipDays", "item",
}  # fmt: skip
_RSS_ITEM = {
    "title", "link", "description", "author", "category", "comments", "enclosure",
    "guid", "pubDate", "source",
}  # fmt: skip
_RSS_CHILDREN: dict[str, set[str]] = {
    "rss": {"channel"},
    "channel": _RSS_CHANNEL,
    "item": _RSS_ITEM,
    "image": {"url", "title", "link", "width", "height", "description"},
    "textInput": {"title", "description", "name", "link"},
    "skipHours": {"hour"},
    "skipDays": {"day"},
}
_RSS_REPEATABLE = {"category", "item", "hour", "day", "enclosure"}
_EMAIL = re.compile(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+")
_WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def _check_rfc822(el: etree._Element) -> list[str]:
    value = _text(el)
    what = _where(el)
    if not _RFC822.match(value):
        return [f"{what} {value!r} is not an RFC 822 date-time"]
    try:
        when = parsedate_to_datetime(value)
    except (ValueError, TypeError) as exc:
        return [f"{what} {value!r} is not a real date: {exc}"]
    if when.tzinfo is None:
        return [f"{what} {value!r} has no time zone (-0000 means unknown)"]
    day = value[:3] if value[:3] in _DAYS else None
    if day is not None and _DAYS[when.weekday()] != day:
        return [f"{what} {value!r}: that date is a {_DAYS[when.weekday()]}, not a {day}"]
    return []


def _check_rss_structure(el: etree._Element) -> list[str]:
    """Unknown un-namespaced elements, and RSS elements given more than once."""
    problems: list[str] = []
    name = etree.QName(el).localname
    allowed = _RSS_CHILDREN.get(name)
    counts: Counter[str] = Counter()
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comment or processing instruction
        qn = etree.QName(child)
        if qn.namespace is not None:
            continue  # extension element, e.g. atom:link, media:thumbnail, content:encoded
        if allowed is None or qn.localname not in allowed:
            problems.append(
                f"{_where(child)} is not an RSS 2.0 element of <{name}> and has no namespace"
            )
            continue
        counts[qn.localname] += 1
        problems += _check_rss_structure(child)
    for child_name, n in counts.items():
        if n > 1 and child_name not in _RSS_REPEATABLE:
            problems.append(f"{_where(el)} has {n} <{child_name}> elements, at most one allowed")
    return problems


def _check_url_el(el: etree._Element | None, web: bool = True) -> list[str]:
    if el is None:
        return []
    value = _text(el)
    if not _is_absolute_url(value, web=web):
        return [f"{_where(el)} {value!r} is not an absolute http(s) URL"]
    return []


def _check_email_el(el: etree._Element | None) -> list[str]:
    """author, managingEditor and webMaster hold an email address, e.g. ``a@b.org (Ada)``."""
    if el is None or _EMAIL.search(_text(el)):
        return []
    return [
        f"{_where(el)} {_text(el)!r} has no email address "
        "(RSS 2.0 wants one here; a bare name belongs in dc:creator)"
    ]


def check_rss(path: Path) -> list[str]:
    """Problems with an RSS 2.0 document (rssboard.org spec); [] when valid."""
    tree, problems = _parse_xml(path)
    if tree is None:
        return problems
    rss = tree.getroot()
    if rss.tag != "rss":
        return [*problems, f"root element is {rss.tag!r}, not <rss> (with no namespace)"]
    if rss.get("version") != "2.0":
        problems.append(f'<rss version={rss.get("version")!r}>, must be "2.0"')
    problems += _check_rss_structure(rss)
    channels = rss.findall("channel")
    if len(channels) != 1:
        return [*problems, f"<rss> must have exactly one <channel>, has {len(channels)}"]
    channel = channels[0]

    for name in ("title", "link", "description"):
        found = channel.findall(name)
        if len(found) != 1:
            problems.append(f"<channel> must have exactly one <{name}>, has {len(found)}")
        elif name != "description" and not _text(found[0]).strip():
            problems.append(f"{_where(found[0])} is empty")
    problems += _check_url_el(channel.find("link"))
    problems += _check_url_el(channel.find("docs"), web=False)
    for name in ("pubDate", "lastBuildDate"):
        for d in channel.findall(name):
            problems += _check_rfc822(d)
    for name in ("managingEditor", "webMaster"):
        problems += _check_email_el(channel.find(name))
    for ttl in channel.findall("ttl"):
        if not _text(ttl).strip().isdigit():
            problems.append(f"{_where(ttl)} {_text(ttl)!r} is not a whole number of minutes")
    for image in channel.findall("image"):
        for name in ("url", "title", "link"):
            if image.find(name) is None:
                problems.append(f"{_where(image)} has no <{name}>")
        problems += _check_url_el(image.find("url"))
        problems += _check_url_el(image.find("link"))
        for name, most in (("width", 144), ("height", 400)):
            for size in image.findall(name):
                v = _text(size).strip()
                if not v.isdigit() or not 0 < int(v) <= most:
                    problems.append(f"{_where(size)} {v!r} must be a number from 1 to {most}")
    for hour in channel.findall("skipHours/hour"):
        if _text(hour).strip() not in {str(h) for h in range(24)}:
            problems.append(f"{_where(hour)} {_text(hour)!r} is not an hour from 0 to 23")
    for day in channel.findall("skipDays/day"):
        if _text(day).strip() not in _WEEKDAYS:
            problems.append(f"{_where(day)} {_text(day)!r} is not a day name")

    guids: Counter[str] = Counter()
    for item in channel.findall("item"):
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"{_where(item)} has neither <title> nor <description>")
        problems += _check_url_el(item.find("link"))
        problems += _check_url_el(item.find("comments"))
        for d in item.findall("pubDate"):
            problems += _check_rfc822(d)
        problems += _check_email_el(item.find("author"))
        for enc in item.findall("enclosure"):
            for attr in ("url", "length", "type"):
                if enc.get(attr) is None:
                    problems.append(f"{_where(enc)} has no {attr}= attribute")
            url = enc.get("url")
            if url is not None and not _is_absolute_url(url, web=True):
                problems.append(f"{_where(enc)} url={url!r} is not an absolute http(s) URL")
            length = enc.get("length")
            if length is not None and not length.strip().isdigit():
                problems.append(f"{_where(enc)} length={length!r} is not a number of bytes")
        for source in item.findall("source"):
            url = source.get("url")
            if url is None or not _is_absolute_url(url, web=True):
                problems.append(f"{_where(source)} url={url!r} is not an absolute http(s) URL")
        guid_els = item.findall("guid")
        if not guid_els:
            problems.append(f"{_where(item)} has no <guid>")
        for guid in guid_els:
            value = _text(guid)
            if not value.strip():
                problems.append(f"{_where(guid)} is empty")
                continue
            guids[value] += 1
            perma = guid.get("isPermaLink", "true")
            if perma not in ("true", "false"):
                problems.append(f"{_where(guid)} isPermaLink={perma!r}, must be true or false")
            elif perma == "true" and not _is_absolute_url(value, web=True):
                problems.append(
                    f"{_where(guid)} {value!r} is a permalink (isPermaLink defaults to true) "
                    "but not an absolute http(s) URL"
                )
    problems += [f"guid {g!r} is used by {n} items" for g, n in guids.items() if n > 1]

    for link in rss.iter(A + "link"):
        href = link.get("href")
        if href is None or not _is_absolute_url(href, web=True):
            problems.append(f"{_where(link)} href={href!r} is not an absolute http(s) URL")
    return problems


# ---------------------------------------------------------------------------
# JSON Feed 1.1


@cache
def _jsonfeed_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


_BAD_JSON_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen = Counter(k for k, _ in pairs)
    dupes = [k for k, n in seen.items() if n > 1]
    if dupes:
        raise ValueError(f"duplicate keys {dupes}")
    return dict(pairs)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _json_strings(value: Any, where: str) -> list[tuple[str, str]]:
    """Every string in a JSON value (keys too) with its JSON-pointer-ish path."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += [(f"{where}/{k}", k), *_json_strings(v, f"{where}/{k}")]
        return out
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _json_strings(v, f"{where}/{i}")]
    return []


_JSONFEED_URL_KEYS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
_JSONFEED_ITEM_URL_KEYS = ("url", "external_url", "image", "banner_image")


def _authors(obj: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    authors = obj.get("authors")
    if isinstance(authors, list):
        out += [(f"{where}/authors/{i}", a) for i, a in enumerate(authors) if isinstance(a, dict)]
    if isinstance(obj.get("author"), dict):  # JSON Feed 1.0 form, deprecated in 1.1
        out.append((f"{where}/author", obj["author"]))
    return out


def _schema_message(err: jsonschema.ValidationError) -> str | None:
    """A JSON Schema error as ``where: what``, in JSON Feed's words where that helps.

    None for date patterns: check_jsonfeed's own date check says more.
    """
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    defs = _jsonfeed_validator().schema["$defs"]
    if err.validator == "pattern" and err.schema is defs["date"]:
        return None
    if err.validator == "pattern" and err.schema is defs["url"]:
        return f"{where}: {err.instance!r} is not an absolute URL"
    if err.validator == "anyOf" and all(
        set(s) == {"required"} for s in err.validator_value if isinstance(s, dict)
    ):
        names = [n for s in err.validator_value for n in s["required"]]
        return f"{where}: needs at least one of {', '.join(names)}"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        schema = err.schema if isinstance(err.schema, dict) else {}
        known = set(schema.get("properties", {}))
        extra = sorted(
            k for k in err.instance if k not in known and not _JSON_EXTENSION_KEY.match(k)
        )
        return (
            f"{where}: unknown member(s) {extra}: not in JSON Feed 1.1, and extension "
            "names start with _ and a letter"
        )
    return f"{where}: {err.message}"


def check_jsonfeed(path: Path) -> list[str]:
    """Problems with a JSON Feed 1.1 document; [] when valid."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"cannot read {path}: {exc}"]
    if data.startswith(b"\xef\xbb\xbf"):
        return ["file starts with a UTF-8 byte-order mark (RFC 8259 section 8.1 forbids it)"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8: {exc}"]
    try:
        feed = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except ValueError as exc:
        return [f"not valid JSON: {exc}"]

    errors = sorted(_jsonfeed_validator().iter_errors(feed), key=lambda e: list(e.path))
    problems = [m for m in map(_schema_message, errors) if m is not None]
    if not isinstance(feed, dict):
        return problems

    for where, s in _json_strings(feed, ""):
        for m in _BAD_JSON_CHAR.finditer(s):
            problems.append(
                f"{where.lstrip('/') or '(top)'}: has control or non-character "
                f"U+{ord(m.group()):04X}"
            )

    def url(value: Any, where: str) -> None:
        # The schema has already reported values without a scheme.
        if isinstance(value, str) and _JSON_URL.match(value) and not _is_absolute_url(value):
            problems.append(f"{where}: {value!r} is not an absolute URL")

    for key in _JSONFEED_URL_KEYS:
        url(feed.get(key), key)
    for where, author in _authors(feed, ""):
        url(author.get("url"), f"{where}/url")
        url(author.get("avatar"), f"{where}/avatar")
    hubs = feed.get("hubs")
    if isinstance(hubs, list):
        for i, hub in enumerate(hubs):
            if isinstance(hub, dict):
                url(hub.get("url"), f"hubs/{i}/url")
    if feed.get("next_url") is not None and feed.get("next_url") == feed.get("feed_url"):
        problems.append("next_url must not be the same as feed_url")

    items = feed.get("items")
    ids: Counter[str] = Counter()
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        at = f"items/{i}"
        if isinstance(item.get("id"), str):
            if not item["id"].strip():
                problems.append(f"{at}/id: is empty")
            ids[item["id"]] += 1
        for key in _JSONFEED_ITEM_URL_KEYS:
            url(item.get(key), f"{at}/{key}")
        for where, author in _authors(item, at):
            url(author.get("url"), f"{where}/url")
            url(author.get("avatar"), f"{where}/avatar")
        attachments = item.get("attachments")
        if isinstance(attachments, list):
            for j, att in enumerate(attachments):
                if isinstance(att, dict):
                    url(att.get("url"), f"{at}/attachments/{j}/url")
        for key in ("date_published", "date_modified"):
            if isinstance(item.get(key), str):
                problems += _check_rfc3339(item[key], f"{at}/{key}", strict=False)
    problems += [f"item id {k!r} is used by {n} items" for k, n in ids.items() if n > 1]
    return problems


# ---------------------------------------------------------------------------
# feedparser


def check_feedparser(path: Path) -> list[str]:
    """feedparser must read the file without setting ``bozo``.

    The file is parsed from its bytes, so its name and suffix play no part.
    feedparser 6.0 reads Atom and RSS only: use this on XML feeds.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"cannot read {path}: {exc}"]
    result = feedparser.parse(data)
    if result.get("bozo"):
        error = result.get("bozo_exception")
        return [f"bozo: {type(error).__name__}: {error}"]
    return []


# ---------------------------------------------------------------------------
# OPML 2.0


def check_opml(path: Path) -> list[str]:
    """Problems with an OPML 2.0 subscription list; [] when valid."""
    tree, problems = _parse_xml(path)
    if tree is None:
        return problems
    opml = tree.getroot()
    if opml.tag != "opml":
        return [*problems, f"root element is {opml.tag!r}, not <opml> (with no namespace)"]
    if opml.get("version") != "2.0":
        problems.append(f'<opml version={opml.get("version")!r}>, must be "2.0"')
    heads, bodies = opml.findall("head"), opml.findall("body")
    if len(heads) != 1:
        problems.append(f"<opml> must have exactly one <head>, has {len(heads)}")
    if len(bodies) != 1:
        problems.append(f"<opml> must have exactly one <body>, has {len(bodies)}")
    for other in opml:
        if isinstance(other.tag, str) and other.tag not in ("head", "body"):
            problems.append(f"{_where(other)} is not allowed in <opml>")
    for head in heads:
        titles = head.findall("title")
        if len(titles) != 1 or not _text(titles[0]).strip():
            problems.append(f"{_where(head)} must have one non-empty <title>")
        for name in ("dateCreated", "dateModified"):
            for d in head.findall(name):
                problems += _check_rfc822(d)
    for body in bodies:
        if body.find("outline") is None:
            problems.append(f"{_where(body)} has no <outline>")
        for child in body.iter():
            if child is body or not isinstance(child.tag, str):
                continue
            if child.tag != "outline":
                problems.append(f"{_where(child)} is not allowed in <body>; only <outline>")
                continue
            if child.get("text") is None:
                problems.append(f"{_where(child)} has no text= attribute")
            if child.get("type") == "rss":
                if not (child.get("text") or "").strip():
                    problems.append(f"{_where(child)} type=rss outline has an empty text=")
                xml_url = child.get("xmlUrl")
                if xml_url is None:
                    problems.append(f"{_where(child)} type=rss outline has no xmlUrl=")
                elif not _is_absolute_url(xml_url, web=True):
                    problems.append(
                        f"{_where(child)} xmlUrl={xml_url!r} is not an absolute http(s) URL"
                    )
                html_url = child.get("htmlUrl")
                if html_url is not None and not _is_absolute_url(html_url, web=True):
                    problems.append(
                        f"{_where(child)} htmlUrl={html_url!r} is not an absolute http(s) URL"
                    )
    return problems
