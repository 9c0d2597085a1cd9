"""The one error type of bad calibration inputs (target spec, parameter list, observed data): one line per
problem, ``file:LINE: message``; the command line prints them and exits with status 2 before writing anything."""

from __future__ import annotations

from collections.abc import Iterable


class InputFileError(ValueError):
    """A bad input file; `messages` holds one ``file:LINE: message`` per problem."""

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))
