"""The floor: the least work that turns a posts folder into one Atom feed per tag.

    python benchmarks/floor.py POSTS_DIR OUT_DIR

Single process, no cache, no validation beyond not crashing: walk the folder in
sorted order, read every `.md` file, split off the front matter, parse it with
PyYAML's libyaml `CSafeLoader`, keep the 50 newest posts of each tag in a heap,
then write one Atom feed per tag with lxml. `feedpub build` is measured
against this (see run.py): whatever feedpub does beyond it has to fit in the
same wall time.
"""

from __future__ import annotations

import heapq
import os
import re
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import yaml
from lxml import etree

PER_TAG = 50
SUMMARY_CHARS = 200
SITE = "https://example.org/"
ATOM = "http://www.w3.org/2005/Atom"
A = "{" + ATOM + "}"
# Characters XML 1.0 forbids (lxml refuses them): C0 controls but tab/LF/CR,
# lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Item = tuple[float, str, str, str, str]  # (timestamp, path, title, url, summary)


def xml_text(s: str) -> str:
    return _NOT_XML.sub("", s)


def timestamp(value: object, path: str) -> float:
    """Seconds since the epoch for a YAML `date` value (naive = UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    name = os.path.basename(path)  # fall back on the file name's YYYY-MM-DD
    try:
        return datetime.strptime(name[:10], "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def split(text: str) -> tuple[str, str] | None:
    """(front matter, body), or None when the file has no closed front matter."""
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    if end < 0:
        return None
    nl = text.find("\n", end + 4)
    body = "" if nl < 0 else text[nl + 1 :]
    return text[text.find("\n") + 1 : end + 1], body


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(root: str) -> tuple[dict[str, list[Item]], int, int]:
    heaps: dict[str, list[Item]] = {}
    nfiles = nbad = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith(".md"):
                continue
            path = os.path.join(dirpath, fn)
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            nfiles += 1
            parts = split(text)
            if parts is None:
                nbad += 1
                continue
            try:
                fm = yaml.load(parts[0], Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                nbad += 1
                continue
            if not isinstance(fm, dict):
                nbad += 1
                continue
            tags = fm.get("tags") or []
            if not isinstance(tags, list):
                tags = [tags]
            if not tags:
                continue
            title = fm.get("title")
            url = fm.get("from")
            item: Item = (
                timestamp(fm.get("date"), path),
                path,
                "" if title is None else str(title),
                "" if url is None else str(url),
                parts[1][:SUMMARY_CHARS],
            )
            for tag in tags:
                heap = heaps.setdefault(str(tag), [])
                if len(heap) < PER_TAG:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
    return heaps, nfiles, nbad


def write_feed(out: Path, tag: str, items: list[Item]) -> None:
    items = sorted(items, reverse=True)
    slug = quote(tag, safe="")
    feed = etree.Element(A + "feed", nsmap={None: ATOM})
    etree.SubElement(feed, A + "id").text = f"{SITE}tags/{slug}/"
    etree.SubElement(feed, A + "title").text = xml_text(tag)
    etree.SubElement(feed, A + "updated").text = iso(items[0][0])
    etree.SubElement(feed, A + "link", href=f"{SITE}tags/{slug}.xml", rel="self")
    for ts, path, title, url, summary in items:
        entry = etree.SubElement(feed, A + "entry")
        etree.SubElement(entry, A + "id").text = xml_text(url) or f"{SITE}{quote(path)}"
        etree.SubElement(entry, A + "title").text = xml_text(title)
        etree.SubElement(entry, A + "updated").text = iso(ts)
        if url:
            etree.SubElement(entry, A + "link", href=xml_text(url))
        etree.SubElement(entry, A + "summary").text = xml_text(summary)
    etree.ElementTree(feed).write(str(out / f"{slug}.xml"), encoding="utf-8", xml_declaration=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    heaps, nfiles, nbad = collect(args[0])
    out = Path(args[1])
    out.mkdir(parents=True, exist_ok=True)
    for tag in sorted(heaps):
        write_feed(out, tag, heaps[tag])
    print(
        f"floor: {nfiles} files, {nbad} skipped, {len(heaps)} feeds "
        f"in {time.perf_counter() - t0:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
