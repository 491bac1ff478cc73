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
its time (MAX_SECONDS a tag, in a process's main thread) and the work of all of a
post's tags (MAX_POST_WORK); a file that does not parse, or an include that took too
long, is not tried again in that process. Jekyll's filters are `jekyllfilters`'.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import jekyllfilters
from .liquidsite import Site, URLFilters
from .settings import Settings

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
# The work all of a post's tags may do, as loop iterations (a file included counts as
# INCLUDE_WORK): 200 tags of a 99,000-step loop, each within MAX_SECONDS, took 132 s.
# Work, not time: where a post's tags stop must not change from one build to the next.
MAX_POST_WORK = 1_000_000
INCLUDE_WORK = 1_000
MAX_FILES = 2_000  # files of the folder listed
MAX_FILE_BYTES = 256_000  # a larger file is not listed
MAX_FOLDER_BYTES = 16_000_000  # files listed (and hashed) at most, in all
MAX_FOLDER_DEPTH = 20  # folders inside the folder


class Includes(NamedTuple):
    """The site's `_includes/` folder: where it is and the files it holds."""

    folder: str  # its path
    files: tuple[tuple[str, str], ...]  # each file in it (relative, with `/`) and its hash

    def render(
        self, markup: str, variables: Mapping[str, Any], filters: URLFilters, spent: list[int]
    ) -> str | None:
        """What `{% include markup %}` renders to, with `variables` (`page`, `site`)
        as its context; None when feedpub cannot render it as Jekyll would, or when
        the post's tags did MAX_POST_WORK (`spent[0]`, the post's, added to here)."""
        parsed = _parsed(markup)
        if parsed is None or parsed[0] not in _names(self) or spent[0] >= MAX_POST_WORK:
            return None
        name, params = parsed
        env = _environment(self, filters)
        env.included, env.spent = 0, spent
        spent[0] += INCLUDE_WORK
        timer = _Timer()
        try:
            values = {key: _value(value, partial(_lookup, variables)) for key, value in params}
            with _deadline(MAX_SECONDS, timer):
                return str(_template(env, name).render(**variables, include=_Params(values)))
        except Exception:  # a site's template, whatever it raises, fails only itself
            if timer.expired:  # (python-liquid may raise its own error for it)
                env.failed.add(name)  # too slow: not tried again in this process
            return None

    def why(self, markup: str, spent: list[int]) -> str:
        """Why `{% include markup %}` is not rendered, as a message says it (`spent`: the
        work the post's tags did, see `render`)."""
        parsed = _parsed(markup)
        if spent[0] >= MAX_POST_WORK:
            return f"the post's includes did their work ({MAX_POST_WORK:,} loop steps)"
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


def listing(site: Path, includes_dir: str = ".") -> tuple[tuple[str, str], ...]:
    """The files of the site's `_includes/` folder (none if it, or a folder it is in,
    is a link) and a hash of each: regular files only (no link, pipe or device), the
    first MAX_FILES, each at most MAX_FILE_BYTES, at most MAX_FOLDER_BYTES in all,
    MAX_FOLDER_DEPTH folders deep, in name order."""
    parts = Path(includes_dir).parts
    folder = site / includes_dir
    if not folder.is_dir() or any(
        (site / Path(*parts[: i + 1])).is_symlink() for i in range(len(parts))
    ):
        return ()
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
        spent: list[int]  # the work of the post being rendered (see MAX_POST_WORK)
        template_class = _counted_template()

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
    env.filters = jekyllfilters.bounded(env.filters | dict(filters) | jekyllfilters.JEKYLL)
    return env


def _counted_template() -> Any:
    """python-liquid's template, whose loops count their steps into the post's work (a
    loop's length, when it starts) and stop past MAX_POST_WORK, as past a tag's limit."""
    from liquid import BoundTemplate, RenderContext
    from liquid.exceptions import LoopIterationLimitError

    class _Context(RenderContext):
        def raise_for_loop_limit(self, length: int = 1) -> None:
            super().raise_for_loop_limit(length)
            spent: list[int] = self.env.spent  # type: ignore[attr-defined]
            spent[0] += length
            if spent[0] > MAX_POST_WORK:
                raise LoopIterationLimitError("the post's work is done", token=None)

    class _Template(BoundTemplate):
        context_class = _Context

    return _Template


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
            env.spent[0] += INCLUDE_WORK
            if parsed is None or env.included > MAX_INCLUDED or env.spent[0] > MAX_POST_WORK:
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
