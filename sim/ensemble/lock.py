"""One writer per results folder: an exclusive lock held for the whole command.

The lock is `fcntl.flock` on `DIR/.lock`. The kernel releases a flock when its holder's file descriptor closes,
which includes the process dying for any reason (Ctrl-C, a crash, SIGKILL, out of memory): a lock file left by a
killed command is therefore never "held", and the next command takes it without any stale-lock detection of its
own (tested with a SIGKILLed holder). The file keeps the last holder's pid and start time, for the message a
second writer gets.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import EnsembleError
from .manifest import now

LOCK_NAME = ".lock"


class FolderLock:
    """``with FolderLock(path): ...`` holds the folder's lock; EnsembleError if another process holds it."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> "FolderLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise EnsembleError(f"cannot write to the results folder {self.folder}: "
                                f"{exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise EnsembleError(f"{self.folder} is in use by another command{holder}; wait for it to finish, or "
                                "write to another --out folder") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {now()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def _read(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


def in_use(folder: Path | str) -> bool:
    """True if another process holds the folder's lock right now."""
    path = Path(folder) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
