"""The records of one incoming bundle: checked and staged before the write lock, then merged in
one short transaction.

Everything a bundle can make the importing site do before it is known to be good — decrypting,
decompressing, parsing, checking each record, finding a record that comes twice — happens
here without the database's write lock, into temporary tables
(:func:`trainer_app.store.sync.stage_create`), and is bounded by what the signed manifest
declares (:func:`trainer_app.sync.bundle.records`). Only :func:`merge` runs inside the
transaction: a few statements whose work follows the rows staged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app.security import keys
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import bundle, crypto, records

BATCH = 2000  # records checked and staged at a time (memory), progress and cancel between


@dataclass
class Staged:
    """What :func:`stage` left in the temporary tables, for :func:`merge`."""

    names: dict[str, list[str]] = field(default_factory=dict)  # table -> its columns
    receipts: list[dict] = field(default_factory=list)  # addressed to this site
    count: int = 0  # records staged


@dataclass
class Merged:
    new: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0


@dataclass(frozen=True)
class Sender:
    """What a sender may send: the tables allowed, the only origin its rows may have (except
    in the ``shared`` tables: the keys and withdrawals of every site, which a county passes
    on), and a station's approved signing key (None for the county's bundles)."""

    tables: tuple[str, ...]
    origin: str
    station_key: bytes | None
    shared: tuple[str, ...] = ()  # tables whose rows may have any origin


def check_counts(manifest: dict, sender: Sender) -> None:
    """A manifest may only count records of the tables its sender may send."""
    unknown = sorted(t for t, n in manifest["counts"].items() if n and t not in sender.tables)
    if unknown:
        raise bundle.BundleError("invalid_record", f"the manifest counts {unknown}")


@contextmanager
def staging(store: Store) -> Iterator[Staged]:
    """A place to stage one bundle; its temporary tables are dropped whatever happens."""
    staged = Staged()
    try:
        yield staged
    finally:
        q.stage_drop(store, staged.names)


def stage(store: Store, staged: Staged, path: Path, header: bundle.Header,
          opener: crypto.Opener | None, sender: Sender, limits: bundle.Limits,
          progress: Callable[[int], None] | None, check_cancel: Callable[[], None]) -> None:
    """Read, check and stage every record of the bundle (no write lock is taken)."""
    with q.staging_transaction(store):
        _stage_all(store, staged, bundle.records(path, header, opener, limits), sender,
                   progress, check_cancel)


def _stage_all(store: Store, staged: Staged, items: Iterator[tuple[str, dict]], sender: Sender,
               progress: Callable[[int], None] | None, check_cancel: Callable[[], None]) -> None:
    types = {t: q.column_types(store, t) for t in sender.tables if t != records.RECEIPT}
    batches: dict[str, list[tuple]] = {}
    for table, row in items:
        if table not in sender.tables:
            raise bundle.BundleError("invalid_record", f"table {table}")
        if table == records.RECEIPT:
            if row.get("station_site") == store.site_id:
                staged.receipts.append(row)
            continue
        try:
            records.check(table, row, types[table],
                          None if table in sender.shared else sender.origin)
        except records.RecordError as exc:
            raise bundle.BundleError("invalid_record", str(exc)) from None
        if table == "site_key" and sender.station_key is not None:
            _check_station_key(row, sender.origin, sender.station_key)
        names = staged.names.get(table)
        if names is None:
            names = staged.names[table] = list(types[table])
            q.stage_create(store, table, names)
        batch = batches.setdefault(table, [])
        batch.append(tuple(map(row.get, names)))
        if len(batch) >= BATCH:
            _stage_batch(store, table, names, batch)
        staged.count += 1
        if staged.count % BATCH == 0:
            if progress:
                progress(staged.count)
            check_cancel()
    for table, batch in batches.items():
        _stage_batch(store, table, staged.names[table], batch)


def _stage_batch(store: Store, table: str, names: list[str], batch: list[tuple]) -> None:
    try:
        q.stage_rows(store, table, names, batch)
    except q.RepeatedRecord:
        raise bundle.BundleError("invalid_record", f"a {table} record comes twice") from None
    except (sqlite3.InterfaceError, OverflowError, UnicodeEncodeError) as exc:
        raise bundle.BundleError("invalid_record", str(exc)) from None
    batch.clear()


def merge(store: Store, staged: Staged) -> Merged:
    """Merge the staged rows into the database (call inside the import's transaction): the
    newer version of a row wins; a row another site owns refuses the whole bundle."""
    merged = Merged()
    for table, names in staged.names.items():
        new, changed, unchanged, foreign = q.stage_compare(store, table)
        if foreign is not None:
            # A row has one owner for good: another site's version of it is hostile (and
            # taking it would make the result depend on the import order).
            raise bundle.BundleError("invalid_record",
                                     f"{table} {foreign}: a row another site owns")
        if new:
            merged.new[table] = new
        if changed:
            merged.changed[table] = changed
        merged.unchanged += unchanged
        q.stage_merge(store, table, names)
    return merged


def _check_station_key(row: dict, sender_site: str, approved: bytes) -> None:
    """A station publishes its own keys only: the row names the sender's site, its key id is
    the key's, and a signing key is the one the coordinator approved for the station."""
    try:
        public = crypto.unb64(row.get("public_key"))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise bundle.BundleError("invalid_record", f"site_key {row['id']}: bad key") from None
    purpose = row.get("purpose")
    if purpose == "sign":
        ok = row.get("key_id") == keys.key_id(public).hex() and public == approved
    elif purpose == "encrypt":
        ok = row.get("key_id") == crypto.key_id(public)
    else:
        ok = False
    if not ok or row.get("site_id") != sender_site:
        raise bundle.BundleError("invalid_record",
                                 f"site_key {row['id']}: not the sending station's key")
