"""The Sync section's remembered choices, declared in one place (stored with the program's
other settings, see :mod:`trainer_app.ui.settings`)."""

from __future__ import annotations

from trainer_app.ui.settings import settings

HUB_URL = "sync/hub_url"  # the county hub's address a station uploads to
EXPORT_DIR = "sync/export_dir"  # the last folder a bundle was written to
IMPORT_DIR = "sync/import_dir"  # the last folder bundles were chosen from
INBOX_DIR = "sync/inbox_dir"  # the county's watched inbox folder
INBOX_WATCH = "sync/inbox_watch"  # whether the inbox is watched while the program runs


def get(key: str, default: str = "") -> str:
    value = settings().value(key, default)
    return "" if value is None else str(value)


def get_bool(key: str) -> bool:
    return get(key).lower() in ("1", "true", "yes")


def put(key: str, value: str | bool) -> None:
    s = settings()
    s.setValue(key, ("1" if value else "0") if isinstance(value, bool) else value)
    s.sync()
