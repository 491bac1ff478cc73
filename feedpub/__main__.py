"""`python -m feedpub` and the console script. Ctrl-C while Python imports the command
line (typer, click, rich: about a third of a second) ends as it does later: one line,
exit 130, not a traceback from inside an import."""

import sys

from .problems import INTERRUPTED_LINE


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        if sys.stderr is not None:  # (None: started with it closed)
            sys.stderr.write(INTERRUPTED_LINE + "\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
