"""Epochs: what a restored database must never reuse.

A restored site is back in the past, while its county may already hold what it sent after the
backup. So a restore starts a new epoch: a new number and id, the point it started from (the
last bundle and change number in the backup), and numbers that jump past anything the old
epoch can have used after the backup: the change counter (``rev``), trainee codes and
certificate serials.
"""

from __future__ import annotations

import datetime as dt

from trainer_app.domain.ids import uuid7

REV_JUMP = 10**9  # change numbers: far past what any epoch uses (one per transaction)
NUMBER_JUMP = 10_000  # trainee codes and serial running numbers: past months of lost work
STOPPED = "epoch_stopped"  # meta: the county chose another PC as this site
RESEND = "resend_full"  # meta: this site's rows were restamped (retake): send everything
RESTART = "epoch_restart"  # meta: "1" when this epoch's bundle numbers restart, "0" if not
# Meta entries a restore writes (besides ``restored_at`` and ``restored_from``).
KEYS = ("epoch", "epoch_id", "epoch_parent", "epoch_base_seq", "epoch_started_at",
        "epoch_base_rev", "change_counter", "trainee_code_floor", "serial_floor")


def start(meta: dict[str, str], last_bundle: int, max_code: int, max_serial: int,
          now: dt.datetime | None = None) -> dict[str, str | None]:
    """The meta entries of a new epoch for a database restored with ``meta`` (its meta table),
    whose last bundle sent is number ``last_bundle`` (in its epoch), highest trainee code
    number ``max_code`` and highest serial running number ``max_serial``. The epoch starts
    from the point (parent epoch, ``last_bundle``); its bundle numbers restart at 1 when its
    county reads restarted numbers, else go on from there (decided by its first bundle).

    The change counter jumps by ``REV_JUMP``, and at least to the time in milliseconds × 1000,
    so that two restores of one backup, made at different times, never share change numbers.
    """
    now = now or dt.datetime.now(dt.UTC)
    counter = int(meta.get("change_counter") or 0)
    return {
        "epoch": str(int(meta.get("epoch") or 0) + 1),
        "epoch_id": uuid7(),
        "epoch_parent": meta.get("epoch_id") or "",
        "epoch_base_seq": str(last_bundle),
        "epoch_started_at": now.isoformat(timespec="seconds"),
        "epoch_base_rev": str(counter),
        "change_counter": str(max(counter + REV_JUMP, int(now.timestamp() * 1000) * 1000)),
        "trainee_code_floor": str(max(max_code, _floor(meta, "trainee_code_floor"))
                                  + NUMBER_JUMP),
        "serial_floor": str(max(max_serial, _floor(meta, "serial_floor")) + NUMBER_JUMP),
        STOPPED: None,  # a new epoch waits for the county's word afresh
        RESTART: None,  # decided by its first bundle (whether the county reads restarts)
    }


def _floor(meta: dict[str, str], key: str) -> int:
    try:
        return int(meta.get(key) or 0)
    except ValueError:
        return 0
