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

# Path separators, Windows-reserved characters, URL delimiters, whitespace and
# every control or format character (Unicode categories C*, Z*).
_UNSAFE = re.compile(r'[\\/:*?"<>|#%&+=;,\[\]{}^`\'~\s]+')
_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}  # fmt: skip
MAX_BYTES = 120  # well under the 255-byte limit of ext4, APFS and NTFS names


def _visible(name: str) -> str:
    return "".join("-" if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)


def _short_hash(name: str) -> str:
    return hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def slugify(name: str) -> str:
    """Return one safe path segment for `name` (never empty, `.`, `..` or reserved)."""
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
    return text


def assign_slugs(
    names: Iterable[str], taken: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """Map each name to a unique slug; return the map and the collisions found.

    Names that share a slug are sorted; the first keeps the plain slug and the
    others get `-<hash of the name>`, so the result never depends on input order.
    A name that held the plain slug before (`taken`, the last build's map) keeps
    it: a newcomer never takes over a feed's URL (`BBC` arriving after `bbc`).
    """
    taken = taken or {}
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(slugify(name), []).append(name)
    slugs: dict[str, str] = {}
    collisions = []
    for slug, group in groups.items():
        if len(group) > 1:
            keeper = next((n for n in group if taken.get(n) == slug), group[0])
            group = [keeper, *(n for n in group if n != keeper)]
            collisions.append((slug, group))
        slugs[group[0]] = slug
        for other in group[1:]:
            slugs[other] = f"{slug}-{_short_hash(other)}"
    return slugs, collisions
