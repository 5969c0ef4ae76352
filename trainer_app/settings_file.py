"""The program's settings file (``settings.ini`` in the data folder), read without Qt.

The window writes it through Qt's ``QSettings`` (:mod:`trainer_app.ui.settings`); the command
line reads the settings it shares with the window here: the language chosen in the menu and
the backup folder. ``QSettings`` escapes what it writes in its own way (a backslash doubled, a
value with a comma or outer spaces in quotes, ``\\xNNNN`` for control characters, a leading
``@`` doubled), which :func:`unescape` undoes, so a Windows path comes back as it was chosen.
"""

from __future__ import annotations

import configparser

from trainer_app import paths

# Settings both the window and the command line read (the window's own are in ui/settings.py).
LANGUAGE = "ui/language"
BACKUP_FOLDER = "backup/folder"  # "" or missing: backups/ in the user data folder

_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def read(key: str) -> str | None:
    """The value of ``key`` (``section/name``), or ``None`` when the file or the key is
    missing or the file cannot be read."""
    section, _slash, name = key.rpartition("/")
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign] - names keep their case
    try:
        parser.read(paths.settings_path(), encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    raw = parser.get(section or "General", name, fallback=None)
    return None if raw is None else unescape(raw)


def unescape(raw: str) -> str:
    """A string value as ``QSettings`` wrote it into an INI file → the string."""
    out: list[str] = []
    i, text = 0, raw.strip()
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
        elif c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "x":
                j = i + 2
                while j < len(text) and j < i + 6 and text[j] in "0123456789abcdefABCDEF":
                    j += 1
                out.append(chr(int(text[i + 2:j] or "0", 16)))
                i = j
            else:
                out.append(_ESCAPES.get(nxt, nxt))
                i += 2
        else:
            out.append(c)
            i += 1
    value = "".join(out)
    return value[1:] if value.startswith("@@") else value
