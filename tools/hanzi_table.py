"""Write feedpub/data/hanzi.txt: the characters only Traditional Chinese uses, and those
only Simplified Chinese uses, as hanzidentifier (CC-CEDICT, by way of zhon) knows them.

    .venv/bin/python tools/hanzi_table.py      # or: make tables

feedpub reads the table instead of importing hanzidentifier at run time: the
library builds its sets from CC-CEDICT on import (~30 ms, every build that reads
a changed post), the table loads in well under a millisecond.
tests/test_language.py checks that the table is still the library's.
"""

from __future__ import annotations

from pathlib import Path

from hanzidentifier import helpers

TABLE = Path(__file__).resolve().parent.parent / "feedpub" / "data" / "hanzi.txt"


def table() -> str:
    shared = helpers.SHARED_CHARACTERS
    traditional = "".join(sorted(helpers.TRADITIONAL_CHARACTERS - shared))
    simplified = "".join(sorted(helpers.SIMPLIFIED_CHARACTERS - shared))
    head = (
        "# Characters only Traditional (line 2) and only Simplified (line 3) Chinese use:"
        " from hanzidentifier (MIT), CC-CEDICT; made by tools/hanzi_table.py"
    )
    return f"{head}\n{traditional}\n{simplified}\n"


if __name__ == "__main__":
    TABLE.write_text(table(), encoding="utf-8")
