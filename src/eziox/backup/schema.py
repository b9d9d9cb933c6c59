"""What makes a file an Eziox backup this version can restore, and what one holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from eziox import migrate
from eziox.backup.problems import BadBackup

# In every Eziox database since the first migration.
REQUIRED_TABLES = ("alembic_version", "accounts", "api_keys", "links")
COUNTED_TABLES = ("accounts", "links")


@dataclass(frozen=True)
class Summary:
    """What `eziox backup` wrote or `eziox restore` put back."""

    path: str
    size: int
    revision: str
    counts: dict[str, int] = field(default_factory=dict)
    older: bool = False  # behind this Eziox's migrations: `eziox migrate` brings it up
    was_in_use: bool = False  # restored with --force while a server had the database open

    def describe(self) -> str:
        parts = [self.path, _size(self.size), f"revision {self.revision}"]
        parts += [f"{n} {table}" for table, n in self.counts.items()]
        return ", ".join(parts)


def check_tables(found: Iterable[str], what: str) -> None:
    """BadBackup naming the Eziox tables ``what`` lacks."""
    present = set(found)
    missing = [table for table in REQUIRED_TABLES if table not in present]
    if missing:
        raise BadBackup(f"{what} is not an Eziox database (no {', '.join(missing)} table)")


def check_revision(revisions: list[str], what: str, *, known_only: bool = True) -> bool:
    """True when ``what`` is behind this Eziox's migrations; BadBackup when it has no
    revision, or (``known_only``: restoring) one this version does not know, from a newer
    Eziox."""
    if len(revisions) != 1:
        raise BadBackup(
            f"{what} is not an Eziox database (alembic_version holds {len(revisions)} rows)"
        )
    revision, head = revisions[0], migrate.head_revision()
    script = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known and known_only:
        raise BadBackup(
            f"{what} comes from a newer Eziox: revision {revision} is unknown to this version "
            f"(its newest is {head}); upgrade Eziox, then restore"
        )
    return known and revision != head


def older_note(summary: Summary) -> str:
    return (
        f"the backup is at revision {summary.revision}, older than this Eziox "
        f"({migrate.head_revision()}): run `eziox migrate` to bring it up to date"
    )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
