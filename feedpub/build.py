"""`build()`: find the posts, read what changed, derive the feeds, write what changed.

The only module that knows both the stages and the cache (`incremental`). With
nothing changed at all, the scan and one look at the cache end the build,
before YAML, lxml and the rest of the pipeline are even imported.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import misconfig, model, writer
from .model import Feed, Manifest, Options, RawPost, Record, Summary
from .problems import BuildFailure, FeedpubError, Problem, StrictFailure
from .scan import Selection, scan, scanned, top_folders
from .settings import Settings
from .workers import Progress, Workers, paused_gc

if TYPE_CHECKING:  # the collector (and YAML) is imported only when a post must be read
    from .incremental.cache import Cache, Derived, NoCache
    from .planner import Published


def selection(settings: Settings) -> Selection:
    return Selection(settings.include, settings.exclude, settings.site_exclude, settings.site_path)


def build(options: Options, progress: Progress | None = None) -> Summary:
    """Build the feeds of `options.posts` into `options.out`, one build at a time per
    output folder and per cache (a second one waits for the first)."""
    start = time.perf_counter()
    writer.check_folders(options.posts, options.out)
    if not options.posts.is_dir():
        raise FeedpubError(f"posts folder {options.posts} does not exist")
    out, cache = options.out, options.cache
    made = not out.exists()
    try:
        with ExitStack() as held:
            held.enter_context(paused_gc())
            held.enter_context(writer.exclusive(out, "output folder"))
            if cache is not None:
                mark = writer.cache_to_mark(cache)
                held.enter_context(writer.exclusive(cache, "cache"))
                if mark:
                    writer.mark_cache(cache)
            summary = _build(options, progress)
    finally:
        if made and out.is_dir() and not any(out.iterdir()):  # nothing written: no folder
            out.rmdir()
    if cache is not None:
        writer.write_file(
            cache / "last-build.json",
            summary.written_json(options.settings.feeds_root, options.settings.hub),
        )
    return replace(summary, seconds=time.perf_counter() - start)


def _open(options: Options) -> Cache | NoCache:
    from .incremental.cache import Cache, NoCache

    if options.cache is None:
        return NoCache()
    return Cache(options.cache, options.settings)


def _build(options: Options, progress: Progress | None) -> Summary:
    root, out, settings = options.posts, options.out, options.settings
    inside = [] if options.config else misconfig.sites_inside(root)
    if inside:  # run a folder too high: not that site's feeds
        message = f"{root} holds a Jekyll site and is none itself; nothing was written"
        raise BuildFailure(message, tuple(inside))
    skip = (out,) + ((options.cache,) if options.cache else ())
    found = scanned(root, skip, selection(settings), options.jobs)
    if not found.files and _has_entries(out):
        message = (
            f"no post files found under {root}: the feeds in {out} were left as they are"
            f" (delete {out} to publish an empty site)"
        )
        raise BuildFailure(message, (misconfig.no_posts(root, selection(settings)),))
    killed = (out / writer.BUILDING).exists()  # a build was killed here: finish its work
    if options.cache is not None and not killed:  # nothing changed: a look at the cache
        from .incremental.snapshot import unchanged

        last = unchanged(options.cache, settings, found, out)
        if last is not None:
            _check_strict(options, last.problems)
            same = tuple(sorted(last.written + last.unchanged))
            return replace(last, written=(), unchanged=same, removed=())
    from . import collector, planner, render  # lxml and the rest: only when there is work

    cache = _open(options)
    try:
        with Workers(options.jobs) as workers, writer.writing(out, cache.sure), cache.transaction():
            own = writer.read_manifest(out)
            manifest = cache.manifest(own)
            records = cache.outputs.records()
            # An unreadable manifest, and no cache that knows what the last build wrote:
            # what is feedpub's cannot be told. With no manifest, a file is feedpub's if
            # it is as the last build left it (a user trial: a folder made afresh with a
            # page of the user's, replaced without a word by a warm build, or removed).
            trouble = "" if records or own.files else writer.manifest_trouble(out)
            left = records if own.files else _left(out, records)
            foreign = set() if own.files or trouble else writer.files_in(out) - set(left)
            mapper = partial(workers.map, progress=progress, stage="read")
            limits = collector.limits(settings, root)
            read = partial(collector.read_files, root, limits=limits, mapper=mapper)
            pending = cache.pending(found, manifest)
            files, snap = found.files, found.snapshot
            del found  # only its count and snapshot are needed now: not held while reading
            changes = cache.read(pending, read)
            del pending
            model.shared_names.clear()  # see `model._unpickled`
            derived = cache.derive(changes, settings, manifest, records, out)
            del changes
            problems, feeds, shown = _checked(options, derived, files, manifest)
            old_plans = cache.outputs.plans()
            jobs, plans = planner.jobs(feeds, settings, derived.load, old_plans)
            target = render.Target(root, out, settings, manifest, left, cache.outputs.short())
            kept = _kept(derived, records, shown.hidden)
            used = sum(r.size for r in kept.values())
            done = render.write(
                jobs,
                target,
                derived.lookup,
                derived.load,
                used,
                workers,
                cache.outputs,
                progress,
                derived.saving,
            )
            if done.skipped:  # a site cut short is not published: its pages stay the last's
                message = (
                    "the output reached max_output_bytes, so the build stopped: the pages"
                    " were not written, no file was removed"
                )
                over = render.over_limit(settings, done.skipped)
                raise BuildFailure(message, tuple(sorted(problems + over)))
            done = render.publish(target, done, kept, shown, derived.ids)
            replaced = sorted(foreign.intersection(done.files))
            problems += render.output_notes(out, trouble, replaced)
            problems = sorted(problems + render.budget_notes(settings, done.short, out))
            summary = Summary(
                posts_read=derived.posts_read,
                entries=derived.entries,
                feeds=sum(not f.alias for f in shown.listings),
                written=tuple(sorted(done.files)),
                unchanged=tuple(sorted(set(done.records) - set(done.files) - {writer.MANIFEST})),
                problems=tuple(problems),
                seconds=0.0,
                removed=tuple(done.removed),
            )
            if derived.redo is not None:
                plans = {f: p for f, p in old_plans.items() if f not in derived.redo} | plans
            cache.outputs.save_records(done.records)
            cache.outputs.save_short(done.short)
            once = tuple(p for p in summary.problems if p.code not in render.ONCE)
            cache.commit(snap, replace(summary, problems=once), derived, plans, done.manifest)
    finally:
        cache.close()
    return summary


def _left(out: Path, records: dict[str, Record]) -> dict[str, Record]:
    """The records of the outputs in `out` that are as the last build left them."""
    from .incremental.snapshot import broken

    gone = set(broken(out, records))
    return {rel: r for rel, r in records.items() if rel not in gone}


def _has_entries(out: Path) -> bool:
    """Whether the output folder holds a site feed of feedpub's with entries: a build
    that finds no post file at all (a wrong folder, a failed checkout) must not
    empty it. Its Atom file says (in it, `<entry` is only ever an element)."""
    atom = model.FILES["atom"]
    if atom not in writer.read_manifest(out).files:
        return False
    try:
        return b"<entry" in (out / atom).read_bytes()
    except OSError:
        return False


def _checked(
    options: Options, derived: Derived, files: int, manifest: Manifest
) -> tuple[list[Problem], list[Feed], Published]:
    """The build's problems, the feeds to write and what is published, or why
    nothing can be: no post could be read, none has a time, or --strict and a problem."""
    from . import planner
    from .incremental.cache import published_in

    settings, root = options.settings, options.posts
    sources = [f.name for f in derived.listings if f.kind is planner.KIND["source"]]
    problems = derived.problems + misconfig.setting_problems(
        settings, root, sources, options.config
    )
    if not files:
        problems.append(misconfig.no_posts(root, selection(settings)))
    if beside := misconfig.posts_beside(root, selection(settings)):
        problems.append(beside)
    shown = planner.published(derived.listings, settings, published_in(manifest.files))
    problems = sorted(problems + shown.problems)
    if files and not derived.posts_read:
        if files == 1:
            message = "the one post file could not be read; nothing was written"
        else:
            message = f"none of the {files} post files could be read; nothing was written"
        raise BuildFailure(message, tuple(problems))
    if files and not derived.entries:
        message = f"no post of the {derived.posts_read} read has a usable time; nothing was written"
        raise BuildFailure(message, tuple(problems))
    _check_strict(options, problems)
    return problems, [f for f in derived.feeds if f.folder not in shown.hidden], shown


def _check_strict(options: Options, problems: tuple[Problem, ...] | list[Problem]) -> None:
    if options.strict and (n := sum(p.severity != "info" for p in problems)):
        raise StrictFailure(
            f"--strict: {n} problem(s), errors or warnings (counted above); nothing was written",
            tuple(problems),
        )


def _kept(
    derived: Derived, records: dict[str, Record], hidden: frozenset[str]
) -> dict[str, Record]:
    """The outputs of the last build that this one keeps as they are: after a small
    change, those of the published feeds it did not touch."""
    from .incremental.cache import owner

    if derived.redo is None:
        return {}
    skip = derived.redo | hidden
    return {rel: r for rel, r in records.items() if owner(rel) not in skip}


def collect(
    posts: Path, out: Path, settings: Settings, jobs: int = 0, progress: Progress | None = None
) -> tuple[list[RawPost], list[Problem], dict[str, int]]:
    """Read every post without a cache (for `check` and `normalize`); also how many
    post files each top folder holds."""
    from . import collector

    found = scan(posts, (out,), selection(settings), jobs)
    todo = [(path, stat[0], "") for path, stat in found.items()]
    with Workers(jobs) as workers:
        mapper = partial(workers.map, progress=progress, stage="read")
        limits = collector.limits(settings, posts)
        reads = [r for r in collector.read_files(posts, todo, limits, mapper) if r]
        model.shared_names.clear()
    problems = [p for r in reads for p in r.problems]
    if not found:
        problems.append(misconfig.no_posts(posts, selection(settings)))
    if beside := misconfig.posts_beside(posts, selection(settings)):
        problems.append(beside)
    posts_read = [r.post for r in reads if r.post is not None]
    return posts_read, problems, top_folders(found)
