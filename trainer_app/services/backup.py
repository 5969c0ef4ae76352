"""Automatic backups of the open database: made, checked, listed and thinned.

A backup is a copy made with SQLite's online backup (never a file copy of the live database),
first written under a hidden temporary name beside its final one, checked (integrity, schema
version, our application id, the counts), flushed to disk and only then given its final name:
a file under a final name is a checked backup. Names say whose backup it is and when, in local
time: ``WP01-2026-12-03_21-39-05.db``. Only this site's backups are thinned, on the schedule of
:mod:`trainer_app.domain.retention`.

Backups made here are plain SQLite files in the user data folder; the encrypted single file for
a USB stick, with the site's keys, is :mod:`trainer_app.services.restore`'s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app import paths, settings_file
from trainer_app.domain import retention
from trainer_app.files import fsync_dir
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import backup as q

SUFFIX = ".db"
LEGACY_SETTINGS = "backup.json"  # {"folder": ...}: where the folder was kept before the settings
PARTIAL = ".partial"
POLICY = retention.Policy()

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass
class BackupInfo:
    """One backup file and what it holds."""

    path: Path
    created_at: str  # UTC, ISO 8601
    size: int
    counts: dict[str, int] = field(default_factory=dict)
    last_bundle: int | None = None
    site_id: str = ""
    role: str = ""
    code: str = ""
    name: str = ""
    schema: int = 0
    encrypted: bool = False
    problem: str = ""  # why it cannot be restored, in the user's language; "" when it can

    def as_json(self) -> dict:
        return {
            "path": str(self.path), "created_at": self.created_at, "size": self.size,
            "counts": self.counts, "last_bundle": self.last_bundle, "site_id": self.site_id,
            "role": self.role, "code": self.code, "name": self.name, "schema": self.schema,
            "encrypted": self.encrypted, "ok": not self.problem, "problem": self.problem,
        }


# -- the folder ------------------------------------------------------------------------------
def default_folder() -> Path:
    return paths.data_dir() / "backups"


def folder() -> Path:
    """Where automatic backups go: the folder chosen in the program's settings, else (as
    earlier versions kept the choice) the one in ``backup.json``, else ``backups`` in the user
    data folder."""
    chosen = settings_file.read(settings_file.BACKUP_FOLDER)
    if chosen is None:
        chosen = legacy_folder()
    return Path(chosen) if chosen else default_folder()


def legacy_folder() -> str | None:
    """The folder earlier versions kept in ``backup.json`` in the data folder ("" for the
    default), or ``None`` when there is no such file (the window moves it into the settings,
    :mod:`trainer_app.ui.backup.folder`)."""
    try:
        chosen = json.loads((paths.data_dir() / LEGACY_SETTINGS).read_text("utf-8")).get("folder")
    except (OSError, ValueError, AttributeError):
        return None
    return chosen if isinstance(chosen, str) else ""


def forget_legacy_folder() -> None:
    (paths.data_dir() / LEGACY_SETTINGS).unlink(missing_ok=True)


def check_folder(chosen: Path | None) -> Path:
    """The folder backups would go to with ``chosen`` (``None``: the default), created when
    missing; :class:`ServiceError` when backups cannot be written into it."""
    target = Path(chosen) if chosen else default_folder()
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".probe{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ServiceError(_("Backups cannot be written into {folder}: {reason}").format(
            folder=target, reason=exc.strerror or exc)) from None
    return target


# -- reading a copy --------------------------------------------------------------------------
def problem_text(exc: q.CopyError) -> str:
    if exc.reason == "not_ours":
        return _("It is not a Trainer database.")
    if exc.reason == "newer_schema":
        return _("It was written by a newer version of Trainer (schema {found}); update "
                 "Trainer first.").format(found=exc.detail)
    return _("It is damaged ({reason}).").format(reason=exc.detail)


def info_of(summary: q.Summary, path: Path, size: int, created_at: str = "") -> BackupInfo:
    meta = summary.meta
    return BackupInfo(
        path=path, created_at=created_at or meta.get("backup_created_at", ""), size=size,
        counts=summary.counts, last_bundle=summary.last_bundle, site_id=meta.get("site_id", ""),
        role=meta.get("role", ""), code=meta.get("station_code") or meta.get("county_code", ""),
        name=meta.get("station_name") or meta.get("county_name", ""), schema=summary.schema,
    )


def read_info(path: Path, check: str | None = None, counts: bool = True) -> BackupInfo:
    """What the backup at ``path`` holds; with ``check`` (``integrity_check`` or
    ``quick_check``) also whether it is sound. A backup that cannot be read has ``problem``.
    Without ``counts``, only whose and when it is."""
    path = Path(path)
    size = path.stat().st_size
    try:
        return info_of(q.summarize(path, check, counts=counts), path, size)
    except q.CopyError as exc:
        return BackupInfo(path=path, created_at="", size=size, problem=problem_text(exc))


# -- making one ------------------------------------------------------------------------------
def _label(store: Store) -> str:
    code = store.get_meta("station_code") or store.get_meta("county_code") or "trainer"
    return "".join(c for c in code if c.isascii() and c.isalnum()) or "trainer"


def _target(where: Path, label: str, now: dt.datetime, note: str) -> Path:
    stem = f"{label}-{now:%Y-%m-%d_%H-%M-%S}" + (f"-{note}" if note else "")
    target = where / f"{stem}{SUFFIX}"
    n = 2
    while target.exists():
        target = where / f"{stem}-{n}{SUFFIX}"
        n += 1
    return target


def partial_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL}")


def copy_checked(store: Store, target: Path, progress: Progress | None = None,
                 cancelled: Cancelled | None = None, check: str = "quick_check",
                 meta: dict[str, str | None] | None = None) -> q.Summary:
    """Copy ``store`` with the online backup into ``target`` (a new file, not kept unless it
    passes the checks: the file's structure, schema, application id, counts equal to the
    database's).

    ``quick_check`` by default: the online backup copies pages as they are, so what a copy
    can get wrong is its structure (a short or garbled write), which ``quick_check`` reads
    in full; ``integrity_check`` also compares every index with its table, ten times slower on
    a county's database, and runs when a backup is checked or restored.

    The copy is flushed to disk while it is checked (the flush waits for the disk, the check
    for the processor; both end before the copy is kept): the check reads the same pages the
    flush writes, so it loses nothing by not waiting."""
    try:
        expected = q.copy_online(store.conn, target, progress, cancelled, meta=meta)
        with ThreadPoolExecutor(1, thread_name_prefix="backup-fsync") as flusher:
            flushed = flusher.submit(q.fsync_file, target)
            try:
                summary = q.summarize(target, check, rows=True)
            finally:
                flushed.result()
        if summary.rows != expected or summary.meta.get("site_id") != store.site_id:
            raise ServiceError(_("The backup does not hold what the database holds; it was "
                                 "not kept."))
    except BaseException:
        for suffix in ("", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    return summary


def create(store: Store, where: Path | None = None, progress: Progress | None = None,
           cancelled: Cancelled | None = None, note: str = "",
           now: dt.datetime | None = None) -> BackupInfo:
    """Back up ``store`` into ``where`` (default: the backup folder), then thin this site's
    backups there. Returns the new backup."""
    where = Path(where) if where else folder()
    now = now or dt.datetime.now().astimezone()
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(_("The backup folder {folder} cannot be created: {reason}").format(
            folder=where, reason=exc.strerror or exc)) from None
    target = _target(where, _label(store), now, note)
    partial = partial_path(target)
    created_at = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    try:
        summary = copy_checked(store, partial, progress, cancelled,
                               meta={"backup_created_at": created_at,
                                     "backup_of": str(store.path)})
        os.replace(partial, target)
        fsync_dir(where)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ServiceError(_("The backup could not be written into {folder}: {reason}").format(
            folder=where, reason=exc.strerror or exc)) from None
    thin(where, store.site_id, now)
    return info_of(summary, target, target.stat().st_size, created_at)


# -- listing and thinning --------------------------------------------------------------------
def _files(where: Path) -> list[Path]:
    if not where.is_dir():
        return []
    return sorted((p for p in where.iterdir()
                   if p.suffix == SUFFIX and not p.name.startswith(".") and p.is_file()),
                  reverse=True)


def list_backups(site_id: str, where: Path | None = None,
                 counts: bool = True) -> list[BackupInfo]:
    """This site's backups in ``where`` (default: the backup folder), newest first; files
    that cannot be read are listed with their problem. Without ``counts``, only whose and
    when each is (quick, for thinning a county's backups)."""
    found = []
    for path in _files(Path(where) if where else folder()):
        info = read_info(path, counts=counts)
        if info.problem or info.site_id == site_id:
            found.append(info)
    return sorted(found, key=lambda i: (i.created_at, str(i.path)), reverse=True)


def thin(where: Path, site_id: str, now: dt.datetime,
         policy: retention.Policy = POLICY) -> list[Path]:
    """Delete this site's backups in ``where`` the schedule does not keep; returns them."""
    mine = [i for i in list_backups(site_id, where, counts=False)
            if not i.problem and i.created_at]
    keep = retention.to_keep(
        [retention.Backup(str(i.path), dt.datetime.fromisoformat(i.created_at).astimezone(
            now.tzinfo), i.size) for i in mine], now, policy)
    removed = []
    for info in mine:
        if str(info.path) not in keep:
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    return removed


def remove_leftovers(where: Path | None = None) -> None:
    """Temporary files of backups that were cut short (the program was killed)."""
    where = Path(where) if where else folder()
    if where.is_dir():
        for path in where.iterdir():
            if path.name.startswith(".") and path.name.endswith(
                    tuple(PARTIAL + end for end in ("", "-journal", "-wal", "-shm"))):
                path.unlink(missing_ok=True)
