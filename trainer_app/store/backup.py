"""Copies of a database made with SQLite's online backup, and the checks a copy must pass.

A live database is never copied as a file: its last changes may still be in the ``-wal`` file,
and a write during the copy would give a mix. ``sqlite3.Connection.backup`` copies pages in
steps under SQLite's own locks and starts again when another connection writes in between, so
the copy is one consistent state; between steps the lock is released, so the program keeps
writing while a backup runs.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app.cancel import Cancelled
from trainer_app.store import schema

PAGES_PER_STEP = 1024  # 4 MiB with 4 KiB pages: progress and Cancel between steps

# What a backup is shown to hold: live rows of these tables.
COUNTED = ("trainee", "training_class", "certificate", "attendance", "station")
# Meta entries that describe a copy, not the site: removed again when a copy is restored.
COPY_META = ("backup_created_at", "backup_of")


class CopyError(Exception):
    """A copy that must not be kept or restored; ``reason`` says why, for the service's message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason  # not_ours, newer_schema, damaged
        self.detail = detail


@dataclass
class Summary:
    """What a copy holds, read from the copy itself."""

    schema: int
    meta: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)  # live rows, to show
    last_bundle: int | None = None
    rows: dict[str, int] = field(default_factory=dict)  # all rows, to compare (with rows=True)


def copy_online(
    source: sqlite3.Connection,
    target: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    pages: int = PAGES_PER_STEP,
    meta: dict[str, str | None] | None = None,
) -> dict[str, int]:
    """Copy the database open on ``source`` into the new file ``target`` in steps, write
    ``meta`` into the copy (:func:`set_meta`), then make the copy one self-contained file
    (rollback journal, not WAL). Returns the row counts of the state copied
    (:func:`row_counts`), for the caller to compare with the copy's.

    The copy runs inside one read transaction of ``source``: in WAL mode that pins one
    snapshot, so every step copies the same state while other connections go on writing."""
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)
        if cancelled is not None and cancelled():
            raise Cancelled  # stops sqlite3's backup loop; the caller removes the copy

    own = not source.in_transaction
    if own:
        source.execute("BEGIN")
    try:
        counts = row_counts(source)
        dest = sqlite3.connect(str(target), isolation_level=None)
        try:
            # A new file that is checked, flushed and renamed before it counts: no journal
            # and no flushing while it is written.
            dest.execute("PRAGMA journal_mode = OFF")
            dest.execute("PRAGMA synchronous = OFF")
            source.backup(dest, pages=pages, progress=step)
            if meta:  # still unflushed: the caller flushes the copy once, after all of it
                _write_meta(dest, meta)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    finally:
        if own and source.in_transaction:
            source.execute("COMMIT")  # nothing was written: this only ends the snapshot
    return counts


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of the counted tables, tombstones included: ``count(*)`` reads the smallest
    index, so this is quick even on a county's millions of attendance rows."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in COUNTED if table in tables}


def live_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        table: conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
        for table in COUNTED if table in tables
    }


def copy_file_online(
    source: Path,
    target: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """:func:`copy_online` from a database file that nothing else writes (a backup)."""
    with _connect(source, read_only=True) as conn:
        copy_online(conn, target, progress, cancelled)


@contextlib.contextmanager
def _connect(path: Path, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = Path(path).resolve().as_uri() + ("?mode=ro" if read_only else "")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def summarize(path: Path, check: str | None = "integrity_check", rows: bool = False,
              counts: bool = True) -> Summary:
    """Say what a copy holds; raises :class:`CopyError` when it must not be kept or restored:
    not a Trainer database, a newer schema than this program's, or damaged (``check``:
    ``integrity_check``, ``quick_check``, or ``None`` to read it without checking). Without
    ``counts`` only its meta data is read (counting a county's rows takes a while)."""
    with Path(path).open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\0":
            raise CopyError("not_ours")
    try:
        with _connect(path, read_only=True) as conn:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != schema.APPLICATION_ID or version == 0:
                raise CopyError("not_ours")
            if version > schema.LATEST_VERSION:
                raise CopyError("newer_schema", str(version))
            if check is not None:
                problems = [r[0] for r in conn.execute(f"PRAGMA {check}(5)")]
                if problems != ["ok"]:
                    raise CopyError("damaged", "; ".join(problems))
            summary = _summary(conn, version, counts)
            if rows:
                summary.rows = row_counts(conn)
            return summary
    except sqlite3.DatabaseError as exc:
        raise CopyError("damaged", str(exc)) from None


def _summary(conn: sqlite3.Connection, version: int, with_counts: bool = True) -> Summary:
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    counts = live_counts(conn) if with_counts else {}
    last = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bundle_out'").fetchone():
        # the last written (numbers restart within a restored station's epoch)
        found = conn.execute("SELECT seq FROM bundle_out ORDER BY rowid DESC LIMIT 1").fetchone()
        last = found[0] if found else None
    return Summary(schema=version, meta=meta, counts=counts, last_bundle=last)


def set_meta(path: Path, values: dict[str, str | None]) -> None:
    """Write (or with ``None``, remove) meta entries of a copy, in one transaction."""
    with _connect(path) as conn:
        _write_meta(conn, values)


def _write_meta(conn: sqlite3.Connection, values: dict[str, str | None]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for key, value in values.items():
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
    conn.execute("COMMIT")


def running_numbers(path: Path, code_prefix: str) -> tuple[int, int]:
    """The highest trainee code number (codes ``<code_prefix><digits>``) and the highest
    certificate serial running number (``CODE-YEAR-NNNNNN-C``) in the copy at ``path``."""
    with _connect(path, read_only=True) as conn:
        code = conn.execute(
            "SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM trainee WHERE code LIKE ?",
            [len(code_prefix) + 1, code_prefix + "%"]).fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        serial = conn.execute(
            "SELECT max(CAST(substr(serial, length(serial) - 7, 6) AS INTEGER)) "
            "FROM certificate").fetchone()[0] if "certificate" in tables else 0
    return int(code or 0), int(serial or 0)


def settle(path: Path) -> bool:
    """Fold the ``-wal`` of the database at ``path`` into the file and leave it in rollback
    mode, so the file alone holds everything and can be replaced. ``False`` when another
    connection has it open (the change of mode needs the only connection)."""
    with _connect(path) as conn:
        conn.execute("PRAGMA busy_timeout = 2000")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            return False
    return mode.lower() == "delete" and not Path(f"{path}-wal").exists()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
