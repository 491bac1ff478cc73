"""feedpub: turn a directory of Jekyll-style posts into Atom, RSS and JSON feeds."""

__version__ = "0.1.0"
