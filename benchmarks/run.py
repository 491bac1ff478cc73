"""Benchmark `feedpub build` against the floor (and Hugo, if installed).

    python benchmarks/run.py [--n N ...] [--reps R] [--quick] [--only floor,feedpub,hugo]
    BENCH_N=10000,50000 python benchmarks/run.py
    python benchmarks/run.py --posts DIR [--against CHECKOUT]

For each N: generate N synthetic posts (make_posts.py; kept in
bench-out/posts-N for the next run), or take the posts of --posts, then run
each command as a child process and measure its wall time, CPU time (user +
sys) and peak RSS from os.wait4.
Each figure is the median of R runs (default 3). The table goes to stdout and
to bench-out/results.md, followed by PASS/FAIL for each target.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_posts

ROOT = Path(__file__).resolve().parent.parent
BENCH_OUT = ROOT / "bench-out"
HUGO_CONFIG = ROOT / ".." / "shared" / "bench" / "hugo-rss"
SITE_URL = "https://example.org/"
TIMEOUT_S = 1800.0  # per child process

# run key -> label in the table
RUNS = {
    "floor": "floor (floor.py)",
    "cold": "feedpub build, cold",
    "warm-none": "feedpub build, warm, nothing changed",
    "warm-one": "feedpub build, warm, 1 edited + 1 added + 1 deleted",
    "hugo": "hugo --quiet (RSS only), cold",
}
FEEDPUB_RUNS = ("cold", "warm-none", "warm-one")
# Targets (issue 19, set for N = 50,000): a cold build's wall time as a fraction of
# Hugo's (RSS-only) in the same run, warm builds' as a fraction of the floor's.
TARGET_COLD_HUGO = 0.8
TARGET_WARM_ONE = 0.15
TARGET_WARM_NONE = 0.10
RSS_LIMIT_MB = 150.0
RSS_GROWTH = 1.2  # above 50,000 posts: at most 1.2 x the 50,000 figure of the same run


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- measuring one child process ------------------------------------------------------
@dataclass
class Sample:
    wall: float
    cpu: float  # user + sys of the child and of the children it waited for
    rss_mb: float  # ru_maxrss: the largest single process, not the sum of a process tree
    rc: int
    err: str = ""
    tree_mb: float = 0.0  # sampled peak of the summed PSS of the child and its descendants
    procs: int = 1  # most processes seen at once in the tree


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants (workers hide from
    ru_maxrss, which only reports the largest single process)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.procs = 1
        self.done = threading.Event()

    def tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo.extend(int(x) for x in f.read().split())
            except OSError:
                continue
        return pids

    def pss_kb(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def run(self) -> None:
        while not self.done.wait(self.interval):
            pids = self.tree()
            self.procs = max(self.procs, len(pids))
            self.peak_kb = max(self.peak_kb, sum(self.pss_kb(p) for p in pids))


def measure(cmd: list[str], cwd: Path | None = None) -> Sample:
    """Run cmd; wall from perf_counter, CPU and peak RSS from that child's rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(TIMEOUT_S, proc.kill)
        timer.start()
        sampler = TreeSampler(proc.pid)
        if os.path.exists(f"/proc/{proc.pid}/smaps_rollup"):
            sampler.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.done.set()
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        proc.returncode = rc  # reaped by wait4: keep Popen from waiting again
        text = ""
        if rc != 0:
            chunks = []
            for f in (err, out):
                f.seek(0)
                chunks.append(f.read().decode("utf-8", "replace"))
            text = "\n".join(c for c in chunks if c.strip())
            if rc < 0:
                text += f"\n(killed by signal {-rc}{' after timeout' if wall >= TIMEOUT_S else ''})"
    # ru_maxrss is in KiB on Linux
    if sampler.is_alive():
        sampler.join()
    cpu = ru.ru_utime + ru.ru_stime
    return Sample(
        wall, cpu, ru.ru_maxrss / 1024.0, rc, text.strip(), sampler.peak_kb / 1024.0, sampler.procs
    )


@dataclass
class Row:
    label: str
    samples: list[Sample] = field(default_factory=list)
    failed: str | None = None  # reason
    skipped: str | None = None
    rewritten: int | None = None
    note: str = ""

    def med(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))


AGAINST = "@against"  # the suffix of --against's rows


@dataclass(frozen=True)
class Code:
    """A checkout whose feedpub is measured: this one, or --against's (its .venv)."""

    key: str  # "" or AGAINST: appended to the run keys
    python: str
    root: Path
    work: Path

    @property
    def out(self) -> Path:
        return self.work / f"out-feedpub{self.key}"

    @property
    def cache(self) -> Path:
        return self.work / f"cache{self.key}"

    def cmd(self, posts: Path) -> list[str]:
        return [self.python, "-m", "feedpub", "build", str(posts), "--out", str(self.out),
                "--cache", str(self.cache), "--site-url", SITE_URL, "--quiet"]  # fmt: skip


# --- posts ------------------------------------------------------------------------------
def stamp_text(n: int, seed: int) -> str:
    return json.dumps({"n": n, "seed": seed, "generator": make_posts.GENERATOR_VERSION})


def ensure_posts(n: int, seed: int, fresh: bool) -> Path:
    """bench-out/posts-N, generated unless a matching stamp says it is already there."""
    posts = BENCH_OUT / f"posts-{n}"
    stamp = BENCH_OUT / f"posts-{n}.stamp"
    if (
        not fresh
        and posts.is_dir()
        and stamp.is_file()
        and stamp.read_text() == stamp_text(n, seed)
    ):
        log(f"reusing {posts.relative_to(ROOT)}")
        return posts
    stamp.unlink(missing_ok=True)
    tmp = BENCH_OUT / f"posts-{n}.tmp"
    for d in (posts, tmp):
        if d.exists():
            shutil.rmtree(d)
    log(f"generating {n} posts into {posts.relative_to(ROOT)} ...")
    t0 = time.perf_counter()
    size = make_posts.generate(tmp, n, seed)
    tmp.rename(posts)
    stamp.write_text(stamp_text(n, seed))
    log(f"  {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
    return posts


def link_tree(src: Path, dst: Path) -> None:
    """A copy of src at dst made of hard links (files are never edited in place)."""
    try:
        shutil.copytree(src, dst, copy_function=os.link)
    except OSError:
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst)


def read_all(root: Path) -> int:
    """Read every file once so that no run pays for a cold page cache."""
    total = 0
    for dirpath, _, files in os.walk(root):
        for fn in files:
            with open(os.path.join(dirpath, fn), "rb") as f:
                total += len(f.read())
    return total


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if p.is_file())


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (inode, mtime_ns)} of every file under root."""
    snap: dict[str, tuple[int, int]] = {}
    for dirpath, _, files in os.walk(root):
        for fn in files:
            p = os.path.join(dirpath, fn)
            st = os.stat(p)
            snap[os.path.relpath(p, root)] = (st.st_ino, st.st_mtime_ns)
    return snap


def touched(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """Files written, created or removed between two snapshots."""
    changed = sum(1 for k, v in after.items() if before.get(k) != v)
    return changed + sum(1 for k in before if k not in after)


class Change:
    """One edited, one added and one deleted post; undone by restore()."""

    def __init__(self, posts: Path, pristine: Path, files: list[Path], rep: int) -> None:
        self.posts, self.pristine = posts, pristine
        newest = sorted((p for p in files if p.parent.name == "_posts"), reverse=True)
        pool = newest or sorted(files, reverse=True)
        self.edited = pool[rep % len(pool)]
        archived = [p for p in files if p.parent.name != "_posts"] or files
        self.deleted = archived[(len(archived) // 3 + 7 * rep) % len(archived)]
        if self.deleted == self.edited:
            self.deleted = files[(files.index(self.edited) + 1) % len(files)]
        gen = make_posts.Generator(seed=10_000 + rep)
        when = make_posts.LAST_DAY + timedelta(hours=rep + 1)
        post = gen.one_post(when=when, dialect="marker")
        post.in_posts = True
        while (posts / post.relpath()).exists():  # in front: the file name keeps 50 chars
            post.title = "（新）" + post.title
        self.post = post
        self.added = posts / post.relpath()

    def apply(self) -> None:
        text = self.edited.read_text(encoding="utf-8", errors="surrogateescape")
        extra = f"<p>基准测试修改 bench edit {datetime.now(UTC).isoformat()}</p>"
        i = text.rfind("</div>")
        text = text[:i] + extra + text[i:] if i >= 0 else text + extra + "\n"
        tmp = self.edited.with_name(".bench-edit.tmp")
        tmp.write_text(text, encoding="utf-8", errors="surrogateescape")
        os.replace(tmp, self.edited)  # a new inode: the hard-linked original is untouched
        self.added.parent.mkdir(parents=True, exist_ok=True)
        self.added.write_text(self.post.render(), encoding="utf-8")
        self.deleted.unlink()

    def restore(self) -> None:
        for p in (self.edited, self.deleted):
            p.unlink(missing_ok=True)
            os.link(self.pristine / p.relative_to(self.posts), p)
        self.added.unlink(missing_ok=True)


# --- one N ------------------------------------------------------------------------------
def bench_n(n: int, args: argparse.Namespace) -> dict[str, Row]:
    rows = {k: Row(label) for k, label in RUNS.items() if k != "hugo"}
    if args.against:
        commit = subprocess.run(
            ["git", "-C", str(args.against), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        for k in FEEDPUB_RUNS:
            rows[k + AGAINST] = Row(f"{RUNS[k]}, against {commit or args.against}")
    rows["hugo"] = Row(RUNS["hugo"])
    pristine = args.posts or ensure_posts(n, args.seed, args.fresh)
    work = BENCH_OUT / f"run-{n}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    posts = work / "posts"
    link_tree(pristine, posts)
    log(f"N={n}: warming the page cache ({read_all(posts) / 1e6:.0f} MB)")
    py = sys.executable
    floor_out = work / "out-floor"
    floor_cmd = [py, str(ROOT / "benchmarks" / "floor.py"), str(posts), str(floor_out)]
    codes = [Code("", py, ROOT, work)]
    if args.against:
        codes.append(
            Code(AGAINST, str(args.against / ".venv" / "bin" / "python"), args.against, work)
        )
    want = set(args.only)
    ok = {code.key: "feedpub" in want for code in codes}
    for code in codes:
        for k in FEEDPUB_RUNS:
            if not ok[code.key]:
                rows[k + code.key].skipped = "not selected"

    def fail(key: str, s: Sample) -> None:
        rows[key].failed = s.err.splitlines()[-1] if s.err else f"exit {s.rc}"
        log(f"  {key} FAILED (exit {s.rc}):\n{_indent(s.err or '(no output)')}")

    def run(key: str, cmd: list[str], cwd: Path, before: Callable[[], None] | None = None) -> bool:
        if before:
            before()
        s = measure(cmd, cwd=cwd)
        if s.rc != 0:
            fail(key, s)
            return False
        rows[key].samples.append(s)
        log(
            f"  {key:16} wall {s.wall:7.2f} s  cpu {s.cpu:7.2f} s  rss {s.rss_mb:6.1f} MB"
            f"  (tree: {s.procs} procs, {s.tree_mb:.0f} MB PSS)"
        )
        return True

    # floor and cold builds interleaved, so that drift on a busy machine hits all alike
    for _ in range(args.reps):
        if "floor" in want and rows["floor"].failed is None:
            run("floor", floor_cmd, ROOT, lambda: _rm(floor_out))
        for code in codes:
            if ok[code.key]:
                ok[code.key] = run(
                    "cold" + code.key,
                    code.cmd(posts),
                    code.root,
                    partial(_rm, code.out, code.cache),
                )
    if "floor" not in want:
        rows["floor"].skipped = "not selected"
    for code in codes:
        if ok[code.key]:
            written = sum(1 for _ in code.out.rglob("*") if _.is_file())
            rows["cold" + code.key].note = f"{written} output files"
            worst = 0
            for _ in range(args.reps):
                before = snapshot(code.out)
                if not run("warm-none" + code.key, code.cmd(posts), code.root):
                    ok[code.key] = False
                    break
                worst = max(worst, touched(before, snapshot(code.out)))
            rows["warm-none" + code.key].rewritten = worst
        elif "feedpub" in want:
            for k in ("warm-none", "warm-one"):
                rows[k + code.key].failed = rows[k + code.key].failed or "cold build failed"
    files = all_files(posts)
    for rep in range(args.reps):
        change = Change(posts, pristine, files, rep)
        for code in codes:
            if not ok[code.key]:
                continue
            key = "warm-one" + code.key
            before = snapshot(code.out)
            ok[code.key] = run(key, code.cmd(posts), code.root, change.apply)
            if ok[code.key]:
                rows[key].rewritten = touched(before, snapshot(code.out))
            change.restore()
            resync = measure(code.cmd(posts), cwd=code.root)  # untimed: cache back in step
            if ok[code.key] and resync.rc != 0:
                fail(key, resync)
                ok[code.key] = False
    bench_hugo(rows["hugo"], posts, work, args, "hugo" in want)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def bench_hugo(row: Row, posts: Path, work: Path, args: argparse.Namespace, wanted: bool) -> None:
    hugo = shutil.which("hugo")
    if not wanted:
        row.skipped = "not selected"
        return
    if hugo is None:
        row.skipped = "hugo not on PATH"
        return
    config = HUGO_CONFIG.resolve()
    if not config.is_dir():
        row.skipped = f"no Hugo config at {config}"
        return
    site = work / "hugo-site"
    shutil.copytree(config, site)
    link_tree(posts, site / "content" / "posts")
    for _ in range(args.reps):
        for d in ("public-rss", "public", "resources"):
            _rm(site / d)
        s = measure([hugo, "--quiet"], cwd=site)
        if s.rc != 0:
            row.failed = s.err.splitlines()[-1] if s.err else f"exit {s.rc}"
            log(f"  hugo FAILED (exit {s.rc}):\n{_indent(s.err)}")
            return
        row.samples.append(s)
        log(f"  hugo      wall {s.wall:7.2f} s  cpu {s.cpu:7.2f} s  rss {s.rss_mb:6.1f} MB")
    row.note = f"{sum(1 for _ in (site / 'public-rss').rglob('*.xml'))} RSS files"


def _rm(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def _indent(s: str, n: int = 30) -> str:
    lines = s.splitlines()
    if len(lines) > n:
        lines = ["...", *lines[-n:]]
    return "\n".join("    " + x for x in lines)


# --- report ----------------------------------------------------------------------------
def table(results: dict[int, dict[str, Row]]) -> list[str]:
    out = [
        "| N | run | wall s | CPU s | peak RSS MB | wall ÷ floor | files rewritten |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, rows in results.items():
        floor = rows["floor"]
        fwall = floor.med("wall") if floor.samples else None
        for r in rows.values():
            if r.samples:
                ratio = f"{r.med('wall') / fwall:.3f}" if fwall else "–"
                rew = "–" if r.rewritten is None else str(r.rewritten)
                cells = [f"{r.med('wall'):.2f}", f"{r.med('cpu'):.2f}", f"{r.med('rss_mb'):.1f}"]
                cells += [ratio, rew]
            elif r.failed:
                cells = ["failed"] * 3 + ["–", "–"]
            else:
                cells = ["skipped"] + ["–"] * 4
            out.append(f"| {n:,} | {r.label} | " + " | ".join(cells) + " |")
    return out


def _ratio_check(
    out: list[tuple[bool | None, str]], n: int, r: Row, fwall: float | None, limit: float, what: str
) -> None:
    if r.skipped and not r.failed:
        return
    if not r.samples or fwall is None:
        out.append((False if r.failed else None, f"N={n:,}: {what} ≤ {limit}× floor"))
        return
    ratio = r.med("wall") / fwall
    out.append((ratio <= limit, f"N={n:,}: {what} ≤ {limit}× floor (got {ratio:.3f}×)"))


def _peak(rows: dict[str, Row]) -> float | None:
    fp = [rows[k] for k in FEEDPUB_RUNS if rows[k].samples]
    return max(max(s.rss_mb for s in r.samples) for r in fp) if fp else None


def verdicts(results: dict[int, dict[str, Row]]) -> list[tuple[bool | None, str]]:
    """(passed, text) per target and N; passed is None when it could not be measured."""
    out: list[tuple[bool | None, str]] = []
    base = _peak(results[50_000]) if 50_000 in results else None
    for n, rows in results.items():
        floor, cold, hugo = rows["floor"], rows["cold"], rows["hugo"]
        fwall = floor.med("wall") if floor.samples else None
        if cold.samples and hugo.samples:
            ratio = cold.med("wall") / hugo.med("wall")
            out.append(
                (ratio <= TARGET_COLD_HUGO, f"N={n:,}: cold build ≤ {TARGET_COLD_HUGO}× Hugo's "
                 f"wall (got {ratio:.3f}×)")
            )  # fmt: skip
        elif not cold.skipped:
            out.append((None, f"N={n:,}: cold build ≤ {TARGET_COLD_HUGO}× Hugo's wall"))
        _ratio_check(
            out, n, rows["warm-one"], fwall, TARGET_WARM_ONE, "warm build after one change"
        )
        _ratio_check(
            out, n, rows["warm-none"], fwall, TARGET_WARM_NONE, "warm build, nothing changed,"
        )
        wn = rows["warm-none"]
        if wn.samples and wn.rewritten is not None:
            out.append(
                (
                    wn.rewritten == 0,
                    f"N={n:,}: nothing changed rewrites 0 files (got {wn.rewritten})",
                )
            )
        peak = _peak(rows)
        if peak is None:
            continue
        if n <= 50_000:
            out.append((peak <= RSS_LIMIT_MB, f"N={n:,}: feedpub peak RSS ≤ {RSS_LIMIT_MB:.0f} MB "
                        f"(got {peak:.1f})"))  # fmt: skip
        elif base is not None:
            limit = base * RSS_GROWTH
            out.append((peak <= limit, f"N={n:,}: feedpub peak RSS ≤ {RSS_GROWTH}× the 50,000 "
                        f"figure, {limit:.1f} MB (got {peak:.1f})"))  # fmt: skip
        else:
            out.append((None, f"N={n:,}: feedpub peak RSS ≤ {RSS_GROWTH}× the 50,000 figure "
                        "(run 50,000 in the same run)"))  # fmt: skip
    return out


def report(results: dict[int, dict[str, Row]], args: argparse.Namespace, started: str) -> str:
    load = os.getloadavg()
    lines = [
        f"# feedpub benchmark ({started})",
        "",
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"1-min load average {args.load_start:.2f} at the start, {load[0]:.2f} at the end; "
        f"median of {args.reps} run(s) each; peak RSS is the child's ru_maxrss.",
        "",
        *table(results),
        "",
    ]
    notes = []
    for n, rows in results.items():
        for key, r in rows.items():
            if r.failed:
                notes.append(f"- N={n:,} {key}: failed: {r.failed}")
            elif r.skipped and key == "hugo":
                notes.append(f"- N={n:,} hugo: skipped ({r.skipped})")
            if r.note:
                notes.append(f"- N={n:,} {key}: {r.note}")
            if r.samples and max(x.procs for x in r.samples) > 1:
                notes.append(
                    f"- N={n:,} {key}: {max(x.procs for x in r.samples)} processes; summed PSS "
                    f"of the process tree peaked at {r.med('tree_mb'):.1f} MB (sampled, median)"
                )
    busy = max(load[0], args.load_start)
    if busy > (os.cpu_count() or 1):
        notes.append(
            f"- the machine was busy (load {busy:.1f} on {os.cpu_count()} CPUs): wall times "
            "and their ratios are noisy; CPU times are the steadier figures"
        )
    if notes:
        lines += [*notes, ""]
    lines.append("Targets (issue 19; ratios are wall time ÷ Hugo's or the floor's, same run):")
    lines.append("")
    checks = verdicts(results)
    if not checks:
        lines.append("- (nothing to check: feedpub was not run)")
    for ok, text in checks:
        tag = {True: "PASS", False: "FAIL", None: "n/a "}[ok]
        lines.append(f"- {tag} {text}")
    return "\n".join(lines) + "\n"


def parse_ns(text: str) -> list[int]:
    ns = [int(x.strip().replace("_", "")) for x in text.split(",") if x.strip()]
    if not ns or any(n < 1 for n in ns):
        raise SystemExit(f"bad N list: {text!r}")
    return ns


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", action="append", help="number of posts (repeatable, or 10000,50000)")
    ap.add_argument("--reps", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--quick", action="store_true", help="smoke test: N=2000, 1 run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="floor,feedpub,hugo", help="comma-separated subset")
    ap.add_argument("--fresh", action="store_true", help="regenerate the posts")
    ap.add_argument("--keep", action="store_true", help="keep bench-out/run-N (outputs)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    ap.add_argument(
        "--posts",
        type=Path,
        metavar="DIR",
        help="measure these posts (e.g. ../shared/corpus/archive) instead of generated ones",
    )
    ap.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="also measure the feedpub of another checkout (its .venv), interleaved, same posts",
    )
    args = ap.parse_args(argv)
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    if unknown := set(args.only) - {"floor", "feedpub", "hugo"}:
        ap.error(f"--only: unknown {', '.join(sorted(unknown))}")
    if args.posts:
        if not args.posts.is_dir():
            ap.error(f"--posts: no folder {args.posts}")
        args.posts = args.posts.resolve()
        ns = [len(all_files(args.posts))]
    elif os.environ.get("BENCH_N"):
        ns = parse_ns(os.environ["BENCH_N"])
    elif args.n:
        ns = parse_ns(",".join(args.n))
    elif args.quick:
        ns = [2000]
    else:
        ns = [10_000, 50_000]
    if args.quick:
        args.reps = 1
    args.reps = max(1, args.reps)
    BENCH_OUT.mkdir(exist_ok=True)
    # Byte-compiled as `pip install` leaves it: an editable install under
    # PYTHONDONTWRITEBYTECODE would compile feedpub's source in every measured run.
    compileall.compile_dir(ROOT / "feedpub", quiet=1)
    if args.against:
        args.against = args.against.resolve()
        if not (args.against / ".venv" / "bin" / "python").is_file():
            ap.error(f"--against: no .venv/bin/python in {args.against} (run make venv there)")
        compileall.compile_dir(args.against / "feedpub", quiet=1)
    args.load_start = os.getloadavg()[0]
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[int, dict[str, Row]] = {}
    for n in ns:
        results[n] = bench_n(n, args)
    text = report(results, args, started)
    print(text)
    (BENCH_OUT / "results.md").write_text(text, encoding="utf-8")
    log(f"wrote {(BENCH_OUT / 'results.md').relative_to(ROOT)}")
    failed = any(ok is False for ok, _ in verdicts(results))
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
