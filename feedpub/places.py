"""The folders and files a build is told to use (`--out`, `--cache`, `--report`),
checked before it starts: each names a place of its own, apart from what it reads.

The scan skips the output folder and the cache, so posts there would be left
unread (`scan.unread_posts`), and feeds would be written among posts; a cache in
the output folder would be published (or its lock taken twice); a report there
would overwrite a feed, in a posts folder a post. The site's `_data/` and
`_includes/` are read too: feeds written there would be read back as the site's;
Jekyll's `_layouts/`, `_sass/`, `_plugins/` and `_drafts/` are no place for them either.
"""

from __future__ import annotations

import os
import shlex
from contextlib import suppress
from pathlib import Path

from . import config, scan, writer
from .problems import FeedpubError
from .settings import POST_FOLDERS, Settings


class Misuse(FeedpubError):
    """A flag names a place a build must not use: a usage error (exit 2)."""


def check(
    root: Path,
    out: Path,
    cache: Path | None,
    given: tuple[bool, bool],
    report_file: Path | None,
    settings: Settings,
) -> None:
    """Raise Misuse if `out`, `cache` (None: no cache) or `report_file` is no place for
    them; `given` says whether `--out` and `--cache` were (else they are the defaults)."""
    flag = "--out" if given[0] else "the default output folder"
    hint = "" if given[0] else " (run feedpub in the repository's root, or pass --out DIR)"
    _check_folder(flag, out)
    o = _resolved(flag, out)
    known = (out / writer.MANIFEST).is_file()  # feedpub's already: its tree is not walked
    if wrong := scan.unread_posts(root, o, walk=not known):
        raise Misuse(f"{flag} {out}: {wrong}{hint if scan.in_posts_folder(root, o) else ''}")
    if wrong := (
        scan.linked_inside(root, out)
        or _site_folder(root, o, settings)
        or _jekyll_output(o, settings)
        or _git(o)
        or _home(o)
    ):
        raise Misuse(f"{flag} {out}: {wrong}")
    c = None
    if cache is not None:
        flag = "--cache" if given[1] else "the default cache"
        hint = "" if given[1] else " (pass --cache DIR, or --no-cache)"
        _check_folder(flag, cache)
        c = _resolved(flag, cache)
        if wrong := (
            scan.unread_posts(root, c)
            or scan.linked_inside(root, cache)
            or _site_folder(root, c, settings)
            or _git(c)
            or _home(c)
        ):
            raise Misuse(f"{flag} {cache}: {wrong}{hint}")
        if c == o or o in c.parents or c in o.parents:
            raise Misuse(
                f"{flag} {cache}: must not be the output folder, inside it, or hold it{hint}"
            )
    if report_file is None:
        return
    if report_file.is_dir():
        raise Misuse(f"--report {report_file}: is a folder, not a file")
    f = _resolved("--report", report_file)
    if o in f.parents or (c is not None and c in f.parents):
        raise Misuse(f"--report {report_file}: must not be in the output folder or the cache")
    if scan.in_posts_folder(root, f.parent):
        raise Misuse(f"--report {report_file}: must not be in a posts folder")
    if wrong := _site_folder(root, f, settings) or _git(f) or _not_a_report(report_file):
        raise Misuse(f"--report {report_file}: {wrong}")


_SITE_MARKS = ("_config.yml", "feedpub.toml", "_posts")  # beside `archived/`: a site's


def check_root(root: Path, command: str = "build", configured: bool = False) -> None:
    """Raise Misuse if `root` is inside a posts folder of a site, or (unless `--config`
    says how to read it) in a folder Jekyll builds the site from (`_layouts/`,
    `_drafts/` ...): user trials there read none of the site's posts and wrote an
    empty site among the files. Only the nearest posts folder above counts,
    `archived` only with a mark of a site beside it; a root that is a posts folder or
    a site of its own is none (a checkout in `/home/runner/work/_posts/_posts`)."""
    own = (*_SITE_MARKS, "archived")
    if scan.is_posts_folder(root) or any(os.path.lexists(root / n) for n in own):
        return
    ways = (Path(os.path.abspath(root)), _resolved("ROOT", root))  # (`_posts` may be a link)
    for folder in () if configured else (f for w in ways for f in (w, *w.parents)):
        if folder.name in _READ_FOLDERS and os.path.isfile(folder.parent / "_config.yml"):
            home = os.path.relpath(folder.parent)
            raise Misuse(
                f"{root} is in {folder.name}/ of the Jekyll site at {home}, whose files are no"
                f" posts of the site: run `feedpub {command} {shlex.quote(home)}`"
            )
    above = next((p for w in ways for p in w.parents if p.name in POST_FOLDERS), None)
    if above is None:
        return
    site = above.parent
    if above.name == "archived" and not any(os.path.lexists(site / n) for n in _SITE_MARKS):
        return
    posts, home = (os.path.relpath(p) for p in (above, site))
    doing = "build the site" if command == "build" else "read the site"
    raise Misuse(
        f"{root} is inside the posts folder {posts}/, whose files are all posts of the"
        f" site {home}: {doing} (`feedpub {command} {shlex.quote(home)}`) or that folder"
    )


def _git(path: Path) -> str:
    """What is wrong with `path` (resolved) as a place to write: being in a `.git`
    folder, whose files are the repository itself (a user trial's `--out .git`)."""
    return "must not be in a .git folder (the repository's own)" if ".git" in path.parts else ""


def _jekyll_output(out: Path, settings: Settings) -> str:
    """What is wrong with `out` (resolved) as the output folder if it is the one `jekyll
    build` writes the site to (`_site`, or `destination:`) itself: feedpub's index.html
    replaced a blog trial's home page there (below it is the way)."""
    if not settings.site_destination:
        return ""
    with suppress(OSError, RuntimeError):
        destination = Path(settings.site_destination)
        if destination.resolve() == out:
            name = f"{destination.name}/"
            return (
                f"must not be Jekyll's output folder {name} itself: feedpub's index.html would"
                f" replace the site's home page; write the feeds below it (`--out {name}feeds"
                " --feeds-url feeds/`)"
            )
    return ""


def _home(path: Path) -> str:
    """What is wrong with `path` (resolved) as a folder to fill: being the user's home
    (a user trial's `--out ~` wrote 610 files among its dotfiles, exit 0)."""
    try:
        home = Path.home().resolve()
    except (OSError, RuntimeError):  # (no HOME, no passwd entry)
        return ""
    return "must not be your home folder" if path == home else ""


_REPORT_STARTS = (b'{"posts_read":', b'{"failed":')  # (`report.summary_json`, `failure_json`)


def _not_a_report(path: Path) -> str:
    """What is wrong with replacing the file at `path` (or the one a link there leads
    to) by a report: "" if nothing (no file, an empty one, a stream such as
    /dev/stdout, a pipe or a device, or a report of an earlier build), else that it is
    some other file (a user trial's `--report _config.yml` replaced the config)."""
    if writer.stream_of(path) is not None or not os.path.isfile(path):  # (a pipe: not opened)
        return ""
    try:
        with open(path, "rb") as f:
            start = b"".join(f.read(64).removeprefix(b"\xef\xbb\xbf").split())
    except OSError as e:
        return f"cannot be read: {e.strerror or e}"
    if not start or start.startswith(_REPORT_STARTS):
        return ""
    return "is a file of another kind, not a report of feedpub's; not replaced"


def _site_folder(root: Path, out: Path, settings: Settings) -> str:
    """What is wrong with `out` (resolved) as the output folder of a Jekyll site whose
    `_data/` or includes folder it is, is in or holds: "" if nothing. The trial's
    `--out _data` read its own feeds back as data (496 FP603) at the next build."""
    jekyll = config.find_jekyll(root)
    if jekyll is None:
        return ""
    site = jekyll.parent
    includes = root / settings.includes_dir if settings.includes_dir else site / "_includes"
    jekylls = [site / name for name in _JEKYLL_FOLDERS]
    for read in (site / "_data", includes, *jekylls):
        try:
            r = read.resolve()
        except (OSError, RuntimeError):
            continue
        if r == out or r in out.parents or out in r.parents:
            what = "Jekyll builds the site from" if read in jekylls else "the build reads"
            return f"must not be, be inside or hold the site's {read.name}/, which {what}"
    return ""


# Where Jekyll finds a site's layouts, Sass, plugins, drafts: no place for feeds, never
# published (a user trial wrote 474 files among `_layouts/default.html` and the rest).
_JEKYLL_FOLDERS = ("_layouts", "_sass", "_plugins", "_drafts")
_READ_FOLDERS = ("_data", "_includes", *_JEKYLL_FOLDERS)  # (a root there has no posts)


def _check_folder(flag: str, folder: Path) -> None:
    """A folder flag must name a folder, or a path where one can be made."""
    if folder.exists() and not folder.is_dir():
        raise Misuse(f"{flag} {folder}: is a file, not a folder")
    above = next((p for p in folder.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise Misuse(f"{flag} {folder}: {above} is a file, not a folder")


def _resolved(flag: str, folder: Path) -> Path:
    """`folder` resolved, or a usage error (a loop of links cannot be resolved)."""
    try:
        return folder.resolve()
    except (OSError, RuntimeError) as e:
        raise Misuse(f"{flag} {folder}: cannot be used: {getattr(e, 'strerror', None) or e}") from e
