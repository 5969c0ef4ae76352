"""Sheet evidence travels to the county only once the county's bundles say it reads it
(issue 11): a county of the previous version refuses a bundle with kinds it does not know."""

from __future__ import annotations

import pytest

from tests.test_sync import import_all, net, resign, template  # noqa: F401 - fixtures
from trainer_app.services import certificates
from trainer_app.store import sheets as sheets_q
from trainer_app.store.db import utc_now
from trainer_app.sync import exchange, records, site
from trainer_app.sync.export import remember_county_reads


def _keep_a_sheet(station) -> str:
    lesson = station.row("SELECT id FROM lesson WHERE deleted = 0 LIMIT 1")["id"]
    sha = "ab" * 32
    with station.transaction():
        sheets_q.add(station, {"lesson_id": lesson, "page": 1, "sha256": sha, "size": 3,
                               "width": 1, "height": 1, "file_name": "p.jpg",
                               "read_at": utc_now()}, b"jpg")
    return sha


def test_a_station_sends_sheet_evidence_only_once_its_county_reads_it(net):  # noqa: F811
    import_all(net)
    station = net.stations["WP01"]
    # the county's last word came from its previous version (a pack without "reads")
    remember_county_reads(station, None)
    sha = _keep_a_sheet(station)
    _path, manifest = net.export("WP01")  # the county does not read them: not sent
    assert "sheet_evidence" not in manifest["counts"]

    county_bundle, county_manifest = exchange.export(net.county, net.usb)
    assert county_manifest["reads"] == records.county_reads()
    assert "sheet_evidence" in county_manifest["reads"]
    assert exchange.import_file(station, county_bundle).status == "applied"
    path, manifest = net.export("WP01")  # not a full one: the sheet kept before goes too
    assert manifest["counts"]["sheet_evidence"] == 1 and not manifest["full"]
    _again, later = net.export("WP01")  # and only once
    assert "sheet_evidence" not in later["counts"]
    report = exchange.import_file(net.county, path)
    assert report.status == "applied", report.message
    assert net.county.scalar("SELECT sha256 FROM sheet_evidence") == sha
    # the hash travels, the image stays at the station
    assert net.county.scalar("SELECT count(*) FROM sheet_image") == 0


def test_a_county_of_the_previous_version_gets_no_sheet_evidence(net, tmp_path):  # noqa: F811
    import_all(net)
    station = net.stations["WP01"]
    _keep_a_sheet(station)
    county_bundle, _manifest = exchange.export(net.county, net.usb)
    old = resign(county_bundle, tmp_path / "old-county.trbundle",
                 certificates.signing_key(net.county), lambda m: m.pop("reads"))
    assert exchange.import_file(station, old).status == "applied"
    _path, manifest = net.export("WP01", full=True)
    assert "sheet_evidence" not in manifest["counts"]


def test_the_previous_versions_county_refuses_sheet_evidence(net, monkeypatch):  # noqa: F811
    """Why the station waits: a county that does not know the kind rejects the whole bundle."""
    import_all(net)
    station = net.stations["WP01"]
    _keep_a_sheet(station)
    county_bundle, _manifest = exchange.export(net.county, net.usb)
    exchange.import_file(station, county_bundle)
    path, manifest = net.export("WP01", full=True)
    assert manifest["counts"]["sheet_evidence"] == 1
    monkeypatch.setattr(records, "LATER_STATION_TABLES", ())  # as the previous version was
    report = exchange.import_file(net.county, path)
    assert (report.status, report.reason) == ("rejected", "invalid_record")
    assert "sheet_evidence" in report.detail


@pytest.mark.parametrize("reads", ["sheet_evidence", {"a": 1}, [1, 2]])
def test_a_garbled_reads_list_sends_nothing_new(net, tmp_path, reads):  # noqa: F811
    import_all(net)
    station = net.stations["WP01"]
    _keep_a_sheet(station)
    county_bundle, _manifest = exchange.export(net.county, net.usb)
    odd = resign(county_bundle, tmp_path / "odd.trbundle", certificates.signing_key(net.county),
                 lambda m: m.update(reads=reads))
    assert exchange.import_file(station, odd).status == "applied"
    _path, manifest = net.export("WP01", full=True)
    assert "sheet_evidence" not in manifest["counts"]


def test_a_station_linked_with_this_versions_pack_sends_sheet_evidence_at_once(net):  # noqa: F811
    """The county pack says what the county reads, so no county bundle needs to come first."""
    import_all(net)
    station = net.stations["WP01"]
    assert "sheet_evidence" in site.county_reads(station)
    _keep_a_sheet(station)
    path, manifest = net.export("WP01")
    assert manifest["counts"]["sheet_evidence"] == 1
    assert exchange.import_file(net.county, path).status == "applied"
