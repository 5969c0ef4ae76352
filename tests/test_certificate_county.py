"""Certificates of both formats checked at the county, before and after the station reprinted an
earlier-format certificate in the current format (same serial) and sent it up in a bundle."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.earlier_codes import earlier_code, make_earlier
from trainer_app import i18n
from trainer_app.domain import certificate_code
from trainer_app.services import certificates, classes, demo
from trainer_app.store import Store
from trainer_app.sync import exchange, site

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def linked(tmp_path, monkeypatch):
    """A county and one station (key approved) whose certificates were issued by the previous
    version (``TRC1:`` codes) and have reached the county."""
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    usb = tmp_path / "usb"
    usb.mkdir()
    county = Store(tmp_path / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    station = Store(tmp_path / "WP01.db", create=True)
    site.setup_station(station, site.write_pack(county, "WP01", tmp_path / "WP01.trpack"))
    first, _ = exchange.export(station, usb)
    assert exchange.import_file(county, first).status == "pending"
    assert [r.status for r in exchange.approve(county, "WP01")] == ["applied"]
    demo.fill(station, trainees=30, seed=4, today=TODAY)
    issued = next(
        certificates.issue(station, c["id"], today=TODAY).certificates
        for c in classes.list_all(station)
        if c["status"] == "finished"
        and any(r["eligible"] for r in certificates.eligibility(station, c["id"]))
    )
    key = certificates.signing_key(station)
    old = [make_earlier(station, key, c["serial"]) for c in issued]
    second, _ = exchange.export(station, usb)
    assert exchange.import_file(county, second).status == "applied"
    yield county, station, usb, issued, old
    county.close()
    station.close()


def test_the_county_verifies_earlier_and_current_codes_of_a_reprinted_certificate(linked):
    county, station, usb, issued, old = linked
    check = certificates.verify(county, old[0]["qr_text"])
    assert check.genuine and check.earlier_format
    assert check.details["trainee_name"] == issued[0]["trainee_name"]  # the county's register

    reprint = certificates.reprint(station, [old[0]["serial"]])
    assert reprint.reformatted == [old[0]["serial"]]
    third, _ = exchange.export(station, usb)
    assert exchange.import_file(county, third).status == "applied"
    row = certificates.get(county, old[0]["serial"])
    assert row["qr_text"] == issued[0]["qr_text"]  # the county holds the current code now
    assert row["qr_text"].startswith(certificate_code.PREFIX)

    # the holder may show either paper: both are the same certificate, genuine
    earlier, current = (certificates.verify(county, c) for c in (old[0]["qr_text"],
                                                                 issued[0]["qr_text"]))
    assert earlier.genuine and earlier.earlier_format
    assert current.genuine and not current.earlier_format
    assert current.details["trainee_name"] == earlier.details["trainee_name"]
    assert current.details["id_number_masked"] == issued[0]["id_number_masked"]
    # an earlier code of this serial and station key, but of another person, is not it
    other = earlier_code(certificates.signing_key(station), old[0], "411025199003071373")
    assert certificates.verify(county, other).verdict is certificates.Verdict.FORGED
    withdrawn = certificates.revoke(county, old[0]["serial"], "重复发放", by="县中心")
    assert withdrawn["status"] == "withdrawn"
    for code in (old[0]["qr_text"], issued[0]["qr_text"]):
        assert certificates.verify(county, code).verdict is certificates.Verdict.WITHDRAWN
