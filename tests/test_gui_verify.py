"""The Verify dialog driven as at a station: a scanner types the QR text and Enter, or the
operator types a serial; genuine, forged, withdrawn and unrecognised codes each say so."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from tests.earlier_codes import make_earlier
from trainer_app import i18n
from trainer_app.services import certificates, classes, demo
from trainer_app.store import Store
from trainer_app.ui.verify_dialog import VerifyDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=3)
    yield s
    s.close()


@pytest.fixture
def issued(store) -> list[dict]:
    """Certificates for everyone eligible in the first finished class that has any."""
    for c in classes.list_all(store):
        if c["status"] != "finished":
            continue
        if any(r["eligible"] for r in certificates.eligibility(store, c["id"])):
            return certificates.issue(store, c["id"]).certificates
    raise AssertionError("the demo has no finished class with eligible trainees")


@pytest.fixture
def dialog(qtbot, store):
    d = VerifyDialog(store)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def scan(qtbot, dialog: VerifyDialog, text: str) -> None:
    """What a USB scanner does: type the characters, then Enter."""
    assert dialog.input.hasFocus() or dialog.input.setFocus() is None
    qtbot.keyClicks(dialog.input, text)
    qtbot.keyClick(dialog.input, Qt.Key.Key_Return)


def shown(dialog: VerifyDialog, name: str) -> str:
    value = dialog.panel.values[name]
    return value.text() if not value.isHidden() else ""


def test_scanned_code_is_genuine_and_shows_the_holder(qtbot, dialog, issued):
    cert = issued[0]
    assert cert["qr_text"].isascii()
    scan(qtbot, dialog, cert["qr_text"])
    assert dialog.isVisible()  # Enter checks; it never closes the dialog
    assert dialog.verification is not None and dialog.verification.genuine
    assert dialog.panel.headline_text() == "Genuine"
    assert shown(dialog, "trainee_name") == cert["trainee_name"]
    assert shown(dialog, "serial") == cert["serial"]
    assert shown(dialog, "id_number_masked") == cert["id_number_masked"]
    assert cert["course_title"] in shown(dialog, "course")
    assert shown(dialog, "key_id") == cert["key_id"]
    assert shown(dialog, "hours") and shown(dialog, "dates") and shown(dialog, "issued_on")
    # ready for the next scan: the whole text is selected, so typing replaces it
    assert dialog.input.hasFocus()
    assert dialog.input.selectedText() == dialog.input.text()


def test_next_scan_replaces_the_previous_one(qtbot, dialog, issued):
    first, second = issued[0], issued[1]
    scan(qtbot, dialog, first["qr_text"])
    scan(qtbot, dialog, second["qr_text"])
    assert dialog.input.text() == second["qr_text"]
    assert dialog.verification.genuine
    assert shown(dialog, "trainee_name") == second["trainee_name"]


def test_one_altered_character_is_forged(qtbot, dialog, issued):
    text = issued[0]["qr_text"]
    i = len(text) - 60  # in the signature
    altered = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]
    scan(qtbot, dialog, altered)
    assert dialog.verification.verdict == certificates.Verdict.FORGED
    assert dialog.panel.headline_text() == "Forged or altered"
    assert shown(dialog, "trainee_name") == ""  # a forgery is not dressed in a holder's name


def test_typed_serial_is_genuine(qtbot, dialog, issued):
    cert = issued[0]
    scan(qtbot, dialog, cert["serial"].lower())  # typed by hand, any case
    assert dialog.verification.genuine
    assert dialog.panel.headline_text() == "Genuine"
    assert shown(dialog, "trainee_name") == cert["trainee_name"]


def test_check_button_works_too(qtbot, dialog, issued):
    dialog.input.setText(issued[0]["serial"])  # pasted
    qtbot.mouseClick(dialog.check_button, LEFT)
    assert dialog.verification.genuine


def test_withdrawn_shows_the_reason(qtbot, dialog, store, issued):
    cert = issued[0]
    certificates.revoke(store, cert["serial"], "Issued to the wrong person")
    scan(qtbot, dialog, cert["qr_text"])
    assert dialog.verification.verdict == certificates.Verdict.WITHDRAWN
    assert dialog.panel.headline_text() == "Withdrawn"
    assert "Issued to the wrong person" in dialog.panel.message.text()
    assert shown(dialog, "trainee_name") == cert["trainee_name"]


def test_unknown_serial(qtbot, dialog, store, issued):
    from trainer_app.domain import serial

    unknown = serial.make("WP01", 2031, 999)
    scan(qtbot, dialog, unknown)
    assert dialog.verification.verdict == certificates.Verdict.UNKNOWN
    assert dialog.panel.headline_text() == "Unknown serial"
    assert unknown in dialog.panel.message.text()


def test_garbage_gets_a_clear_message(qtbot, dialog, issued):
    scan(qtbot, dialog, "hello 123")
    assert not dialog.verification.genuine
    assert dialog.panel.headline_text() == "Not a certificate code"
    assert "neither a certificate code nor a serial" in dialog.panel.message.text()
    # nothing typed: back to the prompt, no verdict
    dialog.input.clear()
    qtbot.keyClick(dialog.input, Qt.Key.Key_Return)
    assert dialog.verification is None
    assert dialog.panel.headline_text() == "Waiting for a certificate code"
    assert dialog.isVisible()


def test_mistyped_check_character_is_headlined_as_mistyped(qtbot, dialog, issued):
    good = issued[0]["serial"]
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    scan(qtbot, dialog, wrong)
    assert not dialog.verification.genuine
    assert dialog.panel.headline_text() == "Serial mistyped?"
    assert "mistyped" in dialog.panel.message.text()
    try:
        i18n.set_language("zh_CN")
        dialog.panel.retranslate()
        assert dialog.panel.headline_text() == "编号输错了？"
    finally:
        i18n.set_language("en")


def test_damaged_code_of_ours_is_forged(qtbot, dialog, issued):
    scan(qtbot, dialog, issued[0]["qr_text"][:-9])  # truncated: the scanner stopped short
    assert dialog.panel.headline_text() == "Forged or altered"


def test_language_switch_keeps_the_result(qtbot, dialog, issued):
    from trainer_app.ui import language

    scan(qtbot, dialog, issued[0]["qr_text"])
    try:
        language.apply("zh_CN")
        assert shown(dialog, "trainee_name") == issued[0]["trainee_name"]
    finally:
        language.apply("en")
    assert dialog.panel.headline_text() == "Genuine"
    assert dialog.windowTitle() == "Verify a certificate"
    assert shown(dialog, "serial") == issued[0]["serial"]


def test_code_of_another_station_is_unknown_signer(qtbot, dialog, tmp_path):
    other = Store(tmp_path / "other.db", create=True)
    try:
        demo.fill(other, trainees=40, seed=5)
        cert = None
        for c in classes.list_all(other):
            if c["status"] == "finished" and any(
                r["eligible"] for r in certificates.eligibility(other, c["id"])
            ):
                cert = certificates.issue(other, c["id"]).certificates[0]
                break
        assert cert is not None
    finally:
        other.close()
    scan(qtbot, dialog, cert["qr_text"])
    assert dialog.verification.verdict == certificates.Verdict.UNKNOWN_SIGNER
    assert dialog.panel.headline_text() == "Unknown signer"
    assert shown(dialog, "serial") == cert["serial"]  # what the code says, marked as such
    assert "signer is not known" in dialog.panel.caption.text()


def test_the_holder_as_printed_is_shown_to_compare_with_the_id_card(qtbot, dialog, issued):
    text = issued[0]["qr_text"]
    web = "HTTPS://YZ.XC.GOV.CN/V/TRC2/" + text.removeprefix("TRC2:")
    for code in (text, web):  # the text form, and the web form a later version may print
        scan(qtbot, dialog, code)
        assert dialog.verification.genuine
        assert shown(dialog, "trainee_name") == issued[0]["trainee_name"]
        assert shown(dialog, "id_number_masked") == issued[0]["id_number_masked"]
        assert "ID card" in dialog.panel.caption.text()
        assert shown(dialog, "format") == ""


def test_an_earlier_format_certificate_says_so(qtbot, store, dialog, issued):
    old = make_earlier(store, certificates.signing_key(store), issued[0]["serial"])
    scan(qtbot, dialog, old["qr_text"])
    assert dialog.verification.genuine and dialog.verification.earlier_format
    assert dialog.panel.headline_text() == "Genuine"
    assert "issued with an earlier format" in dialog.panel.message.text()
    assert "earlier format" in shown(dialog, "format")
    assert shown(dialog, "trainee_name") == issued[0]["trainee_name"]  # from the register
