"""Safe, stable, readable file names for tag, source and author feeds.

A name keeps its letters in any script (`联合早报` stays `联合早报`); ASCII is
lower-cased so that case-insensitive file systems cannot merge two feeds
silently; anything that could escape or break a path or a URL becomes `-`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from .settings import POST_FOLDERS

# Path separators, Windows-reserved characters, URL delimiters, whitespace and
# every control or format character (Unicode categories C*, Z*).
_UNSAFE = re.compile(r'[\\/:*?"<>|#%&+=;,\[\]{}^`\'~\s]+')
# Windows' device names (superscript digits are devices too).
_RESERVED = {
    "con", "prn", "aux", "nul", "conin$", "conout$",
    *(f"com{i}" for i in (*range(10), *"¹²³")),
    *(f"lpt{i}" for i in (*range(10), *"¹²³")),
}  # fmt: skip
MAX_BYTES = 120  # well under the 255-byte limit of ext4, APFS and NTFS names


def _visible(name: str) -> str:
    return "".join("-" if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)


def _short_hash(name: str) -> str:
    return hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def slugify(name: str) -> str:
    """Return one safe path segment for `name` (never empty, `.`, `..` or reserved, nor
    a posts folder's name: a tag `archived` made the output folder one that holds
    posts, which a build refuses where no manifest says it is feedpub's)."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("-", _visible(text)).lower()
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        cut = text.encode("utf-8", "surrogatepass")[:MAX_BYTES].decode("utf-8", "ignore")
        text = f"{cut.rstrip('-.')}-{_short_hash(name)}"
    if not text:
        return f"_{_short_hash(name)}"
    stem, dot, rest = text.partition(".")
    if stem in _RESERVED:  # Windows reserves `nul` and `nul.txt` alike
        text = f"{stem}-{dot}{rest}"
    elif text in POST_FOLDERS:
        text += "-"
    return text


def assign_slugs(
    names: Iterable[str], taken: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """Map each name to a unique slug; return the map and the collisions found
    (each slug several names share, with its names, the one that keeps it first).

    A feed's URL never changes meaning: a name keeps the slug it had in the last
    build (`taken`), plain or not, so a newcomer never takes over a feed's URL
    (`BBC` arriving after `bbc`), nor one name another's when a third goes. Names
    that share a slug are sorted; the first without one keeps the plain slug and
    the others get `-<hash of the name>` (`-2`, `-3`... after it, should that be
    another name's plain slug), so the result never depends on input order.
    """
    taken = taken or {}
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(slugify(name), []).append(name)
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for slug, group in groups.items():
        for name in group:
            old = taken.get(name)
            if old is not None and old not in used and _own(old, slug, name):
                slugs[name] = old
                used.add(old)
    for slug, group in groups.items():
        first = next((n for n in group if n not in slugs), None)
        if first is not None and slug not in used:
            slugs[first] = slug
            used.add(slug)
    for slug, group in groups.items():
        for name in group:
            if name not in slugs:
                base = candidate = f"{slug}-{_short_hash(name)}"
                n = 1
                while candidate in used:
                    n += 1
                    candidate = f"{base}-{n}"
                slugs[name] = candidate
                used.add(candidate)
    collisions = [
        (slug, sorted(group, key=lambda n: slugs[n] != slug))
        for slug, group in groups.items()
        if len(group) > 1
    ]
    return slugs, collisions


def _own(old: str, slug: str, name: str) -> bool:
    """Whether `old` is one of the slugs `assign_slugs` gives `name` (a manifest's slug
    is kept only then: an edited one must not lead out of the kind's folder), or the
    posts folder's name it was before such names got their `-`: its URL is kept."""
    rest = old.removeprefix(f"{slug}-{_short_hash(name)}")
    if old in POST_FOLDERS and slug == f"{old}-":
        return True
    return old == slug or (rest != old and (not rest or re.fullmatch(r"-[0-9]+", rest) is not None))
