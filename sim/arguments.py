"""Command-line pieces shared by the subcommands of run.py (`sensitivity`, `robustness`, `calibrate`): a parser
whose errors are one line and exit 2, and argument types that say what they expected. (run.py keeps its own
copy of the parser so that `python run.py --help` does not import the model.)"""

from __future__ import annotations

import argparse


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_integer(text: str) -> int:
    value = None
    try:
        value = int(text)
    except ValueError:
        pass
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
