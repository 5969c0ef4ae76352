"""SQLite storage through sqlite-utils: the only layer that writes SQL."""

from trainer_app.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
