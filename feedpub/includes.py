"""Jekyll's `{% include %}` in posts: a file of the site's `_includes/` folder,
rendered by python-liquid as Jekyll renders it, the tag's parameters as `include`.

Jekyll renders a post's Liquid before its Markdown, so what an include gives (a
figure, a boilerplate list in Markdown) becomes part of the post's text. An
include is rendered only when everything it reads is known: its parameters, the
post's title, the config's values of one text, the filters below and Liquid's
own. Anything else (a variable of the page or a layout, a filter of a plugin, a
file that is not in the folder, as a gem theme's) fails it, and the tag stays as
written (FP203), as other Liquid feedpub does not render does.

The folder is listed and hashed with the config (`config._includes`), so an edited
include voids the cache like any setting; the files are read when first used.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Mapping
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote_plus

from .commonmark import render_markdown
from .liquid import Site
from .settings import Settings

if TYPE_CHECKING:
    from liquid import Environment

# Jekyll's `IncludeTag`: `name key="value" key='value' key=variable`, in Ruby's ASCII `\w`
_PARAM = r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
_PARAMS = re.compile(rf"\s*(?:{_PARAM}(?=\s|\Z)\s*)*\Z", re.ASCII)
_EACH_PARAM = re.compile(_PARAM, re.ASCII)
_FILE_NAME = re.compile(r"[\w/.\-()+~#@]+", re.ASCII)
_CLIMB = re.compile(r"[./]{2,}")
TAGS = ("include", "include_cached")  # jekyll-include-cache's renders the same
MAX_OUTPUT = 1_000_000  # what one include may write (Liquid's output limit)
MAX_LOOPS = 100_000  # iterations of `for` in one render
MAX_DEPTH = 20  # includes inside includes


Filters = tuple[tuple[str, Callable[[Any], str]], ...]  # (name, filter): the site's URL filters


class Includes(NamedTuple):
    """The site's `_includes/` folder: where it is and the files it holds."""

    folder: str  # its path
    files: tuple[tuple[str, str], ...]  # each file in it (relative, with `/`) and its hash

    def render(self, markup: str, variables: Mapping[str, Any], filters: Filters) -> str | None:
        """What `{% include markup %}` renders to, with `variables` (`page`, `site`)
        as its context; None when feedpub cannot render it as Jekyll would."""
        parsed = _parsed(markup)
        if parsed is None or parsed[0] not in _names(self):
            return None
        name, params = parsed
        try:
            values = {key: _value(value, partial(_lookup, variables)) for key, value in params}
            env = _environment(self, filters)
            template = env.get_template(name)
            return template.render(**variables, include=_Params(values))
        except Exception:  # a site's template, whatever it raises, fails only itself
            return None


def site_of(settings: Settings, root: Path) -> Site:
    """What a post's Liquid reads of the site: the config's values and the includes
    the settings found (`Settings.includes_dir` is relative to the posts folder)."""
    found = None
    if settings.includes:
        folder = os.path.join(root, settings.includes_dir)
        found = Includes(folder, settings.includes)
    return Site.of(settings.url, settings.baseurl, settings.site_values, found)


class _Unknown(Exception):
    """A parameter names a variable feedpub does not know."""


class _Params(dict[str, Any]):
    """An include's parameters: one not given is nil, as in Jekyll's `include` hash."""

    def __missing__(self, key: str) -> None:
        return None


Param = tuple[str, tuple[str | None, str | None, str | None]]  # name; "…", '…' or a variable


def _parsed(markup: str) -> tuple[str, list[Param]] | None:
    """The file name and the parameters of an include's markup, as Jekyll reads them;
    None for a name given by a variable or markup Jekyll refuses."""
    name, _, rest = markup.strip().partition(" ")
    rest = rest.strip()
    if not _FILE_NAME.fullmatch(name) or _CLIMB.search(name) or not _PARAMS.match(rest):
        return None
    params: list[Param] = [(m[1], (m[2], m[3], m[4])) for m in _EACH_PARAM.finditer(rest)]
    return name, params


def _value(value: tuple[str | None, ...], lookup: Callable[[list[str]], Any]) -> Any:
    """A parameter's value: a quoted text, or the variable it names (Jekyll's
    `context[name]`), which must be known."""
    double, single, variable = value
    if double is not None:
        return double.replace('\\"', '"')
    if single is not None:
        return single.replace("\\'", "'")
    assert variable is not None
    return lookup(variable.split("."))


def _lookup(variables: Mapping[str, Any], path: list[str]) -> Any:
    found: Any = variables
    for part in path:
        if not isinstance(found, Mapping) or part not in found:
            raise _Unknown(".".join(path))
        found = found[part]
    return found


def _markdownify(value: object) -> str:
    return render_markdown("" if value is None else str(value))


def _jsonify(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _xml_escape(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _cgi_escape(value: object) -> str:
    return quote_plus("" if value is None else str(value), safe="*")


def _words(value: object) -> int:
    return len(("" if value is None else str(value)).split())


def _normalize_whitespace(value: object) -> str:
    return " ".join(("" if value is None else str(value)).split())


@cache
def _names(includes: Includes) -> frozenset[str]:
    return frozenset(name for name, _ in includes.files)


@cache
def _environment(includes: Includes, filters: Filters) -> Environment:
    """One Liquid environment per folder (its files' hashes included: it keeps what
    it read) and process: Jekyll's include tag, the site's
    URL filters and Jekyll's others, strict about what it does not know."""
    from liquid import CachingDictLoader, Environment, StrictUndefined

    class _Jekyll(Environment):
        output_stream_limit = MAX_OUTPUT
        loop_iteration_limit = MAX_LOOPS
        context_depth_limit = MAX_DEPTH

        def tokenizer(self) -> Any:
            """python-liquid 2.3's lexer ends a text at `$`, which matches before a
            last line end too, and trims that line end as well after a `-%}`
            (`</figure>` of `{%- endif -%}\\n</figure>\\n` lost its `\\n`):
            the end of the template is `\\Z`, as in Ruby's Liquid."""
            lexer: Any = super().tokenizer()
            rules = lexer.keywords["rules"]
            ended = re.compile(rules.pattern.replace("|$)", r"|\Z)"), rules.flags)
            return partial(lexer.func, rules=ended)

    env = _Jekyll(loader=CachingDictLoader(_Files(includes)), undefined=StrictUndefined)
    for name in TAGS:
        env.tags[name] = _include_tag(env, name)
    env.filters.update(dict(filters))
    env.filters.update(
        markdownify=_markdownify,
        jsonify=_jsonify,
        xml_escape=_xml_escape,
        cgi_escape=_cgi_escape,
        number_of_words=_words,
        normalize_whitespace=_normalize_whitespace,
    )
    return env


class _Files(dict[str, str]):
    """The folder's files, read when first asked for (a name not in it is missing)."""

    def __init__(self, includes: Includes) -> None:
        super().__init__()
        self.includes = includes

    def __missing__(self, name: str) -> str:
        if name not in _names(self.includes):
            raise KeyError(name)
        path = os.path.join(self.includes.folder, *name.split("/"))
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read(MAX_OUTPUT + 1)
        except (OSError, UnicodeDecodeError) as e:
            raise KeyError(name) from e
        if len(text) > MAX_OUTPUT:
            raise KeyError(name)
        self[name] = text
        return text


def _include_tag(env: Environment, tag_name: str) -> Any:
    """Jekyll's include tag (`{% include name key="value" %}`) for includes inside
    includes: Liquid's own takes a quoted name and `key: value`."""
    from liquid.ast import Node
    from liquid.tag import Tag
    from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

    class _Node(Node):
        def __init__(self, token: Any, markup: str) -> None:
            super().__init__(token)
            self.markup = markup
            self.blank = False

        def render_to_output(self, context: Any, buffer: Any) -> int:
            parsed = _parsed(self.markup)
            if parsed is None:
                raise _Unknown(self.markup)
            name, params = parsed
            values = {key: _value(value, partial(_get, context)) for key, value in params}
            template = context.env.get_template(name, context=context)
            with context.extend({"include": _Params(values)}, template=template):
                template.render_with_context(context, buffer, partial=True)
            return True

        def __str__(self) -> str:
            return f"{{% {tag_name} {self.markup} %}}"

    class _Tag(Tag):
        name = tag_name
        block = False

        def parse(self, stream: Any) -> Node:
            token = stream.eat(TOKEN_TAG)
            current = stream.current  # (the parser moves past it, as for its own tags)
            return _Node(token, current.value if current.kind == TOKEN_EXPRESSION else "")

    return _Tag(env)


def _get(context: Any, path: list[str]) -> Any:
    from liquid import is_undefined

    found = context.get(path, token=None, default=None)
    if found is None or is_undefined(found):
        raise _Unknown(".".join(path))
    return found
