"""Verify a certificate someone shows: scan its QR code (a USB scanner types it followed by
Enter), or type or paste the code or the serial. Works offline with the keys the program holds.

The answer is one big coloured panel: green genuine, red forged or altered, orange withdrawn,
grey for a signer or serial this program does not know. The input is selected after each check,
so the next scan replaces it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain import certificate_code, serial
from trainer_app.i18n import N_, _
from trainer_app.services import certificates, station
from trainer_app.services.certificates import Verdict, Verification
from trainer_app.store import Store
from trainer_app.ui.courses.model import hours_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating

# verdict key -> (headline msgid, panel background, headline colour, text colour)
LOOKS: dict[str, tuple[str, str, str, str]] = {
    "waiting": (N_("Waiting for a certificate code"), "#f3f4f6", "#4b5563", "#374151"),
    Verdict.GENUINE: (N_("Genuine"), "#e3f5e8", "#15803d", "#14532d"),
    Verdict.FORGED: (N_("Forged or altered"), "#fde4e1", "#b91c1c", "#7f1d1d"),
    Verdict.WITHDRAWN: (N_("Withdrawn"), "#fdecd3", "#c2410c", "#7c2d12"),
    Verdict.UNKNOWN_SIGNER: (N_("Unknown signer"), "#eceef1", "#4b5563", "#1f2937"),
    Verdict.UNKNOWN: (N_("Unknown serial"), "#eceef1", "#4b5563", "#1f2937"),
    "not_recognised": (N_("Not a certificate code"), "#eceef1", "#4b5563", "#1f2937"),
    "mistyped": (N_("Serial mistyped?"), "#fdf6d8", "#a16207", "#713f12"),
}
SYMBOLS = {
    Verdict.GENUINE: "✔", Verdict.FORGED: "✘", Verdict.WITHDRAWN: "!",
    Verdict.UNKNOWN_SIGNER: "?", Verdict.UNKNOWN: "?", "not_recognised": "?", "mistyped": "?",
    "waiting": "",
}

# the details a certificate carries, in the order shown
DETAIL_FIELDS = (
    ("serial", N_("Serial")),
    ("trainee_name", N_("Name")),
    ("id_number_masked", N_("ID number")),
    ("course", N_("Course")),
    ("hours", N_("Hours")),
    ("dates", N_("Dates")),
    ("issued_on", N_("Issued on")),
    ("status", N_("Status")),
    ("key_id", N_("Signing key")),
    ("format", N_("Code format")),
)
# what the details below the verdict are: facts, or the claims of a code not to be trusted
CAPTIONS = {
    Verdict.GENUINE: N_("Signed for this certificate: compare the name and the printed digits "
                        "of the ID number with the holder's ID card."),
    Verdict.WITHDRAWN: N_("Recorded for this withdrawn certificate:"),
    Verdict.FORGED: N_("What the code claims (do not trust it):"),
    Verdict.UNKNOWN_SIGNER: N_("What the code says (its signer is not known here):"),
    "earlier": N_("Recorded for this certificate:"),  # a genuine one of the earlier format
    "default": N_("Details:"),
}
# what to do next, for answers that are not a verdict on the certificate itself
HINTS = {
    Verdict.UNKNOWN: N_("Scan the certificate's QR code instead: it is checked with the signing "
                        "keys, even when the certificate is not in this register."),
    "not_recognised": N_("Scan the QR code printed on the certificate (not a trainee card), or "
                         "type the serial number printed next to it."),
    "mistyped": N_("Compare the serial with the certificate character by character, or scan "
                   "its QR code."),
}
STATUS_LABELS = {"valid": N_("Valid"), "withdrawn": N_("Withdrawn"), "replaced": N_("Replaced")}


def look_key(result: Verification, text: str) -> str:
    """Which look the result gets. Text that is neither our code nor a serial (a trainee card
    scanned by mistake, a typo) is shown as not recognised rather than as a forgery, a serial
    whose check character is wrong as probably mistyped; a damaged code of ours stays "forged
    or altered"."""
    if (
        result.verdict is Verdict.FORGED
        and not result.details
        and not certificate_code.is_code(text)
    ):
        return "mistyped" if result.serial else "not_recognised"
    return str(result.verdict)


def detail_values(details: dict) -> dict[str, str]:
    """The certificate's details as text for the screen (missing ones are left out)."""
    out: dict[str, str] = {}
    if details.get("serial"):
        out["serial"] = details["serial"]
    if details.get("trainee_name"):
        out["trainee_name"] = details["trainee_name"]
    if details.get("id_number_masked"):
        out["id_number_masked"] = details["id_number_masked"]
    title, code = details.get("course_title") or "", details.get("course_code") or ""
    if title or code:
        out["course"] = f"{title} ({code})" if title and code else title or code
    if details.get("hours") is not None:
        out["hours"] = hours_label(float(details["hours"]))
    start, end = details.get("start_date"), details.get("end_date")
    if start or end:
        out["dates"] = " – ".join(i18n.format_date(d) for d in (start, end) if d)
    if details.get("issued_on"):
        out["issued_on"] = i18n.format_date(details["issued_on"])
    if details.get("status"):
        status = details["status"]
        out["status"] = _(STATUS_LABELS[status]) if status in STATUS_LABELS else status
    if details.get("key_id"):
        out["key_id"] = details["key_id"]
    if details.get("format") == certificate_code.EARLIER_VERSION:
        out["format"] = _("Issued with an earlier format (TRC1), whose code does not hold the "
                          "name")
    return out


class ResultPanel(QFrame):
    """The verdict in large coloured letters, the message, then the certificate's details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verify_result")
        self.key = "waiting"
        self._message = ""
        self._details: dict = {}
        self.example_serial = ""

        self.symbol = QLabel(objectName="verify_symbol")
        self.symbol.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.symbol.setFixedSize(48, 48)
        self.headline = QLabel(objectName="verify_headline")
        self.message = QLabel(objectName="verify_message", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checked_at = QLabel(objectName="verify_checked_at")
        self.caption = QLabel(objectName="verify_caption", wordWrap=True)
        self.hint = QLabel(objectName="verify_hint", wordWrap=True)

        self.form = QFormLayout()
        self.form.setContentsMargins(0, 6, 0, 0)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(4)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for name, _label in DETAIL_FIELDS:
            label = QLabel()
            value = QLabel(objectName=f"verify_{name}", wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._labels[name] = label
            self.values[name] = value
            self.form.addRow(label, value)

        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(self.symbol, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.headline)
        text.addWidget(self.message)
        text.addWidget(self.hint)
        head.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(head)
        layout.addSpacing(6)
        layout.addWidget(self.caption)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.checked_at, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate()

    def show_result(self, key: str, message: str, details: dict) -> None:
        self.key = key
        self._message = message
        self._details = details
        self.checked_at.setText(
            _("Checked at {time}").format(time=QTime.currentTime().toString("HH:mm:ss"))
        )
        self.retranslate()

    def clear_result(self) -> None:
        self.key = "waiting"
        self._message = ""
        self._details = {}
        self.checked_at.clear()
        self.retranslate()

    def headline_text(self) -> str:
        return self.headline.text()

    def retranslate(self) -> None:
        headline, background, accent, text = LOOKS.get(self.key, LOOKS[Verdict.UNKNOWN])
        self.setStyleSheet(
            f"QFrame#verify_result {{ background: {background}; border: 2px solid {accent};"
            f" border-radius: 8px; }}"
            f" QFrame#verify_result QLabel {{ color: {text}; background: transparent; }}"
            f" QFrame#verify_result QLabel#verify_headline {{ color: {accent}; font-size: 26px;"
            f" font-weight: bold; }}"
            f" QFrame#verify_result QLabel#verify_symbol {{ color: white; background: {accent};"
            f" font-size: 28px; font-weight: bold; border-radius: 24px; }}"
            f" QFrame#verify_result QLabel#verify_message {{ font-size: 14px; }}"
            f" QFrame#verify_result QLabel#verify_caption {{ color: #6b7280; }}"
            f" QFrame#verify_result QLabel#verify_hint {{ color: #374151; }}"
            f" QFrame#verify_result QLabel#verify_checked_at {{ color: #6b7280; }}"
        )
        symbol = SYMBOLS.get(self.key, "?")
        self.symbol.setText(symbol)
        self.symbol.setVisible(bool(symbol))
        self.headline.setText(_(headline))
        self.message.setText(
            self._message if self.key != "waiting" else _(
                "Scan the QR code on the certificate, or type its serial number (for example "
                "{example}) and press Enter. No internet connection is needed."
            ).format(example=self.example_serial)
        )
        hint = HINTS.get(self.key)
        self.hint.setText(_(hint) if hint else "")
        self.hint.setVisible(bool(hint))
        values = detail_values(self._details)
        key = self.key
        if key == Verdict.GENUINE and (
                self._details.get("format") == certificate_code.EARLIER_VERSION):
            key = "earlier"  # the name shown comes from the register, not from a signed code
        caption = CAPTIONS.get(key, CAPTIONS["default"])
        self.caption.setText(_(caption))
        self.caption.setVisible(bool(values))
        for name, label_text in DETAIL_FIELDS:
            label, value = self._labels[name], self.values[name]
            label.setText(_("{label}:").format(label=_(label_text)))
            value.setText(values.get(name, ""))
            shown = name in values
            label.setVisible(shown)
            value.setVisible(shown)
        bold = "font-weight: bold; font-size: 15px;" if "trainee_name" in values else ""
        self.values["trainee_name"].setStyleSheet(bold)


class VerifyDialog(Retranslating, QDialog):
    """Check certificates one after the other; ``verification`` holds the last answer."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.verification: Verification | None = None

        self.prompt = QLabel(objectName="verify_prompt", wordWrap=True)
        self.input = QLineEdit(objectName="verify_input")
        self.input.setClearButtonEnabled(True)
        self.input.setMinimumHeight(32)
        font = self.input.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.input.setFont(font)
        # A scanner "types" ASCII: keep a Chinese input method from catching its keystrokes.
        self.input.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.input.setInputMethodHints(
            Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.input.returnPressed.connect(self.check)
        self.check_button = QPushButton(objectName="verify_check")
        self.check_button.clicked.connect(self.check)
        self.panel = ResultPanel()
        self.panel.example_serial = serial.make(
            station.info(store).station_code, dt.date.today().year, 123
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        # Enter belongs to the input line (a scanner ends every code with it): no button of the
        # dialog may take it and close the dialog.
        for button in (self.check_button, *self.buttons.buttons()):
            button.setAutoDefault(False)
            button.setDefault(False)

        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(row)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)
        self.setMinimumSize(620, 480)
        self.retranslate()
        self.input.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Verify a certificate"))
        self.prompt.setText(
            _("Certificate code (scan the QR code) or serial number:")
        )
        self.input.setPlaceholderText(_("Scan, type or paste here, then press Enter"))
        self.check_button.setText(_("&Check"))
        self.panel.retranslate()

    def check(self) -> None:
        text = self.input.text().strip()
        if not text:
            self.verification = None
            self.panel.clear_result()
            self._ready_for_next()
            return
        try:
            result = certificates.verify(self._store, text)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self._ready_for_next()
            return
        self.verification = result
        self.panel.show_result(look_key(result, text), result.message, result.details)
        self._ready_for_next()

    def _ready_for_next(self) -> None:
        """Select the input so the next scan (or typing) replaces it."""
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.input.selectAll()
