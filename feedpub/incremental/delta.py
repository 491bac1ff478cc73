"""After a small change: redo what the changed files reach, with the normalizer's and
the planner's own group functions, and nothing else.

A changed, new or deleted file touches its shift group (source and month of
its marker) before and after; a group whose shift changed has every file timed
again; every story a timed file was or is in is merged again, and so is every
story whose `{% post_url %}` names a timed or deleted file; every feed and
archive period a changed story was or is in gets its members again; a kind of
feed whose names changed gets its slugs again. The result is what a full build
would have made: `tests/test_incremental.py` compares the two after random
edits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .. import normalizer, permalinks, planner, summaries
from ..model import FeedKind, Member, Post, RawPost, Reading
from ..normalizer import Evidence, Timed
from ..problems import Problem
from ..settings import Settings
from .index import FeedRow, Index, feed_key
from .readings import Groups, Readings


@dataclass(frozen=True)
class Story:
    """A story that changed: what it was and what it is (None: absent)."""

    old: Post | None
    old_fp: str | None
    new: Post | None
    new_member: Member | None


@dataclass(frozen=True)
class Patch:
    """What patching the index changed."""

    feeds: set[bytes]  # keys of the feeds to plan again
    periods: dict[bytes, dict[str, tuple[Member, ...]]]  # the members of the periods that changed
    gone: tuple[str, ...]  # fingerprints no feed shows any more: their fragments can go


class Delta:
    """Patches `readings` and `index` with the files that changed (see the module doc)."""

    def __init__(
        self,
        readings: Readings,
        index: Index,
        settings: Settings,
        taken: Mapping[str, Mapping[str, str]],
        kept: Mapping[str, str],
    ) -> None:
        self.readings = readings
        self.index = index
        self.settings = settings
        self.taken = taken  # the last build's slugs, by kind (see `assign_slugs`)
        self.ctx = normalizer.Context(settings, kept)
        self.runs: normalizer.Runs = {}  # of the sources timed so far, from the index
        self.named: dict[str, list[tuple[RawPost, datetime]]] = {}  # see `_links`

    def apply(self, changed: Mapping[str, Reading], deleted: Sequence[str]) -> Patch:
        """Patch the index with the files that changed, came or went."""
        old = self.readings.groups(list(changed) + list(deleted))
        for path in deleted:
            self.readings.delete(path)
            self.index.put_problems(f"file:{path}", ())
        retime = set()
        groups = {g.shift for g in old.values() if g.shift is not None}
        leads = Counter(g.lead for g in old.values() if g.lead is not None)  # files changed
        for path, reading in changed.items():
            shift = ident = found = lead = None
            post = reading.post
            if post is not None:
                retime.add(path)
                shift, found, lead = self._group(post)
                ident = old.get(path, Groups(None, None)).ident  # until it is timed again
            if shift is not None:
                groups.add(shift)
            if lead is not None:
                leads[lead] += 1
            self.readings.put(path, reading, Groups(shift, ident, found, lead=lead))
            self.index.put_problems(f"file:{path}", reading.problems)
        for group in sorted(groups):
            if self._redo_shift(group):
                retime.update(self.readings.paths("shift", group))
                leads[group] = 0  # its stories' ids may change with their times: all
        idents = {g.ident for g in old.values() if g.ident}
        for path in sorted(retime):
            idents |= self._retime(path)
        for source in sorted(leads):
            idents |= _redo_leads(self, source, leads[source])
        naming = self.readings.naming(set(changed) | retime | set(deleted))  # post_urls
        idents |= {g.ident for g in self.readings.groups(naming).values() if g.ident}
        stories = self._remerge(sorted(idents))
        gone = tuple(e.old_fp for e in stories if e.old_fp)
        loaded: dict[bytes, dict[str, tuple[Member, ...]]] = {}
        left: set[tuple[str, str]] = set()
        feeds = self._feeds_of(stories, loaded, left)
        return Patch(feeds, loaded, gone + _unshown(self, left))

    def _group(self, post: RawPost) -> tuple[str | None, Evidence | None, str | None]:
        """The file's shift group (its source, if it tells of its clock), evidence and
        lead group (its source, if its body has openings)."""
        p = self.ctx.parse(post)
        found = normalizer.evidence(p)
        return (p.source if found else None), found, (p.source if post.opening else None)

    def _redo_shift(self, source: str) -> bool:
        """Find the runs of one source again; True if they changed."""
        found = self.readings.evidence(source)
        runs = normalizer.runs_of(source, found, self.settings)
        problems = [normalizer.shift_problem(run, self.settings) for run in runs]
        if (offset := normalizer.stated(self.settings, source)) is not None and found:
            problems.append(normalizer.stated_problem(source, offset, len(found)))
        self.index.put_problems(f"shift:{source}", problems)
        if self.index.runs(source) == runs:
            return False
        self.index.put_runs(source, runs)
        self.runs.pop(source, None)
        return True

    def _time(self, raw: RawPost, problems: list[Problem]) -> Timed | None:
        p = self.ctx.parse(raw)
        if p.source not in self.runs:
            self.runs[p.source] = self.index.runs(p.source)
        return normalizer.time_file(p, self.settings, self.runs, problems, self.ctx)

    def _retime(self, path: str) -> set[str]:
        """Time one file again; return its story's id before and after, if it had
        or has one (a post without a URL takes its id from its date, so a corrected
        time can move it to another story)."""
        reading = self.readings.reading(path)
        old = self.readings.groups([path])[path].ident
        assert reading.post is not None
        problems: list[Problem] = []
        timed = self._time(reading.post, problems)
        ident = timed.ident if timed else None
        self.readings.set_ident(path, ident, timed is not None and timed.own)
        self.index.put_problems(f"file:{path}", [*reading.problems, *problems])
        return {i for i in (ident, old) if i}

    def _remerge(self, idents: Sequence[str]) -> list[Story]:
        """Merge each story's copies again; return the stories that changed."""
        changed = []
        for ident in idents:
            copies = [
                t for raw in self.readings.posts("ident", ident) if (t := self._time(raw, []))
            ]
            for source in {t.source for t in copies} - self.ctx.leads.keys():
                self.ctx.leads[source] = self.index.leads(source) or summaries.Leads()
            self.ctx.links = _links(self, copies)
            post = normalizer.merge(copies, self.ctx) if copies else None
            note = normalizer.story_problems(copies, post) if post else []
            self.index.put_problems(f"story:{ident}", note)
            before = self.index.entry(ident)
            new = planner.member(post) if post else None
            if (before.fp if before else None) == (new.fp if new else None):
                continue
            if post is None or new is None:
                self.index.delete_entry(ident)
            else:
                self.index.put_entry(post, new.fp)
            old_post = before.post if before else None
            changed.append(Story(old_post, before.fp if before else None, post, new))
        return changed

    def _feeds_of(
        self,
        changed: Sequence[Story],
        loaded: dict[bytes, dict[str, tuple[Member, ...]]],
        left: set[tuple[str, str]],
    ) -> set[bytes]:
        """Move the changed stories in and out of their feeds' periods (the new members
        of each period touched go to `loaded`, the (id, fingerprint) of each entry
        that left a feed's newest to `left`); re-slug kinds whose names changed.
        Return the keys of the feeds to plan again."""
        drop: dict[bytes, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        add: dict[bytes, dict[str, list[Member]]] = defaultdict(lambda: defaultdict(list))
        kinds: dict[bytes, tuple[FeedKind, str]] = {}
        for story in changed:
            old = planner.member(story.old) if story.old is not None else None
            for kind in planner.kinds(self.settings):
                monthly = planner.monthly(kind, self.settings)
                if story.old is not None and old is not None:
                    period = planner.period_of(old, monthly)
                    for name in kind.names(story.old):
                        key = feed_key(kind, name)
                        kinds[key] = (kind, name)
                        drop[key][period].add(story.old.id)
                if story.new is not None and (new := story.new_member) is not None:
                    period = planner.period_of(new, monthly)
                    for name in kind.names(story.new):
                        key = feed_key(kind, name)
                        kinds[key] = (kind, name)
                        add[key][period].append(new)
        touched = sorted(set(drop) | set(add))
        renamed: set[FeedKind] = set()
        for key in touched:
            kind, name = kinds[key]
            row = self.index.feed(key)
            periods = {p.name: p for p in row.periods} if row else {}
            shown = {(m.id, m.fp) for m in row.head} if row else set()
            mine = loaded[key] = {}
            for name_of_period in sorted(set(drop[key]) | set(add[key])):
                gone = drop[key][name_of_period]
                members = [m for m in self.index.period(key, name_of_period) if m.id not in gone]
                members += add[key][name_of_period]
                members.sort(reverse=True)  # newest first, as Member orders (published, id)
                self.index.put_period(key, name_of_period, members)
                if members:
                    mine[name_of_period] = tuple(members)
                    periods[name_of_period] = planner.period(name_of_period, members)
                else:
                    periods.pop(name_of_period, None)
            if not periods and kind.folder:  # the feed is gone (the site never is)
                self.index.delete_feed(key)
                renamed.add(kind)
                left |= shown
                continue
            if row is None:
                renamed.add(kind)
            ordered = tuple(periods[n] for n in sorted(periods))
            head = tuple(planner.head_of(ordered, _Periods(self.index, key), self.settings.limit))
            self.index.put_feed(FeedRow(kind, name, row.slug if row else "", head, ordered))
            left |= shown - {(m.id, m.fp) for m in head}
        moved = {k for kind in sorted(renamed, key=planner.order) for k in self._reslug(kind)}
        return set(touched) | moved

    def _reslug(self, kind: FeedKind) -> list[bytes]:
        """Give the feeds of `kind` their slugs again; return the keys of those that moved."""
        current = self.index.slugs(kind)
        slugs, problems = planner.slugs(kind, current, self.taken.get(kind.name))
        moved = []
        for name, slug in current.items():
            if slugs[name] != slug:
                key = feed_key(kind, name)
                self.index.set_slug(key, slugs[name])
                moved.append(key)
        self.index.put_problems(f"kind:{kind.name}", problems)
        return moved


def _unshown(delta: Delta, left: set[tuple[str, str]]) -> tuple[str, ...]:
    """The fingerprints of `left` (entries that left some feed's newest) that no
    feed shows any more: their fragments can go, as a full build prunes them."""
    heads: dict[bytes, set[str]] = {}
    found = []
    for ident, fp in sorted(left):
        entry = delta.index.entry(ident)
        if entry is None or entry.fp != fp:  # changed or gone: `apply` drops it
            continue
        keys = [
            feed_key(kind, name)
            for kind in planner.kinds(delta.settings)
            for name in kind.names(entry.post)
        ]
        for key in keys:
            if key not in heads:
                heads[key] = delta.index.shown(key)
        if not any(fp in heads[key] for key in keys):
            found.append(fp)
    return tuple(found)


class _Periods(Mapping[str, Sequence[Member]]):
    """A feed's members by period, loaded from the index when asked for."""

    def __init__(self, index: Index, key: bytes) -> None:
        self.index, self.key = index, key

    def __getitem__(self, period: str) -> Sequence[Member]:
        return self.index.period(self.key, period)

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError  # only looked up by period

    def __len__(self) -> int:
        raise NotImplementedError


def _links(delta: Delta, copies: Sequence[Timed]) -> dict[str, str]:
    """The URLs of the posts the copies' `{% post_url %}`s name, as a full build
    finds them (`permalinks.post_urls`), from the files of those names, timed: each
    name looked up once a build (5,000 posts may name one)."""
    if not (names := {name for t in copies for name, _ in t.raw.refs}):
        return {}
    names |= {short for name in names if (short := permalinks.fallback(name))}
    if missing := sorted(names - delta.named.keys()):
        timed = [
            (raw, t.when) for raw in delta.readings.named(missing) if (t := delta._time(raw, []))
        ]
        for name in missing:
            delta.named[name] = [f for f in timed if name in permalinks.names_of(f[0].path)]
    found = [pair for name in sorted(names) for pair in delta.named[name]]
    return permalinks.post_urls(found, names, delta.settings)


def _redo_leads(delta: Delta, source: str, changes: int) -> set[str]:
    """Find the leads of one source again after `changes` of its files changed (0: all
    may have); return the stories whose skip they may change: those holding a part
    that came or went. Not counted again if it has none and too few changed to
    make one (`Leads.margin`): a source's thousands of files are not loaded for that."""
    known = delta.index.leads(source)
    # A change moves a count by 2 at most (a file moved: the story it left and the one it
    # joined, each perhaps no longer one text with another), and the share falls as posts go.
    worst = 2 * changes + changes // summaries.LEAD_SHARE + 1
    if known is not None and not known.found and changes and known.margin > worst:
        delta.ctx.leads[source] = known._replace(margin=known.margin - worst)
        delta.index.put_leads(source, delta.ctx.leads[source])
        return set()
    stories = delta.readings.openings(source)
    leads = summaries.leads([tuple(ops) for ops in stories.values()])  # (all of `source`)
    delta.ctx.leads[source] = leads
    delta.index.put_leads(source, leads)
    moved = leads.found ^ (known.found if known else frozenset())
    return {i for i, ops in stories.items() if any(summaries.holds(o, moved) for o in ops)}


def full_groups(t: Timed) -> Groups:
    """The groups of a file of a full build, from the normalizer's time of it."""
    found = t.evidence
    lead = t.source if t.raw.opening else None
    return Groups(t.source if found else None, t.ident, found, t.own, lead)
