"""Queries of the sheet evidence: photographed or scanned signed sign-in sheets."""

from __future__ import annotations

from trainer_app.store import records
from trainer_app.store.db import Store


def add(store: Store, values: dict, jpeg: bytes) -> str:
    """Keep one page image (call inside a transaction); the image is stored once per hash."""
    store.conn.execute("INSERT OR IGNORE INTO sheet_image (sha256, jpeg) VALUES (?, ?)",
                       [values["sha256"], jpeg])
    return records.insert(store, "sheet_evidence", values)


def known_hash(store: Store, sha256: str) -> dict | None:
    """The evidence already kept with this image hash, if any."""
    return store.row(
        "SELECT id, lesson_id, page FROM sheet_evidence WHERE sha256 = ? AND deleted = 0",
        [sha256],
    )


def for_lesson(store: Store, lesson_id: str) -> list[dict]:
    return store.rows(
        """SELECT id, lesson_id, page, sha256, size, width, height, file_name, read_at
             FROM sheet_evidence WHERE lesson_id = ? AND deleted = 0
            ORDER BY page, read_at""",
        [lesson_id],
    )


def for_trainee(store: Store, trainee_id: str) -> list[dict]:
    """The sheets of the lessons where the trainee's mark came from a sheet."""
    return store.rows(
        """SELECT s.id, s.lesson_id, s.page, s.sha256, s.size, s.read_at, l.date, l.topic
             FROM attendance a
             JOIN sheet_evidence s ON s.lesson_id = a.lesson_id AND s.deleted = 0
             JOIN lesson l ON l.id = a.lesson_id
            WHERE a.trainee_id = ? AND a.deleted = 0 AND a.method = 'sheet'
            ORDER BY l.date, s.page""",
        [trainee_id],
    )


def image(store: Store, sha256: str) -> bytes | None:
    found = store.scalar("SELECT jpeg FROM sheet_image WHERE sha256 = ?", [sha256])
    return bytes(found) if found is not None else None
