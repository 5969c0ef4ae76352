"""Backups in the window: Back up now, the list, restoring through the real dialog (the window
reopens on the restored data), the encrypted backup to a folder and back, automatic backups."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from tests.test_backup import linked  # noqa: F401 - the fixture
from trainer_app.domain.models import Trainee
from trainer_app.services import backup, demo, trainees
from trainer_app.store import Store
from trainer_app.ui import language
from trainer_app.ui.backup import auto
from trainer_app.ui.backup.auto import AutoBackup
from trainer_app.ui.backup.dialog import BackupsDialog
from trainer_app.ui.backup.passphrase import PassphraseDialog
from trainer_app.ui.main_window import MainWindow

PASS = "村里的密码 2026"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    language.apply("en")
    store = Store(tmp_path / "station.db", create=True)
    demo.fill(store, trainees=30, seed=4)
    w = MainWindow(store)
    w.show()
    yield w
    language.apply("en")
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()
            widget.store.close()


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes answered Yes, their texts recorded."""
    shown: list[str] = []

    def record(kind):
        def box(_parent, _title, text, *args, **kwargs):
            shown.append(text)
            return QMessageBox.StandardButton.Yes if kind == "question" else \
                QMessageBox.StandardButton.Ok
        return box

    for kind in ("question", "information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


def new_window(old: MainWindow) -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget is not old and widget.isVisible():
            return widget
    return None


def type_passphrase(texts: list[str]) -> None:
    """Type into the passphrase dialog when it opens, then press OK."""
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog):
            QTimer.singleShot(20, fill)
            return
        for field, text in zip(dialog.findChildren(QLineEdit), texts, strict=False):
            field.setText(text)
        dialog._check()
    QTimer.singleShot(0, fill)


def test_back_up_now_list_and_restore_reopens_the_window(qtbot, window, boxes):
    assert [a.text() for a in window.file_menu.actions()] == ["&Quit"]  # until it first opens
    window.file_menu.popup(window.mapToGlobal(window.rect().center()))
    names = [a.text() for a in window.file_menu.actions()]
    window.file_menu.close()
    assert names[:3] == ["&Backups and restore…", "Back up to a USB stick or folder…",
                         "Restore from a backup file…"]
    dialog = window.backup_actions.open_backups()
    assert isinstance(dialog, BackupsDialog)
    qtbot.waitUntil(lambda: not dialog.task.is_running())
    assert dialog.model.rowCount() == 0
    qtbot.mouseClick(dialog.back_up_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert "trainees 30" in dialog.model.index(0, 2).data()
    assert "trainees 30" in dialog.details.text()
    assert dialog.restore_button.isEnabled()

    trainees.register(window.store, Trainee(name="备份后登记", id_number="41102519900307137X",
                                            village="王坪村"))
    old_store = window.store
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: new_window(window) is not None, timeout=20_000)
    reopened = new_window(window)
    assert reopened.store is not old_store
    assert reopened.trainees.model.total() == 30
    assert trainees.search(reopened.store, "备份后登记") == []
    assert any("Restore this backup" in t or "trainees 30" in t for t in boxes)
    assert any(t.startswith("Restored.") and "before-restore" in t for t in boxes)
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))  # the old window is gone
    # The database it replaced (with the new trainee) is in the list now.
    found = backup.list_backups(reopened.store.site_id)
    assert sorted(i.counts["trainee"] for i in found) == [30, 31]


def test_encrypted_backup_to_a_folder_and_restore_from_the_file(qtbot, window, boxes,
                                                                tmp_path, monkeypatch):
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    type_passphrase([PASS, PASS + "x"])  # the two differ: the dialog stays open
    QTimer.singleShot(400, lambda: type_passphrase([PASS, PASS]))
    window.backup_actions.back_up_to_usb()
    qtbot.waitUntil(lambda: bool(list(stick.glob("*.trbackup"))) and
                    not window.backup_actions.task.is_running(), timeout=20_000)
    written = next(stick.glob("*.trbackup"))
    assert any("written and read back" in t for t in boxes)

    trainees.register(window.store, Trainee(name="备份后登记", id_number="41102519900307137X",
                                            village="王坪村"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(written), ""))
    type_passphrase([PASS])
    window.backup_actions.restore_from_file()
    qtbot.waitUntil(lambda: new_window(window) is not None, timeout=20_000)
    assert new_window(window).trainees.model.total() == 30


def test_a_wrong_passphrase_changes_nothing(qtbot, window, boxes, tmp_path, monkeypatch):
    from trainer_app.services import restore

    info = restore.export_sealed(window.store, tmp_path, PASS)
    before = Path(window.store.path).stat().st_mtime_ns
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(info.path), ""))
    type_passphrase(["not the passphrase"])
    window.backup_actions.restore_from_file()
    qtbot.waitUntil(lambda: any("passphrase is wrong" in t for t in boxes), timeout=10_000)
    assert new_window(window) is None and window.isVisible()
    assert Path(window.store.path).stat().st_mtime_ns == before


def test_passphrase_dialog_asks_twice(qtbot):
    dialog = PassphraseDialog(None, choose=True)
    qtbot.addWidget(dialog)
    dialog.first.setText("short")
    dialog.second.setText("short")
    dialog._check()
    assert "at least 8" in dialog.error.text() and not dialog.result()
    dialog.first.setText(PASS)
    dialog.second.setText(PASS + "!")
    dialog._check()
    assert "differ" in dialog.error.text()


def test_automatic_backup_at_start_and_on_close(qtbot, window, monkeypatch):
    monkeypatch.setattr(auto, "START_DELAY_MS", 0)
    watcher = AutoBackup(window)
    qtbot.waitUntil(lambda: watcher.label.text().startswith("Backed up"), timeout=10_000)
    assert len(backup.list_backups(window.store.site_id)) == 1
    assert not watcher.changed()
    watcher.back_up_if_changed()  # nothing changed: no second backup
    assert watcher.task.outcome == "succeeded"

    trainees.register(window.store, Trainee(name="关闭前登记", id_number="41102519900307137X",
                                            village="王坪村"))
    assert watcher.changed()
    window.close()
    assert window.isVisible()  # waits for the backup, without blocking the event loop
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    found = backup.list_backups(window.store.site_id)
    assert sorted(i.counts["trainee"] for i in found) == [30, 31]


def test_backup_folder_can_be_changed(qtbot, window, tmp_path):
    dialog = window.backup_actions.open_backups()
    qtbot.waitUntil(lambda: not dialog.task.is_running())
    elsewhere = tmp_path / "elsewhere"
    dialog.set_folder(elsewhere)
    assert str(elsewhere) in dialog.folder_label.text()
    from trainer_app import settings_file  # kept with the program's other settings

    assert settings_file.read(settings_file.BACKUP_FOLDER) == str(elsewhere)
    qtbot.waitUntil(lambda: not dialog.task.is_running())
    qtbot.mouseClick(dialog.back_up_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert len(list(elsewhere.glob("*.db"))) == 1


def test_the_coordinator_sees_two_clones_and_keeps_one(qtbot, linked, tmp_path):  # noqa: F811
    from tests.test_backup_sync import edit_phone, restore_station, send
    from trainer_app.services import restore
    from trainer_app.sync import exchange

    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    made = backup.create(station)
    code = trainees.search(station, "")[0]["code"]
    restore.restore(tmp_path / "clone.db", made.path)
    station = restore_station(linked, made.path)
    clone = Store(tmp_path / "clone.db")
    try:
        edit_phone(station, code, "13500000001")
        send(station, county, usb)
        edit_phone(clone, code, "13500000002")
        path, _m = exchange.export(clone, usb)
        assert exchange.import_file(county, path).reason == "clone"

        language.apply("en")
        w = MainWindow(county)
        w.show()
        assert w.backup_actions.epochs_action.isVisible()
        dialog = w.backup_actions.open_epochs()
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
        statuses = [dialog.model.index(r, 6).data() for r in range(2)]
        assert statuses[0] == "applied" and statuses[1].startswith("held")
        assert dialog.model.index(1, 4).data() == "1"  # one bundle held
        dialog.table.selectRow(1)
        assert dialog.choose_button.isEnabled()
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 2 and dialog.model.index(
            0, 6).data() == "stopped", timeout=10_000)
        assert county.scalar("SELECT count(*) FROM bundle_in WHERE epoch_id = ?",
                             [clone.get_meta("epoch_id")]) == 1
        w.close()
    finally:
        clone.close()
