"""What a build says of its settings and of where it looked, given the posts it read:
no post file (FP008), posts beside the posts folder built (FP009), no site URL (FP601), a
source's table no post has (FP602), a Jekyll setting it cannot use (FP603), a `url`
that already ends with the `baseurl` (FP604); and a Jekyll site inside the folder
built (FP605, which stops a build before it reads). Apart from `config`, which reads
and checks the settings before anything runs, as these need the posts."""

from __future__ import annotations

import difflib
import os
import posixpath
import shlex
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from . import jekyllfeed
from .config import find_config, find_jekyll, key_text, parent_folder
from .jekyllexclude import excluded
from .model import FILES, SITE_PAGE
from .pages import INDEX_FILE, OPML_FILE, XSL_FILE
from .planner import FOLDERS
from .problems import Problem
from .scan import EXTENSIONS, Selection, is_posts_folder
from .settings import POST_FOLDERS, Settings


def no_posts(root: Path, select: Selection = Selection()) -> Problem:
    """FP008: nothing under `root` is a post file (as `select` chooses them)."""
    where = "in _posts/ or archived/ folders"
    if select.include or select.exclude or select.site_exclude:
        where += ", with `include` and `exclude` as set"
    msg = f"no post files found under {root} ({where}); nothing to publish"
    if site := _site_above(root):  # (a user trial: `feedpub build docs` in the repository)
        name = shlex.quote(os.path.relpath(site))
        msg += f"; {root} is inside the Jekyll site at {name}: `feedpub build {name}` builds it"
    return Problem(str(root), 0, 0, "FP008", msg, "file")


def _site_above(root: Path) -> Path | None:
    """The nearest folder above `root` that is a Jekyll site with posts (`_config.yml`
    and `_posts/` or `archived/`), if `root` is no site of its own."""
    here = Path(os.path.abspath(root))
    own = ("_config.yml", "feedpub.toml")  # (not find_config's: it looks here, too)
    if is_posts_folder(here) or any((here / name).exists() for name in own):
        return None
    for folder in here.parents:
        try:
            if (folder / "_config.yml").is_file():
                return folder if any((folder / n).is_dir() for n in POST_FOLDERS) else None
        except OSError:
            return None
    return None


def posts_beside(root: Path, select: Selection = Selection()) -> Problem | None:
    """FP009 when `root` is a posts folder (`feedpub build _posts`) with another
    beside it (`archived/`) that this build does not read: a site built from the
    repository, then from `_posts` alone, would lose the archive's entries. Not
    for one that `_config.yml`'s `exclude:` leaves out: Jekyll publishes none of it."""
    if not is_posts_folder(root):
        return None
    real = Path(os.path.realpath(root))
    up = posixpath.dirname(select.site_path.rstrip("/"))  # the site's path of the parent
    site = select.site_exclude if select.site_path else ()
    beside = [
        n
        for n in POST_FOLDERS
        if n != real.name and _holds_posts(real.parent / n, posixpath.join(up, n), site)
    ]
    if not beside:
        return None
    others = " and ".join(os.path.normpath(root / ".." / name) + "/" for name in beside)
    msg = f"only {root} is read: the posts in {others} are not published"
    return Problem(str(root), 0, 0, "FP009", msg, "file")


def _holds_posts(folder: Path, at: str, patterns: tuple[str, ...]) -> bool:
    """Whether `folder` (the site's `at`) holds a post file at any depth that Jekyll's
    `exclude:` `patterns` leave in (found at the first one)."""
    if excluded(patterns, at, folder=True):
        return False
    for here, _, files in os.walk(folder):
        rel = posixpath.normpath(posixpath.join(at, Path(os.path.relpath(here, folder)).as_posix()))
        for name in files:
            if name.lower().endswith(EXTENSIONS) and not excluded(patterns, f"{rel}/{name}"):
                return True
    return False


def sites_inside(root: Path) -> list[Problem]:
    """FP605 for each folder in `root` (which has no `_config.yml`, no feedpub.toml and
    no posts folder of its own) that is a Jekyll site of its own, `_config.yml` and
    `_posts/`: the build was run a folder too high. Its posts would be read as this
    folder's, in a category of its name, without its settings (as Hugo stops without
    its config, a build stops). A link to a folder is not followed, as the scan does
    not follow it; a folder that cannot be looked into is none."""
    own = ("_config.yml", "_posts", "archived")
    try:
        if any(os.path.lexists(root / name) for name in own) or is_posts_folder(root):
            return []  # (a site itself, perhaps without a config: Jekyll's default)
        if find_config(root):
            return []  # (a feedpub.toml says what to read: an archive of several sites, say)
        with os.scandir(root) as listed:
            names = sorted(
                e.name
                for e in listed
                if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            )
    except OSError:
        return []
    found = []
    for name in names:
        site = root / name
        try:
            inside = (site / "_config.yml").is_file() and (site / "_posts").is_dir()
        except OSError:  # (Python 3.11 raises EACCES here)
            continue
        if inside:
            msg = (
                f"{name}/ is a Jekyll site of its own, and this folder is none (no _config.yml,"
                f" no feedpub.toml): its posts would be published as this folder's, without"
                f" its settings; `feedpub build {shlex.quote(os.path.relpath(site))}` builds it"
            )
            found.append(Problem(os.path.relpath(site / "_config.yml"), 0, 0, "FP605", msg, "file"))
    return found


def setting_problems(
    settings: Settings, root: Path, sources: Iterable[str], config: Path | None = None
) -> list[Problem]:
    """What the settings miss or name in vain, given the sources the posts have
    (a `check` says what a build would); `config`: the --config file given, which says
    how to read `root` (no FP605) and is where `url` goes."""
    problems = [] if config else sites_inside(root)
    if not settings.url:
        home = parent_folder(root) if is_posts_folder(root) else root
        found = config or find_jekyll(root) or find_config(root)
        where = found or home  # (not a _config.yml that is not there)
        none = "" if found else f" (no _config.yml or feedpub.toml in {home})"
        msg = f"no site URL{none}: ids and links use {settings.site_url}"
        problems.append(Problem(os.path.relpath(where), 0, 0, "FP601", msg, "file"))
    base = "/" + settings.baseurl.strip("/")
    if settings.url and base != "/" and urlsplit(settings.url).path.rstrip("/").endswith(base):
        file, line = os.path.relpath(settings.url_at[0]), settings.url_at[1]
        msg = (
            f"url {settings.url} already ends with baseurl {base}: the site is at"
            f" {settings.site_url}, as Jekyll joins them"
        )
        problems.append(Problem(file, line, 0, "FP604", msg, "file"))
    for file, line, msg in settings.unused:
        problems.append(Problem(os.path.relpath(file), line, 0, "FP603", msg, "file"))
    seen = set(sources)
    for name, (file, line) in sorted(settings.origins.items()):
        if name not in seen:
            close = difflib.get_close_matches(name, sorted(seen), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            msg = f"[sources.{key_text(name)}]: no post has this source{hint}; its settings unused"
            problems.append(Problem(os.path.relpath(file), line, 0, "FP602", msg, "file"))
    jekyll = find_jekyll(root) or root / "_config.yml"
    lines = dict(settings.feed_at)
    for msg in jekyllfeed.unknown(settings, seen):  # at its key's line (`feed.categories`)
        line = lines.get(msg.partition(":")[0], lines.get("feed", 0))
        problems.append(Problem(os.path.relpath(jekyll), line, 0, "FP603", msg, "file"))
    for file, line, msg in _copies_taken(settings, jekyll):
        problems.append(Problem(os.path.relpath(file), line, 0, "FP603", msg, "file"))
    return problems


def _copies_taken(settings: Settings, jekyll: Path) -> list[tuple[str, int, str]]:
    """Where, and what to say, of jekyll-feed's `feed.path` (or feedpub's `feed_path`)
    or `feed.tags.path` where feedpub's own files go (`rss.xml`, `tags/`): the copy is
    not written (a user trial's was not, without a word). A tag's copy is the path
    and the tag's name joined (`tags` + `x.xml`)."""
    own = {*FILES.values(), SITE_PAGE, INDEX_FILE, OPML_FILE, XSL_FILE} - {FILES["atom"]}
    named = "feed.path" if settings.feed_path_at[0].endswith("_config.yml") else "feed_path"
    tags_at = (str(jekyll), dict(settings.feed_at).get("feed.tags.path", 0))
    said = []
    for what, path, (file, line) in (
        (named, settings.feed_path, settings.feed_path_at),
        ("feed.tags.path", settings.feed_tags, tags_at),
    ):
        rel = jekyllfeed.in_output(settings, path) if path else None
        if rel is None:
            continue  # (none, or outside the output folder: `jekyllfeed.unknown` says so)
        top, slash, _ = rel.partition("/")
        if what != "feed.tags.path" and rel in own:
            said.append((file, line, f"{what}: /{path} is a file of feedpub's own"))
        elif top in FOLDERS and (slash or what != "feed.tags.path"):
            how = "in feedpub's folder" if slash else "the name of feedpub's folder"
            said.append((file, line, f"{what}: /{path} is {how} {top}/, for its own feeds"))
    return [(f, n, f"{msg}: no copy is written") for f, n, msg in said]
