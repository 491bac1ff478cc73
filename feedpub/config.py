"""Settings: defaults < Jekyll `_config.yml` < `feedpub.toml` / `[tool.feedpub]` < flags."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .problems import FeedpubError

ShiftMode = Literal["detect", "correct", "off"]


@dataclass(frozen=True)
class SourceSettings:
    """Per-source overrides, `[sources."联合早报"]` in the config."""

    zone: str = "UTC"  # the zone naive dates of this source are read in
    remove: tuple[str, ...] = ()  # extra CSS selectors of junk to delete from bodies


@dataclass(frozen=True)
class Settings:
    title: str = "Feeds"
    description: str = ""
    url: str = "http://localhost:4000"
    baseurl: str = ""
    limit: int = 50
    generic_categories: tuple[str, ...] = ("news",)
    author_feeds: bool = True
    max_bytes: int = 5_000_000  # posts larger than this are skipped
    feed_bytes: int = 1_000_000  # budget per feed file; older entries shrink to summaries
    summary_chars: int = 300
    zone: str = "UTC"  # default zone for naive dates
    shift: ShiftMode = "correct"
    iframes: Literal["drop", "link"] = "link"
    data_images: bool = True
    hub: str = ""
    archive_period: Literal["auto", "month", "year"] = "auto"  # auto: site by month, rest by year
    sources: dict[str, SourceSettings] = field(default_factory=dict)

    @property
    def site_url(self) -> str:
        """Absolute URL of the site root, always ending in `/`."""
        return self.url.rstrip("/") + "/" + (self.baseurl.strip("/") + "/").lstrip("/")

    def source(self, name: str) -> SourceSettings:
        return self.sources.get(name) or SourceSettings(zone=self.zone)

    def fingerprint(self) -> str:
        """A hash of every setting: a cache built under other settings is void."""
        data = json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(data.encode(), digest_size=8).hexdigest()


_FIELDS = {f.name for f in dataclasses.fields(Settings)}
_SOURCE_FIELDS = {f.name for f in dataclasses.fields(SourceSettings)}


def _check_zone(zone: str, where: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise FeedpubError(f"{where}: unknown time zone {zone!r}") from e


def _convert(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Check a config table against the Settings fields and convert its values."""
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise FeedpubError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    out = dict(raw)
    if "generic_categories" in out:
        out["generic_categories"] = tuple(str(x) for x in out["generic_categories"])
    sources = {}
    for name, table in (out.get("sources") or {}).items():
        bad = sorted(set(table) - _SOURCE_FIELDS)
        if bad:
            raise FeedpubError(f"{where}: sources.{name}: unknown setting(s) {', '.join(bad)}")
        src = dict(table)
        if "remove" in src:
            src["remove"] = tuple(str(x) for x in src["remove"])
        src.setdefault("zone", out.get("zone", "UTC"))
        _check_zone(src["zone"], f"{where}: sources.{name}")
        sources[str(name)] = SourceSettings(**src)
    if "sources" in out:
        out["sources"] = sources
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise FeedpubError(f"{path}: cannot read config: {e}") from e
    if path.name == "pyproject.toml":
        return dict(data.get("tool", {}).get("feedpub", {}))
    return data


def _read_jekyll(path: Path) -> dict[str, Any]:
    """The site fields of a Jekyll `_config.yml`, if there is one."""
    import yaml  # here, not above: a build without a _config.yml may need no YAML at all

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
    keys = ("title", "description", "url", "baseurl")
    return {k: str(data[k]) for k in keys if isinstance(data.get(k), str | int | float)}


def find_config(posts: Path) -> Path | None:
    """`feedpub.toml`, or a pyproject with `[tool.feedpub]`, by the posts or here."""
    for folder in (posts, posts.parent, Path.cwd()):
        if (folder / "feedpub.toml").is_file():
            return folder / "feedpub.toml"
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _read_toml(pyproject):
            return pyproject
    return None


def load(posts: Path, config: Path | None = None, **flags: Any) -> Settings:
    """Build the settings in layers; flags that are None were not given."""
    layers: dict[str, Any] = {}
    for folder in (posts, posts.parent, Path.cwd()):
        if (folder / "_config.yml").is_file():
            layers.update(_read_jekyll(folder / "_config.yml"))
            break
    path = config or find_config(posts)
    if config is not None and not config.is_file():
        raise FeedpubError(f"{config}: config file not found")
    if path is not None:
        layers.update(_convert(_read_toml(path), str(path)))
    layers.update({k: v for k, v in flags.items() if v is not None})
    _check_zone(layers.get("zone", "UTC"), str(path or "settings"))
    try:
        settings = Settings(**layers)
    except TypeError as e:
        raise FeedpubError(f"{path}: {e}") from e
    _check_values(settings, str(path or "settings"))
    return settings


_CHOICES = {
    "shift": ("detect", "correct", "off"),
    "iframes": ("drop", "link"),
    "archive_period": ("auto", "month", "year"),
}
_TYPES = {
    **{k: str for k in ("title", "description", "url", "baseurl", "zone", "hub", "archive_period")},
    **{k: int for k in ("limit", "max_bytes", "feed_bytes", "summary_chars")},
    **{k: bool for k in ("author_feeds", "data_images")},
}


def _check_values(settings: Settings, where: str) -> None:
    """Wrong types and unknown choices are errors, not silently odd builds."""
    for key, kind in _TYPES.items():
        value = getattr(settings, key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise FeedpubError(f"{where}: {key} must be {kind.__name__}, not {value!r}")
    for key, choices in _CHOICES.items():
        if getattr(settings, key) not in choices:
            raise FeedpubError(f"{where}: {key} must be one of {', '.join(choices)}")
    if settings.limit < 1 or settings.feed_bytes < 4096 or settings.summary_chars < 1:
        raise FeedpubError(f"{where}: limit and summary_chars must be >= 1, feed_bytes >= 4096")
