"""A station whose PC died with no backup comes back from the county, through the real widgets of
both windows and real files exchanged between two real databases (each with its own data folder):
the new PC links with the county pack and shows the rebuild offer and its fingerprint; the
county sees the new key waiting, types the fingerprint in the New PC… dialog, approves it and
saves the rebuild file; the new PC reads it and is the station again, with the same records,
certificates that still verify, and bundles the county applies. Wrong files say so and change
nothing."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.qt_input import type_text
from tests.test_backup import linked  # noqa: F401 - the fixture
from tests.test_gui_county import messages  # noqa: F401 - the fixture
from trainer_app.services import certificates, trainees
from trainer_app.store import Store
from trainer_app.sync import bundle, exchange, rebuild, site, waiting
from trainer_app.ui import language
from trainer_app.ui.county.rekey import RekeyDialog
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.sync.rebuild_dialog import RebuildDialog

LEFT = Qt.MouseButton.LeftButton
TASK_TIMEOUT = 60_000
TABLES = ("trainee", "training_class", "lesson", "enrollment", "attendance", "certificate")


def held(store: Store, site_id: str) -> dict[str, list[dict]]:
    return {t: [{k: v for k, v in r.items() if k != "id_hash"} for r in store.rows(
        f"SELECT * FROM {t} WHERE origin = ? ORDER BY id", [site_id])] for t in TABLES}


def window_on(qtbot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    return window


def new_pc(home: Path, pack: Path, monkeypatch, qtbot) -> tuple[Store, MainWindow]:
    """A new PC (its own data folder): linked through the Sync section's Import county pack."""
    monkeypatch.setenv("TRAINER_APP_HOME", str(home))
    store = Store(home / "trainer.db", create=True)
    window = window_on(qtbot, store)
    panel = window.show_section("sync").station
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pack), ""))
    qtbot.mouseClick(panel.link_button, LEFT)
    assert site.role(store) == "station"
    return store, window


def test_a_lost_station_is_rekeyed_at_the_county_and_rebuilt_on_a_new_pc(
        qtbot, linked, tmp_path, monkeypatch, messages):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    language.apply("en")
    path, _m = exchange.export(station, usb)
    assert exchange.import_file(county, path).status == "applied"
    old_site, before = station.site_id, held(county, station.site_id)
    assert before["trainee"] and before["certificate"]
    qr = station.row("SELECT qr_text FROM certificate LIMIT 1")["qr_text"]
    county_home = os.environ["TRAINER_APP_HOME"]
    station.close()  # the PC dies

    # -- the new PC: linked, it offers the rebuild and shows its fingerprint ----------------
    new, new_window = new_pc(tmp_path / "newpc", linked["root"] / "WP01.trpack", monkeypatch,
                             qtbot)
    panel = new_window.show_section("sync").station
    assert panel.rebuild_button.isVisible()
    qtbot.mouseClick(panel.rebuild_button, LEFT)
    dialog = panel.findChild(RebuildDialog)
    qtbot.waitUntil(dialog.isVisible)
    fingerprint = site.own_fingerprint(new)
    assert dialog.fingerprint.text() == "   ".join(fingerprint.split("-"))
    assert "Read this PC's fingerprint" in dialog.steps.text()
    first, _m = exchange.export(new, usb)  # Send to county: it carries the new key

    # -- the county: the new key waits, the coordinator types the fingerprint ---------------
    monkeypatch.setenv("TRAINER_APP_HOME", county_home)
    report = exchange.import_file(county, first)
    assert (report.status, report.reason) == ("pending", "new_key")
    county_window = window_on(qtbot, county)
    stations = county_window.show_section("stations")
    stations.select("WP01")
    row = stations.selected()
    assert row["state"] == "new_key" and stations.rekeying.button.isEnabled()
    state = stations.model.index(stations.model.row_of("WP01"), 3).data()
    assert state == "Approved; a new key waits" and "New PC…" in stations.hint.text()

    seen: list[str] = []

    def type_and_approve(dialog: RekeyDialog) -> int:
        assert dialog.keys_model.rowCount() == 1
        assert not dialog.rekey_button.isEnabled()  # nothing typed: nothing to approve
        qtbot.keyClicks(dialog.typed, fingerprint[:9])  # a part is not enough
        assert not dialog.rekey_button.isEnabled()
        seen.append(dialog.match.text())
        dialog.typed.clear()
        qtbot.keyClicks(dialog.typed, " ".join(fingerprint.lower().split("-")))  # as read out
        assert dialog.rekey_button.isEnabled() and fingerprint in dialog.match.text()
        qtbot.mouseClick(dialog.rekey_button, LEFT)
        return dialog.result()

    monkeypatch.setattr(RekeyDialog, "exec", type_and_approve)
    target = usb / "for-new-pc"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), ""))  # no suffix typed
    with qtbot.waitSignal(stations.rekeying.done, timeout=TASK_TIMEOUT):
        qtbot.mouseClick(stations.rekeying.button, LEFT)
    qtbot.waitUntil(lambda: stations.rekeying.task is None, timeout=TASK_TIMEOUT)
    assert "No key waiting for this station has this fingerprint" in seen[0]
    written = usb / "for-new-pc.trrebuild"
    assert stations.rekeying.last_written == written and written.is_file()
    assert bundle.read_header(written).manifest["kind"] == "rebuild"
    assert [k for k, _t in messages] == ["information", "information"]
    assert "only that PC can open it" in messages[-1][1] and str(written) in messages[-1][1]
    assert "王" not in written.read_bytes().decode("latin-1")  # encrypted
    assert waiting.keys_of("WP01") == []
    stations.select("WP01")
    assert stations.selected()["state"] == "approved" and stations.selected()["rekeyed"]
    assert "write its rebuild file again" in stations.hint.text()
    assert certificates.verify(county, qr).genuine  # the old key is kept, retired
    # lost on the way? New PC… writes it again, with no new approval
    again = usb / "again.trrebuild"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(again), ""))
    with qtbot.waitSignal(stations.rekeying.done, timeout=TASK_TIMEOUT):
        qtbot.mouseClick(stations.rekeying.button, LEFT)
    qtbot.waitUntil(lambda: stations.rekeying.task is None, timeout=TASK_TIMEOUT)
    assert again.is_file() and bundle.read_header(again).manifest["kind"] == "rebuild"

    county_bundle, _m = exchange.export(county, usb)

    # -- the new PC: wrong files change nothing, the right one rebuilds the station ---------
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))
    damaged = usb / "damaged.trrebuild"
    data = bytearray(written.read_bytes())
    data[-40] ^= 0x01
    damaged.write_bytes(bytes(data))
    for bad, says in ((damaged, "is damaged or incomplete"),
                      (county_bundle, "is not a rebuild file; nothing was changed"),
                      (usb / "missing.trrebuild", "cannot be read")):
        dialog.apply(bad)
        qtbot.waitUntil(lambda: dialog.task is None, timeout=TASK_TIMEOUT)
        assert says in dialog.message.text(), dialog.message.text()
        assert new.site_id != old_site and new.scalar("SELECT count(*) FROM trainee") == 0
    language.apply("zh_CN")
    dialog.apply(damaged)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=TASK_TIMEOUT)
    assert "损坏" in dialog.message.text() and "没有改动" in dialog.message.text()
    language.apply("en")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(written), ""))
    with qtbot.waitSignal(dialog.rebuilt, timeout=TASK_TIMEOUT):
        qtbot.mouseClick(dialog.open_button, LEFT)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=TASK_TIMEOUT)
    assert "This PC is station WP01 again" in dialog.message.text()
    assert new.site_id == old_site and held(new, old_site) == before
    assert certificates.verify(new, qr).genuine
    assert not panel.rebuild_button.isVisible()

    # it goes on: an edit reaches the county in a bundle the county applies
    code = before["trainee"][0]["code"]
    row = trainees.find_by_code(new, code)
    trainees.update(new, row["id"], dataclasses.replace(trainees.get(new, row["id"]),
                                                        phone="13300000009"))
    path, _m = exchange.export(new, usb)
    monkeypatch.setenv("TRAINER_APP_HOME", county_home)
    assert exchange.import_file(county, path).status == "applied"
    assert county.row("SELECT phone FROM trainee WHERE code = ? AND origin = ?",
                      [code, old_site])["phone"] == "13300000009"
    new.close()


def test_a_rebuild_file_for_another_pc_or_station_is_refused(
        qtbot, linked, tmp_path, monkeypatch):  # noqa: F811
    """The file of WP01's new PC opened on a second new PC of WP01 (another key), and on a new
    PC of another station: each says why, in the user's language, and nothing changes."""
    county, usb = linked["county"], linked["usb"]
    county_home = os.environ["TRAINER_APP_HOME"]
    pack2 = site.write_pack(county, "ST02", tmp_path / "ST02.trpack")
    stores: dict[str, Store] = {}
    for name, pack in (("right", linked["root"] / "WP01.trpack"),
                       ("other", linked["root"] / "WP01.trpack"), ("st02", pack2)):
        monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / name))
        stores[name] = Store(tmp_path / name / "trainer.db", create=True)
        site.setup_station(stores[name], pack)
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "right"))
    first, _m = exchange.export(stores["right"], usb)
    fingerprint = site.own_fingerprint(stores["right"])
    monkeypatch.setenv("TRAINER_APP_HOME", county_home)
    exchange.import_file(county, first)
    rebuild.rekey(county, "WP01", fingerprint)
    written = rebuild.write_rebuild(county, "WP01", usb)
    try:
        for name, says in (("other", "encrypted to another PC's key"),
                           ("st02", "is the rebuild file of station WP01, and this PC is station "
                                    "ST02")):
            monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / name))
            store = stores[name]
            site_before = store.site_id
            dialog = RebuildDialog(store)
            qtbot.addWidget(dialog)
            for lang in ("en", "zh_CN"):
                language.apply(lang)
                dialog.apply(written)
                qtbot.waitUntil(lambda d=dialog: d.task is None, timeout=TASK_TIMEOUT)
                text = dialog.message.text()
                assert (says in text) if lang == "en" else ("没有改动" in text), text
            assert store.site_id == site_before and store.get_meta("station_code") in (
                "WP01", "ST02")
            assert dialog.result is None and dialog.open_button.isEnabled()
    finally:
        language.apply("en")
        for store in stores.values():
            store.close()


def test_rekey_dialog_discards_a_strangers_key(qtbot, linked, tmp_path, monkeypatch):  # noqa: F811
    county, usb = linked["county"], linked["usb"]
    county_home = os.environ["TRAINER_APP_HOME"]
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "stranger"))
    stranger = Store(tmp_path / "stranger" / "trainer.db", create=True)
    site.setup_station(stranger, linked["root"] / "WP01.trpack")
    first, _m = exchange.export(stranger, usb)
    stranger.close()
    monkeypatch.setenv("TRAINER_APP_HOME", county_home)
    exchange.import_file(county, first)
    window = window_on(qtbot, county)
    stations = window.show_section("stations")
    stations.select("WP01")
    approved_key = county.scalar("SELECT sign_key FROM station WHERE code = 'WP01'")

    def discard(dialog: RekeyDialog) -> int:
        qtbot.mouseClick(dialog.discard_button, LEFT)
        return dialog.result()

    monkeypatch.setattr(RekeyDialog, "exec", discard)
    asked = []

    def answer(answer_yes: bool):
        def question(_parent, _title, text, _buttons, default):
            asked.append((text, default))
            return QMessageBox.StandardButton.Yes if answer_yes else QMessageBox.StandardButton.No
        monkeypatch.setattr(QMessageBox, "question", question)

    answer(False)  # asked first, and No (the default) keeps the key
    qtbot.mouseClick(stations.rekeying.button, LEFT)
    assert len(waiting.keys_of("WP01")) == 1
    assert asked[-1][1] == QMessageBox.StandardButton.No and "WP01" in asked[-1][0]
    answer(True)
    qtbot.mouseClick(stations.rekeying.button, LEFT)
    assert waiting.keys_of("WP01") == []
    assert "was discarded: 1 waiting bundle deleted" in stations.hint.text()  # said, as Approve…
    assert county.scalar("SELECT sign_key FROM station WHERE code = 'WP01'") == approved_key
    stations.select("WP01")
    assert stations.selected()["state"] == "approved"
    assert not stations.rekeying.button.isEnabled()


def test_the_rebuild_dialog_grows_when_its_texts_do(qtbot, store):
    """Switched from Chinese to English while shown (longer steps) and given a long message,
    it grows to fit: nothing is cut off."""
    language.apply("zh_CN")
    try:
        dialog = RebuildDialog(store)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        language.apply("en")
        assert dialog.height() >= dialog.sizeHint().height()
        dialog._failed(ValueError("a long reason " * 30))
        assert dialog.height() >= dialog.sizeHint().height()
    finally:
        language.apply("en")


def test_the_rebuild_dialog_says_when_this_pcs_key_file_is_missing(qtbot, linked):  # noqa: F811
    """A station whose key file is gone (a data folder copied without it) opens the dialog,
    which says what is wrong instead of failing."""
    from trainer_app.security import keys

    station = linked["station"]
    keys.key_path(station.site_id).unlink()
    language.apply("en")
    dialog = RebuildDialog(station)
    qtbot.addWidget(dialog)
    assert dialog.fingerprint.text() == ""
    assert "signing key file is missing" in dialog.message.text()
    assert not dialog.open_button.isEnabled()  # a rebuild file is encrypted to that key


def test_a_fingerprint_typed_in_full_width_is_the_same(qtbot):
    """A Chinese input method in full-width mode types ３Ｆ２Ａ－９１Ｃ０: the same fingerprint."""
    language.apply("en")
    key = {"fingerprint": "3F2A-91C0-7B4D-0E11-A499", "first_at": "", "via": [], "bundles": 1}
    dialog = RekeyDialog({"code": "WP01", "name": "王坪服务站", "waiting_keys": [key]})
    qtbot.addWidget(dialog)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "3f2a-91c0-7b4d-0e11-a499")
    type_text(qtbot, dialog.typed, full_width)  # committed by the input method
    assert dialog.typed.text() == full_width
    assert dialog.typed_key() == key and dialog.rekey_button.isEnabled()
    assert waiting.plain("３Ｆ２Ａ　９１ｃ０") == "3F2A91C0"  # an ideographic space between
