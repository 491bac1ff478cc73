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
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import language
from .problems import FeedpubError, Problem
from .scan import is_posts_folder
from .settings import KindSettings, Settings, SourceSettings
from .text import yaml_mark
from .tomllines import toml_lines


class ConfigError(FeedpubError):
    """Mistakes in the settings, one line each (`file:line: key: what is wrong`)."""

    def __init__(self, mistakes: list[str]) -> None:
        super().__init__("\n".join(mistakes))
        self.mistakes = mistakes


# --- checking values -----------------------------------------------------------

Check = Callable[[Any], tuple[Any, str]]  # value -> (converted value, "" or what is wrong)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _text(value: Any) -> tuple[Any, str]:
    return (value, "") if isinstance(value, str) else (value, f"must be text, not {_shown(value)}")


def _whole(least: int) -> Check:
    def check(value: Any) -> tuple[Any, str]:
        if not isinstance(value, int) or isinstance(value, bool):
            return value, f"must be a whole number, not {_shown(value)}"
        return (value, "") if value >= least else (value, f"must be at least {least}, not {value}")

    return check


def _flag(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    return value, f"must be true or false, not {_shown(value)}"


def _choice(*choices: str) -> Check:
    def check(value: Any) -> tuple[Any, str]:
        if value in choices:
            return value, ""
        return value, f"must be one of {', '.join(choices)}, not {_shown(value)}"

    return check


def _names(item: Check | None = None) -> Check:
    """A list of text items (each checked by `item` too, if given)."""

    def check(value: Any) -> tuple[Any, str]:
        if not isinstance(value, list | tuple):
            return value, f'must be a list of text items, like ["a", "b"], not {_shown(value)}'
        wrong = []
        for n, x in enumerate(value, start=1):
            if not isinstance(x, str):
                wrong.append(f"item {n} must be text, not {_shown(x)}")
            elif item is not None and (what := item(x)[1]):
                wrong.append(f"item {n}: {what}")
        return tuple(value), "; ".join(wrong)

    return check


def _zone(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f"must be a time zone name, not {_shown(value)}"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return value, f'unknown time zone {_shown(value)} (use a name like "Asia/Singapore")'
    return value, ""


def url_mistake(value: str) -> str:
    """What is wrong with `value` as an absolute http(s) URL, "" if nothing."""
    try:
        parts = urlsplit(value)
        _ = parts.port  # a bad port raises
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an absolute http(s) URL, like https://example.org/, not {_shown(value)}"
    if parts.query or parts.fragment or any(c.isspace() for c in value):
        return f"must be a plain http(s) URL without spaces, query or fragment: {_shown(value)}"
    return ""


def _url(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f"must be an absolute http(s) URL, not {_shown(value)}"
    return value, url_mistake(value) if value else ""


def _baseurl(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f'must be a path like "/news", not {_shown(value)}'
    if "://" in value or "?" in value or "#" in value:
        return (
            value,
            f'must be a path like "/news" (the site\'s URL goes in `url`), not {_shown(value)}',
        )
    return value, ""


def _selector(value: str) -> tuple[Any, str]:
    """A CSS selector that the cleaner can run (cssselect: no lxml needed to check)."""
    import cssselect

    try:
        for selector in cssselect.parse(value):
            if selector.pseudo_element:
                return value, f"pseudo-elements are not supported: {_shown(value)}"
            cssselect.HTMLTranslator().selector_to_xpath(selector)
    except cssselect.SelectorError as e:
        return value, f"invalid CSS selector {_shown(value)}: {e}"
    return value, ""


def _lang(value: Any) -> tuple[Any, str]:
    if isinstance(value, str) and (not value or language.valid(value)):
        return value, ""
    return value, f'must be a language tag like "zh-Hant", "zh-Hans" or "en", not {_shown(value)}'


CHECKS: dict[str, Check] = {
    "title": _text,
    "description": _text,
    "lang": _lang,
    "url": _url,
    "baseurl": _baseurl,
    "limit": _whole(1),
    "generic_categories": _names(),
    "author_feeds": _flag,
    "merge_duplicates": _flag,
    "max_bytes": _whole(1),
    "max_tags": _whole(1),
    "max_feeds": _whole(1),
    "max_output_bytes": _whole(1),
    "feed_bytes": _whole(4096),
    "summary_chars": _whole(1),
    "zone": _zone,
    "shift": _choice("detect", "correct", "off"),
    "iframes": _choice("drop", "link"),
    "data_images": _flag,
    "referrer_policy": _choice("no-referrer", "keep"),
    "hub": _url,
    "archive_period": _choice("auto", "month", "year"),
    "include": _names(),
    "exclude": _names(),
}


def _offset(value: Any) -> tuple[Any, str]:
    """A marker offset: what the source's clock is off by, like "-16h" or "+5h30m"."""
    if isinstance(value, str) and _OFFSET.fullmatch(value.strip()) and value.strip()[1:]:
        return value.strip(), ""
    return value, f'must be an offset like "-16h" or "-5h30m", not {_shown(value)}'


_OFFSET = re.compile(r"[+-](?:\d{1,2}h)?(?:\d{1,3}m)?")


def _pattern(value: Any) -> tuple[Any, str]:
    """A title pattern: text with {name} (the feed's) and {site} (the site's title)."""
    if not isinstance(value, str):
        return value, f"must be text, not {_shown(value)}"
    try:
        value.format(name="", site="")
    except (KeyError, IndexError, ValueError) as e:
        return value, f"{_shown(value)}: only {{name}} and {{site}} can be filled in ({e})"
    return value, ""


KIND_CHECKS: dict[str, Check] = {
    "enabled": _flag,
    "only": _names(),
    "except": _names(),
    "min_posts": _whole(1),
    "title": _pattern,
    "description": _pattern,
}
KINDS = ("source", "tag", "author")  # the kinds `[feeds.X]` may name (not the site)
SOURCE_CHECKS: dict[str, Check] = {
    "zone": _zone,
    "remove": _names(_selector),
    "marker_offset": _offset,
    "lang": _lang,
    "referrer_policy": _choice("no-referrer", "keep"),
}
JEKYLL_KEYS = ("title", "description", "url", "baseurl")


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

    def line(self, *path: str) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def wrong(self, path: tuple[str, ...], message: str) -> None:
        key = ".".join(_key_text(p) for p in path)
        self.mistakes.append(f"{self.file}:{self.line(*path)}: {key}: {message}")


def _key_text(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part, ensure_ascii=False)


def _read_toml(path: Path) -> _Layer:
    layer = _Layer(str(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
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
            layer.values["feeds"] = _check_tables(layer, key, value, KIND_CHECKS, KINDS)
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
            layer.wrong(where, f"must be a table, like [{key}.{_key_text(name)}]")
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


def _read_jekyll(path: Path) -> _Layer:
    """The site fields of a Jekyll `_config.yml` (title, description, url, baseurl)."""
    import yaml  # here, not above: a build without a _config.yml may need no YAML at all

    layer = _Layer(str(path))
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except OSError as e:
        layer.mistakes.append(f"{path}:1: cannot read the Jekyll config: {e.strerror or e}")
        return layer
    except UnicodeDecodeError:
        layer.mistakes.append(f"{path}:1: the Jekyll config is not UTF-8")
        return layer
    except yaml.YAMLError as e:
        mark = yaml_mark(e)
        line = mark[0] + 1 if mark is not None else 1
        reason = getattr(e, "problem", None) or str(e).split("\n")[0]
        layer.mistakes.append(f"{path}:{line}: invalid YAML: {reason}")
        return layer
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return layer  # an empty file, or not a mapping: nothing for feedpub in it
    for key_node, _ in node.value:
        if isinstance(key_node.value, str):
            layer.lines.setdefault((key_node.value,), key_node.start_mark.line + 1)
    for key in JEKYLL_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # `title: 2021`
        converted, wrong = CHECKS[key](value)
        if wrong:
            layer.wrong((key,), wrong)
        else:
            layer.values[key] = converted
    return layer


def find_config(posts: Path) -> Path | None:
    """`feedpub.toml`, or a pyproject with `[tool.feedpub]`, by the posts or here."""
    for folder in (posts, posts.parent, Path.cwd()):
        if (folder / "feedpub.toml").is_file():
            return folder / "feedpub.toml"
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.feedpub" in pyproject.read_text("utf-8", "replace"):
            return pyproject
    return None


def find_jekyll(posts: Path) -> Path | None:
    for folder in (posts, posts.parent, Path.cwd()):
        if (folder / "_config.yml").is_file():
            return folder / "_config.yml"
    return None


def load(posts: Path, config: Path | None = None, **flags: Any) -> Settings:
    """Build the settings in layers; flags that are None were not given.

    `site_url` (the `--site-url` flag) replaces `url` and `baseurl` together, as
    Hugo's `--baseURL` does: a Pages workflow passes the whole URL of the site.
    """
    layers: list[_Layer] = []
    mistakes: list[str] = []
    jekyll = find_jekyll(posts)
    if jekyll is not None:
        layers.append(_read_jekyll(jekyll))
    if config is not None and not config.is_file():
        mistakes.append(f"Error: --config: {config}: no such file")
    path = config if config is not None and config.is_file() else find_config(posts)
    if path is not None:
        layers.append(_read_toml(path))
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}
    kinds: dict[str, dict[str, Any]] = {}
    origins: dict[str, tuple[str, int]] = {}
    for layer in layers:
        mistakes += layer.mistakes
        for name, table in layer.values.pop("sources", {}).items():
            sources.setdefault(name, {}).update(table)
            origins[name] = (layer.file, layer.line("sources", name))
        for name, table in layer.values.pop("feeds", {}).items():
            kinds.setdefault(name, {}).update(table)
        values.update(layer.values)
    site_url = flags.pop("site_url", None)
    if site_url is not None:
        if wrong := url_mistake(site_url):
            mistakes.append(f"Error: --site-url: {wrong}")
        values.update(url=site_url, baseurl="")
    values.update({k: v for k, v in flags.items() if v is not None})
    if mistakes:
        raise ConfigError(mistakes)
    inherited = {  # what a source's table does not set is the global value
        "zone": values.get("zone", "UTC"),
        "referrer_policy": values.get("referrer_policy", "no-referrer"),
    }
    values["sources"] = {
        name: SourceSettings(**{**inherited, **table}) for name, table in sources.items()
    }
    values["feeds"] = {name: KindSettings(**table) for name, table in sorted(kinds.items())}
    return Settings(**values, origins=origins)


def setting_problems(
    settings: Settings, root: Path, sources: Iterable[str], urls: bool = True
) -> list[Problem]:
    """What the settings miss or name in vain, given the sources the posts have
    (`urls`: and whether the run makes URLs, which need the site's)."""
    problems = []
    if urls and not settings.url:
        home = root.parent if is_posts_folder(root) else root
        where = find_jekyll(root) or find_config(root) or home / "_config.yml"
        msg = f"no site URL: ids and links use {settings.site_url}"
        problems.append(Problem(str(where), 0, 0, "FP601", msg, "file"))
    seen = set(sources)
    for name, (file, line) in sorted(settings.origins.items()):
        if name not in seen:
            close = difflib.get_close_matches(name, sorted(seen), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            msg = f"[sources.{_key_text(name)}]: no post has this source{hint}; its settings unused"
            problems.append(Problem(file, line, 0, "FP602", msg, "file"))
    return problems
