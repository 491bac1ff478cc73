"""`feedpub normalize`: which `date:` lines to rewrite to the resolved time, and how.

Pure: the normalizer's result and a way to read a post's bytes in, a `Plan` out
(the CLI shows it, or writes it with `writer.write_file`).

A post's `date:` line changes only when it does not already give the post's
resolved time: a marker earlier than the date, a shifted source, or a date
that cannot be read (or is not plausible) while the marker or the file name
gives the time. A line that gives the right instant in another form (an
offset, a naive time read in the source's zone, a date only) is left alone.
Each file gets its own resolved time, also when it is one of several copies
of a story: the feeds take the earliest of them anyway, and a copy's own time
is what `normalize` finds again after the rewrite, so `--write` followed by
`--check` finds nothing to do and a rebuild gives the same feeds.

An edit replaces the value on the `date:` line and nothing else: quotes, a
trailing comment, CRLF or CR line endings, a byte-order mark and every other
byte stay. The new value is ISO 8601 UTC (`2021-04-10T08:00:00Z`, milliseconds
only when they are not zero). A post is refused (reported, not touched) when
the collector could not read it, when it has no `date:` line (one is never
added), several, or one on more than one line, when it is not UTF-8 or
GB18030, or when the edited file would not read back exactly as before but
for the new time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from . import collector, encoding, frontmatter, timestamps
from .model import RawPost
from .normalizer import Result, Timed
from .problems import CODES, Problem, printable
from .text import content_hash

_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Edit:
    """One `date:` line to rewrite."""

    path: str
    line: int  # 1-based
    old: str  # the line as it is, without its line ending
    new: str  # the line as it will be
    reason: str
    before: bytes  # the whole file, as read
    after: bytes  # the whole file, edited


@dataclass(frozen=True)
class Skip:
    """A post `normalize` does not touch, and why."""

    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class Plan:
    edits: tuple[Edit, ...]  # by path
    skipped: tuple[Skip, ...]  # by path
    posts: int  # posts read
    duplicates: int  # files that are copies of another file's story (never deleted)


class Refused(Exception):
    """The date line cannot be rewritten safely; the message says why."""


def reason(t: Timed, stated: frozenset[str] = frozenset()) -> str | None:
    """Why `t`'s `date:` line must change to its resolved time; None if it gives it
    already. `stated`: the sources whose offset the settings state (FP308), not found."""
    raw, when = t.raw, t.when
    if t.stamp is not None:
        if t.stamp.when == when:
            return None
        if t.how == "shifted" and t.marker is not None:
            why = "as marker_offset states (FP308)" if t.source in stated else "(FP305)"
            return (
                f"shifted: source {t.source or '(none)'!r} runs {_ahead(t)} ahead "
                f"{why}; the marker {_iso(t.marker)} less {_ahead(t)}"
            )
        if t.how == "marker" and t.marker is not None:
            return f"marker: the marker {_iso(t.marker)} is earlier than the date"
        return f"{t.how}: the resolved time differs from the date"  # not reached by `resolve`
    if raw.date is None:
        what = "the date is empty"
    elif timestamps.parse_date(raw.date, UTC) is None:
        what = f"date {raw.date!r} cannot be read"
    else:
        what = f"date {raw.date!r} is not a plausible time"
    if t.how == "shifted" and t.marker is not None:
        return f"shifted: {what}; the marker {_iso(t.marker)} less the source's {_ahead(t)}"
    return f"{t.how}: {what}; {_ORIGIN.get(t.how, t.how)} gives {_iso(when)}"


def _ahead(t: Timed) -> str:
    minutes = int(t.shift.total_seconds() // 60)
    return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


_ORIGIN = {"marker": "the marker", "filename": "the file name", "shifted": "the shifted marker"}


def plan(
    result: Result,
    read: Callable[[str], bytes],
    raws: Iterable[RawPost],
    unread: Iterable[Problem],
    limits: collector.Limits,
) -> Plan:
    """The edits `normalize --write` would make.

    `read` gives a post's bytes by path. `raws` are the posts the collector read
    (those the normalizer could not time are reported as skipped), `unread` the
    collector's problems, of which those of files it could not read are reported;
    `limits` those it read them with (the site's author and `defaults:`).
    """
    edits: list[Edit] = []
    skipped: list[Skip] = []
    timed_paths = {t.raw.path for t in result.resolved}
    raws = list(raws)
    read_paths = {r.path for r in raws}
    worst: dict[str, Problem] = {}
    for problem in unread:  # a file the collector skipped: its worst problem says why
        if problem.path not in read_paths and problem.code in CODES:
            known = worst.get(problem.path)
            if known is None or _RANK[problem.severity] < _RANK[known.severity]:
                worst[problem.path] = problem
    for problem in worst.values():
        msg = f"not read as a post ({problem.code} {problem.name}: {problem.message})"
        skipped.append(Skip(problem.path, problem.line, msg))
    for raw in raws:
        if raw.path not in timed_paths:
            skipped.append(Skip(raw.path, raw.date_line or 1, "no usable time (FP302)"))
    for t in result.resolved:
        why = reason(t, result.stated)
        if why is None:
            continue
        raw = t.raw
        if raw.date_line == 0:
            origin = _ORIGIN.get(t.how, t.how)
            msg = f"no `date:` line (its time, {_iso(t.when)}, is from {origin}); none is added"
            skipped.append(Skip(raw.path, 1, msg))
            continue
        try:
            data = read(raw.path)
            after, old, new = edit(data, raw, timestamps.format_iso(t.when), limits)
        except OSError as e:
            skipped.append(Skip(raw.path, raw.date_line, f"cannot read: {e.strerror or e}"))
            continue
        except Refused as e:
            skipped.append(Skip(raw.path, raw.date_line, f"not rewritten: {e}"))
            continue
        edits.append(Edit(raw.path, raw.date_line, old, new, why, data, after))
    files = sum(len(p.copies) for p in result.posts)
    return Plan(
        tuple(sorted(edits, key=lambda e: e.path)),
        tuple(sorted(skipped, key=lambda s: (s.path, s.line, s.reason))),
        len(raws),
        files - len(result.posts),
    )


_EOL = re.compile(rb"\r\n|\r|\n")
_DATE_LINE = re.compile(
    rb"""(?P<key>date:[ \t]*)
    (?: "(?P<dq>[^"\\\r\n]*)"
      | '(?P<sq>[^'\r\n]*)'
      | (?P<plain>[^\s#"'|>&*!%@`\[\]{},](?:[^\r\n#]*[^ \t\r\n#])?|) )  # no YAML indicator
    # (greedy to its last character that is not a space: lazily, a run of spaces was
    # tried at each of its places, in quadratic time)
    (?P<rest>[ \t]*(?:\#[^\r\n]*)?)""",
    re.VERBOSE,
)
_NULLS = {b"", b"~", b"null", b"Null", b"NULL"}
_REWRITABLE = ("utf-8", "gb18030")  # ASCII is ASCII in these: the line can be edited as bytes


def _lines(data: bytes, count: int) -> list[tuple[int, int, int]]:
    """(start, end, end with the line ending) of the first `count` lines of `data`."""
    found = []
    start = 0
    for m in _EOL.finditer(data):
        found.append((start, m.start(), m.end()))
        start = m.end()
        if len(found) == count:
            return found
    if start < len(data):
        found.append((start, len(data), len(data)))
    return found


def edit(data: bytes, raw: RawPost, value: str, limits: collector.Limits) -> tuple[bytes, str, str]:
    """`data` with the value of its `date:` line set to `value`: (bytes, old line, new line).

    Raises `Refused` if that cannot be done without touching anything else (read back
    with `limits`, as `raw` was).
    """
    if raw.encoding not in _REWRITABLE:
        raise Refused(f"the file is {raw.encoding}, not UTF-8 or GB18030")
    if content_hash(data) != raw.digest:
        raise Refused("the file changed since it was read")
    if _front_matter_dates(data) != 1:
        raise Refused("the front matter has more than one `date:` line")
    lines = _lines(data, raw.date_line)
    if len(lines) < raw.date_line:
        raise Refused("the `date:` line is not where the front matter has it")
    start, end, _ = lines[raw.date_line - 1]
    m = _DATE_LINE.fullmatch(data, start, end)
    if m is None:
        raise Refused("the `date:` value is not a plain or simply quoted scalar on one line")
    found = m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None else m["plain"]
    if not _same_value(found, raw.date):
        raise Refused("the `date:` line does not hold the date the post was read with")
    quote = b'"' if m["dq"] is not None else b"'" if m["sq"] is not None else b""
    key = m["key"] if m["key"].endswith((b" ", b"\t")) else m["key"] + b" "
    rest = m["rest"]
    if rest.startswith(b"#"):
        rest = b" " + rest
    line = key + quote + value.encode("ascii") + quote + rest
    after = data[:start] + line + data[end:]
    _check(raw, after, value, limits)
    encoding = "gb18030" if raw.encoding == "gb18030" else "utf-8"
    old = data[start:end].decode(encoding, "replace")
    return after, old, line.decode(encoding, "replace")


def _front_matter_dates(data: bytes) -> int:
    """How many top-level `date` keys the front matter of `data` has."""
    text, _ = encoding.decode(data)
    lines = text.split("\n", frontmatter.FRONT_MATTER_LINES)
    count = 0
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            break
        count += bool(re.match(r"date[ \t]*:", line))
    return count


def _same_value(found: bytes, date: object) -> bool:
    """Whether the text on the line is the value the collector read for `date:`."""
    if date is None:
        return found in _NULLS
    text = found.decode("ascii", "replace")
    ours = timestamps.parse_date(text, UTC)
    theirs = timestamps.parse_date(date, UTC)
    if ours is None or theirs is None:
        return ours is None and theirs is None and text == str(date).strip()
    return ours == theirs


def _check(raw: RawPost, after: bytes, value: str, limits: collector.Limits) -> None:
    """Refuse an edit after which the post would read differently but for its date."""
    new = collector.parse(raw.path, after, limits).post
    stamp = None if new is None else timestamps.parse_date(new.date, UTC)
    if new is None or stamp is None or timestamps.format_iso(stamp.when) != value:
        raise Refused("the edited file would not read back with the new date")
    same = (
        new.title == raw.title
        and new.author == raw.author
        and new.url == raw.url
        and new.tags == raw.tags
        and new.categories == raw.categories
        and new.marker == raw.marker
        and new.link_text == raw.link_text
        and new.body_digest == raw.body_digest
        and new.body_line == raw.body_line
        and new.markdown == raw.markdown
        and new.encoding == raw.encoding
        and new.date_line == raw.date_line
    )
    if not same:
        raise Refused("the edited file would read differently, not only in its date")


def _iso(when: datetime) -> str:
    return timestamps.format_iso(when)


def unified_diff(edit: Edit, context: int = 3) -> str:
    """The edit as a unified diff of the file (`a/PATH`, `b/PATH`), one hunk. Each line
    ends as it does in the file (CRLF too), so that `patch` applies the diff."""
    lines = _lines(edit.before, edit.line + context)
    first = max(1, edit.line - context)
    last = min(len(lines), edit.line + context)
    path = printable(edit.path)  # a name with a newline: `::error` on a line of its own
    out = [
        f"--- a/{path}\n",
        f"+++ b/{path}\n",
        f"@@ -{first},{last - first + 1} +{first},{last - first + 1} @@\n",
    ]
    for n in range(first, last + 1):
        start, end, after = lines[n - 1]
        eol = _decode(edit.before[end:after]) or "\n\\ No newline at end of file\n"
        if n == edit.line:
            out += [f"-{edit.old}{eol}", f"+{edit.new}{eol}"]
        else:
            out.append(f" {_decode(edit.before[start:end])}{eol}")
    return "".join(out)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")
