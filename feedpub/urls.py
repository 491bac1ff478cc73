"""Canonical URLs: one identity for all the copies of one story.

A feed entry's id is its story's canonical URL, so the copies the scraper saved
(in `_posts/` and `archived/`, re-published, re-fetched) must map to one string.
Those copies differ in ways that never change the story: double
percent-encoding (`%25E9` for `%E9`), host case, default ports, fragments,
tracking parameters, `http` versus `https` and a trailing slash. The canonical
form removes exactly those differences and keeps everything else byte for byte
(parameter order and encoding, path case, userinfo, IDNA hosts).

`http` and `https` copies of one story differ only in scheme, so both map to
`https`; for the same reason both schemes' default ports (80 and 443) go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_URL = re.compile(
    r"(?P<scheme>https?)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#.*)?",
    re.IGNORECASE | re.DOTALL,
)
_HOSTPORT = re.compile(r"(?P<host>\[[^\]]*\]|[^:]*)(?::(?P<port>[0-9]*))?", re.DOTALL)
_DOUBLE = re.compile(r"%25([0-9A-Fa-f]{2})")
_DEFAULT_PORTS = {80, 443}
_TRACKERS = {"fbclid", "gclid"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _Parts:
    userinfo: str  # with its trailing "@", or ""
    host: str
    port: str  # with its leading ":", or ""
    path: str
    query: str


def _split(url: str) -> _Parts | None:
    """An absolute http(s) URL's parts, or `None` if `url` is not one (or has no host)."""
    m = _URL.fullmatch(url)
    if m is None:
        return None
    userinfo, at, hostport = m["netloc"].rpartition("@")
    hp = _HOSTPORT.fullmatch(hostport)
    host, port = (hp["host"], hp["port"]) if hp else (hostport, None)
    if not host:
        return None
    return _Parts(
        userinfo + at, host, "" if port is None else ":" + port, m["path"], m["query"] or ""
    )


def is_absolute_http(url: str) -> bool:
    """Whether `url` (once stripped) is an absolute http or https URL with a host."""
    return _split(url.strip()) is not None


# Already canonical: https, a lower-case ASCII host, no port or userinfo, no
# fragment, `%25` or white space, no trailing slash (but for the root), and a
# query, if any, of non-empty parameters none of which can be a tracker. Most
# URLs look like this, and skipping the rules for them is most of the
# normalizer's speed.
_SIMPLE = re.compile(
    r'https://[a-z0-9.\-]+(/[^?#\s<>"\\\x00-\x1f\x7f]*)(?:\?([^#\s<>"\\\x00-\x1f\x7f]*))?'
)


def _simple(url: str) -> bool:
    m = _SIMPLE.fullmatch(url)
    if m is None or "%25" in url:
        return False
    path, query = m.group(1, 2)
    if path.endswith("/") and path != "/":
        return False
    if query is None:
        return True
    query = query.lower()
    return not (
        not query
        or query[0] == "&"
        or query[-1] == "&"
        or "&&" in query
        or "utm_" in query
        or "clid" in query
    )


# Longer is no page's address (the corpus' longest is 677), and each rule pass and
# each relative link of the body resolved against it cost its length again.
MAX_URL = 4096


def canonical_id(url: str) -> str | None:
    """The canonical URL when `url` is a valid absolute http(s) URL, else `None`: an
    id must be an IRI (RFC 4287), so no space, `<`, `>` or `"`, and a host and port
    a client can reach, and at most MAX_URL long."""
    if len(url) > MAX_URL:
        return None
    if _simple(url):
        return url
    canonical = canonical_url(url)
    if _split(canonical) is None or _NOT_IRI.search(canonical):
        return None
    return canonical if _is_valid_http(canonical) else None


def canonical_url(url: str) -> str:
    """The identity of the story at `url`; anything not absolute http(s) comes back stripped.

    The rules are applied until nothing changes, because one can expose input for
    another (dropping a fragment can leave a trailing slash or space). After the
    first pass the string only gets shorter, so this ends.
    """
    if len(url) > MAX_URL:  # no rules: each pass is as long as it (canonical_id refuses it)
        return url.strip()
    return url if _simple(url) else _apply_rules(url)


def _apply_rules(url: str) -> str:
    current = url.strip()
    while True:
        nxt = _canonical_once(current)
        if nxt == current:
            return current
        current = nxt


def _canonical_once(url: str) -> str:
    url = url.strip()
    parts = _split(url) and _split(undouble(url))
    if parts is None:
        return url
    host = parts.host.translate(_ASCII_LOWER)
    port = "" if _is_default_port(parts.port) else parts.port
    path = parts.path.rstrip("/") or "/"
    query = _drop_trackers(parts.query)
    return f"https://{parts.userinfo}{host}{port}{path}{'?' + query if query else ''}".strip()


def undouble(url: str) -> str:
    """`%25XX` -> `%XX`, repeatedly: the scraper sometimes encoded an encoded URL twice."""
    while "%25" in url:
        once = _DOUBLE.sub(r"%\1", url)
        if once == url:
            return url
        url = once
    return url


def _is_default_port(port: str) -> bool:
    digits = port[1:]
    return not digits or (len(digits) <= 5 and int(digits) in _DEFAULT_PORTS)


def _drop_trackers(query: str) -> str:
    """The query without empty, `utm_*`, `fbclid` and `gclid` parameters, order kept."""
    return "&".join(p for p in query.split("&") if p and not _is_tracker(p.partition("=")[0]))


def _is_tracker(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in _TRACKERS


# --- links in a body ----------------------------------------------------------------

_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_PLAIN_HTTP = re.compile(r"https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,4})?([/?#]|$)", re.I)
_BAD_HOST = re.compile(r"[\s#%/<>?@\\^|\[\]]")
_NOT_IRI = re.compile(r'[\s<>"\\\x00-\x1f\x7f]')  # (a backslash: browsers read a `/`)
_URL_BLANKS = re.compile(r"[\t\n\r]")
_SRCSET_URL = re.compile(r"[\s,]*(\S+)")
_SRCSET_DESCRIPTOR = re.compile(r"([^,]*),?")


def absolute(url: str, base: str | None, data_ok: bool = False) -> str | None:
    """`url` as an absolute http(s) or mailto URL (or data: if `data_ok`), else None."""
    url = _URL_BLANKS.sub("", url.strip())  # browsers ignore tabs and newlines in URLs
    if url.startswith("//"):
        url = "https:" + url
    elif not _HAS_SCHEME.match(url):
        if base is None:
            return None
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    scheme = url.partition(":")[0].lower()
    if scheme in ("http", "https"):
        return (url if url.isascii() else _ascii_host(url)) if _is_valid_http(url) else None
    if scheme == "mailto" or (data_ok and url[:11].lower() == "data:image/"):
        return url
    return None


def holds_no_bad_char(url: str) -> bool:
    """Whether `url` holds none of the characters no URL (nor IRI) may hold: white
    space, a quote, `<`, `>`, a backslash, a control character."""
    return not _NOT_IRI.search(url)


def escaped(url: str) -> str:
    """`url` (absolute) with what no URL may hold escaped as browsers send it (a space
    as `%20`, a quote as `%22`), its control characters dropped: for a feed's own
    fields (a thumbnail's `url`, JSON Feed's `image`), which readers take as written."""
    return _NOT_IRI.sub(_escape, url) if _NOT_IRI.search(url) else url


def _escape(char: re.Match[str]) -> str:
    return "" if char[0] < " " or char[0] == "\x7f" else quote(char[0], safe="")


def on_site(url: str, site: str) -> str:
    """`url` made absolute against the site's root `site` (ending in `/`), a path (`/about/`
    too) under the site's base path as Jekyll's `absolute_url` makes it; "" if it is none."""
    url = url.strip()
    return absolute(url[1:] if url[:1] == "/" and url[:2] != "//" else url, site) or ""


def punycode(host: str) -> str | None:
    """An international host name as browsers send it (IDNA), or None if it is not
    one. Python's codec is IDNA 2003, which maps `ß` and `ς` to other letters (and
    drops joiners) where browsers keep them: such a name stays as it is."""
    if _DEVIATIONS.search(host):
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


_DEVIATIONS = re.compile("[\u00df\u03c2\u200c\u200d]")


def _ascii_host(url: str) -> str:
    """`url` with an international host name in punycode, as browsers send it (the
    sanitizer would percent-encode its bytes, which no resolver reads)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.isascii() or (name := punycode(host)) is None or name == host:
        return url
    netloc = parts.netloc.rpartition("@")
    hostport = netloc[2].lower().replace(host, name, 1)
    return urlunsplit(parts._replace(netloc=netloc[0] + netloc[1] + hostport))


def _is_valid_http(url: str) -> bool:
    """Whether `url` has a host and a port, as nh3 will want (it drops what it cannot parse)."""
    if _PLAIN_HTTP.match(url):
        return True
    try:
        parts = urlsplit(url)
        _ = parts.port  # a bad port raises
    except ValueError:
        return False
    host = parts.hostname
    return bool(host) and not _BAD_HOST.search(host or "")


def absolute_srcset(srcset: str, base: str | None) -> str | None:
    """`srcset` with absolute URLs, or None if any candidate is not absolute http(s)."""
    candidates = []
    pos = 0
    while m := _SRCSET_URL.match(srcset, pos):
        url, pos = m.group(1), m.end()
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            d = _SRCSET_DESCRIPTOR.match(srcset, pos)
            if d:
                descriptor, pos = d.group(1).strip(), d.end()
        found = absolute(url, base) if url else None
        if found is None or found.lower().startswith("mailto:"):
            return None
        candidates.append(f"{found} {descriptor}".rstrip())
    return ", ".join(candidates) or None


def too_many_links(html: str, base: str) -> bool:
    """Whether resolving every URL of `html` against `base` could copy it over 20 MB
    (8,000 relative links against a long `from:` took gigabytes): then none is.
    Each URL needs a `src`, `href` or `poster`, or a `,` in a srcset, to be written."""
    if len(base) * len(html) <= 40_000_000:  # at most one URL in two characters
        return False
    found = sum(html.count(word) for word in ("src", "href", "poster", ","))
    return len(base) * found > 20_000_000
