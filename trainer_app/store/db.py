"""Opening, checking and upgrading the database; transactions and the change counter."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from trainer_app.i18n import _
from trainer_app.store import schema

if TYPE_CHECKING:
    import sqlite_utils


class StoreError(Exception):
    """A database that cannot be used; the message is for the user."""


def _writable(path: Path) -> bool:
    """Whether SQLite can write the database and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) if path.exists() \
        else True


def read_only_message(path: Path) -> str:
    return _("The database {path} is on a read-only medium (a write-protected USB stick, a CD) "
             "or in a folder you may not write to: it can be read, not changed. To change it, "
             "copy it to this computer's disk and open the copy.").format(path=path)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Store:
    """One open database. Writes happen inside :meth:`transaction`; each takes a new ``rev``."""

    def __init__(
        self, path: str | Path, *, create: bool = False, upgrade_to: int | None = None
    ) -> None:
        """Open (or with ``create``, create) the database and upgrade it to the latest schema.

        ``upgrade_to`` stops at an earlier version; tests use it to build old databases.
        """
        self.path = Path(path)
        self._in_transaction = False
        self._rev: int | None = None
        if str(path) != ":memory:":
            self._check_file(create)
        # A database on a read-only medium (a write-protected USB stick, a CD of a backup) is
        # opened for reading: WAL mode would need to create its -shm file beside it.
        self.read_only = str(path) != ":memory:" and not _writable(self.path)
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect() if self.read_only else sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False)
            self._check_schema(conn, create or str(path) == ":memory:")
            self.conn = conn
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
            if self.read_only:
                self._check_current(upgrade_to)
                return
            if str(path) != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(schema.LATEST_VERSION if upgrade_to is None else upgrade_to)
        except StoreError:
            if conn is not None:
                conn.close()  # else the file stays open (and locked, on Windows)
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
                raise StoreError(_(
                    "The database {path} cannot be opened: the disk holding it is full or "
                    "cannot be written ({reason}). Free some space on it, or check the drive, "
                    "and try again.").format(path=self.path, reason=exc)) from None
            raise StoreError(
                _("{path} cannot be read as a Trainer database ({reason}).").format(
                    path=self.path, reason=exc
                )
            ) from None

    # -- opening -------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        """A read-only connection: ``mode=ro`` reads a WAL database whose -shm file exists or
        can be made; on a medium where neither is possible, ``immutable`` (nothing else can be
        writing to a read-only medium)."""
        uri = self.path.resolve().as_uri()
        for options in ("mode=ro", "mode=ro&immutable=1"):
            conn = sqlite3.connect(f"{uri}?{options}", uri=True, isolation_level=None,
                                   check_same_thread=False)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
        raise StoreError(_("The database {path} cannot be opened: {reason}").format(
            path=self.path, reason=_("its medium is read-only")))

    def _check_current(self, upgrade_to: int | None) -> None:
        if self.version < (schema.LATEST_VERSION if upgrade_to is None else upgrade_to):
            raise StoreError(read_only_message(self.path) + " " + _(
                "It was written by an earlier version of Trainer and must be upgraded first: "
                "copy it to this computer's disk and open the copy."))

    def _check_file(self, create: bool) -> None:
        if self.path.is_dir():
            raise StoreError(_("{path} is a folder, not a database file.").format(path=self.path))
        if not self.path.exists():
            if not create:
                raise StoreError(
                    _("The database {path} does not exist. Check the path, or create a "
                      "demo station with the 'demo' command.").format(path=self.path)
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    _("The database {path} cannot be created: {reason}").format(
                        path=self.path, reason=exc.strerror or exc
                    )
                ) from None
            if not os.access(self.path.parent, os.W_OK):
                raise StoreError(_(
                    "The database {path} cannot be created: {folder} is on a read-only medium "
                    "(a write-protected USB stick, a CD) or you may not write there. Choose "
                    "another folder.").format(path=self.path, folder=self.path.parent))
            return
        try:
            with self.path.open("rb") as fh:
                fh.read(16)
        except OSError as exc:
            raise StoreError(
                _("The database {path} cannot be opened: {reason}").format(
                    path=self.path, reason=exc.strerror or exc
                )
            ) from None

    def _check_schema(self, conn: sqlite3.Connection, create: bool) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0 and create:
            return  # a new, empty database
        # An existing empty file is not turned into a database unless asked to (``create``).
        if app_id != schema.APPLICATION_ID:
            raise StoreError(
                _("{path} is not a Trainer database. Choose the database file Trainer "
                  "created.").format(path=self.path)
            )
        if version > schema.LATEST_VERSION:
            raise StoreError(
                _("{path} was written by a newer version of Trainer (schema {found}, this "
                  "program knows up to {known}). Update Trainer to open it.").format(
                    path=self.path, found=version, known=schema.LATEST_VERSION
                )
            )

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, target: int) -> None:
        current = self.version
        if current >= target:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for step in range(current, target):
                schema.MIGRATIONS[step](self.db)
                self.conn.execute(f"PRAGMA user_version = {step + 1}")
            if current == 0:
                from trainer_app.domain.ids import uuid7  # only a new database needs one

                self.conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                self.conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("site_id", uuid7()), ("change_counter", "0"), ("created_at", utc_now())],
                )
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    # -- transactions --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run the block in one transaction; nested blocks join the outer one."""
        if self._in_transaction:
            yield self
            return
        if self.read_only:
            raise StoreError(read_only_message(self.path))
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield self
        except BaseException as exc:
            if self.conn.in_transaction:  # an error may already have ended the transaction
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                self._explain(exc)
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:  # never leave the connection inside a transaction
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    self._explain(exc)
                raise
        finally:
            self._in_transaction = False
            self._rev = None

    def _explain(self, exc: sqlite3.OperationalError) -> None:
        """A write the disk refused says so, and what to do (nothing was saved)."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_FULL:
            raise StoreError(_(
                "The disk holding the database {path} is full: nothing was saved. Free some "
                "space on it and try again.").format(path=self.path)) from exc
        if code == sqlite3.SQLITE_READONLY:
            raise StoreError(read_only_message(self.path)) from exc
        if code == sqlite3.SQLITE_IOERR:
            raise StoreError(_(
                "The database {path} could not be written (its drive may have been pulled out "
                "or be failing): nothing was saved. Check the drive and try again.").format(
                    path=self.path)) from exc

    def rev(self) -> int:
        """This transaction's change number (the site's counter, advanced once per transaction)."""
        if not self._in_transaction:
            raise RuntimeError("rev() outside a transaction")
        if self._rev is None:
            self.conn.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_counter'"
            )
            self._rev = int(self.get_meta("change_counter") or 0)
        return self._rev

    def stamp(self) -> dict[str, object]:
        """The sync columns for a row written now by this site."""
        return {"origin": self.site_id, "rev": self.rev(), "updated_at": utc_now()}

    # -- meta ----------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    @property
    def site_id(self) -> str:
        return self.get_meta("site_id") or ""

    # -- queries -------------------------------------------------------------------------------
    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for writes and migrations (imported on first
        use: reading the screens at start-up does not need it)."""
        from sqlite_utils import Database

        return Database(self.conn)

    def rows(self, sql: str, params: object = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]

    def row(self, sql: str, params: object = ()) -> dict | None:
        cur = self.conn.execute(sql, params)
        found = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], found, strict=True)) if found else None

    def scalar(self, sql: str, params: object = ()) -> object:
        found = self.conn.execute(sql, params).fetchone()
        return found[0] if found else None
