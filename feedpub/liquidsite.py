"""What a post's Liquid may read of its site, and Jekyll's URL filters.

Shared by the post renderer (`liquid`), the includes (`includes`) and the front
matter's `image:` (made absolute as Jekyll's `absolute_url` makes it).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"
URLFilters = tuple[tuple[str, Callable[[Any], str]], ...]  # (name, filter) of a site


class Includer(Protocol):
    """The site's `_includes/` (`includes.Includes`)."""

    def render(
        self, markup: str, variables: Mapping[str, Any], filters: URLFilters, spent: list[int]
    ) -> str | None: ...

    def why(self, markup: str, spent: list[int]) -> str: ...


Value = str | int | float | None  # of a config key Liquid reads (a bool is an int)


class Site(NamedTuple):
    """What a post's Liquid may read of the site."""

    url: str  # scheme and host of the site, "" if none is set
    baseurl: str  # its path, "" or "/blog"
    config: Mapping[str, Value] = {}  # the config's keys of one value, as YAML typed them
    includes: Includer | None = None  # its `_includes/` folder, if it has one
    data: str = ""  # its `_data/`, as JSON (`sitedata`)

    @classmethod
    def of(
        cls,
        url: str,
        baseurl: str,
        values: tuple[tuple[str, Value], ...] = (),
        includes: Includer | None = None,
        data: str = "",
    ) -> Site:
        """The site a post's Liquid sees: `url` and `baseurl` as the Jekyll config
        writes them (as Jekyll prints them, `url: https://u.github.io/repo` whole),
        else the host and the path of the build's site, `url` + `baseurl` (so that
        `--site-url https://u.github.io/repo/` is /repo, as GitHub Pages makes it)."""
        config = dict(values)
        root = urlsplit(url.rstrip("/") + "/" + baseurl.strip("/"))
        host = f"{root.scheme}://{root.netloc}" if root.netloc else ""
        given = config.get("url", ""), config.get("baseurl", "")
        if given != ("", "") and given == (url, baseurl):  # not replaced by --site-url
            return cls(*given, config, includes, data)
        return cls(host, root.path.rstrip("/"), config, includes, data)


@cache
def url_filters(url: str, baseurl: str) -> URLFilters:
    """Jekyll's URL filters of a site, for its includes (the same objects for the
    same site: they key its Liquid environment)."""
    site = Site(url, baseurl)
    return tuple((name, partial(_url_filter, name, site)) for name in _URL_FILTERS)


_URL_FILTERS = ("relative_url", "absolute_url")


def _url_filter(name: str, site: Site, value: object) -> str:
    if value is None:
        return ""  # nil, as Jekyll's filters give for nil
    return filtered(name, str(value), site) or ""


def filtered(name: str, value: str, site: Site) -> str | None:
    """Jekyll's filter `name` of `value`; None for one feedpub does not know."""
    if name in ("escape", "xml_escape"):
        return html.escape(value)
    if name not in ("relative_url", "absolute_url"):
        return None
    if _SCHEME.match(value):
        return value  # absolute (`https:`, `mailto:`): Jekyll leaves it
    parts = (p if not p or p[0] == "/" else "/" + p for p in (site.baseurl.rstrip("/"), value))
    path = quote("".join(parts), safe=_URL_SAFE)  # as Addressable's `normalize`
    return quote(site.url, safe=_URL_SAFE) + path if name == "absolute_url" and site.url else path
