"""Private files written once: secrets, master keys and the signing identity in the data folder.

``make serve`` starts the web app and the worker together, and production runs several web
processes: on a fresh data folder they all reach "create the secret if it is missing" at the same
moment. A plain check-then-write lets one process read a half-written file, crash on the other's
``O_EXCL``, or keep a secret (or a signing key) that the others replaced. Here a file is written
complete under a temporary name, then published with ``link(2)``, which never overwrites: the
first process to publish wins and every other one reads the winner's file. A folder of files (the
signing identity: a key and its certificate must belong together) is filled under a temporary
name and published with one ``rename(2)``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (the directory entry, not only the file)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` (mode 0600) completely or not at all, replacing what was there."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(path.parent)


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes of ``path``; if it does not exist yet, ``make()`` is written there (mode 0600)
    unless another process publishes its own first, in which case that one is kept and read."""
    try:
        return path.read_bytes()  # only complete files are ever published
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(make())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first; its file is the one every process uses
        else:
            fsync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path.read_bytes()


def create_folder_once(folder: Path, fill: Callable[[Path], None]) -> None:
    """Make ``folder`` hold what ``fill(tmp)`` writes into an empty folder, unless it already
    holds files (another process filled it first): files that belong together are published
    together, never mixed from two processes."""
    if folder.is_dir() and any(folder.iterdir()):
        return
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-new-"))
    try:
        fill(tmp)
        try:
            os.rename(tmp, folder)  # replaces an empty folder, refuses a filled one
        except OSError:
            if not (folder.is_dir() and any(folder.iterdir())):
                raise
        else:
            fsync_dir(folder.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
