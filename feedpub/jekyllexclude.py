"""Jekyll's `exclude:` of `_config.yml`: the site's paths Jekyll never reads, and so the
posts it never publishes. A post it leaves out has no page to link to, and must not
be an entry.

As Jekyll's `EntryFilter#glob_include?` reads a pattern: relative to the site's
folder, it takes a path that it matches as `File.fnmatch` does without
FNM_PATHNAME (`*` matches `/` too: `*.draft.md` takes `_posts/a.draft.md`) or
that starts with it (`archived` takes `archived/2021-04-10/a.md`); `include:`
names patterns it does not exclude after all.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

Unused = tuple[tuple[str, ...], str]  # a key's path in `_config.yml`, why it is not used


def patterns(data: dict[Any, Any]) -> tuple[tuple[str, ...], tuple[Unused, ...]]:
    """The patterns `exclude:` sets (less those `include:` names), and why it is not
    used, if it is not: Jekyll stops at an `exclude:` that is no list."""
    exclude, include = data.get("exclude"), data.get("include")
    if exclude is None:
        return (), ()
    if not isinstance(exclude, list):
        return (), ((("exclude",), "exclude: not a list of paths, as Jekyll needs: not used"),)
    kept = include if isinstance(include, list) else []
    found = (p.lstrip("/") for p in exclude if isinstance(p, str) and p not in kept)
    return tuple(dict.fromkeys(p for p in found if p)), ()


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


def excluded(path: str, patterns: tuple[str, ...], folder: bool = False) -> bool:
    """Whether Jekyll excludes `path` (of the site's folder; a `folder`'s too)."""
    for pattern in patterns:
        if path.startswith(pattern) or fnmatchcase(path, pattern):
            return True
        if folder and pattern == f"{path}/":
            return True
    return False


class Excluding:
    """`exclude` (pathspec's matcher, or None) and Jekyll's `patterns` as one matcher of
    the root's paths (`root` the root's path in the site)."""

    def __init__(self, spec: Any, patterns: tuple[str, ...], root: str) -> None:
        self.spec, self.patterns, self.root = spec, patterns, root

    def match_file(self, rel: str) -> bool:
        """Whether the file, or the folder (`rel` ends with `/`), `rel` is excluded."""
        if self.spec is not None and self.spec.match_file(rel):
            return True
        return excluded(self.root + rel.rstrip("/"), self.patterns, rel.endswith("/"))
