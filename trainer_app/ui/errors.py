"""No traceback reaches the user: unexpected errors are logged and shown as a dialog."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from trainer_app import paths
from trainer_app.i18n import _, app_name

if TYPE_CHECKING:
    from types import TracebackType

    from PySide6.QtWidgets import QWidget

log = logging.getLogger("trainer_app")


def log_file() -> str:
    return str(paths.data_dir() / "trainer.log")


def setup_logging() -> None:
    try:
        paths.data_dir().mkdir(parents=True, exist_ok=True)
        # opened now (not at the first record), so that a log file that cannot be written falls
        # back to stderr instead of losing the record
        handler: logging.Handler = logging.FileHandler(log_file(), encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the user what went wrong; expected errors carry their own message."""
    # Imported here: start-up needs this module's logging and hook, not its dialogs.
    from PySide6.QtWidgets import QMessageBox

    from trainer_app.files import WriteError
    from trainer_app.services.errors import ServiceError
    from trainer_app.store import StoreError

    if isinstance(exc, ServiceError | StoreError | WriteError):
        QMessageBox.warning(parent, app_name(), str(exc))
        return
    log.error("unexpected error", exc_info=exc)
    QMessageBox.critical(
        parent,
        app_name(),
        _("Something went wrong and the last action was not completed. Your saved data is "
          "safe. Details were written to {log}.").format(log=log_file()),
    )


def excepthook(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Installed as ``sys.excepthook`` while the GUI runs."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    import traceback  # an error is rare: start-up does without the module

    log.error("".join(traceback.format_exception(kind, exc, tb)))
    show_error(None, exc)
