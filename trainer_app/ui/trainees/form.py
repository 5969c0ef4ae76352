"""The form to register or change a trainee; errors appear beside their field."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from trainer_app.domain import idcard
from trainer_app.domain.models import EDUCATION_LEVELS, Gender, Trainee
from trainer_app.i18n import _
from trainer_app.services import trainees
from trainer_app.store import Store
from trainer_app.ui.forms import FieldErrors, add_row, form_dialog_layout, run_save
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sheets.bar import sheet_note


class TraineeForm(Retranslating, QDialog):
    """Add (``trainee_id`` None) or edit a trainee. ``saved_id`` holds the id after Save."""

    def __init__(self, store: Store, trainee_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._trainee_id = trainee_id
        self.saved_id: str | None = None
        self.errors = FieldErrors()

        self.name = QLineEdit(objectName="name")
        self.id_number = QLineEdit(objectName="id_number")
        self.id_number.setMaxLength(18)
        self.id_number.textChanged.connect(self._id_number_changed)
        self.gender = QComboBox(objectName="gender")
        self.birth_date = QDateEdit(objectName="birth_date")
        self.birth_date.setCalendarPopup(True)
        self.birth_date.setDisplayFormat("yyyy-MM-dd")
        self.birth_date.setMinimumDate(QDate(1900, 1, 1))
        self.birth_date.setSpecialValueText(" ")  # the minimum date stands for "not set"
        self.birth_date.setDate(self.birth_date.minimumDate())
        self.phone = QLineEdit(objectName="phone")
        self.village = QLineEdit(objectName="village")
        self.village_group = QLineEdit(objectName="village_group")
        self.poor_household = QCheckBox(objectName="poor_household")
        self.education = QComboBox(objectName="education")
        self.notes = QPlainTextEdit(objectName="notes")
        self.notes.setFixedHeight(60)
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet("color: #555;")
        self.merge_note = QLabel(objectName="merge_note")
        self.merge_note.setWordWrap(True)
        self.merge_note.setStyleSheet("color: #9a5b00;")
        self.merge_note.hide()
        self.sheet_note = QLabel(objectName="sheet_note", wordWrap=True)
        self.sheet_note.hide()

        self.form = QFormLayout()
        self._labels = {
            name: add_row(self.form, self.errors, name, widget) for name, widget in (
                ("name", self.name), ("id_number", self.id_number), ("gender", self.gender),
                ("birth_date", self.birth_date), ("phone", self.phone),
                ("village", self.village), ("village_group", self.village_group),
                ("poor_household", self.poor_household), ("education", self.education),
                ("notes", self.notes),
            )
        }
        self.form.addRow("", self.id_hint)
        self.form.addRow("", self.merge_note)
        self.form.addRow("", self.sheet_note)

        self.buttons = form_dialog_layout(self, self.form, self.errors, self.save)
        self.retranslate()
        if trainee_id:
            self._load(trainees.get(store, trainee_id))
        self.setMinimumWidth(460)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit trainee") if self._trainee_id else _("Register a trainee"))
        if self._trainee_id:
            note = trainees.merge_note(self._store, self._trainee_id)
            self.merge_note.setText(note)
            self.merge_note.setVisible(bool(note))
            self.sheet_note.setText(sheet_note(self._store, self._trainee_id))
            self.sheet_note.setVisible(bool(self.sheet_note.text()))
        labels = {
            "name": _("Name *"), "id_number": _("ID number *"), "gender": _("Gender"),
            "birth_date": _("Birth date"), "phone": _("Mobile"), "village": _("Village *"),
            "village_group": _("Group"), "poor_household": _("Registered poor household"),
            "education": _("Education"), "notes": _("Notes"),
        }
        for name, label in self._labels.items():
            label.setText(labels[name])
        self.id_number.setPlaceholderText(
            _("18 characters; birth date and gender are read from it")
        )
        self.phone.setPlaceholderText(_("11-digit mobile number"))
        self.village_group.setPlaceholderText(_("e.g. 3rd group"))
        current_gender = self.gender.currentData()
        self.gender.clear()
        self.gender.addItem("", None)
        for g in Gender:
            self.gender.addItem(g.label, str(g))
        self.gender.setCurrentIndex(max(0, self.gender.findData(current_gender)))
        current_education = self.education.currentData()
        self.education.clear()
        self.education.addItem("", "")
        for level in EDUCATION_LEVELS:
            self.education.addItem(_(level), level)
        self.education.setCurrentIndex(max(0, self.education.findData(current_education)))

    def _load(self, t: Trainee) -> None:
        self.name.setText(t.name)
        self.id_number.setText(t.id_number or "")
        self.gender.setCurrentIndex(max(0, self.gender.findData(t.gender)))
        if t.birth_date:
            self.birth_date.setDate(QDate.fromString(t.birth_date, "yyyy-MM-dd"))
        self.phone.setText(t.phone or "")
        self.village.setText(t.village)
        self.village_group.setText(t.village_group)
        self.poor_household.setChecked(t.poor_household)
        self.education.setCurrentIndex(max(0, self.education.findData(t.education)))
        self.notes.setPlainText(t.notes)

    def _id_number_changed(self, text: str) -> None:
        """Fill birth date and gender as soon as a complete, valid number is typed."""
        if len(text.strip()) < 18:
            self.id_hint.clear()
            return
        try:
            info = idcard.parse(text)
        except idcard.IdNumberError:
            self.id_hint.clear()
            return
        self.birth_date.setDate(QDate(info.birth_date.year, info.birth_date.month,
                                      info.birth_date.day))
        self.gender.setCurrentIndex(self.gender.findData(info.gender))
        self.id_hint.setText(_("Birth date and gender were read from the ID number."))

    def trainee(self) -> Trainee:
        birth = self.birth_date.date()
        unset = birth == self.birth_date.minimumDate()
        birth_date = None if unset else birth.toString("yyyy-MM-dd")
        return Trainee(
            name=self.name.text(),
            id_number=self.id_number.text() or None,
            gender=self.gender.currentData(),
            birth_date=birth_date,
            phone=self.phone.text() or None,
            village=self.village.text(),
            village_group=self.village_group.text(),
            poor_household=self.poor_household.isChecked(),
            education=self.education.currentData() or "",
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        if run_save(self, self.errors, self._save):
            self.accept()

    def _save(self) -> None:
        if self._trainee_id:
            trainees.update(self._store, self._trainee_id, self.trainee())
            self.saved_id = self._trainee_id
        else:
            self.saved_id = trainees.register(self._store, self.trainee())
