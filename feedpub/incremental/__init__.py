"""The incremental cache: an annex with one door, reached only from `build.py`.

What the last build read and made lives in one SQLite file (`store`): the
files' readings (`readings`), what the normalizer and the planner made of them
(`index`), and what was written (`outputs`). A build asks four things of it:

- `unchanged(found, out)`: the last summary, if nothing changed at all;
- `read(found, read)`: the files to read again, and the readings of the rest;
- `derive(changes, ...)`: the posts' feeds, from scratch (`normalize()` and
  `plan()`, then saved) or, after a small change, patched by `delta` with the
  normalizer's and planner's own group functions;
- `commit(...)`: what this build wrote, for the next one.

`NoCache` answers the same questions with nothing kept (`--no-cache`).
Everything is keyed by content and guarded by a stamp of the code and
settings: a cache can make a build faster, never different.
"""
