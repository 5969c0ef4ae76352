"""SQL of sync: rows changed since a change number, merging incoming rows, bundle logs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from trainer_app.store.db import Store, utc_now

DERIVED = {"trainee": ("search_key", "name_sort")}  # recomputable columns, sent for speed


def columns(store: Store, table: str) -> list[str]:
    return [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]


def column_types(store: Store, table: str) -> dict[str, str]:
    """Column name to declared type (``TEXT``, ``INTEGER``, ``REAL``), for checking records."""
    return {r[1]: (r[2] or "").upper() for r in store.conn.execute(f"PRAGMA table_info({table})")}


# Uniqueness among live rows is a rule the owning site keeps; a site holding other sites' rows
# sees them only at bundle boundaries, where two rows may briefly hold the same value (two
# trainees whose ID numbers were swapped, a number freed in a bundle not yet imported). At the
# county these indexes are therefore plain ones (same names and columns, not unique).
LIVE_UNIQUE = {
    "trainee_id_number_live": "trainee(origin, id_number) WHERE deleted = 0",
    "course_code_live": "course(origin, code) WHERE deleted = 0",
}


def relax_live_unique_indexes(store: Store) -> None:
    """Make the live-uniqueness indexes of :data:`LIVE_UNIQUE` non-unique (a county's)."""
    for name, definition in LIVE_UNIQUE.items():
        sql = store.scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                           [name])
        if sql is None or "UNIQUE" in str(sql).upper():
            store.conn.execute(f"DROP INDEX IF EXISTS {name}")
            store.conn.execute(f"CREATE INDEX {name} ON {definition}")


def changed_rows(
    store: Store, table: str, origin: str, after_rev: int, batch: int = 2000,
    upto_rev: int | None = None,
) -> Iterator[dict]:
    """Rows of ``origin`` whose rev is above ``after_rev`` (and at most ``upto_rev``), in rev
    order, streamed."""
    cur = store.conn.execute(
        f"SELECT * FROM {table} WHERE origin = ? AND rev > ? AND rev <= ? ORDER BY rev, id",
        [origin, after_rev, 2**63 - 1 if upto_rev is None else upto_rev],
    )
    names = [d[0] for d in cur.description]
    while rows := cur.fetchmany(batch):
        for row in rows:
            yield dict(zip(names, row, strict=True))


def all_rows(store: Store, table: str) -> Iterator[dict]:
    cur = store.conn.execute(f"SELECT * FROM {table} ORDER BY rev, id")
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row, strict=True))


def change_counter(store: Store) -> int:
    return int(store.get_meta("change_counter") or 0)


def existing_revs(store: Store, table: str, ids: list[str]) -> dict[str, tuple[int, str]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        r[0]: (r[1], r[2])
        for r in store.conn.execute(
            f"SELECT id, rev, origin FROM {table} WHERE id IN ({marks})", ids
        )
    }


def _newer_wins(table: str, names: list[str]) -> str:
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
    return (f"ON CONFLICT(id) DO UPDATE SET {updates} "
            f"WHERE excluded.origin = {table}.origin AND excluded.rev > {table}.rev")


def upsert(store: Store, table: str, names: list[str], rows: Iterable[tuple]) -> None:
    """Insert rows, or replace an existing row when the incoming one is newer (a higher rev:
    the owner's change counter, so any import order gives one result).

    A row never changes its owner: an incoming row whose id is held with another origin
    replaces nothing (an import refuses such a bundle before it gets here)."""
    cols = ", ".join(names)
    marks = ", ".join("?" * len(names))
    store.conn.executemany(
        f"INSERT INTO {table} ({cols}) VALUES ({marks}) {_newer_wins(table, names)}", rows)


# -- staging an import ---------------------------------------------------------------------------
# A bundle's records are checked and written into tables of this connection's temporary
# database (kept in a temporary file once larger than its page cache) before the database's
# write lock is taken: decrypting, parsing and checking never hold up the site's other writers,
# and the staging table's unique id refuses a record that comes twice. Merging the staged rows
# is then a few statements inside one short transaction.
class RepeatedRecord(Exception):
    """A staged table received a second record with an id it holds."""


def _stage(table: str) -> str:
    return f"temp.stage_{table}"


@contextmanager
def staging_transaction(store: Store) -> Iterator[None]:
    """One deferred transaction for writing staging tables: it writes the temporary database
    only, so it takes no lock that keeps other writers out (and is four times faster than a
    commit per batch)."""
    store.conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        if store.conn.in_transaction:
            store.conn.execute("ROLLBACK")
        raise
    store.conn.execute("COMMIT")


def stage_create(store: Store, table: str, names: list[str]) -> None:
    columns = ", ".join(f"{n} UNIQUE" if n == "id" else n for n in names)
    store.conn.execute(f"DROP TABLE IF EXISTS {_stage(table)}")
    store.conn.execute(f"CREATE TABLE {_stage(table)} ({columns})")


def stage_rows(store: Store, table: str, names: list[str], rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(names))
    try:
        store.conn.executemany(
            f"INSERT INTO {_stage(table)} ({', '.join(names)}) VALUES ({marks})", rows)
    except sqlite3.IntegrityError:  # the only constraint of a staging table: its unique id
        raise RepeatedRecord(table) from None


def stage_compare(store: Store, table: str) -> tuple[int, int, int, str | None]:
    """The staged rows of ``table`` against the rows held: how many are new, newer (they will
    replace the row held), not newer (ignored); and the id of one held with another origin
    (a row another site owns), or None."""
    row = store.conn.execute(
        f"""SELECT count(*) FILTER (WHERE m.id IS NULL),
                   count(*) FILTER (WHERE m.origin = s.origin AND s.rev > m.rev),
                   count(*) FILTER (WHERE m.origin = s.origin AND s.rev <= m.rev),
                   max(CASE WHEN m.origin <> s.origin THEN s.id END)
              FROM {_stage(table)} s LEFT JOIN main.{table} m ON m.id = s.id"""
    ).fetchone()
    return row[0], row[1], row[2], row[3]


def stage_merge(store: Store, table: str, names: list[str]) -> None:
    """Upsert the staged rows of ``table`` in the order they came, as :func:`upsert` does
    (``WHERE true`` lets SQLite tell the upsert clause from a join)."""
    cols = ", ".join(names)
    store.conn.execute(
        f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM {_stage(table)} WHERE true "
        f"ORDER BY rowid {_newer_wins(table, names)}")


def stage_drop(store: Store, tables: Iterable[str]) -> None:
    for table in tables:
        store.conn.execute(f"DROP TABLE IF EXISTS {_stage(table)}")


@contextmanager
def foreign_keys_off(store: Store) -> Iterator[None]:
    """Foreign keys not enforced in the block (outside any transaction: SQLite ignores the
    pragma inside one), e.g. while importing rows that refer to rows arriving later."""
    store.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")


# -- bundle logs ---------------------------------------------------------------------------------
# A station's bundle is its (epoch, number): numbers restart within an epoch whose numbering
# restarts. Rows are addressed by their ``id`` (the order they were first written in).
def last_out(store: Store) -> dict | None:
    """The last bundle written that is (or may be) outside the database: the next bundle's
    changes start after its ``to_rev``. A bundle that never reached its folder (``lost``) is
    passed over, so the next one carries its changes too."""
    return store.row("SELECT * FROM bundle_out WHERE state != 'lost' ORDER BY id DESC LIMIT 1")


def next_seq(store: Store, epoch_id: str | None, floor: int = 0) -> int:
    """A number no bundle of the epoch had (every number recorded, lost ones too, is taken for
    good), above ``floor`` (the point an epoch whose numbers go on started from)."""
    return max(int(store.scalar(
        "SELECT coalesce(max(seq), 0) FROM bundle_out WHERE epoch_id IS ?", [epoch_id]) or 0),
        floor) + 1


def unsettled_out(store: Store) -> list[dict]:
    """Bundles recorded before their file was put in place, not known to be there yet."""
    return store.rows("SELECT * FROM bundle_out WHERE state = 'pending' ORDER BY id")


def set_out_state(store: Store, row_id: int, state: str) -> None:
    store.conn.execute("UPDATE bundle_out SET state = ? WHERE id = ?", [state, row_id])


def bundles_out(store: Store) -> list[dict]:
    return store.rows("SELECT * FROM bundle_out ORDER BY id DESC")


def add_out(store: Store, row: dict) -> int:
    """Record a bundle; returns its row id."""
    return int(store.db["bundle_out"].insert(
        {**row, "counts": json.dumps(row["counts"])}).last_pk)


def rewrite_out(store: Store, row_id: int, row: dict) -> None:
    """A bundle written again (the county lost it): its new file, hash and counts."""
    names = ", ".join(f"{k} = ?" for k in row)
    values = [json.dumps(v) if k == "counts" else v for k, v in row.items()]
    store.conn.execute(f"UPDATE bundle_out SET {names} WHERE id = ?", [*values, row_id])


def mark_uploaded(store: Store, row_id: int) -> None:
    store.conn.execute("UPDATE bundle_out SET uploaded_at = ? WHERE id = ?", [utc_now(), row_id])


def acknowledge(store: Store, seqs: Iterable[int]) -> None:
    """Confirm by number alone (a county hub's answer that names no epochs): only bundles whose
    numbers do not restart within their epoch, which are unique along the station's life."""
    store.conn.executemany(
        "UPDATE bundle_out SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE seq = ? "
        "AND NOT coalesce(json_extract(epoch, '$.restart'), 0)",
        [(utc_now(), s) for s in seqs],
    )


def applied_in(store: Store, sender_site: str, sha256: str) -> dict | None:
    return store.row(
        "SELECT * FROM bundle_in WHERE sender_site = ? AND sha256 = ? AND status = 'applied'",
        [sender_site, sha256],
    )


def add_in(store: Store, row: dict) -> None:
    store.db["bundle_in"].insert({**row, "counts": json.dumps(row.get("counts", {}))})


def highest_seq(store: Store, sender_site: str, epoch_id: str | None = None) -> int:
    """The highest bundle number applied from a sender in an epoch (``None``: its bundles
    without one; 0 for none), the base of the numbers it may use next
    (:mod:`trainer_app.domain.bundle_numbers`)."""
    return int(store.scalar(
        "SELECT max(seq) FROM bundle_in WHERE sender_site = ? AND epoch_id IS ? "
        "AND status = 'applied'", [sender_site, epoch_id]) or 0)


def highest_to_rev(store: Store, sender_site: str) -> int:
    """The highest change number a sender's applied bundles reached (0 for none): how new the
    newest of them is, even when a restored sender numbers its bundles again."""
    return int(store.scalar(
        "SELECT max(to_rev) FROM bundle_in WHERE sender_site = ? AND status = 'applied'",
        [sender_site]) or 0)


# -- stations (county register) ------------------------------------------------------------------
def stations(store: Store) -> list[dict]:
    return store.rows(
        """SELECT s.*, (SELECT b.seq FROM bundle_in b
                         WHERE b.sender_site = s.site_id AND b.status = 'applied'
                         ORDER BY b.id DESC LIMIT 1) AS last_seq,
                      (SELECT max(b.received_at) FROM bundle_in b
                         WHERE b.sender_site = s.site_id AND b.status = 'applied') AS last_at
             FROM station s WHERE s.deleted = 0 ORDER BY s.code"""
    )


def station_by_code(store: Store, code: str) -> dict | None:
    return store.row("SELECT * FROM station WHERE code = ? AND deleted = 0", [code])


def known_site_or_key(store: Store, site_id: str, sign_key: str) -> bool:
    """Whether a site of the register, or a key held (a retired one too), is this site id or
    this signing key (base64): then it is not a new PC's."""
    return store.row(
        "SELECT 1 FROM station WHERE site_id = ? OR sign_key = ? UNION ALL "
        "SELECT 1 FROM site_key WHERE site_id = ? OR public_key = ? LIMIT 1",
        [site_id, sign_key, site_id, sign_key]) is not None


def station_by_site(store: Store, site_id: str) -> dict | None:
    return store.row("SELECT * FROM station WHERE site_id = ? AND deleted = 0", [site_id])


# -- duplicates ----------------------------------------------------------------------------------
def duplicate_groups(store: Store) -> list[dict]:
    """Live trainees sharing an ID-number hash across origins, not yet merged."""
    return store.rows(
        """SELECT t.id, t.id_hash, t.name, t.code, t.village, t.origin,
                  coalesce(s.code, '') AS station_code, coalesce(s.name, '') AS station_name
             FROM trainee t LEFT JOIN station s ON s.site_id = t.origin AND s.deleted = 0
            WHERE t.deleted = 0 AND t.id_hash IN (
                SELECT id_hash FROM trainee
                 WHERE deleted = 0 AND id_hash IS NOT NULL
                   AND id NOT IN (SELECT merged_id FROM person_merge WHERE deleted = 0)
                 GROUP BY id_hash HAVING count(DISTINCT origin) > 1)
              AND t.id NOT IN (SELECT merged_id FROM person_merge WHERE deleted = 0)
            ORDER BY t.id_hash, s.code"""
    )


def merges(store: Store) -> list[dict]:
    return store.rows("SELECT * FROM person_merge WHERE deleted = 0")


def content_digest_rows(store: Store) -> Iterator[str]:
    """Every table's rows as text, in a fixed order (for "unchanged" checks in tests and tools)."""
    for (table,) in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ):
        for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            yield f"{table}:{row!r}"


def has_key(store: Store, key_id: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM site_key WHERE key_id = ?", [key_id]))


def trainee_at_county(store: Store, trainee_id: str) -> dict | None:
    """A live trainee with the code of the station that registered them."""
    return store.row(
        "SELECT t.name, t.code, coalesce(s.code, '') AS station FROM trainee t "
        "LEFT JOIN station s ON s.site_id = t.origin AND s.deleted = 0 "
        "WHERE t.id = ? AND t.deleted = 0",
        [trainee_id],
    )
