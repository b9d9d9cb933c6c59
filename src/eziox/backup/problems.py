"""Why a backup or a restore was refused: one line for the operator, exit code 2 (bad input)
or 1 (a failure of the database or its tools)."""

from __future__ import annotations


class BackupProblem(Exception):
    """Refused before anything was changed."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadBackup(BackupProblem):
    """The file is not something `eziox restore` can put back (missing, corrupt, foreign…)."""


class DatabaseInUse(BackupProblem):
    """A server (or another client) has the target database open; --force overrides."""


class TargetExists(BackupProblem):
    """`eziox backup` never overwrites a file silently; --force overrides."""


class ToolMissing(BackupProblem):
    """pg_dump or pg_restore is not installed; the message says what to run instead."""


class CommandFailed(BackupProblem):
    """pg_dump or pg_restore failed on a good file (the database, the network…)."""

    exit_code = 1
