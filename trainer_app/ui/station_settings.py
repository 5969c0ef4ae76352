"""The station's own details printed on every paper: names, station code, seal and logo; and
where its backups go."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _, pgettext
from trainer_app.services import attendance, station
from trainer_app.services.errors import ServiceError, ValidationError
from trainer_app.store import Store
from trainer_app.ui.backup.folder import BackupFolderField
from trainer_app.ui.errors import show_error
from trainer_app.ui.forms import FieldErrors, save_cancel_buttons
from trainer_app.ui.retranslate import Retranslating

THUMB = 96
UNCHANGED = object()  # an image the operator did not touch


class ImageChooser(Retranslating, QWidget):
    """A thumbnail of the chosen PNG with Choose… and Remove; nothing is saved until Save."""

    def __init__(self, kind: str, current: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.current = current
        self.pending: object = UNCHANGED  # UNCHANGED, a Path, or None (remove)

        self.thumbnail = QLabel(objectName=f"{kind}_thumbnail")
        self.thumbnail.setFixedSize(THUMB, THUMB)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setWordWrap(True)
        # a light checkerboard-like grey shows where the image is transparent
        self.thumbnail.setStyleSheet(
            "QLabel { background: #f4f4f5; border: 1px solid #c7c7cc; color: #888; }"
        )
        self.choose_button = QPushButton(objectName=f"choose_{kind}")
        self.remove_button = QPushButton(objectName=f"remove_{kind}")
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(self.remove)
        self.file_label = QLabel(objectName=f"{kind}_file", wordWrap=True)
        self.file_label.setStyleSheet("color: #555;")
        self.error_hook = None  # set by the dialog: shows a message beside the field

        buttons = QVBoxLayout()
        for button in (self.choose_button, self.remove_button):
            button.setMinimumWidth(110)
            buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        buttons.addWidget(self.file_label)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbnail)
        layout.addLayout(buttons, 1)
        self.retranslate()

    def shown_path(self) -> Path | None:
        if self.pending is UNCHANGED:
            return self.current
        return self.pending  # type: ignore[return-value]

    def changed(self) -> bool:
        return self.pending is not UNCHANGED

    def retranslate(self) -> None:
        self.choose_button.setText(_("Choose…"))
        self.remove_button.setText(_("Remove"))
        self._show()

    def _show(self) -> None:
        path = self.shown_path()
        pixmap = QPixmap(str(path)) if path else QPixmap()
        if pixmap.isNull():
            self.thumbnail.setPixmap(QPixmap())
            self.thumbnail.setText(pgettext("no image chosen", "None"))
            self.file_label.setText(
                _("A PNG with a transparent background prints best.") if not path else ""
            )
        else:
            ratio = self.devicePixelRatioF()
            scaled = pixmap.scaled(
                int((THUMB - 6) * ratio), int((THUMB - 6) * ratio),
                Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation,
            )
            scaled.setDevicePixelRatio(ratio)
            self.thumbnail.setText("")
            self.thumbnail.setPixmap(scaled)
            self.file_label.setText(
                path.name if self.changed() else _("{w} × {h} pixels").format(
                    w=pixmap.width(), h=pixmap.height()
                )
            )
        self.remove_button.setEnabled(path is not None)

    def choose(self) -> None:
        start = str(self.shown_path().parent) if self.shown_path() else str(Path.home())
        filename, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the seal image") if self.kind == "seal" else _("Choose the logo image"),
            start,
            _("PNG images (*.png)"),
        )
        if not filename:
            return
        path = Path(filename)
        reader = QImageReader(str(path))
        if path.suffix.lower() != ".png" or reader.format().data() != b"png":
            if self.error_hook:
                self.error_hook(_("This file is not a PNG image. Choose a .png file."))
            return
        if self.error_hook:
            self.error_hook("")
        self.pending = path
        self._show()

    def remove(self) -> None:
        self.pending = None
        self._show()


class StationSettingsDialog(Retranslating, QDialog):
    """Edit the station's names, code, seal and logo; saves through :mod:`services.station`."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.errors = FieldErrors()
        info = station.info(store)

        self.station_name = QLineEdit(objectName="station_name")
        self.county_name = QLineEdit(objectName="county_name")
        self.station_code = QLineEdit(objectName="station_code")
        self.station_code.setMaxLength(12)
        self.station_code.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.code_hint = QLabel(objectName="station_code_hint", wordWrap=True)
        self.code_hint.setStyleSheet("color: #555;")
        # once linked, the county pack sets the code and the county's name: shown, not edited
        self.linked = station.linked(store)
        self.county_hint = QLabel(objectName="county_name_hint", wordWrap=True)
        self.county_hint.setStyleSheet("color: #555;")
        self.county_hint.setVisible(self.linked)
        for field in (self.county_name, self.station_code):
            field.setReadOnly(self.linked)
        self.late_after = QSpinBox(objectName="late_after")
        self.late_after.setRange(0, 240)
        self.late_after.setValue(attendance.late_after(store))
        self.seal = ImageChooser("seal", info.seal_image)
        self.logo = ImageChooser("logo", info.logo_image)
        self.backup_folder = BackupFolderField()
        self.seal.error_hook = lambda m: self._image_error("seal_image", m)
        self.logo.error_hook = lambda m: self._image_error("logo_image", m)
        self.station_name.setText(info.station_name)
        self.county_name.setText(info.county_name)
        self.station_code.setText(info.station_code)
        for field in (self.station_name, self.county_name):
            field.setMinimumWidth(360)

        code_box = QWidget()
        code_layout = QVBoxLayout(code_box)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.setSpacing(2)
        code_layout.addWidget(self.errors.wrap("station_code", self.station_code))
        code_layout.addWidget(self.code_hint)
        county_box = QWidget()
        county_layout = QVBoxLayout(county_box)
        county_layout.setContentsMargins(0, 0, 0, 0)
        county_layout.setSpacing(2)
        county_layout.addWidget(self.errors.wrap("county_name", self.county_name))
        county_layout.addWidget(self.county_hint)

        self.form = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for name, widget in (
            ("station_name", self.errors.wrap("station_name", self.station_name)),
            ("county_name", county_box),
            ("station_code", code_box),
            ("seal_image", self.errors.wrap("seal_image", self.seal)),
            ("logo_image", self.errors.wrap("logo_image", self.logo)),
            ("late_after", self.errors.wrap("late_after", self.late_after)),
            ("backup_folder", self.errors.wrap("backup_folder", self.backup_folder)),
        ):
            label = QLabel()
            self._labels[name] = label
            self.form.addRow(label, widget)
        self._labels["station_name"].setBuddy(self.station_name)
        self._labels["county_name"].setBuddy(self.county_name)
        self._labels["station_code"].setBuddy(self.station_code)
        self._labels["late_after"].setBuddy(self.late_after)

        self.intro = QLabel(objectName="settings_intro", wordWrap=True)
        self.intro.setStyleSheet("color: #444;")
        self.form_error = self.errors.form_label()
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.form_error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(540)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Station settings"))
        self.intro.setText(
            _("These details are printed on certificates, sign-in sheets and the other papers.")
        )
        labels = {
            "station_name": _("Station &name"), "county_name": _("&County"),
            "station_code": _("Station c&ode"), "seal_image": _("Seal image"),
            "logo_image": _("Logo image"), "late_after": _("A scan is &late after"),
            "backup_folder": _("Backup folder"),
        }
        for name, label in self._labels.items():
            label.setText(labels[name])
        self.late_after.setSuffix(_(" minutes past the lesson's start"))
        self.station_name.setPlaceholderText(_("e.g. Wangping Village E-commerce Service Station"))
        self.county_name.setPlaceholderText(_("e.g. Xiangcheng County E-commerce Service Center"))
        if self.linked:
            locked = station.locked_message()
            self.code_hint.setText(locked)
            self.county_hint.setText(locked)
        else:
            self.code_hint.setText(
                _("2 to 12 letters or digits, given by the county. Every certificate serial "
                  "begins with it.")
            )

    def _image_error(self, field: str, message: str) -> None:
        if message:
            self.errors.show({field: message})
        else:
            self.errors.clear()

    def save(self) -> None:
        self.errors.clear()
        try:
            self.backup_folder.check()  # first: a folder refused leaves everything unchanged
        except ServiceError as exc:
            self.errors.show({"backup_folder": str(exc)})
            return
        try:
            station.update(
                self._store,
                station_name=self.station_name.text(),
                county_name=None if self.linked else self.county_name.text(),
                station_code=None if self.linked else self.station_code.text(),
            )
            attendance.set_late_after(self._store, self.late_after.value())
            for kind, chooser in (("seal", self.seal), ("logo", self.logo)):
                if chooser.changed():
                    station.set_image(self._store, kind, chooser.pending)  # type: ignore[arg-type]
                    chooser.current = chooser.pending  # type: ignore[assignment]
                    chooser.pending = UNCHANGED
            self.backup_folder.save()  # last: stored only once the rest is
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.accept()
