"""Files written whole or not at all: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from eziox.backup.problems import BackupProblem, BadBackup, TargetExists

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # pg_dump's custom format


def read_head(source: Path, size: int = 100) -> tuple[bytes, int]:
    """The first ``size`` bytes of a backup and its length; BadBackup when there are none."""
    try:
        with source.open("rb") as handle:
            return handle.read(size), os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        raise BadBackup(f"{source} does not exist") from None
    except OSError as exc:
        raise BadBackup(f"cannot read {source}: {exc.strerror}") from None


def refuse_existing(target: Path, *, force: bool) -> None:
    """A backup never replaces a file silently, nor writes into a missing directory."""
    if target.is_dir():
        raise BackupProblem(f"{target} is a directory: name the backup file")
    if not target.parent.is_dir():
        raise BackupProblem(f"{target.parent} is not a directory")
    if target.exists() and not force:
        raise TargetExists(f"{target} already exists: pass --force to replace it")


def temp_beside(target: Path) -> Path:
    """An empty file (mode 0600) in ``target``'s directory: a rename onto it is atomic."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    return Path(name)


def publish(temp: Path, target: Path, *, force: bool) -> None:
    """Move the finished ``temp`` to ``target``: replacing it only with ``force``."""
    fsync(temp)
    if force:
        os.replace(temp, target)
    else:
        try:
            os.link(temp, target)  # refuses to overwrite, even a file that appeared meanwhile
        except FileExistsError:
            raise TargetExists(f"{target} already exists: pass --force to replace it") from None
        temp.unlink()
    fsync_dir(target.parent)


def fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` survive a power cut."""
    fsync(directory)
