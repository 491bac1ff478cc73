"""Jekyll's `exclude:` of `_config.yml`: the site's paths Jekyll never reads, and so the
posts it never publishes. A post it leaves out has no page to link to, and must not
be an entry.

As Jekyll's `EntryFilter` reads a pattern, relative to the site's folder: it takes a
path that it matches as `File.fnmatch` does without FNM_PATHNAME (`*` matches `/`
too: `*.draft.md` takes `_posts/a.draft.md`) or that starts with it (`archived`
takes `archived/2021-04-10/a.md`), unless an `include:` pattern takes its name back,
or in a `_posts/` folder its path there (`2019/*`). Outside a `_posts/` folder Jekyll
skips an excluded folder whole; in one it looks at each file (`*/drafts` leaves
`_posts/drafts/a.md` in).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from fnmatch import translate
from functools import lru_cache
from pathlib import Path
from typing import Any

Unused = tuple[tuple[str, ...], str]  # a key's path in `_config.yml`, why it is not used
_INCLUDED = "!"  # before an `include:` pattern, in the patterns kept


def patterns(data: dict[Any, Any]) -> tuple[tuple[str, ...], tuple[Unused, ...]]:
    """The patterns `exclude:` sets, less those `include:` names, then `include:`'s
    (marked _INCLUDED); and why `exclude:` is not used, if it is not: Jekyll stops at
    one that is no list."""
    exclude, include = data.get("exclude"), data.get("include")
    unused = tuple(
        ((key,), f"{key}: not a list of paths, as Jekyll needs: not used")
        for key, value in (("exclude", exclude), ("include", include))
        if value is not None and not isinstance(value, list)
    )
    if not isinstance(exclude, list):
        return (), unused
    kept = [p for p in include if isinstance(p, str) and p] if isinstance(include, list) else []
    # "/" (or "") is the site's folder itself: as Jekyll joins it to the site's path,
    # every path starts with it
    found = [p.lstrip("/") for p in exclude if isinstance(p, str) and p not in kept]
    if not found:
        return (), unused
    return tuple(dict.fromkeys([*found, *(_INCLUDED + p.lstrip("/") for p in kept)])), unused


def rooted(patterns: tuple[str, ...], posts: Path, site: Path) -> tuple[tuple[str, ...], str]:
    """`patterns` and the path of the folder of `posts` in the `site` (a folder's, with
    its `/`: "_posts/", built alone); none if the posts are not in the site (a config
    found in the working folder, elsewhere)."""
    rel = os.path.relpath(os.path.abspath(posts), os.path.abspath(site))
    if rel == os.curdir:
        return patterns, ""
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return (), ""
    return patterns, Path(rel).as_posix() + "/"


Match = Callable[[str], Any]


def excluded(patterns: tuple[str, ...], path: str, folder: bool = False) -> bool:
    """Whether Jekyll skips the file (or `folder`) of the site's at `path` by `patterns`."""
    return bool(patterns) and _matcher(patterns)(path, folder)


@lru_cache(maxsize=4)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str, bool], bool]:
    """Whether Jekyll excludes a path of the site's folder (a folder's, if it skips all
    of it), by `patterns`: each kind of pattern one regular expression (a scan tests
    every file of an archive)."""
    exclude = [p for p in patterns if not p.startswith(_INCLUDED)]
    include = [p[1:] for p in patterns if p.startswith(_INCLUDED)]
    starts, globbed = _compiled(exclude)
    named = _compiled(include)
    whole = frozenset(exclude)

    def test(path: str, folder: bool) -> bool:
        inside = folder and "/_posts/" in f"/{path}"  # (Jekyll looks at its files, one by one)
        if not (starts(path) or (not inside and globbed(path)) or (folder and path + "/" in whole)):
            return False
        if not include:
            return True
        if inside:
            return False  # (a file in it may be taken back)
        name = path.rpartition("/")[2]
        _, posts, inner = f"/{path}".partition("/_posts/")  # (what Jekyll reads it as)
        return not any(match(x) for match in named for x in (inner if posts else name, name))

    return test


def _compiled(patterns: list[str]) -> tuple[Match, Match]:
    """Tests of whether a path starts with one of `patterns`, and whether one matches it."""
    if not patterns:
        return (lambda _: None), (lambda _: None)
    starts = re.compile("|".join(map(re.escape, patterns))).match
    globbed = re.compile("|".join(f"(?:{translate(p)})" for p in patterns)).match
    return starts, globbed


class Excluding:
    """`exclude` (pathspec's matcher, or None) and Jekyll's `patterns` as one matcher of
    the root's paths (`root` the root's path in the site)."""

    def __init__(self, spec: Any, patterns: tuple[str, ...], root: str) -> None:
        self.spec, self.test, self.root = spec, _matcher(patterns), root

    def match_file(self, rel: str) -> bool:
        """Whether the file, or the folder (`rel` ends with `/`), `rel` is excluded."""
        if self.spec is not None and self.spec.match_file(rel):
            return True
        return self.test(self.root + rel.rstrip("/"), rel.endswith("/"))
