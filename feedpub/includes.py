"""Jekyll's `{% include %}` in posts: a file of the site's `_includes/` folder,
rendered by python-liquid as Jekyll renders it, the tag's parameters as `include`.

Jekyll renders a post's Liquid before its Markdown, so what an include gives (a
figure, a boilerplate list in Markdown) becomes part of the post's text. An
include is rendered only when everything it reads is known: its parameters, the
post's title, the config's values of one text, the filters below and Liquid's
own. Anything else (a variable of the page or a layout, a filter of a plugin, a
file that is not in the folder, as a gem theme's) fails it, and the tag stays as
written (FP203), as other Liquid feedpub does not render does.

The folder is listed and hashed with the config (`listing`), so an edited include
voids the cache like any setting; a file is read when first used, and only if it
is still what was hashed (a link or a file swapped in meanwhile is not read). A
hostile include is bounded: its output, loops, variables, includes and depth, and
its time (MAX_SECONDS a tag, MAX_POST_SECONDS all of a post's, in a process's main
thread); a file that does not parse, or an include that took too long, is not tried
again in that process.
"""

from __future__ import annotations

import gc
import hashlib
import html
import json
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote_plus

from .commonmark import render_markdown
from .liquidsite import Site, URLFilters
from .settings import Settings
from .text import printed

if TYPE_CHECKING:
    from liquid import Environment

# Jekyll's `IncludeTag`: `name key="value" key='value' key=variable`, in Ruby's ASCII `\w`
_PARAM = r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
_PARAMS = re.compile(rf"\s*(?:{_PARAM}(?=\s|\Z)\s*)*\Z", re.ASCII)
_EACH_PARAM = re.compile(_PARAM, re.ASCII)
_FILE_NAME = re.compile(r"[\w/.\-()+~#@]+", re.ASCII)
_CLIMB = re.compile(r"[./]{2,}")
_LITERAL = re.compile(r"-?\d+(\.\d+)?")  # `width=300`: a number, as Liquid reads it
_LITERALS = {"true": True, "false": False, "nil": None, "null": None}
TAGS = ("include", "include_cached")  # jekyll-include-cache's renders the same
MAX_OUTPUT = 1_000_000  # what one include tag may write (Liquid's output limit)
MAX_LOOPS = 100_000  # iterations of `for` in one tag's rendering
MAX_DEPTH = 30  # includes inside includes
MAX_INCLUDED = 1_000  # files one tag's rendering may include, all depths together
MAX_SECONDS = 5.0  # one tag's rendering (its files' parsing included)
MAX_POST_SECONDS = 10.0  # all of a post's tags: 200 of a loop's 0.6 s took 132 s
MAX_FILES = 2_000  # files of the folder listed
MAX_FILE_BYTES = 256_000  # a larger file is not listed
MAX_FOLDER_BYTES = 16_000_000  # files listed (and hashed) at most, in all
MAX_FOLDER_DEPTH = 20  # folders inside the folder


class Includes(NamedTuple):
    """The site's `_includes/` folder: where it is and the files it holds."""

    folder: str  # its path
    files: tuple[tuple[str, str], ...]  # each file in it (relative, with `/`) and its hash

    def render(
        self, markup: str, variables: Mapping[str, Any], filters: URLFilters, spent: list[float]
    ) -> str | None:
        """What `{% include markup %}` renders to, with `variables` (`page`, `site`)
        as its context; None when feedpub cannot render it as Jekyll would, or when
        the post's includes took MAX_POST_SECONDS (`spent[0]`, added to here)."""
        parsed = _parsed(markup)
        seconds = min(MAX_SECONDS, MAX_POST_SECONDS - spent[0])
        if parsed is None or parsed[0] not in _names(self) or seconds <= 0:
            return None
        name, params = parsed
        env = _environment(self, filters)
        env.included = 0
        timer = _Timer()
        start = time.monotonic()
        try:
            values = {key: _value(value, partial(_lookup, variables)) for key, value in params}
            with _deadline(seconds, timer):
                return str(_template(env, name).render(**variables, include=_Params(values)))
        except Exception:  # a site's template, whatever it raises, fails only itself
            if timer.expired and seconds == MAX_SECONDS:  # (python-liquid may raise its own)
                env.failed.add(name)  # too slow: not tried again in this process
            return None
        finally:
            spent[0] += time.monotonic() - start

    def why(self, markup: str) -> str:
        """Why `{% include markup %}` is not rendered, as a message says it."""
        parsed = _parsed(markup)
        if parsed is None:
            return "a file name or parameters feedpub cannot read, as a name from a variable"
        if parsed[0] not in _names(self):
            return (
                f"no file {parsed[0]} in _includes/; a theme's includes, in its gem, are not read"
            )
        return "it reads what feedpub does not know: a page's or layout's variable, a filter"


def site_of(settings: Settings, root: Path) -> Site:
    """What a post's Liquid reads of the site: the config's values and the includes
    the settings found (`Settings.includes_dir` is relative to the posts folder,
    `..` taken off as written: through a linked `_posts/` it is the same folder)."""
    found = None
    if settings.includes:
        folder = os.path.normpath(os.path.join(root, settings.includes_dir))
        found = Includes(folder, settings.includes)
    return Site.of(settings.url, settings.baseurl, settings.site_values, found, settings.site_data)


def listing(folder: Path) -> tuple[tuple[str, str], ...]:
    """The files of an `_includes/` folder and a hash of each: regular files only (no
    link, pipe or device), the first MAX_FILES, each at most MAX_FILE_BYTES, at most
    MAX_FOLDER_BYTES in all, MAX_FOLDER_DEPTH folders deep, in name order."""
    found: list[tuple[str, str]] = []
    total = 0
    todo = [(str(folder), "", 0)]
    while todo and len(found) < MAX_FILES:
        here, rel, depth = todo.pop()
        try:
            with os.scandir(here) as listed:
                entries = sorted(listed, key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:  # (reversed: the stack gives the folders back in order)
            if entry.name.startswith("."):  # never read, as posts are not
                continue
            name = f"{rel}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_FOLDER_DEPTH:
                    todo.append((entry.path, name + "/", depth + 1))
            elif entry.is_file(follow_symlinks=False):
                data = _read(entry.path)
                if data is not None and total + len(data) <= MAX_FOLDER_BYTES:
                    total += len(data)
                    found.append((name, _digest(data)))
    return tuple(sorted(found)[:MAX_FILES])


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _read(path: str) -> bytes | None:
    """The bytes of a regular file at `path` (not a link), if it holds at most
    MAX_FILE_BYTES; None else."""
    try:  # (a link: ELOOP; a pipe is opened without waiting, and then refused)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            return None
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= MAX_FILE_BYTES else None


class _Timeout(Exception):
    """A tag's rendering took longer than MAX_SECONDS."""


class _Timer:
    expired = False


def _template(env: Any, name: str, context: Any = None) -> Any:
    """The parsed file `name`; one that does not parse is remembered as failed (it
    fails alike for every post), whichever include reached it."""
    if name in env.failed:
        raise _Unknown(name)
    try:
        return env.get_template(name, context=context)
    except Exception as e:
        cause: BaseException | None = e
        while cause is not None and not isinstance(cause, _Timeout):  # (python-liquid
            cause = cause.__cause__ or cause.__context__  # wraps it when parsing)
        if cause is None:  # not a tag's time run out while this file was parsed
            env.failed.add(name)
        raise


@contextmanager
def _deadline(seconds: float, timer: _Timer) -> Iterator[None]:
    """Raise _Timeout in what runs here after `seconds`, and mark `timer` expired (a
    process's main thread only: elsewhere no timer is set). The collector is paused
    meanwhile: raised in a collection's callback, the exception would be lost ("ignored
    in gc_callback": a CI run's failure) and the include would run on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        timer.expired = True
        raise _Timeout

    collecting = gc.isenabled()
    gc.disable()
    before = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
        if collecting:
            gc.enable()


class _Unknown(Exception):
    """An include feedpub does not render: a parameter names a variable it does not
    know, a file failed before, or a tag includes too many files."""


class _Params(dict[str, Any]):
    """An include's parameters: one not given is nil, as in Jekyll's `include` hash."""

    def __missing__(self, key: str) -> None:
        return None


Param = tuple[str, tuple[str | None, str | None, str | None]]  # name; "…", '…' or a variable


def _parsed(markup: str) -> tuple[str, list[Param]] | None:
    """The file name and the parameters of an include's markup, as Jekyll reads them;
    None for a name given by a variable or markup Jekyll refuses."""
    name, *more = re.split(r"\s+", markup.strip(), maxsplit=1)
    rest = more[0] if more else ""
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
    if _LITERAL.fullmatch(variable):
        return float(variable) if "." in variable else int(variable)
    if variable in _LITERALS:
        return _LITERALS[variable]
    return lookup(variable.split("."))


def _lookup(variables: Mapping[str, Any], path: list[str]) -> Any:
    """A variable of the post's context: an unknown one fails the tag, but an
    `include.X`, nil out of an include as in one."""
    found: Any = variables
    for part in path:
        if not isinstance(found, Mapping) or part not in found:
            if path[0] == "include":
                return None
            raise _Unknown(".".join(path))
        found = found[part]
    return found


def _markdownify(value: object) -> str:
    return render_markdown(printed(value))


def _jsonify(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _xml_escape(value: object) -> str:
    return html.escape(printed(value))


def _cgi_escape(value: object) -> str:
    return quote_plus(printed(value), safe="*")


def _words(value: object) -> int:
    return len(printed(value).split())


def _normalize_whitespace(value: object) -> str:
    return " ".join(printed(value).split())


@cache
def _names(includes: Includes) -> frozenset[str]:
    return frozenset(name for name, _ in includes.files)


@cache
def _environment(includes: Includes, filters: URLFilters) -> Any:  # a local subclass's
    """One Liquid environment per folder (its files' hashes included: it keeps what
    it read) and process: Jekyll's include tag, the site's
    URL filters and Jekyll's others, strict about what it does not know."""
    from liquid import CachingDictLoader, Environment, StrictUndefined

    class _Jekyll(Environment):
        output_stream_limit = MAX_OUTPUT
        loop_iteration_limit = MAX_LOOPS
        local_namespace_limit = MAX_OUTPUT  # `assign`s: `s = s | append: s` 27 times took 2 GB
        context_depth_limit = 2 * MAX_DEPTH + 2  # (an include takes two)
        failed: set[str]  # the files that failed to render: not tried again
        included = 0  # files the tag being rendered has included

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
    env.failed = set()
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
    env.filters = {name: _bounded(name, func) for name, func in env.filters.items()}
    return env


def _bounded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func`, a filter, refusing inputs of more than MAX_OUTPUT characters or items
    in all: python-liquid's build a range's list in one call, past every other limit
    (`(1..60000000) | reverse` took 2.4 GB); and what `join` and `replace` multiply,
    their arguments given by position or by name (`replace: 'a', sub: b`)."""

    @wraps(func)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        given = (*args, *(v for k, v in kwargs.items() if k not in ("context", "environment")))
        weight = sum(_weight(each) for each in (value, *given))
        if weight <= MAX_OUTPUT and name == "join" and given:  # between every two items
            weight += _weight(value) * len(str(given[0]))
        elif weight <= MAX_OUTPUT and name == "replace" and len(given) > 1:
            text = value if isinstance(value, str) else printed(value)  # as the filter reads it
            weight += text.count(str(given[0])) * len(str(given[1]))
        if weight > MAX_OUTPUT:
            raise _Unknown(f"{name}: too large")
        return func(value, *args, **kwargs)

    return bounded


def _weight(value: object) -> int:
    """How long a text, list or range is, with the texts a list holds (one long text
    many times), counted up to MAX_OUTPUT."""
    if isinstance(value, str | range):
        return len(value)
    if not isinstance(value, list | tuple):
        return 0
    total = len(value)
    for item in value:
        if total > MAX_OUTPUT:
            break
        total += len(item) if isinstance(item, str) else 0
    return total


class _Files(dict[str, str]):
    """The folder's files, read when first asked for (a name not in it is missing)."""

    def __init__(self, includes: Includes) -> None:
        super().__init__()
        self.includes = includes

    def __missing__(self, name: str) -> str:
        """The file, if it is still the one listed: its hash the same."""
        listed = dict(self.includes.files).get(name)
        data = _read(os.path.join(self.includes.folder, *name.split("/"))) if listed else None
        if data is None or _digest(data) != listed:
            raise KeyError(name)
        text = data.decode("utf-8-sig", "replace")  # (Jekyll's BOM: read and dropped)
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
            env = context.env
            env.included += 1
            if parsed is None or env.included > MAX_INCLUDED:
                raise _Unknown(self.markup)
            name, params = parsed
            values = {key: _value(value, partial(_get, context)) for key, value in params}
            template = _template(env, name, context)
            scope = {"include": _Params(values)} if params else {}  # else the outer one's
            with context.extend(scope, template=template):
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
    """A variable of an include's context (`key=include.caption`), as `_lookup`."""
    from liquid import is_undefined

    found = context.get(path, token=None, default=_MISSING)
    if found is _MISSING or is_undefined(found):
        if path[0] == "include":
            return None
        raise _Unknown(".".join(path))
    return found


_MISSING = object()
