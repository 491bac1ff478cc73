"""The worker processes of one build: started on first use, shared by its stages.

Builds run with the cycle collector off, here and in the workers: they make
tens of thousands of small objects and no cycles worth collecting, and the
collector's full walks over them cost a fifth of a warm build.

A worker dies with the build that started it, even one killed with SIGKILL
(Linux's parent-death signal), and never holds the caller's terminal or
pipes: its standard streams are /dev/null. A worker left behind would keep a
CI step's output pipe open, and the step waiting on it would hang.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from .problems import FeedpubError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_MIN = 400  # below this many items, starting a process pool costs more than it saves
_PR_SET_PDEATHSIG = 1
_M_ARENA_MAX = -8  # glibc's mallopt parameter
_WATCH = 0.5  # seconds between looks at the workers while waiting on one


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cycle collector off while the block runs (see the module doc): a build
    makes no reference cycles, so it could free nothing, but its full collections
    walk every object again and again. Reference counting frees as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when `parent` dies (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _one_malloc_arena() -> None:
    """Have glibc's malloc keep one heap for every thread of this process (Linux only).

    The pool's own threads receive and unpickle the workers' results (every
    reading, every cleaned entry), so by default glibc gives them a heap of
    their own, which the main thread then frees into piecemeal: at 50,000 posts
    that was 7 MB more peak RSS, and no faster. `MALLOC_ARENA_MAX=1` in the
    environment does the same, for programs that can set it before they start."""
    if sys.platform.startswith("linux"):
        import ctypes

        with suppress(OSError, AttributeError):  # not glibc: its own allocator decides
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)


def _start_worker(parent: int) -> None:
    gc.disable()
    _die_with_parent(parent)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _dead(pool: ProcessPoolExecutor) -> bool:
    """Whether a worker of `pool` has died (they only end when the pool shuts down)."""
    workers = getattr(pool, "_processes", None) or {}
    return any(p.exitcode is not None for p in list(workers.values()))


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Kill the workers of a broken pool and close this process's end of their result
    pipe, so that the pool's thread, if it waits on a message a dead worker never
    finished, reads its end and stops (Python's own exit would wait for it)."""
    for worker in list((getattr(pool, "_processes", None) or {}).values()):
        with suppress(OSError, ValueError):
            worker.kill()
    with suppress(AttributeError, OSError):
        pool._result_queue._writer.close()  # type: ignore[attr-defined]


def _forking() -> BaseContext | None:
    """Workers forked from the build, where the system can: they are its children
    (`_die_with_parent`) and start with its modules loaded. Python 3.14 makes the
    fork server the default on Linux, whose workers are the server's children."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


class WorkerDied(FeedpubError):
    """A worker process was killed: the pool cannot go on."""


class Workers:
    """The process pool of one build (see the module doc)."""

    def __init__(self, jobs: int = 0) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, error: BaseException | None, _: object) -> None:
        """Stop the workers. One that died (killed, out of memory) broke the pool: the
        others are stopped too, its shutdown is not waited for (Python's can hang on
        the work still queued), and the run ends with one line, not a traceback."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        from concurrent.futures.process import BrokenProcessPool

        broken = isinstance(error, BrokenProcessPool)
        if broken:
            _abandon(pool)
        try:
            pool.shutdown(wait=not broken, cancel_futures=True)
        except RuntimeError:  # Ctrl-C came as the pool started its thread: not joinable
            if not isinstance(error, KeyboardInterrupt):
                raise
            _abandon(pool)  # (and the interrupt goes on: one line, exit 130)
        if broken:
            raise WorkerDied(
                "a worker process died (killed, or out of memory); feedpub stopped."
                " Run it again: a build completes what a failed one left"
            ) from error

    def _result(self, future: Future[R]) -> R:
        """`future.result()`, or BrokenProcessPool once a worker is seen dead.

        Python's pool notices a dead worker itself, except one killed while sending
        a result: its thread then waits for the rest of that message for good (and
        the other workers for the pipe's lock), so the wait here would never end."""
        from concurrent.futures import wait
        from concurrent.futures.process import BrokenProcessPool

        while not wait((future,), _WATCH).done:
            if self._pool is not None and _dead(self._pool):
                raise BrokenProcessPool("a worker process died")
        return future.result()

    def _pool_for(self, count: int) -> ProcessPoolExecutor | None:
        """The pool, started if need be, or None when `count` items are not worth it."""
        if self.jobs == 1 or count < (2 * self.jobs if self._pool else PARALLEL_MIN):
            return None
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # 16 ms: not for quick builds

            _one_malloc_arena()  # before the pool starts its threads
            self._pool = ProcessPoolExecutor(
                self.jobs, _forking(), initializer=_start_worker, initargs=(os.getpid(),)
            )
        return self._pool

    def map(
        self,
        func: Callable[[Sequence[T]], list[R]],
        items: Sequence[T],
        progress: Progress | None = None,
        stage: str = "",
    ) -> list[R]:
        """`func` over `items` in chunks, in worker processes when it pays, in order."""
        size = max(50, min(500, len(items) // (self.jobs * 8) + 1))
        parts = list(chunks(items, size))
        pool = self._pool_for(len(items))
        if pool is None:
            mapped: Iterator[list[R]] = map(func, parts)
        else:
            mapped = map(self._result, [pool.submit(func, part) for part in parts])
        results: list[R] = []
        for part in mapped:
            results.extend(part)
            if progress:
                progress(stage, len(results), len(items))
        return results

    def later(self, func: Callable[[T], R], item: T) -> Callable[[], R]:
        """`func(item)` in a worker if the pool is running (it is not started for
        this), else here and now; what is returned gives the result, waiting for
        it, or raises what `func` raised."""
        if self._pool is None:
            result = func(item)
            return lambda: result
        return partial(self._result, self._pool.submit(func, item))

    def _small_parts(self, items: Sequence[T]) -> Iterator[Sequence[T]]:
        """`items` in chunks of 10 to 25: small, so that results come back early."""
        return chunks(items, max(10, min(25, len(items) // (self.jobs * 8) + 1)))

    def stream(self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> Iterator[R]:
        """`func` over `items`, in order, as the results come: the caller works on the
        first ones while the workers make the next (a few chunks ahead, to bound memory)."""
        parts = self._small_parts(items)
        pool = self._pool_for(len(items))
        if pool is None:
            for part in parts:
                yield from func(part)
            return
        pending: deque[Future[list[R]]] = deque()
        for part in parts:
            pending.append(pool.submit(func, part))
            if len(pending) > 2 * self.jobs:
                yield from self._result(pending.popleft())
        while pending:
            yield from self._result(pending.popleft())

    def ahead(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], idle: Iterator[None]
    ) -> Iterator[R]:
        """`func` over the first of `items`, in order, in the workers while the steps of
        `idle` run here (between steps, the results that are ready); no more are
        handed out once `idle` is done. For work the workers can do early, while
        the caller has its own to do."""
        parts = self._small_parts(items)
        pool = self._pool_for(len(items))
        pending: deque[Future[list[R]]] = deque()
        for _ in idle:
            while pool is not None and len(pending) <= 2 * self.jobs:
                if (part := next(parts, None)) is None:
                    break
                pending.append(pool.submit(func, part))
            while pending and pending[0].done():
                yield from pending.popleft().result()
        while pending:
            yield from self._result(pending.popleft())
