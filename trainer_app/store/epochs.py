"""Queries of epochs: the county's record of each station's epochs, and bundles by epoch."""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.store.db import Store, utc_now


def get(store: Store, epoch_id: str) -> dict | None:
    return store.row("SELECT * FROM site_epoch WHERE epoch_id = ?", [epoch_id])


def of_site(store: Store, site_id: str) -> list[dict]:
    """A station's epochs with the bundles applied from each, oldest first."""
    return store.rows(
        """SELECT e.*,
                  (SELECT count(*) FROM bundle_in b WHERE b.epoch_id = e.epoch_id
                     AND b.status = 'applied') AS bundles,
                  (SELECT max(b.seq) FROM bundle_in b WHERE b.epoch_id = e.epoch_id
                     AND b.status = 'applied') AS last_seq,
                  (SELECT max(b.received_at) FROM bundle_in b WHERE b.epoch_id = e.epoch_id
                     AND b.status = 'applied') AS last_at
             FROM site_epoch e WHERE e.site_id = ? ORDER BY e.first_seen, e.epoch""",
        [site_id])


def applied_counts(store: Store, epoch_id: str) -> list[str]:
    """The ``counts`` (JSON) of the bundles applied from an epoch."""
    return [r[0] for r in store.conn.execute(
        "SELECT counts FROM bundle_in WHERE epoch_id = ? AND status = 'applied'", [epoch_id])]


def with_epochs(store: Store) -> list[dict]:
    """Stations of the register with more than one epoch, or one held."""
    return store.rows(
        """SELECT s.code, s.name, s.site_id FROM station s WHERE s.deleted = 0 AND s.site_id IN
             (SELECT site_id FROM site_epoch GROUP BY site_id
               HAVING count(*) > 1 OR sum(status = 'held') > 0) ORDER BY s.code""")


def add(store: Store, row: dict) -> None:
    store.conn.execute(
        "INSERT INTO site_epoch (epoch_id, site_id, epoch, parent_id, base_seq, started_at, "
        "first_seen, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [row["epoch_id"], row["site_id"], row["epoch"], row["parent_id"], row["base_seq"],
         row["started_at"], utc_now(), row["status"]])


def set_status(store: Store, epoch_id: str, status: str, retake: bool = False) -> None:
    store.conn.execute("UPDATE site_epoch SET status = ?, retake = max(retake, ?) "
                       "WHERE epoch_id = ?", [status, int(retake), epoch_id])


def _synced_tables() -> tuple[str, ...]:
    from trainer_app.store.schema import LATER_SYNCED_TABLES, SYNCED_TABLES

    return (*SYNCED_TABLES, *LATER_SYNCED_TABLES)


def max_rev(store: Store, origin: str) -> int:
    """The highest change number of the rows ``origin`` owns held here."""
    return max(int(store.scalar(f"SELECT max(rev) FROM {table} WHERE origin = ?", [origin])
                   or 0) for table in _synced_tables())


def restamp_own_rows(store: Store, rev: int) -> None:
    """Give every row this site owns the change number ``rev``: its version then wins over
    any other version the county holds (those of a PC the coordinator did not choose)."""
    for table in _synced_tables():
        store.conn.execute(f"UPDATE {table} SET rev = ? WHERE origin = ?", [rev, store.site_id])


def active_sibling(store: Store, site_id: str, parent_id: str, base_seq: int,
                   epoch_id: str) -> dict | None:
    """Another epoch of the site started from the same point that the county applies."""
    return store.row(
        "SELECT * FROM site_epoch WHERE site_id = ? AND parent_id = ? AND base_seq = ? "
        "AND epoch_id != ? AND status = 'active'", [site_id, parent_id, base_seq, epoch_id])


def applied_seqs_by_epoch(store: Store, site_id: str) -> dict[str | None, list[int]]:
    """The numbers of a station's applied bundles, per epoch (``None``: never restored)."""
    found: dict[str | None, list[int]] = {}
    for epoch_id, seq in store.conn.execute(
            "SELECT DISTINCT epoch_id, seq FROM bundle_in WHERE sender_site = ? "
            "AND status = 'applied' AND seq IS NOT NULL ORDER BY seq", [site_id]):
        found.setdefault(epoch_id, []).append(seq)
    return found


def sent(store: Store) -> list[dict]:
    """This station's bundles: number, epoch and whether the county confirmed it."""
    return store.rows("SELECT seq, epoch_id, acknowledged_at FROM bundle_out ORDER BY seq")


def acknowledge(store: Store, epoch_id: str | None, seqs: Iterable[int]) -> None:
    store.conn.executemany(
        "UPDATE bundle_out SET acknowledged_at = coalesce(acknowledged_at, ?) "
        "WHERE seq = ? AND epoch_id IS ?", [(utc_now(), s, epoch_id) for s in seqs])


def forget_meta(store: Store, key: str) -> None:
    store.conn.execute("DELETE FROM meta WHERE key = ?", [key])


def retire_station_key(county: Store, station_id: str, sign_public: str, old_key_id: str) -> None:
    """A station's new signing key; the old one is kept (its certificates verify), labelled
    as retired."""
    county.conn.execute("UPDATE station SET sign_key = ? WHERE id = ?", [sign_public, station_id])
    county.conn.execute(
        "UPDATE site_key SET label = label || ' (retired)' WHERE key_id = ? "
        "AND label NOT LIKE '% (retired)'", [old_key_id])


def adopt_site(store: Store, tables: Iterable[str], old_site: str, new_site: str) -> None:
    """What this PC made as ``old_site`` becomes the rebuilt station's (``new_site``)."""
    for table in tables:
        store.conn.execute(f"UPDATE {table} SET origin = ? WHERE origin = ?",
                           [new_site, old_site])
    store.conn.execute("UPDATE site_key SET site_id = ? WHERE site_id = ?", [new_site, old_site])


def all_meta(store: Store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT key, value FROM meta").fetchall())


def running_numbers(store: Store, code_prefix: str) -> tuple[int, int]:
    """The highest trainee code number and certificate serial running number held."""
    code = store.scalar(
        "SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM trainee WHERE code LIKE ?",
        [len(code_prefix) + 1, code_prefix + "%"])
    serial = store.scalar(
        "SELECT max(CAST(substr(serial, length(serial) - 7, 6) AS INTEGER)) FROM certificate")
    return int(code or 0), int(serial or 0)


def forget_bundles_out(store: Store) -> None:
    store.conn.execute("DELETE FROM bundle_out")
