"""Where things live: the user data folder and the program's own resources, frozen or not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from trainer_app import APP_NAME

DB_FILENAME = "trainer.db"


def bundle_root() -> Path:
    """Folder holding ``resources/`` and ``translations/``.

    In a PyInstaller build that is the unpacked bundle (``sys._MEIPASS``); from source it is the
    project folder.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    return bundle_root().joinpath("resources", *parts)


def translations_dir() -> Path:
    return bundle_root() / "translations"


def data_dir() -> Path:
    """The user data folder: ``$TRAINER_APP_HOME`` when set, else the platform's."""
    override = os.environ.get("TRAINER_APP_HOME")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    """The program's settings (an INI file that Qt's QSettings writes)."""
    return data_dir() / "settings.ini"


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME
