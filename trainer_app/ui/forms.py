"""Pieces shared by the record forms: a message beside each field, labelled rows, translated
buttons, date fields and the dialog's layout."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QLocale
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.services.errors import ServiceError, ValidationError
from trainer_app.ui.errors import show_error


class FieldErrors:
    """Keeps one red message label under each field of a form."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}

    def wrap(self, name: str, field: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self._new_label(name))
        self._fields[name] = field
        return box

    def form_label(self) -> QLabel:
        """The red label for what is refused of the form as a whole (key ``"form"``, where the
        messages for no field of the form go too), for the caller to place."""
        return self._new_label("form")

    def _new_label(self, name: str) -> QLabel:
        label = QLabel(objectName=f"error_{name}", wordWrap=True)
        label.setStyleSheet("color: #c0392b;")
        label.hide()
        self._labels[name] = label
        return label

    def show(self, errors: dict[str, str]) -> None:
        """Show ``errors`` beside their fields (unknown fields go to ``"form"``) and focus the
        first field in error."""
        self.clear()
        first = None
        for name, message in errors.items():
            key = name if name in self._labels else "form"
            label = self._labels.get(key)
            if label is None:
                continue
            label.setText(message if not label.text() else label.text() + "\n" + message)
            label.show()
            if first is None and key in self._fields:
                first = self._fields[key]
        if first is not None:
            first.setFocus()

    def set(self, name: str, message: str) -> None:
        """Show ``message`` under field ``name``, or hide its message when it is empty."""
        label = self._labels[name]
        label.setText(message)
        label.setVisible(bool(message))

    def shown(self) -> set[str]:
        """The fields that show a message now."""
        return {name for name, label in self._labels.items() if not label.isHidden()}

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.hide()

    def message(self, name: str) -> str:
        label = self._labels.get(name)
        return label.text() if label is not None and not label.isHidden() else ""


def add_row(form: QFormLayout, errors: FieldErrors, name: str, field: QWidget) -> QLabel:
    """Add ``field`` to ``form`` with its message (``errors`` key ``name``) beneath it; returns
    the row's label, the field's buddy, for the caller's ``retranslate`` to fill."""
    label = QLabel()
    label.setBuddy(field)
    form.addRow(label, errors.wrap(name, field))
    return label


def grow_to_fit(dialog: QWidget) -> None:
    """Make a shown dialog at least as large as its contents want: wrapped texts that grew
    (another language, a longer message) are not cut off."""
    if dialog.isVisible():
        hint = dialog.sizeHint()
        dialog.resize(max(dialog.width(), hint.width()), max(dialog.height(), hint.height()))


def save_cancel_buttons() -> QDialogButtonBox:
    """Save/Cancel with Qt's own (translated) labels."""
    return QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )


def form_dialog_layout(
    dialog: QDialog, form: QFormLayout, errors: FieldErrors, save: Callable[[], None]
) -> QDialogButtonBox:
    """Lay ``dialog`` out as a record form: ``form``, the message for the whole form (``errors``
    key ``"form"``), then Save (calls ``save``) and Cancel; returns the buttons."""
    buttons = save_cancel_buttons()
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(errors.wrap("form", QWidget()))
    layout.addWidget(buttons)
    return buttons


def run_save(
    dialog: QWidget,
    errors: FieldErrors,
    save: Callable[[], object],
    field_errors: Callable[[dict[str, str]], dict[str, str]] = dict,
) -> bool:
    """Run a form's save through the services; True when it saved.

    Field messages appear beside their fields (``field_errors`` may map them first); any other
    refusal, such as a record owned by another site, is shown in a message box.
    """
    try:
        save()
    except ValidationError as exc:
        errors.show(field_errors(exc.errors))
        return False
    except ServiceError as exc:
        show_error(dialog, exc)
        return False
    return True


def date_display_format() -> str:
    """The Qt display format of the active language's medium date, the one the tables show
    through :func:`trainer_app.i18n.format_date` (``2026年12月3日``, ``Dec 3, 2026``)."""
    from babel.dates import get_date_format

    pattern = get_date_format("medium", locale=i18n.babel_locale()).pattern
    return re.sub(r"y+", "yyyy", pattern)  # babel's y is the full year, Qt's is yyyy


def date_locale() -> QLocale:
    """The locale whose month names the date fields use (the program's, not the system's)."""
    if i18n.language() == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


class DateEdit(QDateEdit):
    """A date field that shows its date as the tables do, in the program's language, and
    follows a language switch."""

    def __init__(self, objectName: str = "", calendarPopup: bool = True) -> None:  # noqa: N803
        super().__init__(objectName=objectName, calendarPopup=calendarPopup)
        self.setDate(QDate.currentDate())
        self._apply_format()

    def _apply_format(self) -> None:
        self.setLocale(date_locale())
        self.setDisplayFormat(date_display_format())
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self._apply_format()
        super().changeEvent(event)
