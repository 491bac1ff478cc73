"""Diagnostics: every problem found in the input, with where it is and what to do.

The core never prints; it returns `Problem`s and the CLI formats them. Codes are
stable: scripts and CI annotations may match on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

# code -> (name, severity, what the maintainer should do)
CODES: dict[str, tuple[str, Severity, str]] = {
    "FP001": ("unreadable", "error", "check the file's permissions"),
    "FP002": ("too-large", "error", "split the post or raise max_bytes in the config"),
    "FP003": ("binary", "error", "remove the file or move it out of the posts folder"),
    "FP004": ("not-utf8", "warning", "re-save the file as UTF-8"),
    "FP005": ("empty-file", "warning", "remove the file or give it front matter"),
    "FP006": ("draft", "info", "set `published: true` to publish it"),
    "FP101": ("yaml-invalid", "error", "fix the YAML syntax at this position"),
    "FP102": ("no-front-matter", "warning", "start the file with a `---` front-matter block"),
    "FP103": ("front-matter-not-mapping", "error", "front matter must be `key: value` lines"),
    "FP104": ("title-missing", "warning", "add a `title:`"),
    "FP105": ("title-not-string", "warning", "quote the title"),
    "FP106": ("bad-list", "warning", "write tags/categories as `[ a, b ]`"),
    "FP107": ("front-matter-unclosed", "error", "close the front matter with a `---` line"),
    "FP201": ("illegal-xml-chars", "warning", "remove control characters from the post"),
    "FP301": (
        "date-unparseable",
        "warning",
        "write the date as ISO 8601, e.g. 2021-04-10T08:44:53Z",
    ),
    "FP302": ("no-date", "error", "add a `date:` or name the file YYYY-MM-DD-title.md"),
    "FP303": ("marker-after-fetch", "info", "none: the marker was later than the fetch time"),
    "FP304": ("nan-marker", "info", "none: the source feed gave no parseable pubDate"),
    "FP305": ("source-shifted", "warning", 'set `shift = "correct"` or fix the source\'s zone'),
    "FP306": ("marker-invalid", "warning", "the `<!--N-->` marker must be epoch milliseconds"),
    "FP307": ("naive-date", "info", "add a zone offset to the date, or set the source's zone"),
    "FP401": ("duplicate", "info", "none: copies of one story were merged into one entry"),
    "FP402": ("no-url", "warning", "add `from:` with the original URL"),
    "FP501": ("path-collision", "warning", "two names map to one feed path; rename one"),
    "FP502": ("unsafe-name", "info", "the name was changed to make a safe file name"),
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file (or with the build as a whole)."""

    path: str
    line: int
    col: int
    code: str
    message: str

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    @property
    def severity(self) -> Severity:
        return CODES[self.code][1]

    @property
    def hint(self) -> str:
        return CODES[self.code][2]

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"
        return f"{where}: {self.code} {self.name}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class FeedpubError(Exception):
    """An error that stops the whole run (bad config, unsafe output folder)."""
