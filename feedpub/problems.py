"""Diagnostics: every problem found in the input, with where it is and what to do.

The core never prints; it returns `Problem`s and the CLI formats them. Codes are
stable: scripts and CI annotations may match on them. A code is never reused for
another meaning; `docs/diagnostics.md` lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# What a run stopped by Ctrl-C says (exit 130), whenever it is stopped.
INTERRUPTED_LINE = "Interrupted: the next build completes what this one left."

Severity = Literal["error", "warning", "info"]
Scope = Literal["post", "file", "source", "feed"]

# code -> (name, severity, what the maintainer should do; "" when nothing)
CODES: dict[str, tuple[str, Severity, str]] = {
    "FP001": (
        "unreadable",
        "error",
        "make the file readable (permissions, a broken link, a special file); one that"
        " went away during the build needs nothing: the next build sees it gone",
    ),
    "FP002": ("too-large", "error", "split the post, or raise `max_bytes` in feedpub.toml"),
    "FP003": (
        "binary",
        "error",
        "move the file out of the posts folder, or give it a non-post extension",
    ),
    "FP004": ("not-utf8", "warning", "re-save the file as UTF-8 and check the text"),
    "FP005": ("empty-file", "warning", "delete the file, or give it front matter and a body"),
    "FP006": ("draft", "info", "set `published: true` to publish it"),
    "FP007": (
        "link-outside",
        "error",
        "replace the symbolic link with the post itself, or remove it",
    ),
    "FP008": (
        "no-posts",
        "warning",
        "put the posts in `_posts/` or `archived/` folders, or list them in feedpub.toml's"
        " `include`",
    ),
    "FP009": (
        "posts-beside",
        "warning",
        "build the folder that holds both (the repository), so that every post is read",
    ),
    "FP010": (
        "name-not-dated",
        "warning",
        "name the file YYYY-MM-DD-title.md to publish it, or move it out of `_posts/`",
    ),
    "FP101": (
        "yaml-invalid",
        "error",
        'fix the YAML at this line: quote values that contain ": " or " #" '
        "or start with one of [ ] { } > | * & ! % @ `",
    ),
    "FP102": (
        "no-front-matter",
        "warning",
        "start the file with a `---` line, `key: value` lines and a closing `---`",
    ),
    "FP103": ("front-matter-not-mapping", "error", "write the front matter as `key: value` lines"),
    "FP104": ("title-missing", "info", "add a non-empty `title:` if the one used is not right"),
    "FP105": (
        "title-not-string",
        "warning",
        "write the title as text, quoted if YAML would read it as a number, date or list",
    ),
    "FP106": ("bad-list", "warning", "write tags and categories as a list of names: `[ a, b ]`"),
    "FP107": (
        "front-matter-unclosed",
        "error",
        "end the front matter with a `---` line within its first 200 lines",
    ),
    "FP108": (
        "too-many-names",
        "warning",
        "give the post fewer tags or categories, or raise `max_tags` in feedpub.toml",
    ),
    "FP109": (
        "author-not-name",
        "warning",
        "write one author's name as text, quoted if YAML would read it as a number or a boolean",
    ),
    "FP110": (
        "value-too-long",
        "warning",
        "shorten it: a title of at most 1,000 characters, a name of at most 200",
    ),
    "FP201": (
        "illegal-xml-chars",
        "warning",
        "remove the control characters from the post; the feeds leave them out",
    ),
    "FP202": (
        "content-too-deep",
        "warning",
        "unwrap the body's nested elements, or cut the crowded tag's attributes (a"
        " scraper's or editor's runaway markup)",
    ),
    "FP203": (
        "liquid-left",
        "warning",
        "write it out as the site shows it, or wrap it in `{% raw %}` to show it as"
        ' text (the README\'s "Entry content" lists the Liquid feedpub renders)',
    ),
    "FP204": (
        "plugin-block",
        "info",
        "nothing to do if the post reads well without what the plugin adds around it"
        " (a box, a caption); else write that into the post",
    ),
    "FP301": (
        "date-unparseable",
        "warning",
        "write the date as ISO 8601, e.g. 2021-04-10T08:44:53Z",
    ),
    "FP302": ("no-date", "error", "add a `date:` or name the file YYYY-MM-DD-title.md"),
    "FP303": ("marker-after-fetch", "info", ""),
    "FP304": ("nan-marker", "info", ""),
    "FP305": (
        "source-shifted",
        "warning",
        "check the source's feed; state its offset as `marker_offset` in feedpub.toml, or set"
        " `shift` to correct, detect or off",
    ),
    "FP306": ("marker-invalid", "warning", "make the `<!--N-->` marker epoch milliseconds"),
    "FP307": (
        "naive-date",
        "info",
        "set the zone the dates are written in: `zone` in feedpub.toml (the site's), or"
        ' `zone` under `[sources."NAME"]` for one source\'s; or give the date an offset',
    ),
    "FP308": ("offset-stated", "info", ""),
    "FP401": ("duplicate", "info", ""),
    "FP402": (
        "no-url",
        "warning",
        "give `from:` the original's absolute http(s) URL",
    ),
    "FP403": (
        "id-kept",
        "warning",
        "give the post a `from:` URL, or accept the new id (readers see the post again)"
        " by deleting its line in the output's .feedpub-manifest.json",
    ),
    "FP404": (
        "page-shared",
        "warning",
        "rename one of the files, or give one a `permalink:` of its own (Jekyll writes one"
        " page over the other)",
    ),
    "FP501": (
        "path-collision",
        "warning",
        "nothing if these paths suit the names (each keeps its own from build to build);"
        " else merge the names if they are one, or rename one of them",
    ),
    "FP503": (
        "too-many-feeds",
        "warning",
        "check the posts' tags and authors, or raise `max_feeds` in feedpub.toml",
    ),
    "FP504": (
        "output-too-large",
        "error",
        "find what makes the output so large, or raise `max_output_bytes` in feedpub.toml",
    ),
    "FP505": (
        "feed-budget",
        "info",
        "raise `feed_bytes` in feedpub.toml to give every entry its content, or lower `limit`",
    ),
    "FP506": (
        "file-replaced",
        "warning",
        "keep files of your own out of the paths feedpub writes (restore this one from"
        " git or a backup, and put it elsewhere)",
    ),
    "FP507": (
        "manifest-unreadable",
        "warning",
        "restore the manifest (from git), or delete the output folder and build again",
    ),
    "FP601": (
        "no-site-url",
        "warning",
        "set `url` (and `baseurl`) in _config.yml or feedpub.toml, or pass --site-url",
    ),
    "FP602": ("unknown-source", "warning", "check the name against the posts' categories"),
    "FP603": (
        "jekyll-setting-unused",
        "warning",
        "mend or remove it in the file named, or set it in feedpub.toml (whose settings win)",
    ),
    "FP604": (
        "baseurl-twice",
        "warning",
        "give `url` the scheme and host alone (`https://you.github.io`) and `baseurl` the"
        " path; if the site is there indeed, nothing to do",
    ),
    "FP605": (
        "site-inside",
        "error",
        "to publish this folder as it is instead, give it a feedpub.toml",
    ),
}

# What cannot go into a line of text as is: controls (a newline would split the line),
# C1 controls, the line and paragraph separators (U+2028 ends a line too), the direction
# overrides (a name shown backwards) and the lone surrogates `os.walk` makes of file-name
# bytes that are not UTF-8.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    n = ord(match.group())
    if 0xDC80 <= n <= 0xDCFF:  # an undecodable byte of a file name
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: str) -> str:
    """`text` on one line, with controls and undecodable bytes as `\\xNN` escapes."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def encodable(text: str) -> str:
    """`text` encodable as UTF-8: undecodable file-name bytes become `\\xNN`."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """One thing wrong with one input file (or with the build as a whole).

    `line` and `col` are 1-based; `col` is 0 when unknown, `line` is 0 for a
    problem that belongs to no file line (a source, a feed path).
    """

    path: str
    line: int
    col: int
    code: str
    message: str  # what is wrong and what feedpub did about it; CODES gives what to do
    # What `path` names: a post file (relative to the posts root), another file
    # (relative to the working folder, like a config file), a source or a feed's
    # folder in the output. Only files are shown as paths an editor can open.
    scope: Scope = "post"
    # Who the problem belongs to, so that a small change can drop and redo exactly the
    # problems of what it touched: "" for the post file at `path`, else "shift:<group>",
    # "story:<id>" or "kind:<name>".
    owner: str = ""
    # Other post files the problem is in too (relative to the posts root, as `path`):
    # shown after the message as paths are, from the working folder.
    also: tuple[str, ...] = ()
    # What makes problems of one code one cause, so that the text report lists a few
    # of a flood: "at {% figure %}" (FP203), "after a change of the site URL" (FP403);
    # "": the message does.
    group: str = ""

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    @property
    def severity(self) -> Severity:
        return CODES[self.code][1]

    @property
    def hint(self) -> str:
        return CODES[self.code][2]

    @property
    def where(self) -> str:
        """`path:line:col`, `path:line` when the column is unknown."""
        path = printable(self.path)
        return f"{path}:{self.line}:{self.col}" if self.col else f"{path}:{self.line}"

    def said(self, shown: Callable[[str], str] = str) -> str:
        """The message, and the other files it is in, their paths `shown` as the CLI shows
        `path` (from the working folder): a path that opens from the shell, not from ROOT."""
        if not self.also:
            return self.message
        return f"{self.message} (also in {', '.join(map(shown, self.also))})"

    def detail(self, shown: Callable[[str], str] = str) -> str:
        """The message and what to do, on one line: `message. Hint.`"""
        hint = self.hint
        advice = f". {hint[0].upper()}{hint[1:]}." if hint else ""
        return f"{printable(self.said(shown))}{advice}"

    def __str__(self) -> str:
        return f"{self.where}: {self.code} {self.name}: {self.detail()}"

    @property
    def owned_by(self) -> str:
        return self.owner or f"file:{self.path}"

    def __reduce__(
        self,
    ) -> tuple[type[Problem], tuple[str, int, int, str, str, Scope, str, tuple[str, ...], str]]:
        """Pickled as its values: the cache loads thousands of them per build."""
        values = (self.path, self.line, self.col, self.code, self.message, self.scope, self.owner)
        return (Problem, (*values, self.also, self.group))

    def as_dict(self, shown: Callable[[str], str] = str) -> dict[str, object]:
        """The problem as JSON values, post paths as `shown` (see `report.post_path`)."""
        return {
            "path": encodable(shown(self.path) if self.scope == "post" else self.path),
            "scope": self.scope,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": encodable(self.said(shown)),
            "hint": self.hint,
            "also": [encodable(shown(path)) for path in self.also],
        }


class FeedpubError(Exception):
    """An error that stops the whole run (bad config, unsafe output folder)."""


class BuildFailure(FeedpubError):
    """The build stopped before writing anything; `problems` are why."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class StrictFailure(BuildFailure):
    """`--strict` and the input had problems: nothing was written."""
