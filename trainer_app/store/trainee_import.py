"""Queries of the trainee import: the trainees a list names, looked up by ID number in batches
(one indexed lookup per batch, instead of reading all 100,000 trainees of a county)."""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.store.db import Store
from trainer_app.store.trainees import LIST_COLUMNS

BATCH = 500  # well under SQLite's limit of bound parameters


def live_by_id_number(store: Store, numbers: Iterable[str]) -> dict[str, dict]:
    """The live trainees holding any of ``numbers``, by ID number (with their ``origin``)."""
    wanted = sorted(set(numbers))
    found: dict[str, dict] = {}
    for i in range(0, len(wanted), BATCH):
        part = wanted[i:i + BATCH]
        marks = ",".join("?" * len(part))
        for row in store.rows(
            f"SELECT {LIST_COLUMNS}, origin FROM trainee "
            f"WHERE id_number IN ({marks}) AND deleted = 0", part,
        ):
            found[row["id_number"]] = row
    return found
