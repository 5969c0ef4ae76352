"""Queries of certificates, withdrawals and signing keys."""

from __future__ import annotations

from trainer_app.store.db import Store

# A certificate's status: withdrawn when a revocation names it, replaced when a newer
# certificate says it replaces it (a replaced one is also withdrawn), else valid.
LIST = """
    SELECT c.id, c.serial, c.trainee_id, c.class_id, c.trainee_name, c.id_number_masked,
           c.course_code, c.course_title, c.hours, c.start_date, c.end_date, c.issued_on,
           c.key_id, c.qr_text, c.replaces, c.origin, c.updated_at,
           (SELECT r.reason FROM revocation r
             WHERE r.certificate_id = c.id AND r.deleted = 0
             ORDER BY r.revoked_at DESC LIMIT 1) AS revoked_reason,
           (SELECT r.revoked_at FROM revocation r
             WHERE r.certificate_id = c.id AND r.deleted = 0
             ORDER BY r.revoked_at DESC LIMIT 1) AS revoked_at,
           (SELECT n.serial FROM certificate n
             WHERE n.replaces = c.id AND n.deleted = 0 LIMIT 1) AS replaced_by,
           (SELECT o.serial FROM certificate o WHERE o.id = c.replaces) AS replaces_serial,
           coalesce(k.title, '') AS class_title
      FROM certificate c LEFT JOIN training_class k ON k.id = c.class_id
     WHERE c.deleted = 0
"""


def _with_status(row: dict | None) -> dict | None:
    if row is None:
        return None
    if row["replaced_by"]:
        row["status"] = "replaced"
    elif row["revoked_reason"] is not None:
        row["status"] = "withdrawn"
    else:
        row["status"] = "valid"
    return row


def search(store: Store, text: str = "", limit: int | None = None,
           class_id: str | None = None) -> list[dict]:
    sql = LIST
    params: list[object] = []
    if text:
        sql += " AND (c.serial LIKE ? OR c.trainee_name LIKE ?)"
        params += [f"%{text}%", f"%{text}%"]
    if class_id:
        sql += " AND c.class_id = ?"
        params.append(class_id)
    sql += " ORDER BY c.issued_on DESC, c.serial DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_with_status(r) for r in store.rows(sql, params)]  # type: ignore[misc]


def by_serial(store: Store, serial: str) -> dict | None:
    return _with_status(store.row(LIST + " AND c.serial = ?", [serial]))


def by_id(store: Store, certificate_id: str) -> dict | None:
    return _with_status(store.row(LIST + " AND c.id = ?", [certificate_id]))


def for_class(store: Store, class_id: str) -> list[dict]:
    rows = store.rows(LIST + " AND c.class_id = ? ORDER BY c.serial", [class_id])
    return [_with_status(r) for r in rows]  # type: ignore[misc]


def current_for(store: Store, trainee_id: str, class_id: str) -> dict | None:
    """The trainee's valid certificate for the class, if any."""
    for row in store.rows(
        LIST + " AND c.trainee_id = ? AND c.class_id = ? ORDER BY c.issued_on DESC",
        [trainee_id, class_id],
    ):
        row = _with_status(row)
        if row and row["status"] == "valid":
            return row
    return None


def max_number(store: Store, prefix: str) -> int:
    """Highest running number among serials ``<prefix>NNNNNN-C``, or the floor a restore set
    (serials the old epoch may have given after the backup)."""
    value = store.scalar(
        "SELECT max(CAST(substr(serial, ?, 6) AS INTEGER)) FROM certificate WHERE serial LIKE ?",
        [len(prefix) + 1, prefix + "%"],
    )
    return max(int(value or 0), int(store.get_meta("serial_floor") or 0))


def public_key(store: Store, key_id: str) -> dict | None:
    return store.row(
        "SELECT site_id, key_id, public_key, label FROM site_key "
        "WHERE key_id = ? AND deleted = 0 AND purpose = 'sign'",
        [key_id],
    )


def site_keys(store: Store, site_id: str) -> list[dict]:
    return store.rows(
        "SELECT key_id, public_key, purpose FROM site_key WHERE site_id = ? AND deleted = 0",
        [site_id],
    )


def revocation_by_serial(store: Store, serial: str) -> dict | None:
    """A withdrawal of ``serial`` (also of another station's certificate this site does not
    hold: withdrawals travel to every station)."""
    return store.row(
        "SELECT serial, reason, revoked_at FROM revocation WHERE serial = ? AND deleted = 0 "
        "ORDER BY revoked_at DESC LIMIT 1",
        [serial],
    )


def station_code_of(store: Store, site_id: str) -> str | None:
    """The code the station register gives the station of ``site_id`` (None: not registered)."""
    value = store.scalar(
        "SELECT code FROM station WHERE site_id = ? AND deleted = 0 LIMIT 1", [site_id]
    )
    return str(value) if value is not None else None


def station_code_taken(store: Store, code: str, except_site: str) -> bool:
    """Whether the register gives ``code`` to a station other than ``except_site``."""
    return bool(store.scalar(
        "SELECT 1 FROM station WHERE code = ? AND deleted = 0 "
        "AND (site_id IS NULL OR site_id != ?)",
        [code, except_site],
    ))


def issued_here(store: Store, serial: str, site_id: str) -> bool:
    """Whether ``site_id`` recorded a certificate with this serial (live or not)."""
    return bool(store.scalar(
        "SELECT 1 FROM certificate WHERE serial = ? AND origin = ?", [serial, site_id]
    ))


def classes_with_certificates(store: Store, origin: str | None = None) -> list[dict]:
    """The classes certificates were issued for (of the site ``origin``, or of every site), the
    latest first: the choices of the register's class filter. A class the register does not
    hold (yet) is named by its certificates' course."""
    where, params = ("c.deleted = 0", [])
    if origin:
        where += " AND c.origin = ?"
        params.append(origin)
    return store.rows(
        f"""SELECT c.class_id AS id, coalesce(k.title, max(c.course_title)) AS title,
                   min(c.start_date) AS start_date, count(*) AS certificates
              FROM certificate c LEFT JOIN training_class k ON k.id = c.class_id
             WHERE {where}
             GROUP BY c.class_id ORDER BY min(c.start_date) DESC, title""", params)
