"""Adding a station to the county's register: code, name, township, village and contact."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.services import county
from trainer_app.services.errors import ValidationError
from trainer_app.store import Store
from trainer_app.ui.forms import FieldErrors, add_row, save_cancel_buttons
from trainer_app.ui.retranslate import Retranslating


class AddStationDialog(Retranslating, QDialog):
    """Code, name, township, village and contact of a new station; ``saved`` after Save."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.saved: dict | None = None
        self.errors = FieldErrors()
        self.code = QLineEdit(objectName="station_code")
        self.code.setMaxLength(12)
        self.name = QLineEdit(objectName="station_name")
        self.township = QLineEdit(objectName="station_township")
        self.village = QLineEdit(objectName="station_village")
        self.contact = QLineEdit(objectName="station_contact")
        self.intro = QLabel(wordWrap=True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.labels = [
            add_row(self.form, self.errors, "station_code", self.code),
            add_row(self.form, self.errors, "name", self.name),
        ]
        for field in (self.township, self.village, self.contact):  # no message of their own
            self.labels.append(QLabel())
            self.labels[-1].setBuddy(field)
            self.form.addRow(self.labels[-1], field)
        self.form_error = self.errors.form_label()
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Add station"))
        self.intro.setText(_("A station in the register can be given its county pack. Its data "
                             "is accepted once its key is approved."))
        texts = (_("Station &code:"), _("&Name:"), _("&Township:"), _("&Village:"),
                 _("C&ontact:"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.code.setPlaceholderText(_("e.g. WP01"))
        self.contact.setPlaceholderText(_("Operator's name and phone"))

    def save(self) -> None:
        self.errors.clear()
        try:
            self.saved = county.add_station(
                self._store, self.code.text(), self.name.text(), self.township.text(),
                self.village.text(), self.contact.text())
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except Exception as exc:  # noqa: BLE001 - shown beside the form
            self.errors.set("form", str(exc))
            return
        self.accept()
