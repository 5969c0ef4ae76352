"""Sync survives a restore: real stations and a real county exchanging real bundles before and
after a station is restored from a backup (on its own PC or on a new one)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from tests.test_backup import PASS, idcard_number, keep_a_sheet, linked  # noqa: F401
from trainer_app.domain import epoch
from trainer_app.domain.models import Trainee
from trainer_app.services import backup, demo, restore, sheets, trainees
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.sync import exchange

_ = linked


def send(station: Store, county: Store, usb: Path) -> exchange.ImportReport:
    path, _manifest = exchange.export(station, usb)
    report = exchange.import_file(county, path)
    assert report.status == "applied", report.message + " " + report.detail
    return report


def trainee_at(county: Store, station: Store, code: str) -> dict:
    row = county.row("SELECT * FROM trainee WHERE origin = ? AND code = ?",
                     [station.site_id, code])
    assert row is not None
    return row


def edit_phone(station: Store, code: str, phone: str) -> None:
    row = trainees.find_by_code(station, code)
    trainees.update(station, row["id"], dataclasses.replace(trainees.get(station, row["id"]),
                                                            phone=phone))


def restore_station(net: dict, source: Path, passphrase: str | None = None) -> Store:
    station = net["station"]
    path = station.path
    station.close()
    restore.restore(path, source, passphrase)
    net["station"] = Store(path)
    return net["station"]


def test_edits_before_and_after_a_restore_both_reach_the_county(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    code = trainees.search(station, "")[0]["code"]
    made = backup.create(station)
    edit_phone(station, code, "13800000001")  # after the backup
    send(station, county, usb)
    assert trainee_at(county, station, code)["phone"] == "13800000001"
    edit_phone(station, code, "13800000009")  # never sent
    counter_before = int(station.get_meta("change_counter"))
    # What the restore loses, in plain words, before it happens
    seq = exchange.status(station)["bundles"][0]["seq"]
    lost = restore.loss_text(station.path, backup.read_info(made.path))
    assert f"Bundles {seq} to {seq}, sent after this backup, are at the county" in lost
    assert "have not reached the county: they are lost" in lost

    station = restore_station(linked, made.path)
    assert int(station.get_meta("epoch")) == 1
    assert int(station.get_meta("change_counter")) >= counter_before + epoch.REV_JUMP - 10
    assert trainees.find_by_code(station, code)["phone"] != "13800000001"  # back in the past
    edit_phone(station, code, "13900000002")  # a different edit after the restore
    send(station, county, usb)
    assert trainee_at(county, station, code)["phone"] == "13900000002"  # the second wins


def test_a_trainee_registered_after_a_restore_gets_a_code_the_county_never_saw(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    made = backup.create(station)
    lost_id = trainees.register(station, Trainee(name="备份后登记", id_number="41102519900307137X",
                                                 village="王坪村"))
    lost_code = trainees.get(station, lost_id).code
    send(station, county, usb)

    station = restore_station(linked, made.path)
    new_id = trainees.register(station, Trainee(name="恢复后登记", id_number="110101199003074477",
                                                village="王坪村"))
    new_code = trainees.get(station, new_id).code
    codes_at_county = {r["code"] for r in county.rows(
        "SELECT code FROM trainee WHERE origin = ?", [station.site_id])}
    assert new_code not in codes_at_county and new_code != lost_code
    send(station, county, usb)  # no refused bundle
    assert trainee_at(county, station, new_code)["name"] == "恢复后登记"
    assert trainee_at(county, station, lost_code)["name"] == "备份后登记"  # still at the county


def test_a_restored_station_on_a_new_pc_syncs_on(linked, tmp_path, monkeypatch):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    sealed = restore.export_sealed(station, tmp_path, PASS)
    code = trainees.search(station, "")[0]["code"]
    county_home = os.environ["TRAINER_APP_HOME"]  # the county's keys live in its data folder
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))
    new_db = tmp_path / "newpc" / "trainer.db"
    restore.restore(new_db, sealed.path, PASS)
    moved = Store(new_db)
    try:
        edit_phone(moved, code, "13700000003")
        path, _manifest = exchange.export(moved, usb)  # signed with the restored key
        monkeypatch.setenv("TRAINER_APP_HOME", county_home)
        report = exchange.import_file(county, path)
        assert report.status == "applied", report.detail
        assert report.gaps == []  # no lost bundle
        assert trainee_at(county, moved, code)["phone"] == "13700000003"
    finally:
        moved.close()


def test_a_station_restored_to_an_older_backup_reaches_the_county_with_its_edits(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    old = backup.create(station)  # before anything reached the county
    send(station, county, usb)
    for i in range(3):
        trainees.register(station, Trainee(name=f"之后{i}", id_number=idcard_number(500 + i),
                                           village="王坪村"))
        send(station, county, usb)
    station = restore_station(linked, old.path)
    code = trainees.search(station, "")[0]["code"]
    edit_phone(station, code, "13600000004")
    send(station, county, usb)
    assert trainee_at(county, station, code)["phone"] == "13600000004"


@pytest.mark.parametrize("times", [2])
def test_two_restores_of_one_backup_never_share_change_numbers(linked, times):  # noqa: F811
    station = linked["station"]
    made = backup.create(station)
    counters = []
    for _i in range(times):
        station = restore_station(linked, made.path)
        counters.append(int(station.get_meta("change_counter")))
        trainees.register(station, Trainee(name="恢复后", id_number=idcard_number(700),
                                           village="王坪村"))
    assert counters[1] > counters[0] + 1


def test_a_station_that_never_restored_sends_bundles_as_before(linked):  # noqa: F811
    path, manifest = exchange.export(linked["station"], linked["usb"])
    assert "epoch" not in manifest and path.name == f"WP01-{manifest['seq']:05d}.trbundle"


def test_after_a_restore_the_epoch_is_signed_into_every_manifest(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    made = backup.create(station)
    send(station, county, usb)  # bundle 3: after the backup, at the county
    station = restore_station(linked, made.path)
    path, manifest = exchange.export(station, usb)
    assert manifest["epoch"] == {"n": 1, "id": station.get_meta("epoch_id"), "parent": "",
                                 "base_seq": 2, "restart": True,
                                 "started_at": station.get_meta("epoch_started_at")}
    # The county pack said the county reads restarted numbers: they restart in the epoch
    assert manifest["seq"] == 1 and path.name == "WP01-e1-00001.trbundle"
    assert (usb / "WP01-00001.trbundle").exists()  # the old epoch's file is not overwritten
    report = exchange.import_file(county, path)
    assert report.status == "applied"
    rows = county.rows("SELECT seq, epoch_id FROM bundle_in WHERE sender_site = ? "
                       "AND status = 'applied' ORDER BY id", [station.site_id])
    assert [(r["seq"], r["epoch_id"]) for r in rows][-2:] == [
        (3, None), (1, station.get_meta("epoch_id"))]
    # The county's receipt confirms bundle 1 of the epoch, not the old one's
    county_bundle, _m = exchange.export(county, usb)
    exchange.import_file(station, county_bundle)
    sent = {(r["seq"], r["epoch_id"]): r["acknowledged_at"] for r in station.rows(
        "SELECT seq, epoch_id, acknowledged_at FROM bundle_out")}
    assert sent[(1, station.get_meta("epoch_id"))] is not None


def test_two_clones_of_one_station_are_detected_at_the_county(linked, tmp_path, capsys):  # noqa: F811
    from trainer_app import cli

    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    made = backup.create(station)
    code = trainees.search(station, "")[0]["code"]
    clone_db = tmp_path / "clone.db"
    restore.restore(clone_db, made.path)  # a second PC restored from the same backup
    station = restore_station(linked, made.path)
    clone = Store(clone_db)
    try:
        edit_phone(station, code, "13500000001")
        first = send(station, county, usb)
        assert first.status == "applied"
        edit_phone(clone, code, "13500000002")
        path, _m = exchange.export(clone, usb)
        held = exchange.import_file(county, path)
        assert held.status == "pending" and held.reason == "clone"
        assert trainee_at(county, station, code)["phone"] == "13500000001"  # not applied

        assert cli.main(["--lang", "en", "--db", str(county.path), "epochs", "list", "WP01",
                         "--json"]) == 0
        listed = {e["epoch_id"]: e for e in json.loads(capsys.readouterr().out)}
        assert listed[station.get_meta("epoch_id")]["status"] == "active"
        assert listed[clone.get_meta("epoch_id")]["status"] == "held"
        assert listed[clone.get_meta("epoch_id")]["base_seq"] == 2

        # The coordinator chooses the clone's PC: its held bundle is applied, the other stops.
        assert cli.main(["--lang", "en", "--db", str(county.path), "epochs", "choose", "WP01",
                         clone.get_meta("epoch_id")[:13]]) == 0
        edit_phone(station, code, "13500000003")
        path, _m = exchange.export(station, usb)
        assert exchange.import_file(county, path).reason == "stopped_epoch"
        county_bundle, _m = exchange.export(county, usb)
        exchange.import_file(station, county_bundle)
        with pytest.raises(ServiceError, match="chose another PC"):
            exchange.export(station, usb)
        exchange.import_file(clone, county_bundle)
        send(clone, county, usb)  # the chosen PC syncs on, and its rows win back
        assert trainee_at(county, station, code)["phone"] == "13500000002"
        assert county.scalar("SELECT count(*) FROM trainee WHERE origin = ?", [
            clone.site_id]) == clone.scalar("SELECT count(*) FROM trainee")
    finally:
        clone.close()


def test_a_station_rebuilt_from_the_county_after_losing_everything(linked, tmp_path,  # noqa: F811
                                                                  monkeypatch):
    from trainer_app.security import keys
    from trainer_app.services import certificates
    from trainer_app.sync import bundle, rebuild, records, site, waiting

    county, station, usb = linked["county"], linked["station"], linked["usb"]
    sha = keep_a_sheet(station)
    county_bundle, _m = exchange.export(county, usb)  # it lists sheet evidence in "reads"
    assert exchange.import_file(station, county_bundle).status == "applied"
    send(station, county, usb)
    old_site = station.site_id
    old_rows = {t: station.rows(f"SELECT * FROM {t} WHERE origin = ? ORDER BY id", [old_site])
                for t in ("trainee", "training_class", "lesson", "enrollment", "attendance",
                          "certificate", "sheet_evidence")}
    assert [r["sha256"] for r in old_rows["sheet_evidence"]] == [sha]
    qr = station.row("SELECT qr_text FROM certificate LIMIT 1")["qr_text"]
    code = trainees.search(station, "")[0]["code"]
    county_home = os.environ["TRAINER_APP_HOME"]

    # The PC dies: a new data folder, a new database linked with the county pack, a new key.
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))
    new = Store(tmp_path / "newpc" / "trainer.db", create=True)
    try:
        site.setup_station(new, linked["root"] / "WP01.trpack")
        first, _m = exchange.export(new, usb)
        fingerprint = site.own_fingerprint(new)
        monkeypatch.setenv("TRAINER_APP_HOME", county_home)
        report = exchange.import_file(county, first)  # not the approved key: it waits
        assert (report.status, report.reason) == ("pending", "new_key")
        row = {s["code"]: s for s in exchange.status(county)["stations"]}["WP01"]
        assert [k["fingerprint"] for k in row["waiting_keys"]] == [fingerprint]
        assert row["approved"] and row["unapplied"] == 0
        with pytest.raises(ServiceError, match="fingerprint typed"):
            rebuild.rekey(county, "WP01", "0000-0000-0000-0000-0000")
        with pytest.raises(ServiceError, match="fingerprint typed"):  # all of it, not a part
            rebuild.rekey(county, "WP01", fingerprint[:-5])
        assert rebuild.rekey(county, "WP01", fingerprint.lower().replace("-", " ")) == \
            fingerprint
        assert waiting.keys_of("WP01") == []  # its bundles can never be applied: gone
        retired = county.rows("SELECT label FROM site_key WHERE site_id = ? "
                              "AND purpose = 'sign'", [old_site])
        assert any(r["label"].endswith("(retired)") for r in retired)
        pack = rebuild.write_rebuild(county, "WP01", tmp_path)
        raw = pack.read_bytes()
        assert "王坪".encode() not in raw and old_rows["trainee"][0]["name"].encode() not in raw
        assert bundle.read_header(pack).manifest["reads"] == records.county_reads()

        monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))
        result = rebuild.apply_rebuild(new, pack)
        assert result["code"] == "WP01"
        assert new.site_id == old_site  # the station keeps its site id
        for table, rows in old_rows.items():
            got = new.rows(f"SELECT * FROM {table} WHERE origin = ? ORDER BY id", [old_site])
            assert [{k: v for k, v in r.items() if k != "id_hash"} for r in got] == [
                {k: v for k, v in r.items() if k != "id_hash"} for r in rows], table
        # the sheet's record comes back; its image stayed at the lost PC (the county holds
        # only hashes), and the station says so instead of showing a wrong picture
        assert new.scalar("SELECT count(*) FROM sheet_image") == 0
        with pytest.raises(ServiceError, match="not kept here"):
            sheets.evidence_image(new, sha)
        assert certificates.verify(new, qr).genuine  # signed with the old key, still verifies
        assert keys.load(old_site) is not None  # the new key, under the station's site id
        edit_phone(new, code, "13300000001")
        path, manifest = exchange.export(new, usb)
        # a new epoch from the last bundle the county holds; its numbers restart
        assert manifest["epoch"]["base_seq"] == county.scalar(
            "SELECT max(seq) FROM bundle_in WHERE sender_site = ? AND status = 'applied'",
            [old_site])
        assert manifest["seq"] == 1 and manifest["epoch"]["restart"] is True
        monkeypatch.setenv("TRAINER_APP_HOME", county_home)
        report = exchange.import_file(county, path)
        assert report.status == "applied", report.detail
        assert report.gaps == []
        assert trainee_at(county, new, code)["phone"] == "13300000001"
        assert certificates.verify(county, qr).genuine  # at the county too
    finally:
        new.close()


@pytest.mark.parametrize("given", ["waiting key", "bundle file"])
def test_rekey_and_rebuild_on_the_command_line(linked, tmp_path, monkeypatch, capsys,  # noqa: F811
                                               given):
    """``stations rekey CODE --fingerprint FP`` picks the key waiting with that fingerprint
    (the new PC's first bundle imported as any other); the older form names the bundle file."""
    from trainer_app import cli

    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    county_home = os.environ["TRAINER_APP_HOME"]
    newpc = tmp_path / "newpc"
    new_db = str(newpc / "trainer.db")
    monkeypatch.setenv("TRAINER_APP_HOME", str(newpc))
    assert cli.main(["--lang", "en", "--db", new_db, "setup", "station", "--pack",
                     str(linked["root"] / "WP01.trpack")]) == 0
    fingerprint = capsys.readouterr().out.split("Key fingerprint: ")[1].split()[0]
    assert cli.main(["--lang", "en", "--db", new_db, "sync", "export", "--out", str(usb)]) == 0
    first = capsys.readouterr().out.splitlines()[0]

    monkeypatch.setenv("TRAINER_APP_HOME", county_home)
    county_db = str(county.path)
    bundle_args = ["--bundle", first] if given == "bundle file" else []
    if given == "waiting key":
        assert cli.main(["--lang", "en", "--db", county_db, "sync", "import", first]) == 0
        assert "re-keys the station" in capsys.readouterr().out
        assert cli.main(["--lang", "en", "--db", county_db, "stations", "list"]) == 0
        listed = capsys.readouterr().out
        assert "approved; 1 new key waiting" in listed and fingerprint in listed
    assert cli.main(["--lang", "en", "--db", county_db, "stations", "rekey", "WP01",
                     "--fingerprint", "1234-5678", *bundle_args]) == 2
    assert "fingerprint typed" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "--db", county_db, "stations", "rekey", "WP01",
                     "--fingerprint", fingerprint, *bundle_args]) == 0
    assert f"the key {fingerprint} is approved" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "--db", county_db, "county", "rebuild-pack",
                     "--station-code", "WP01", "--out", str(tmp_path)]) == 0
    pack = capsys.readouterr().out.strip()

    monkeypatch.setenv("TRAINER_APP_HOME", str(newpc))
    assert cli.main(["--lang", "en", "--db", new_db, "setup", "station", "--rebuild",
                     pack]) == 0
    assert "This PC is station WP01 again" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "--db", new_db, "trainees", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 40
    assert cli.main(["--lang", "en", "--db", new_db, "setup", "station"]) == 2


def test_gaps_are_looked_for_in_the_epoch_the_station_lives_in(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    made = backup.create(station)
    send(station, county, usb)  # 3 and 4 of the old epoch, after the backup
    send(station, county, usb)
    station = restore_station(linked, made.path)
    assert send(station, county, usb).gaps == []  # 1 of the new epoch
    exchange.export(station, usb)  # 2 of the new epoch never reaches the county
    report = send(station, county, usb)  # 3
    assert report.seq == 3 and report.gaps == [(2, 2)]  # the old epoch's 2 does not count


def test_a_restored_station_uploading_to_the_hub_gets_receipts_of_its_epoch(tmp_path):
    from tests.test_hub import Network
    from trainer_app.sync import upload

    net = Network(tmp_path)
    try:
        station = net.station
        demo.fill(station, trainees=10, seed=3)
        code = trainees.search(station, "")[0]["code"]
        exchange.export(station, net.usb)  # 2
        assert [r.status for r in upload.upload_pending(station, net.hub.url)][-1] == "applied"
        made = backup.create(station)
        for phone in ("13100000003", "13100000004"):  # 3 and 4 of the old epoch
            edit_phone(station, code, phone)
            exchange.export(station, net.usb)
        upload.upload_pending(station, net.hub.url)
        path = station.path
        station.close()
        restore.restore(path, made.path)
        station = net.stations["WP01"] = Store(path)
        edit_phone(station, code, "13100000005")
        exchange.export(station, net.usb)  # 1 of the new epoch
        results = upload.upload_pending(station, net.hub.url)
        epoch_id = station.get_meta("epoch_id")
        assert [(r.seq, r.status) for r in results] == [(1, "applied")]
        assert results[0].receipt["held"] == [1]  # along the epoch: its own numbers
        assert results[0].receipt["epoch"] == epoch_id
        county_receipt = results[0].receipt["county_receipt"]
        assert county_receipt["held"] == [1, 2, 3, 4]  # the old epoch's, 3 and 4 included
        assert county_receipt["epochs"][epoch_id]["held"] == [1]
        assert trainee_at(net.county, station, code)["phone"] == "13100000005"
        confirmed = station.rows("SELECT seq, epoch_id FROM bundle_out "
                                 "WHERE acknowledged_at IS NOT NULL ORDER BY id")
        assert [(r["seq"], r["epoch_id"]) for r in confirmed] == [
            (1, None), (2, None), (1, epoch_id)]
    finally:
        net.close()


def test_the_county_moves_to_a_new_pc_with_its_keys(linked, tmp_path, monkeypatch):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)
    sealed = restore.export_sealed(county, tmp_path, PASS)
    station_home = os.environ["TRAINER_APP_HOME"]
    code = trainees.search(station, "")[0]["code"]
    edit_phone(station, code, "13200000001")
    path, _m = exchange.export(station, usb)

    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))  # no keys there yet
    new_db = tmp_path / "newpc" / "county.db"
    result = restore.restore(new_db, sealed.path, PASS)
    assert sorted(n.rsplit(".", 2)[-2] for n in result.keys_written) == ["ed25519", "x25519"]
    moved = Store(new_db)
    try:
        report = exchange.import_file(moved, path)  # decrypted with the restored county key
        assert report.status == "applied", report.detail
        assert trainee_at(moved, station, code)["phone"] == "13200000001"
        county_bundle, _m = exchange.export(moved, usb)  # signed with the restored county key
        monkeypatch.setenv("TRAINER_APP_HOME", station_home)
        assert exchange.import_file(station, county_bundle).status == "applied"
    finally:
        moved.close()
