"""Asking for the passphrase of an encrypted backup: twice when it is chosen, once to open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.services import restore


class PassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None, choose: bool) -> None:
        super().__init__(parent, objectName="passphrase_dialog")
        self.setWindowTitle(i18n.app_name())
        self.choose = choose
        form = QFormLayout()
        intro = QLabel(wordWrap=True)
        intro.setText(
            _("Choose a passphrase for this backup. It protects the personal data and the keys "
              "in it. Write it down and keep it apart from the stick: without it the backup "
              "cannot be opened.") if choose else
            _("This backup is encrypted. Type its passphrase."))
        form.addRow(intro)
        self.first = QLineEdit(objectName="passphrase", echoMode=QLineEdit.EchoMode.Password)
        form.addRow(_("Passphrase:"), self.first)
        self.second = QLineEdit(objectName="passphrase_again",
                                echoMode=QLineEdit.EchoMode.Password)
        if choose:
            form.addRow(_("The same again:"), self.second)
        self.error = QLabel(objectName="passphrase_error", wordWrap=True)
        self.error.setStyleSheet("color: #b00020")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _check(self) -> None:
        text = self.first.text()
        if self.choose:
            if len(text) < restore.MIN_PASSPHRASE:
                self.error.setText(_("Choose a passphrase of at least {n} characters.").format(
                    n=restore.MIN_PASSPHRASE))
                return
            if self.second.text() != text:
                self.error.setText(_("The two passphrases differ."))
                return
        elif not text:
            self.error.setText(_("Type the passphrase."))
            return
        self.accept()

    def passphrase(self) -> str:
        return self.first.text()


def ask(parent: QWidget | None, choose: bool) -> str | None:
    """The passphrase typed, or ``None`` when the user cancelled."""
    dialog = PassphraseDialog(parent, choose)
    return dialog.passphrase() if dialog.exec() else None
