"""Settings: defaults < Jekyll `_config.yml` < `feedpub.toml` / `[tool.feedpub]` < flags.

The configuration is checked whole before anything runs: every key, every
value's type, every list item, every CSS selector and URL. Each mistake is one
line, `file:line: key: what is wrong`, and all of them are reported at once
(`ConfigError`), as mkdocs does, so a typo never passes silently and never
costs one run per mistake.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import jekyllexclude, jekyllfeed, language, sitedata
from .checks import (
    CHECKS,
    FILE_ENDINGS,
    KIND_CHECKS,
    SOURCE_CHECKS,
    Check,
    checked_feeds_url,
    normal_url,
    shown,
)
from .problems import FeedpubError, printable
from .scan import is_posts_folder
from .settings import KindSettings, Settings, SourceSettings
from .text import printed, xml_safe, yaml_mark
from .tomllines import toml_lines


class ConfigError(FeedpubError):
    """Mistakes in the settings, one line each (`file:line: key: what is wrong`)."""

    def __init__(self, mistakes: list[str]) -> None:
        super().__init__("\n".join(mistakes))
        self.mistakes = mistakes


MAX_AUTHORS = 10_000  # entries of `_data/authors.yml` read: each is a name to look up
JEKYLL_KEYS = ("title", "description", "author", "lang", "url", "baseurl", "permalink", "timezone")


def _unknown(key: str, known: Iterator[str] | list[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return "unknown setting" + (f" (did you mean {close[0]!r}?)" if close else "")


# --- reading files ---------------------------------------------------------------


@dataclass
class _Layer:
    """One file's settings, with where each key is, and the mistakes found in it."""

    file: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    mistakes: list[str] = field(default_factory=list)
    url_mistakes: set[str] = field(default_factory=set)  # of `mistakes`: moot with --site-url

    def line(self, *path: str) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def unused(self, path: tuple[str, ...], message: str, file: str = "") -> None:
        """FP603 at `path`'s line (or at the top of another `file`, a data file's)."""
        found = (file or self.file, 1 if file else self.line(*path), message, path[0])
        self.values["unused"] = (*self.values.get("unused", ()), found)

    def wrong(self, path: tuple[str, ...], message: str) -> None:
        key = ".".join(key_text(p) for p in path)
        found = f"{self.file}:{self.line(*path)}: {key}: {message}"
        self.mistakes.append(found)
        if path[0] in ("url", "baseurl"):
            self.url_mistakes.add(found)

    def said(self, site_url: object) -> list[str]:
        """The mistakes, in the file's line order (those of `url` moot if `site_url`)."""
        at = re.compile(re.escape(self.file) + r":(\d+):").match  # (a data file's: last)
        kept = [m for m in self.mistakes if site_url is None or m not in self.url_mistakes]
        return sorted(kept, key=lambda m: int(n[1]) if (n := at(m)) else float("inf"))


def key_text(part: str) -> str:
    """A key as TOML writes it in a message: bare, or quoted."""
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part, ensure_ascii=False)


def _linked(path: Path) -> str:
    """Why a config file found by its name is not read: a symbolic link (a repository's
    `_config.yml -> /etc/passwd`, or `-> .env`, would be read, and its lines printed
    or published); "" if it is read. One given with --config is the user's."""
    if not path.is_symlink():
        return ""
    return f"{path}:1: a symbolic link (to {os.path.realpath(path)}): not read"


def _read_toml(path: Path, found: bool = True) -> _Layer:
    layer = _Layer(str(path))
    if found and (why := _linked(path)):
        layer.mistakes.append(why)
        return layer
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except RecursionError:
        layer.mistakes.append(f"{path}:1: invalid TOML: nested too deep")
        return layer
    except OSError as e:
        layer.mistakes.append(f"{path}:1: cannot read the config: {e.strerror or e}")
        return layer
    except UnicodeDecodeError:
        layer.mistakes.append(f"{path}:1: the config is not UTF-8")
        return layer
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line = m.group(1) if m else "1"
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        layer.mistakes.append(f"{path}:{line}: invalid TOML: {reason}")
        return layer
    lines = toml_lines(text)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("feedpub", {}) if isinstance(tool, dict) else {}
        lines = {k[2:]: n for k, n in lines.items() if k[:2] == ("tool", "feedpub")}
    layer.lines = lines
    _check_table(layer, data if isinstance(data, dict) else {})
    return layer


def _check_table(layer: _Layer, data: dict[str, Any]) -> None:
    """Check every key of a feedpub table and keep the converted values in `layer`."""
    for key, value in data.items():
        if key == "sources":
            layer.values["sources"] = _check_tables(layer, key, value, SOURCE_CHECKS)
            continue
        if key == "feeds":
            from .planner import SETTABLE  # here, not above: only [feeds.X] tables need the planner

            layer.values["feeds"] = _check_tables(layer, key, value, KIND_CHECKS, SETTABLE)
            continue
        check = CHECKS.get(key)
        if check is None:
            layer.wrong((key,), _unknown(key, [*CHECKS, "sources", "feeds"]))
            continue
        converted, wrong = check(value)
        if wrong:
            layer.wrong((key,), wrong)
        else:
            layer.values[key] = converted


def _check_tables(
    layer: _Layer,
    key: str,
    tables: Any,
    checks: dict[str, Check],
    names: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
    """`[sources."X"]` or `[feeds.tag]`: named tables of `checks` (of `names` if given)."""
    found: dict[str, dict[str, Any]] = {}
    example = f"{key}.{names[0]}" if names else f'{key}."Name"'
    if not isinstance(tables, dict):
        layer.wrong((key,), f"must be tables, like [{example}]")
        return found
    for name, table in tables.items():
        where = (key, name)
        if names and name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(names)}"
            layer.wrong(where, f"no such kind of feed ({hint})")
            continue
        if not isinstance(table, dict):
            layer.wrong(where, f"must be a table, like [{key}.{key_text(name)}]")
            continue
        values: dict[str, Any] = {}
        for item, value in table.items():
            check = checks.get(item)
            if check is None:
                layer.wrong((*where, item), _unknown(item, list(checks)))
                continue
            converted, wrong = check(value)
            if wrong:
                layer.wrong((*where, item), wrong)
            else:
                values["skip" if item == "except" else item] = converted
        found[name] = values
    return found


def _yaml(path: Path, layer: _Layer, what: str) -> tuple[Any, Any]:
    """The YAML file at `path` as a node (for its lines) and as data; (None, None), and
    the mistake noted in `layer`, if it cannot be read."""
    import yaml

    if why := _linked(path):
        layer.mistakes.append(why)
        return None, None
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.compose(text, Loader=yaml.CSafeLoader), yaml.load(text, yaml.CSafeLoader)
    except RecursionError:
        layer.mistakes.append(f"{path}:1: invalid YAML: nested too deep")
    except OSError as e:
        layer.mistakes.append(f"{path}:1: cannot read {what}: {e.strerror or e}")
    except UnicodeDecodeError:
        layer.mistakes.append(f"{path}:1: {what} is not UTF-8")
    except ValueError as e:  # a value YAML's constructors refuse: an int of 5,000 digits
        layer.mistakes.append(f"{path}:1: invalid YAML: {printable(str(e))[:200]}")
    except yaml.YAMLError as e:
        mark = yaml_mark(e)
        line = mark[0] + 1 if mark is not None else 1
        reason = getattr(e, "problem", None) or str(e).split("\n")[0]
        layer.mistakes.append(f"{path}:{line}: invalid YAML: {reason}")
    return None, None


def _authors(path: Path, layer: _Layer) -> tuple[tuple[str, str], ...]:
    """The names `_data/authors.yml` beside the config gives the keys a post's `author:`
    may be (jekyll-feed's `site.data.authors[author].name`): its first MAX_AUTHORS
    entries of a `name:` text, or of a text. Their `uri:` and `email:` go to the
    layer's `author_links`."""
    try:
        if not path.is_file() or path.parent.is_symlink():
            return ()
    except OSError as e:  # `_data/` that cannot be searched
        layer.mistakes.append(f"{path}:1: cannot read the authors' data: {e.strerror or e}")
        return ()
    data = _yaml(path, layer, "the authors' data")[1]
    found: dict[str, str] = {}
    links: list[tuple[str, str, str]] = []
    for key, value in list(data.items())[:MAX_AUTHORS] if isinstance(data, dict) else ():
        name = value.get("name") if isinstance(value, dict) else value
        if isinstance(key, str) and isinstance(name, str) and name.strip():
            found[key.strip()] = xml_safe(name).strip()
            links += jekyllfeed.author_links(found[key.strip()], value)
    layer.values["author_links"] = tuple(links)
    return tuple(sorted(found.items()))


def _in_site(folder: str) -> bool:
    """Whether `includes_dir` names a folder inside the site (Jekyll reads no other)."""
    parts = Path(folder).parts
    return bool(parts) and not Path(folder).is_absolute() and ".." not in parts


def _key_lines(layer: _Layer, node: Any, above: tuple[str, ...], seen: set[int]) -> None:
    """The line of each key of the YAML mapping `node` and of its mappings', 3 keys deep,
    at its path below `above`; a mapping an alias repeats, once (a hostile config's
    aliases of aliases would be millions of keys)."""
    seen.add(id(node))
    for key_node, value in node.value:
        if isinstance(key_node.value, str):
            path = (*above, key_node.value)
            layer.lines.setdefault(path, key_node.start_mark.line + 1)
            if len(path) < 3 and value.tag == "tag:yaml.org,2002:map" and id(value) not in seen:
                _key_lines(layer, value, path, seen)


def _read_jekyll(path: Path) -> _Layer:
    """The site fields of a Jekyll `_config.yml` (title, description, author, url, baseurl,
    and the permalink and timezone of its posts' links; `collections.posts.permalink`
    is the posts' permalink where it is set)."""
    import yaml  # here, not above: a build without a _config.yml may need no YAML at all

    from . import frontmatter

    layer = _Layer(str(path))
    node, data = _yaml(path, layer, "the Jekyll config")
    if data is None:
        return layer  # an empty file (or comments only), or not read: nothing in it
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 1 if node is not None else 1
        what = "a list" if isinstance(data, list) else shown(data)
        layer.mistakes.append(
            f"{path}:{line}: the Jekyll config must be `key: value` lines, not {what}"
        )
        return layer
    _key_lines(layer, node, (), set())  # (`feed.tags.only`: its own line, said FP603)
    for key in JEKYLL_KEYS:
        value = data.get(key)
        if key == "title" and value is None and isinstance(data.get("name"), str):
            value = data["name"]  # jekyll-feed's `site.title | default: site.name`
        if value is None:
            continue
        given = value
        if key == "lang":  # Jekyll's is anything: a locale (`en_US`) or a tag, else unused
            blank = isinstance(value, str) and not value.strip()  # (not str() of a YAML bomb)
            value = language.stated(value) or ("" if blank else None)
        if key == "author" and not isinstance(value, str):  # a theme's, perhaps: its name
            value = value.get("name") if isinstance(value, dict) else None
        if value is None or (key == "author" and not isinstance(value, str)):
            why = "a language tag like `en` or `zh-Hans`" if key == "lang" else "a name"
            layer.unused((key,), f"{key}: {shown(given)}, not {why}: not used")
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = printed(value)  # `title: 2021`
        converted, wrong = CHECKS[key](value)
        if wrong:
            layer.wrong((key,), wrong)
        else:
            layer.values[key] = converted
    layer.values["site_values"] = sitedata.config_values(data)
    names = _authors(path.parent / "_data" / "authors.yml", layer)
    if isinstance(author := layer.values.get("author"), str):  # a key of the data, perhaps
        layer.values["author"] = dict(names).get(author, author)
        given = jekyllfeed.author_links(layer.values["author"], data.get("author"))
        layer.values["author_links"] = (*given, *layer.values.get("author_links", ()))
    layer.values["author_names"] = names
    layer.values["site_data"], skipped = sitedata.read(path.parent / "_data")
    for file, why in skipped:  # Jekyll would stop: the rest of the site is built
        layer.unused(("site_data",), why, file)
    folder = data.get("includes_dir", "_includes")
    if isinstance(folder, str) and any(p[0] == "." and p != ".." for p in Path(folder).parts):
        why = (
            f"includes_dir {printable(folder)}: no hidden folder is read (.git/config holds tokens)"
        )
        layer.unused(("includes_dir",), why)
    elif isinstance(folder, str) and _in_site(folder):  # (kept apart from --out if not made yet)
        layer.values["includes_dir"] = str(path.parent / folder)
        from .includes import listing  # here: a build with nothing changed needs none

        layer.values["includes"] = listing(path.parent, folder)
    dest = data.get("destination") or "_site"  # where `jekyll build` writes the site
    layer.values["site_destination"] = str(path.parent / dest) if isinstance(dest, str) else ""
    layer.values["defaults"] = frontmatter.defaults_of(data.get("defaults"))
    feed_values, unused = jekyllfeed.read(data.get("feed"))  # `feed: {path: atom.xml}`
    if "feed" in data:  # (the line of each key a warning may be of, else of `feed:`)
        at = [("feed",), ("feed", "path"), ("feed", "categories"), ("feed", "tags", "path")]
        layer.values["feed_at"] = tuple((".".join(k), layer.line(*k)) for k in at)
        layer.lines[("feed_path",)] = layer.line("feed", "path")  # (feedpub's name of it)
    layer.values.update(feed_values)
    layer.values["site_exclude"], odd = jekyllexclude.patterns(data)
    for keys, why in (*unused, *odd):
        layer.unused(keys, why)
    collections = data.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    if isinstance(posts, dict) and isinstance(own := posts.get("permalink"), str):
        converted, wrong = CHECKS["permalink"](own)  # the posts' own: as Jekyll, it wins
        if wrong:
            layer.wrong(("collections", "posts", "permalink"), wrong)
        else:
            layer.values["permalink"] = converted
    return layer


def parent_folder(folder: Path) -> Path:
    """The folder holding `folder`, as the user would write it: `Path(".").parent`
    is `.` itself, which would leave the repository's config unread from `_posts`."""
    return Path(os.path.normpath(folder / ".."))


def _config_folders(posts: Path) -> tuple[Path, ...]:
    """Where a config is looked for: the folder built, the repository holding it when
    it is a posts folder (not the folder above a repository), and here."""
    return (posts, *((parent_folder(posts),) if is_posts_folder(posts) else ()), Path.cwd())


def find_config(posts: Path) -> Path | None:
    """`feedpub.toml`, or a pyproject with `[tool.feedpub]`, by the posts or here."""
    for folder in _config_folders(posts):
        if (folder / "feedpub.toml").is_file():
            return folder / "feedpub.toml"
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.feedpub" in pyproject.read_text("utf-8", "replace"):
            return pyproject
    return None


def find_jekyll(posts: Path) -> Path | None:
    found = (folder / "_config.yml" for folder in _config_folders(posts))
    return next((path for path in found if path.is_file()), None)


def _site_url(values: dict[str, Any]) -> str | None:
    """The site's URL the config's `url` and `baseurl` give, if it sets `url`."""
    url = values.get("url")
    return Settings(url=url, baseurl=values.get("baseurl", "")).site_url if url else None


def load(posts: Path, config: Path | None = None, **flags: Any) -> Settings:
    """Build the settings in layers; flags that are None were not given. `site_url`
    (`--site-url`) replaces `url` and `baseurl` together, as Hugo's `--baseURL` does:
    a Pages workflow passes the whole URL of the site."""
    layers: list[_Layer] = []
    mistakes: list[str] = []
    jekyll = find_jekyll(posts)
    if jekyll is not None:
        layers.append(_read_jekyll(jekyll))
    if config is not None and config.suffix.lower() in (".yml", ".yaml"):
        mistakes.append(
            f"Error: --config: {config}: takes a feedpub.toml (or pyproject.toml); the Jekyll"
            " _config.yml of the folder built (or of its parent) is read by itself"
        )
        config = None
    elif config is not None and not config.is_file():
        what = "a folder, not a file" if config.is_dir() else "not a regular file"
        mistakes.append(f"Error: --config: {config}: {what if config.exists() else 'no such file'}")
    given = config is not None and config.is_file()
    path = config if given else find_config(posts)
    if path is not None:
        layers.append(_read_toml(path, found=not given))
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}
    kinds: dict[str, dict[str, Any]] = {}
    origins: dict[str, tuple[str, int]] = {}
    url_at = feed_path_at = ("", 0)
    site_url = flags.pop("site_url", None)
    for layer in layers:  # (--site-url replaces a config's url and baseurl, right or not)
        mistakes += layer.said(site_url)
        if "url" in layer.values:
            url_at = (layer.file, layer.line("url"))
        if "feed_path" in layer.values:
            feed_path_at = (layer.file, layer.line("feed_path"))
        for name, table in layer.values.pop("sources", {}).items():
            sources.setdefault(name, {}).update(table)
            origins[name] = (layer.file, layer.line("sources", name))
        for name, table in layer.values.pop("feeds", {}).items():
            kinds.setdefault(name, {}).update(table)
        values.update(layer.values)
    if site_url is not None:
        site_url, wrong = normal_url(site_url)
        if not wrong and site_url.lower().endswith(FILE_ENDINGS):
            wrong = f"names a file ({site_url}), not the folder the site is published at"
        if wrong:
            mistakes.append(f"Error: --site-url: {wrong}")
        elif Settings(url=site_url).site_url != _site_url(values):  # (the same: a warm cache)
            values.update(url=site_url, baseurl="")
    for flag, check in (("feeds_url", checked_feeds_url), ("hub", normal_url)):
        if flags.get(flag) is not None:
            flags[flag], wrong = check(flags[flag])
            if wrong:
                mistakes.append(f"Error: --{flag.replace('_', '-')}: {wrong}")
    values.update({k: v for k, v in flags.items() if v is not None})
    later = {key for layer in layers[1:] for key in layer.values} | {k for k in flags if flags[k]}
    values["unused"] = tuple(u[:3] for u in values.get("unused", ()) if u[3] not in later)
    if mistakes:
        raise ConfigError(mistakes)
    if values.get("site_exclude") and jekyll is not None:  # (the site's paths: the posts' in it)
        exclude = jekyllexclude.rooted(values["site_exclude"], posts, jekyll.parent)
        values["site_exclude"], values["site_path"] = exclude
    if "includes_dir" in values:  # where the posts' workers find it
        values["includes_dir"] = Path(os.path.relpath(values["includes_dir"], posts)).as_posix()
    if "zone" not in values and values.get("timezone", "UTC") != "UTC":
        values.update(zone=values["timezone"], jekyll_dates=True)  # a Jekyll site's dates
    inherited = {  # what a source's table does not set is the global value
        "zone": values.get("zone", "UTC"),
        "referrer_policy": values.get("referrer_policy", "no-referrer"),
        "summary_leads": values.get("summary_leads", True),
    }
    values["sources"] = {
        name: SourceSettings(**{**inherited, **table, "own_zone": "zone" in table})
        for name, table in sources.items()
    }
    values["feeds"] = {name: KindSettings(**table) for name, table in sorted(kinds.items())}
    return Settings(**values, origins=origins, url_at=url_at, feed_path_at=feed_path_at)
