"""The program's settings, declared in one place, in an INI file in the data folder (so a test
with its own ``TRAINER_APP_HOME`` never touches the user's)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from trainer_app import paths, settings_file

# Read by the command line too, in trainer_app.settings_file:
LANGUAGE = settings_file.LANGUAGE
BACKUP_FOLDER = settings_file.BACKUP_FOLDER
# The window's own:
GEOMETRY = "ui/geometry"


def settings() -> QSettings:
    return QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)
