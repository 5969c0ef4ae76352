"""Setting up this database as the county service center: its code and name; the county's
keys are made on the way. Offered only to a database that is neither a county nor a station
linked to one, and holds no station's records; the demo station's practice records are removed
on the way, after asking."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.services import county
from trainer_app.services.errors import ValidationError
from trainer_app.store import Store
from trainer_app.ui import ask
from trainer_app.ui.forms import FieldErrors, add_row
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.demo_question import link_asking


class CountySetup(Retranslating, QWidget):
    """The "Set up as county center" form; ``done`` after the county was set up."""

    done = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.errors = FieldErrors()
        self.title = QLabel(objectName="county_setup_title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = QLabel(objectName="county_setup_intro", wordWrap=True)
        self.code = QLineEdit(objectName="county_code")
        self.code.setMaxLength(12)
        self.name = QLineEdit(objectName="county_name")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.code_label = add_row(form, self.errors, "code", self.code)
        self.name_label = add_row(form, self.errors, "name", self.name)
        self.form_error = self.errors.form_label()
        self.button = QPushButton(objectName="county_setup")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.name.returnPressed.connect(self.submit)
        self.after = QLabel(objectName="county_setup_after", wordWrap=True)
        self.after.setStyleSheet("color: #555;")

        box = QFrame(objectName="county_setup_box")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMinimumWidth(520)
        box.setMaximumWidth(680)
        inner = QVBoxLayout(box)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.intro)
        inner.addLayout(form)
        inner.addWidget(self.form_error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        inner.addLayout(row)
        inner.addWidget(self.after)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(box, 3)
        centre.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(centre)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Set up as county center"))
        self.intro.setText(_(
            "Use this database as the county service center: it receives the sync files of "
            "the village stations, keeps the station register and the course catalog, and "
            "finds persons registered at two stations. The county's keys are made now."))
        self.code_label.setText(_("County &code:"))
        self.name_label.setText(_("County center &name:"))
        self.code.setPlaceholderText(_("e.g. XC"))
        self.name.setPlaceholderText(_("e.g. Xiangcheng County Rural E-commerce Service Center"))
        self.button.setText(_("&Set up as county center"))
        self.after.setText(_(
            "A station keeps its own database: set up the county on the county center's PC "
            "only. Stations are then linked with county packs made here."))

    def submit(self) -> None:
        self.errors.clear()
        filled = self.code.text().strip() and self.name.text().strip()
        if filled and not ask.confirm(self, _("Set up as county center"), _(
                "Make this database the county service center? This cannot be undone: it will "
                "receive the stations' files and can never be a village station. Do this on "
                "the county center's PC only.")):
            return
        try:
            done, _info = link_asking(
                self, lambda discard: county.set_up(self._store, self.code.text(),
                                                    self.name.text(), discard_demo=discard))
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except Exception as exc:  # noqa: BLE001 - shown beside the form
            self.errors.set("form", str(exc))
            return
        if done:
            self.done.emit()
