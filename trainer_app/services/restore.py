"""The encrypted backup for a USB stick, checking a backup, and restoring one.

The encrypted backup is one file (:mod:`trainer_app.security.sealed`) holding a checked online
copy of the database, the site's key files and its images, sealed with a passphrase: it carries
personal data and the private keys. It is written under a temporary name, renamed, then opened
again and compared.

A restore never mixes the old and the restored database: the backup is unpacked and checked
into a hidden file beside the database, the current database is backed up, folded into one file
(no ``-wal``), and the checked copy is renamed over it in one step. Until that rename the old
database is untouched; after it, the restored one is in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from trainer_app import __version__, paths
from trainer_app.domain import epoch
from trainer_app.files import fsync_dir, write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.security import keys, sealed
from trainer_app.services import backup
from trainer_app.services.backup import BackupInfo, Cancelled, Progress
from trainer_app.services.errors import ServiceError, ValidationError
from trainer_app.services.trainees import CODE_PREFIX
from trainer_app.store import Store, StoreError
from trainer_app.store import backup as q
from trainer_app.store import sync as sync_q

SEALED_SUFFIX = ".trbackup"
MIN_PASSPHRASE = 8
DATABASE = "database"
# Entries besides the database: a site's key files and images, by their names in the data folder.
FILE_ENTRY = re.compile(
    r"(?P<folder>keys|images)/(?P<site>[0-9a-f-]{36})[.-][A-Za-z0-9_.-]{1,40}")


@dataclass
class RestoreResult:
    restored: BackupInfo  # what the database now holds
    safety: BackupInfo | None  # the backup of the database it replaced
    keys_written: list[str] = field(default_factory=list)
    keys_missing: bool = False  # no signing key of the restored site in this data folder


def is_sealed(path: Path) -> bool:
    with Path(path).open("rb") as fh:
        return fh.read(len(sealed.MAGIC)) == sealed.MAGIC


def sealed_text(exc: sealed.SealedError) -> str:
    return {
        "wrong_passphrase": _("The passphrase is wrong."),
        "truncated": _("The backup file is incomplete (copying it was cut short)."),
        "unsupported_version": _("The backup file was written by a newer version of Trainer; "
                                 "update Trainer first."),
        "not_ours": _("It is not a Trainer backup file."),
    }.get(exc.reason, _("The backup file is damaged: it changed after it was written."))


def _refuse(path: Path, text: str) -> ServiceError:
    return ServiceError(_("{file}: {problem} Nothing was changed.").format(
        file=Path(path).name, problem=text))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError({"passphrase": _(
            "Choose a passphrase of at least {n} characters.").format(n=MIN_PASSPHRASE)})


# -- the site's files ------------------------------------------------------------------------
def _site_files(site_id: str) -> list[tuple[str, Path]]:
    """The key files and images of ``site_id`` in the data folder, by their entry names."""
    found = []
    for folder_name in ("keys", "images"):
        where = paths.data_dir() / folder_name
        if where.is_dir():
            for path in sorted(where.iterdir()):
                name = f"{folder_name}/{path.name}"
                if path.is_file() and path.name.startswith(site_id) and FILE_ENTRY.fullmatch(name):
                    found.append((name, path))
    return found


def _write_site_file(name: str, data: bytes) -> None:
    """Put a key file or image into the data folder; a different file of the same name is kept
    beside it (``.replaced-<time>``), never overwritten."""
    target = paths.data_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if target.read_bytes() == data:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        os.replace(target, target.with_name(f"{target.name}.replaced-{stamp}"))
    private = name.startswith("keys/")
    if private and os.name != "nt":
        os.chmod(target.parent, 0o700)
    write_atomic_bytes(target, data, mode=0o600 if private else 0o666)


# -- the encrypted backup --------------------------------------------------------------------
def sealed_name(store: Store, now: dt.datetime) -> str:
    code = store.get_meta("station_code") or store.get_meta("county_code") or "trainer"
    return f"Trainer-{code}-{now:%Y-%m-%d_%H-%M}{SEALED_SUFFIX}"


@contextlib.contextmanager
def _scratch(name: str) -> Iterator[Path]:
    """A temporary file in the data folder (private to the user, unlike a USB stick)."""
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    path = paths.data_dir() / f".{name}-{os.getpid()}{backup.PARTIAL}"
    try:
        yield path
    finally:
        for suffix in ("", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def export_sealed(store: Store, out: Path, passphrase: str, progress: Progress | None = None,
                  cancelled: Cancelled | None = None) -> BackupInfo:
    """Write the encrypted backup of ``store`` to ``out`` (a folder, or the file's path),
    read it back and compare; returns what it holds."""
    check_passphrase(passphrase)
    now = dt.datetime.now().astimezone()
    out = Path(out)
    target = out / sealed_name(store, now) if out.is_dir() else out
    if not target.parent.is_dir():
        raise ServiceError(_("The folder {folder} does not exist.").format(folder=target.parent))
    created_at = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    with _scratch("sealed") as copy:
        summary = backup.copy_checked(
            store, copy, cancelled=cancelled,
            meta={"backup_created_at": created_at, "backup_of": str(store.path)})
        info = backup.info_of(summary, target, 0, created_at)
        entries: list[sealed.Entry] = [(DATABASE, copy)]
        entries += [(name, path.read_bytes()) for name, path in _site_files(store.site_id)]
        total = copy.stat().st_size + sum(len(d) for _n, d in entries[1:])  # type: ignore[arg-type]
        header = {"created_at": created_at, "role": info.role, "code": info.code,
                  "schema": summary.schema, "program_version": __version__}
        partial = backup.partial_path(target)
        try:
            with partial.open("wb") as fh:
                sealed.write(fh, passphrase, header, entries,
                             lambda done: progress(done, total) if progress else None)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, target)
            fsync_dir(target.parent)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ServiceError(_("The backup could not be written to {path}: {reason}").format(
                path=target, reason=exc.strerror or exc)) from None
        _read_back(target, passphrase, entries)
    info.size = target.stat().st_size
    info.encrypted = True
    return info


class _Digest(io.RawIOBase):
    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.hash.update(data)
        return len(data)


def _read_back(target: Path, passphrase: str, entries: list[sealed.Entry]) -> None:
    digests: dict[str, _Digest] = {}

    def sink(name: str, _size: int) -> BinaryIO:
        return digests.setdefault(name, _Digest())  # type: ignore[return-value]

    try:
        with target.open("rb") as fh:
            sealed.read(fh, passphrase, sink)
    except sealed.SealedError:
        raise ServiceError(_("{path} does not read back as written: use another stick or "
                             "folder.").format(path=target)) from None
    for name, source in entries:
        expected = hashlib.sha256()
        if isinstance(source, bytes):
            expected.update(source)
        else:
            with Path(source).open("rb") as fh:
                while block := fh.read(1024 * 1024):
                    expected.update(block)
        if name not in digests or digests[name].hash.digest() != expected.digest():
            raise ServiceError(_("{path} does not read back as written: use another stick or "
                                 "folder.").format(path=target))


def _unseal(path: Path, passphrase: str | None, database: Path) -> dict[str, bytes]:
    """Open the encrypted backup ``path``: the database into ``database``, the other entries
    returned by name. Raises :class:`ServiceError` with the reason."""
    if not passphrase:
        raise _refuse(path, _("It is encrypted: give its passphrase."))
    files: dict[str, io.BytesIO] = {}

    def sink(name: str, _size: int) -> BinaryIO:
        if name == DATABASE:
            return stack.enter_context(database.open("wb"))
        if FILE_ENTRY.fullmatch(name):
            return files.setdefault(name, io.BytesIO())
        return io.BytesIO()  # an entry of a later version: not used

    try:
        with contextlib.ExitStack() as stack, Path(path).open("rb") as fh:
            sealed.read(fh, passphrase, sink)
    except sealed.SealedError as exc:
        raise _refuse(path, sealed_text(exc)) from None
    if not database.exists():
        raise _refuse(path, _("It holds no database."))
    return {name: buffer.getvalue() for name, buffer in files.items()}


# -- what a restore loses --------------------------------------------------------------------
def loss_text(db_path: Path, info: BackupInfo) -> str:
    """What restoring ``info`` over the database at ``db_path`` loses, in plain words ("" when
    there is no database there yet)."""
    if not Path(db_path).exists():
        return ""
    try:
        store = Store(db_path)
    except StoreError:
        return _("The current database cannot be read; it is kept beside the restored one.")
    try:
        current = backup.read_info(Path(db_path))
        last = sync_q.last_out(store)
        unsent = sync_q.change_counter(store) > (last["to_rev"] if last else 0)
        after = _sent_after(store, info)
        role, code = store.get_meta("role") or "", current.code
        same_site = store.site_id == info.site_id
    finally:
        store.close()
    if not same_site:
        return _("This backup is of another site ({other}); the current database ({code}) is "
                 "replaced by it.").format(other=info.code or "?", code=code or "?")
    lines = []
    if role == "county":
        lines.append(_("Bundles imported after this backup are no longer in the database: "
                       "import them again."))
    else:
        if after:
            lines.append(_("Bundles {first} to {last}, sent after this backup, are at the "
                           "county: what they carried stays there.").format(
                               first=after[0], last=after[-1]))
        if unsent:
            lines.append(_("Changes made after the last bundle was sent have not reached the "
                           "county: they are lost."))
    return "\n".join(lines)


def _sent_after(store: Store, info: BackupInfo) -> list[int]:
    """The numbers of the bundles written after the backup ``info``, in the latest epoch
    (numbers restart within an epoch: the backup's last bundle is the latest one of its number
    written before the backup was made)."""
    def when(text: str) -> dt.datetime | None:
        try:
            found = dt.datetime.fromisoformat(text)
        except (TypeError, ValueError):
            return None
        return found if found.tzinfo else found.replace(tzinfo=dt.UTC)

    rows = sorted(sync_q.bundles_out(store), key=lambda r: r["id"])
    made = when(info.created_at)
    last_id = 0
    if info.last_bundle is not None:
        last_id = max((r["id"] for r in rows if r["seq"] == info.last_bundle and (
            made is None or (when(r["created_at"]) or made) <= made + dt.timedelta(seconds=1))),
            default=0)
    after = [r for r in rows if r["id"] > last_id and r["state"] != "lost"]
    return [r["seq"] for r in after if after and r["epoch_id"] == after[-1]["epoch_id"]]


# -- checking and restoring ------------------------------------------------------------------
def _unpack(source: Path, passphrase: str | None, into: Path,
            progress: Progress | None, cancelled: Cancelled | None) -> dict[str, bytes]:
    """The backup ``source`` unpacked into the new file ``into`` and checked; returns the
    site's files it holds."""
    source = Path(source)
    if not source.is_file():
        raise ServiceError(_("{path} does not exist.").format(path=source))
    files: dict[str, bytes] = {}
    if is_sealed(source):
        files = _unseal(source, passphrase, into)
    else:
        try:
            q.summarize(source, check=None)  # refuses what is not ours before copying it
            q.copy_file_online(source, into, progress, cancelled)
        except q.CopyError as exc:
            raise _refuse(source, backup.problem_text(exc)) from None
    return files


def _checked(path: Path, shown_as: Path) -> q.Summary:
    try:
        return q.summarize(path, "integrity_check")
    except q.CopyError as exc:
        raise _refuse(shown_as, backup.problem_text(exc)) from None


def verify(source: Path, passphrase: str | None = None) -> BackupInfo:
    """Check the backup ``source`` (plain or encrypted) and say what it holds; raises
    :class:`ServiceError` when it cannot be restored."""
    with _scratch("verify") as copy:
        _unpack(source, passphrase, copy, None, None)
        info = backup.info_of(_checked(copy, source), Path(source), Path(source).stat().st_size)
    info.encrypted = is_sealed(source)
    return info


def restore(db_path: Path, source: Path, passphrase: str | None = None,
            progress: Progress | None = None, cancelled: Cancelled | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` (which may not exist yet: a new PC) with the backup
    ``source``. The current database is backed up first; every connection to it must be
    closed. Raises :class:`ServiceError` with nothing changed when the backup cannot be used."""
    db_path = Path(db_path)
    staging = db_path.with_name(f".{db_path.name}.restoring")
    for suffix in ("", "-journal"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        files = _unpack(source, passphrase, staging, progress, cancelled)
        summary = _checked(staging, source)
        site_id = summary.meta.get("site_id", "")
        files = {n: d for n, d in files.items() if FILE_ENTRY.fullmatch(n)["site"] == site_id}
        q.set_meta(staging, {
            **{key: None for key in q.COPY_META},
            "restored_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "restored_from": Path(source).name,
            **epoch.start(summary.meta, summary.last_bundle or 0,
                          *q.running_numbers(staging, CODE_PREFIX)),
            **_image_meta(summary.meta, files),
        })
        q.fsync_file(staging)
        restored = backup.info_of(q.summarize(staging, None), db_path, staging.stat().st_size,
                                  summary.meta.get("backup_created_at", ""))
        restored.encrypted = is_sealed(source)
        safety = _set_aside(db_path)
        for name, data in files.items():
            _write_site_file(name, data)
        os.replace(staging, db_path)
        fsync_dir(db_path.parent)
    finally:
        for suffix in ("", "-journal"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    linked = restored.role in ("station", "county")  # a linked site has a signing key
    return RestoreResult(restored, safety, sorted(files),
                         keys_missing=linked and not keys.key_path(site_id).exists())


def _image_meta(meta: dict[str, str], files: dict[str, bytes]) -> dict[str, str | None]:
    """Images restored into this data folder: the meta entries pointing at them follow."""
    moved: dict[str, str | None] = {}
    for name in files:
        if name.startswith("images/"):
            file_name = name.partition("/")[2]
            for key, value in meta.items():
                if key.endswith("_image") and Path(value).name == file_name:
                    moved[key] = str(paths.data_dir() / name)
    return moved


def _set_aside(db_path: Path) -> BackupInfo | None:
    """Back up the database about to be replaced, and leave it as one file (no ``-wal``)."""
    if not db_path.exists():
        return None
    try:
        store = Store(db_path)
    except StoreError:
        # Unreadable (a reason to restore): kept beside it under another name, never deleted.
        stamp = dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        for suffix in ("", "-wal", "-shm", "-journal"):
            current = Path(f"{db_path}{suffix}")
            if current.exists():
                os.replace(current, Path(f"{db_path}.unreadable-{stamp}{suffix}"))
        return None
    try:
        safety = backup.create(store, note="before-restore")
    finally:
        store.close()
    if not q.settle(db_path):
        raise ServiceError(_("The database {path} is open in another program (another Trainer "
                             "window?). Close it and restore again; nothing was changed.").format(
                                 path=db_path))
    return safety
