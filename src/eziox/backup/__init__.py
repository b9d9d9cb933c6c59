"""`eziox backup` and `eziox restore`: a consistent copy of a live database, and putting one
back only after it has been checked.

SQLite goes through SQLite's online backup API (`sqlite.py`); PostgreSQL through
`pg_dump -Fc` / `pg_restore` (`postgres.py`). What a backup holds is checked the same way on
both (`schema.py`); `lock.py` is how restore knows a server has the SQLite file open.
"""

from eziox.backup.problems import (
    BackupProblem,
    BadBackup,
    DatabaseInUse,
    TargetExists,
    ToolMissing,
)
from eziox.backup.schema import Summary

__all__ = [
    "BackupProblem",
    "BadBackup",
    "DatabaseInUse",
    "Summary",
    "TargetExists",
    "ToolMissing",
]
