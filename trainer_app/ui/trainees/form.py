"""The form to register or change a trainee; errors appear beside their field."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from trainer_app.domain import idcard
from trainer_app.domain.models import EDUCATION_LEVELS, Gender, Trainee, education_label
from trainer_app.domain.validation import validate_trainee
from trainer_app.i18n import _, ngettext
from trainer_app.services import trainees
from trainer_app.store import Store
from trainer_app.ui.forms import DateEdit, FieldErrors, add_row, form_dialog_layout, run_save
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sheets import evidence
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
        self.birth_date = DateEdit(objectName="birth_date")
        self.birth_date.setMinimumDate(QDate(1900, 1, 1))
        self.birth_date.setSpecialValueText(" ")  # the minimum date stands for "not set"
        self.birth_date.setDate(self.birth_date.minimumDate())
        self.phone = QLineEdit(objectName="phone")
        self.village = QLineEdit(objectName="village")
        # chosen from the villages already used (the list opens as the name is typed; Down
        # shows it all); a new village is simply typed
        completer = QCompleter(trainees.villages(store), self.village)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.village.setCompleter(completer)
        self.village_group = QLineEdit(objectName="village_group")
        self.poor_household = QCheckBox(objectName="poor_household")
        self.education = QComboBox(objectName="education")
        self.notes = QPlainTextEdit(objectName="notes")
        self.notes.setFixedHeight(60)
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet("color: #555;")
        self.activity = QLabel(objectName="trainee_activity")  # code and what they did
        self.activity.setStyleSheet("color: #374151;")
        self.activity.setVisible(bool(trainee_id))
        self.merge_note = QLabel(objectName="merge_note")
        self.merge_note.setWordWrap(True)
        self.merge_note.setStyleSheet("color: #9a5b00;")
        self.merge_note.hide()
        self.sheet_note = QLabel(objectName="sheet_note", wordWrap=True,
                                 textFormat=Qt.TextFormat.RichText)
        self.sheet_note.linkActivated.connect(self._show_sheet)
        self.page_dialog: QDialog | None = None
        self.sheet_note.hide()

        self.form = QFormLayout()
        self.form.addRow(self.activity)
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
        # a duplicate ID number: open the trainee already registered with it
        self.open_existing = QPushButton(objectName="open_existing")
        self.open_existing.hide()
        self.open_existing.clicked.connect(self._open_existing)
        self._holder: dict | None = None
        self.form.addRow("", self.open_existing)
        self.form.addRow("", self.merge_note)
        self.form.addRow("", self.sheet_note)

        self.buttons = form_dialog_layout(self, self.form, self.errors, self.save)
        # A field is checked when the operator leaves it, and its message goes as soon as the
        # value is right; the station's register (a duplicate ID number) is checked on Save.
        self._left: set[str] = set()
        for name, field in (("name", self.name), ("id_number", self.id_number),
                            ("phone", self.phone), ("village", self.village)):
            field.editingFinished.connect(lambda n=name, f=field: self._field_left(n, f.text()))
            field.textChanged.connect(self._recheck)
        self.gender.currentIndexChanged.connect(self._recheck)
        self.birth_date.dateChanged.connect(self._recheck)
        self.retranslate()
        if trainee_id:
            self._load(trainees.get(store, trainee_id))
        self.setMinimumWidth(460)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit trainee") if self._trainee_id else _("Register a trainee"))
        if self._trainee_id:
            self.activity.setText(self._activity_text())
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
        # the placeholder stays short enough for the field; the whole hint is the tooltip
        self.id_number.setPlaceholderText(_("18 characters"))
        self.id_number.setToolTip(_("18 characters; birth date and gender are read from it"))
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
            self.education.addItem(education_label(level), level)
        self.education.setCurrentIndex(max(0, self.education.findData(current_education)))

    def _show_sheet(self, sha256: str) -> None:
        self.page_dialog = evidence.show(self, self._store, sha256)

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

    def _activity_text(self) -> str:
        done = trainees.activity(self._store, self._trainee_id or "")
        code = trainees.get(self._store, self._trainee_id or "").code
        return _("{code} · {classes} · {lessons} · {certificates}").format(
            code=code,
            classes=ngettext("enrolled in {n} class", "enrolled in {n} classes",
                             done["classes"]).format(
                n=done["classes"]),
            lessons=ngettext("{n} lesson attended", "{n} lessons attended",
                             done["lessons"]).format(n=done["lessons"]),
            certificates=ngettext("{n} certificate held", "{n} certificates held",
                                  done["certificates"]).format(n=done["certificates"]))

    def _field_left(self, name: str, text: str) -> None:
        if text.strip():
            self._left.add(name)
            self._recheck()

    def _recheck(self) -> None:
        """Update the messages of the fields already left or in error."""
        watched = self._left | (self.errors.shown() - {"form"})
        if not watched:
            return
        found = validate_trainee(self.trainee())
        for name in watched:
            self.errors.set(name, found.get(name, ""))

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
            return
        self._holder = trainees.holder_of(self._store, self.id_number.text(),
                                          self._trainee_id or "")
        if self._holder:
            self.open_existing.setText(_("Open {name} ({code})").format(**self._holder))
        self.open_existing.setVisible(self._holder is not None)

    def _open_existing(self) -> None:
        """Close this form and open the trainee who has this ID number already."""
        if self._holder is None:
            return
        self.reject()
        TraineeForm(self._store, self._holder["id"], self.parentWidget()).exec()

    def _save(self) -> None:
        if self._trainee_id:
            trainees.update(self._store, self._trainee_id, self.trainee())
            self.saved_id = self._trainee_id
        else:
            self.saved_id = trainees.register(self._store, self.trainee())
