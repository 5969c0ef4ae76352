"""The Station settings dialog driven through its widgets: names and code typed, a seal PNG
chosen through the (stubbed) file dialog, saved through services.station."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from trainer_app import i18n
from trainer_app.services import demo, station
from trainer_app.store import Store
from trainer_app.ui.station_settings import StationSettingsDialog

from .qt_input import type_text

SAVE = QDialogButtonBox.StandardButton.Save
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=10, seed=3)
    yield s
    s.close()


@pytest.fixture
def dialog(qtbot, store):
    d = StationSettingsDialog(store)
    qtbot.addWidget(d)
    d.show()
    return d


def seal_png(path) -> str:
    """A small red ring on a transparent background, like a scanned seal."""
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    for x in range(120):
        for y in range(120):
            r2 = (x - 60) ** 2 + (y - 60) ** 2
            if 44**2 <= r2 <= 56**2:
                image.putpixel((x, y), (200, 20, 20, 230))
    image.save(path)
    return str(path)


def choose_file(monkeypatch, filename: str) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName",
        staticmethod(lambda *args, **kwargs: (filename, "PNG images (*.png)")),
    )


def replace(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    type_text(qtbot, field, text)


def test_shows_current_details(dialog, store):
    info = station.info(store)
    assert dialog.station_name.text() == info.station_name == demo.STATION_NAME
    assert dialog.county_name.text() == demo.COUNTY_NAME
    assert dialog.station_code.text() == "WP01"
    assert not dialog.seal.remove_button.isEnabled()  # no seal yet


def test_type_names_choose_seal_and_save(qtbot, dialog, store, tmp_path, monkeypatch):
    replace(qtbot, dialog.station_name, "石桥村电商服务站")
    replace(qtbot, dialog.county_name, "襄城县农村电商公共服务中心")
    replace(qtbot, dialog.station_code, "sq02")
    choose_file(monkeypatch, seal_png(tmp_path / "seal.png"))
    qtbot.mouseClick(dialog.seal.choose_button, LEFT)
    assert dialog.seal.thumbnail.pixmap() is not None
    assert not dialog.seal.thumbnail.pixmap().isNull()
    assert dialog.seal.remove_button.isEnabled()
    assert station.info(store).seal_image is None  # nothing saved before Save

    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.result() == dialog.DialogCode.Accepted
    info = station.info(store)
    assert info.station_name == "石桥村电商服务站"
    assert info.county_name == "襄城县农村电商公共服务中心"
    assert info.station_code == "SQ02"
    assert info.seal_image is not None and info.seal_image.exists()
    assert info.seal_image.read_bytes() == (tmp_path / "seal.png").read_bytes()
    assert info.logo_image is None

    # opened again: the seal is shown; Remove + Save takes it away
    again = StationSettingsDialog(store)
    qtbot.addWidget(again)
    again.show()
    assert not again.seal.thumbnail.pixmap().isNull()
    qtbot.mouseClick(again.seal.remove_button, LEFT)
    assert again.seal.thumbnail.pixmap().isNull()
    qtbot.mouseClick(again.buttons.button(SAVE), LEFT)
    assert station.info(store).seal_image is None


def test_invalid_code_shows_error_beside_the_field(qtbot, dialog, store):
    replace(qtbot, dialog.station_code, "W")
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.isVisible()  # not saved, not closed
    assert "2 to 12 letters or digits" in dialog.errors.message("station_code")
    assert dialog.station_code.hasFocus()
    assert station.info(store).station_code == "WP01"

    replace(qtbot, dialog.station_code, "WP-01")
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.errors.message("station_code")
    replace(qtbot, dialog.station_code, "WP02")
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert station.info(store).station_code == "WP02"


def test_a_file_that_is_not_png_is_refused(qtbot, dialog, store, tmp_path, monkeypatch):
    fake = tmp_path / "logo.png"
    Image.new("RGB", (40, 40), (10, 120, 200)).save(tmp_path / "logo.jpg")
    fake.write_bytes((tmp_path / "logo.jpg").read_bytes())  # a JPEG named .png
    choose_file(monkeypatch, str(fake))
    qtbot.mouseClick(dialog.logo.choose_button, LEFT)
    assert "not a PNG" in dialog.errors.message("logo_image")
    assert dialog.logo.thumbnail.pixmap().isNull()
    assert not dialog.logo.changed()


def test_cancelled_file_dialog_changes_nothing(qtbot, dialog, monkeypatch):
    choose_file(monkeypatch, "")
    qtbot.mouseClick(dialog.logo.choose_button, LEFT)
    assert not dialog.logo.changed()


def test_code_and_county_are_read_only_once_linked(qtbot, tmp_path):
    """The county knows the station by its code: once linked, the code and the county's name
    are the county pack's, shown but not editable; the station's own name still is."""
    from trainer_app.sync import site

    county = Store(tmp_path / "county.db", create=True)
    linked = Store(tmp_path / "linked.db", create=True)
    try:
        site.setup_county(county, "XC", "襄城县电商中心")
        site.setup_station(linked, site.write_pack(county, "LK01", tmp_path / "LK01.trpack",
                                                   station_name="王坪村站"))
        d = StationSettingsDialog(linked)
        qtbot.addWidget(d)
        d.show()
        hint = "Set by the county pack; it cannot be changed here."
        assert d.station_code.isReadOnly() and d.county_name.isReadOnly()
        assert not d.station_name.isReadOnly()
        assert (d.station_code.text(), d.county_name.text()) == ("LK01", "襄城县电商中心")
        assert d.code_hint.text() == hint and d.county_hint.text() == hint
        assert d.county_hint.isVisible()
        d.station_code.setFocus()
        type_text(qtbot, d.station_code, "ZZ")  # typing changes nothing
        assert d.station_code.text() == "LK01"
        replace(qtbot, d.station_name, "王坪村电商服务站")
        qtbot.mouseClick(d.buttons.button(SAVE), LEFT)
        assert not d.isVisible()
        info = station.info(linked)
        assert (info.station_name, info.station_code, info.county_name) == (
            "王坪村电商服务站", "LK01", "襄城县电商中心")
    finally:
        linked.close()
        county.close()


def test_code_is_editable_before_linking(dialog):
    assert not dialog.station_code.isReadOnly() and not dialog.county_name.isReadOnly()
    assert not dialog.county_hint.isVisible()
    assert "given by the county" in dialog.code_hint.text()


def test_the_late_threshold_is_a_setting(qtbot, dialog, store):
    from trainer_app.services import attendance

    assert dialog.late_after.value() == 15  # the default
    dialog.late_after.clear()
    qtbot.keyClicks(dialog.late_after, "30")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)
    assert attendance.late_after(store) == 30



# -- the backup folder, one of the program's settings --------------------------------------------
def choose_folder(monkeypatch, folder) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kwargs: str(folder)))


def test_the_backup_folder_is_chosen_in_the_settings(qtbot, dialog, store, tmp_path, monkeypatch,
                                                      capsys):
    from trainer_app import cli, paths, settings_file
    from trainer_app.services import backup

    assert dialog.backup_folder.path_label.text() == str(tmp_path / "backups")  # the default
    assert not dialog.backup_folder.default_button.isEnabled()
    elsewhere = tmp_path / "D盘" / "培训 备份, 2026"  # a comma, spaces, Chinese: escaped by Qt
    choose_folder(monkeypatch, elsewhere)
    qtbot.mouseClick(dialog.backup_folder.change_button, LEFT)
    assert dialog.backup_folder.path_label.text() == str(elsewhere)
    assert backup.folder() == tmp_path / "backups"  # nothing stored before Save
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert not dialog.isVisible()
    assert backup.folder() == elsewhere and elsewhere.is_dir()
    assert settings_file.read(settings_file.BACKUP_FOLDER) == str(elsewhere)
    assert "[backup]" in paths.settings_path().read_text("utf-8")
    # the command line backs up into it too
    assert cli.main(["--lang", "en", "--db", str(store.path), "backup", "create"]) == 0
    assert capsys.readouterr().out.startswith(str(elsewhere))
    assert len(list(elsewhere.glob("*.db"))) == 1

    again = StationSettingsDialog(store)
    qtbot.addWidget(again)
    again.show()
    assert again.backup_folder.path_label.text() == str(elsewhere)
    qtbot.mouseClick(again.backup_folder.default_button, LEFT)
    qtbot.mouseClick(again.buttons.button(SAVE), LEFT)
    assert backup.folder() == tmp_path / "backups"


def test_a_folder_backups_cannot_go_to_is_refused_and_nothing_is_saved(qtbot, dialog, store,
                                                                        tmp_path, monkeypatch):
    from trainer_app.services import backup

    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    replace(qtbot, dialog.station_name, "石桥村电商服务站")
    choose_folder(monkeypatch, blocker / "backups")
    qtbot.mouseClick(dialog.backup_folder.change_button, LEFT)
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.isVisible()
    assert "Backups cannot be written into" in dialog.errors.message("backup_folder")
    assert backup.folder() == tmp_path / "backups"
    assert station.info(store).station_name == demo.STATION_NAME  # nothing else saved either


def test_a_folder_kept_by_an_earlier_version_is_honoured_then_moved(qtbot, store, tmp_path):
    import json

    from trainer_app import settings_file
    from trainer_app.services import backup
    from trainer_app.ui.backup import folder
    from trainer_app.ui.backup.auto import AutoBackup
    from trainer_app.ui.main_window import MainWindow

    old = tmp_path / "旧的备份"
    (tmp_path / "backup.json").write_text(json.dumps({"folder": str(old)}))
    assert backup.folder() == old  # the command line honours it before the window moved it
    window = MainWindow(store)
    qtbot.addWidget(window)
    AutoBackup(window)  # the window starting: the choice moves into the settings
    assert not (tmp_path / "backup.json").exists()
    assert settings_file.read(settings_file.BACKUP_FOLDER) == str(old)
    assert backup.folder() == old
    # a choice already in the settings wins over a backup.json found later
    (tmp_path / "backup.json").write_text(json.dumps({"folder": str(tmp_path / "other")}))
    folder.migrate()
    assert backup.folder() == old and not (tmp_path / "backup.json").exists()


def test_the_county_chooses_its_backup_folder_in_tools_settings(qtbot, tmp_path, monkeypatch):
    from trainer_app.services import backup
    from trainer_app.sync import site
    from trainer_app.ui.county.settings import CountySettingsDialog
    from trainer_app.ui.main_window import MainWindow

    county = Store(tmp_path / "county.db", create=True)
    try:
        site.setup_county(county, "XC", "襄城县电商中心")
        window = MainWindow(county)
        qtbot.addWidget(window)
        assert window.settings_action.isVisible() and window.settings_action.text() == \
            "&Settings…"
        elsewhere = tmp_path / "county-backups"
        choose_folder(monkeypatch, elsewhere)

        def choose_and_save(dialog: CountySettingsDialog) -> int:
            qtbot.mouseClick(dialog.backup_folder.change_button, LEFT)
            qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
            return dialog.result()

        monkeypatch.setattr(CountySettingsDialog, "exec", choose_and_save)
        window.settings_action.trigger()
        assert backup.folder() == elsewhere
    finally:
        county.close()


def test_settings_written_by_qt_read_back_without_qt(tmp_path):
    from trainer_app import settings_file
    from trainer_app.ui.settings import settings

    for value in (r"C:\Users\王 五\备份, 2026", r'D:\"q" ;#x', "@home", " spaced ", "tab\there"):
        s = settings()
        s.setValue(settings_file.BACKUP_FOLDER, value)
        s.sync()
        assert settings_file.read(settings_file.BACKUP_FOLDER) == value
    assert settings_file.read("backup/nothing") is None


def test_a_refused_station_detail_stores_no_backup_folder_either(qtbot, dialog, store, tmp_path,
                                                                  monkeypatch):
    """Save is all or nothing: a code refused keeps the folder chosen unstored, so Cancel after
    it leaves the backup folder as it was."""
    from trainer_app.services import backup

    elsewhere = tmp_path / "elsewhere"
    choose_folder(monkeypatch, elsewhere)
    qtbot.mouseClick(dialog.backup_folder.change_button, LEFT)
    replace(qtbot, dialog.station_code, "W")  # too short: refused
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.isVisible() and dialog.errors.message("station_code")
    dialog.reject()
    assert backup.folder() == tmp_path / "backups"
    assert station.info(store).station_code == "WP01"
