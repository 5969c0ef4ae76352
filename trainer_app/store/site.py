"""SQL of linking a site to the sync network: removing the demo station's practice records
before a database joins a county, and the meta data that marks them."""

from __future__ import annotations

from trainer_app.store.db import Store

DEMO_MARK = "demo"  # meta key: "1" while the database holds the demo station's records

# A station's synced tables, children before parents (foreign keys are checked per statement).
# Every row of them goes; courses only where this site made them (a county's catalog stays).
LOCAL_TABLES = (
    "revocation", "certificate", "attendance", "enrollment", "lesson", "training_class",
    "trainee",
)


def is_demo(store: Store) -> bool:
    return store.get_meta(DEMO_MARK) == "1"


def mark_demo(store: Store) -> None:
    store.set_meta(DEMO_MARK, "1")


def clear_demo_mark(store: Store) -> None:
    store.conn.execute("DELETE FROM meta WHERE key = ?", [DEMO_MARK])


def discard_records(store: Store) -> dict[str, int]:
    """Delete, physically, every row of this station's synced tables, the courses this site
    made and its log of bundles written; returns the rows deleted per table.

    No tombstones: these rows never left this PC. Keys (``site_key``) stay. Call inside a
    transaction."""
    counts: dict[str, int] = {}
    for table in LOCAL_TABLES:
        counts[table] = store.conn.execute(f"DELETE FROM {table}").rowcount
    counts["course"] = store.conn.execute(
        "DELETE FROM course WHERE origin = ?", [store.site_id]).rowcount
    counts["bundle_out"] = store.conn.execute("DELETE FROM bundle_out").rowcount
    return counts


def delete_meta_if(store: Store, key: str, value: str) -> None:
    """Remove the meta entry ``key`` when it still holds ``value``."""
    store.conn.execute("DELETE FROM meta WHERE key = ? AND value = ?", [key, value])


def own_key_ids(store: Store, label: str) -> list[str]:
    """Ids of this site's key rows labelled ``label``."""
    return [r[0] for r in store.conn.execute(
        "SELECT id FROM site_key WHERE origin = ? AND site_id = ? AND label = ? AND deleted = 0",
        [store.site_id, store.site_id, label])]
