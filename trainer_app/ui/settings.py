"""The program's settings, declared in one place, in an INI file in the data folder (so a test
with its own ``TRAINER_APP_HOME`` never touches the user's)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from trainer_app import paths

LANGUAGE = "ui/language"
GEOMETRY = "ui/geometry"


def settings() -> QSettings:
    return QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)
