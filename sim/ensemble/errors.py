"""The ensemble's error for a bad request."""


class EnsembleError(Exception):
    """A problem with the request (bad path, folder, option, cluster): the CLI reports it in one line, exit 2."""
