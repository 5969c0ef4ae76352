"""Certificates: eligibility, issuing, reprinting, reissuing, withdrawing, verifying, and the PDF.

Everything runs against a real temporary SQLite database built by the demo generator, real key
files in a temporary data folder, and real PDF files read back with pypdf and rendered with
pypdfium2 (the QR code is decoded from the rendered page with zxing-cpp).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import math
import os
import re
import stat
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from PIL import Image, ImageDraw

from trainer_app import i18n
from trainer_app.domain import certificate_code, serial
from trainer_app.pdf import atomic, certificate, fonts
from trainer_app.pdf.records import Branding, CertificatePage
from trainer_app.security import keys
from trainer_app.services import certificates, demo, station, trainees
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store

TODAY = dt.date(2026, 6, 30)
SERIAL_RE = re.compile(r"^WP01-2026-\d{6}-[0-9A-Z]$")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _english(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "station.db", create=True)
    demo.fill(store, trainees=60, seed=11, today=TODAY)
    yield store
    store.close()


@pytest.fixture
def finished(db) -> str:
    """A finished class where some trainees are eligible and some are not."""
    sql = "SELECT id FROM training_class WHERE status = 'finished' ORDER BY start_date"
    for row in db.rows(sql):
        report = certificates.eligibility(db, row["id"])
        if any(r["eligible"] for r in report) and not all(r["eligible"] for r in report):
            return row["id"]
    raise AssertionError("the demo data has no finished class with a mix of trainees")


def make_seal(path: Path, size: int = 300) -> Path:
    """A red round seal (ring and five-pointed star) on a transparent background."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (205, 25, 25, 235)
    margin = size * 0.03
    draw.ellipse([margin, margin, size - margin, size - margin], outline=red,
                 width=int(size * 0.04))
    c = size / 2
    points = [
        (c + (size * (0.2 if k % 2 == 0 else 0.08)) * math.cos(-math.pi / 2 + k * math.pi / 5),
         c + (size * (0.2 if k % 2 == 0 else 0.08)) * math.sin(-math.pi / 2 + k * math.pi / 5))
        for k in range(10)
    ]
    draw.polygon(points, fill=red)
    img.save(path)
    return path


def make_logo(path: Path) -> Path:
    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle([2, 2, 198, 98], 20, fill=(20, 120, 60, 255))
    img.save(path)
    return path


def page_text(reader: pypdf.PdfReader, i: int) -> str:
    """A page's text with the line breaks taken out (a name may wrap in the paragraph)."""
    return reader.pages[i].extract_text().replace("\n", "")


def decode_qr(pdf: Path, page: int = 0) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        image = doc[page].render(scale=2).to_pil()
    finally:
        doc.close()
    return [
        b.text for b in zxingcpp.read_barcodes(image)
        if b.format == zxingcpp.BarcodeFormat.QRCode
    ]


def count(store: Store, table: str) -> int:
    return store.scalar(f"SELECT count(*) FROM {table}")  # type: ignore[return-value]


# -- eligibility and issuing --------------------------------------------------------------------
def test_eligibility_figures(db, finished):
    report = certificates.eligibility(db, finished)
    assert report
    for row in report:
        assert row["scheduled_hours"] > 0
        assert row["required_hours"] == pytest.approx(row["scheduled_hours"] * 0.8)
        assert row["serial"] is None
        if row["eligible"]:
            assert row["attended_hours"] >= row["required_hours"] - 1e-9
            assert row["reason"] == ""
        else:
            assert row["reason"].startswith(row["name"])
            assert "of the" in row["reason"] and "hours required" in row["reason"]


def test_issue_gives_valid_serials_and_reissuing_reprints(db, finished):
    eligible = [r for r in certificates.eligibility(db, finished) if r["eligible"]]
    result = certificates.issue(db, finished, today=TODAY)
    assert len(result.new_serials) == len(eligible) == len(result.certificates)
    assert result.refused == []
    for cert in result.certificates:
        assert SERIAL_RE.match(cert["serial"]), cert["serial"]
        assert serial.is_valid(cert["serial"])
        assert cert["status"] == "valid"
        assert cert["qr_text"].startswith(certificate_code.PREFIX)
    numbers = sorted(serial.parse(s)[2] for s in result.new_serials)
    assert numbers == list(range(1, len(eligible) + 1))
    assert count(db, "certificate") == len(eligible)
    assert {r["serial"] for r in certificates.eligibility(db, finished) if r["eligible"]} == set(
        result.new_serials
    )

    again = certificates.issue(db, finished, today=TODAY + dt.timedelta(days=3))
    assert again.new_serials == []
    assert sorted(again.reprinted) == sorted(result.new_serials)
    assert [c["qr_text"] for c in again.certificates] == [
        c["qr_text"] for c in result.certificates
    ]
    assert count(db, "certificate") == len(eligible)


def test_not_eligible_trainee_is_refused_with_the_hours(db, finished):
    report = certificates.eligibility(db, finished)
    lacking = next(r for r in report if not r["eligible"])
    fine = next(r for r in report if r["eligible"])
    with pytest.raises(ServiceError) as err:
        certificates.issue(db, finished, [lacking["trainee_id"]], today=TODAY)
    attended = i18n.format_number(lacking["attended_hours"])
    required = i18n.format_number(lacking["required_hours"])
    assert f"attended {attended} of the {required} hours required" in str(err.value)
    assert lacking["name"] in str(err.value)
    assert count(db, "certificate") == 0

    mixed = certificates.issue(db, finished, [lacking["trainee_id"], fine["trainee_id"]],
                               today=TODAY)
    assert len(mixed.new_serials) == 1
    assert len(mixed.refused) == 1 and "hours required" in mixed.refused[0]
    assert mixed.certificates[0]["trainee_id"] == fine["trainee_id"]


def test_no_one_eligible_is_an_error(db):
    planned = db.scalar("SELECT id FROM training_class WHERE status = 'planned' LIMIT 1")
    assert not any(r["eligible"] for r in certificates.eligibility(db, planned))
    with pytest.raises(ServiceError, match="No one in this class"):
        certificates.issue(db, planned, today=TODAY)
    assert count(db, "certificate") == 0


@pytest.mark.parametrize("char", ["\U0002B740", "\uE000"])
def test_a_name_no_font_can_print_is_refused_naming_the_character(db, finished, char):
    assert fonts.missing_characters(f"王{char}") == [char]
    assert fonts.missing_characters("李䶮𠮷") == []  # the fallback fonts have these
    eligible = [r for r in certificates.eligibility(db, finished) if r["eligible"]]
    odd, other = eligible[0], eligible[1]
    trainee = trainees.get(db, odd["trainee_id"])
    trainees.update(db, odd["trainee_id"], dataclasses.replace(trainee, name="王" + char))

    result = certificates.issue(db, finished, [odd["trainee_id"], other["trainee_id"]],
                                today=TODAY)
    assert len(result.certificates) == 1
    assert result.certificates[0]["trainee_id"] == other["trainee_id"]
    assert len(result.refused) == 1
    assert char in result.refused[0] and f"U+{ord(char):04X}" in result.refused[0]
    assert db.scalar("SELECT count(*) FROM certificate WHERE trainee_id = ?",
                     [odd["trainee_id"]]) == 0

    with pytest.raises(ServiceError, match=f"U\\+{ord(char):04X}"):
        certificates.issue(db, finished, [odd["trainee_id"]], today=TODAY)
    assert count(db, "certificate") == 1


def test_render_refuses_a_character_no_font_has_and_writes_nothing(tmp_path):
    page = _page(trainee_name="张\U0002B740")
    out = tmp_path / "x.pdf"
    with pytest.raises(certificate.UnprintableText, match="U\\+2B740"):
        certificate.render([page], out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# -- the PDF ------------------------------------------------------------------------------------
def test_pdf_has_a_page_per_certificate_with_text_and_embedded_fonts(db, finished, tmp_path):
    station.set_image(db, "seal", make_seal(tmp_path / "seal.png"))
    station.set_image(db, "logo", make_logo(tmp_path / "logo.png"))
    result = certificates.issue(db, finished, today=TODAY)
    out = tmp_path / "out" / "结业证书.pdf"
    seen: list[tuple[int, int]] = []
    written = certificates.write_pdf(db, result.certificates, out,
                                     progress=lambda i, n: seen.append((i, n)))
    assert written == out
    n = len(result.certificates)
    assert seen == [(i, n) for i in range(1, n + 1)]

    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == n
    for i, cert in enumerate(result.certificates):
        text = page_text(reader, i)
        assert cert["trainee_name"] in text
        assert cert["serial"] in text
        assert cert["id_number_masked"] in text
        assert cert["course_title"] in text
        assert "结业证书" in text and "Certificate of Completion" in text
        assert demo.STATION_NAME in text and demo.COUNTY_NAME in text
        assert "发证日期" in text and "2026年6月30日" in text
        assert "补发" not in text

    font_names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType", font
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
            assert re.match(r"^/[A-Z]{6}\+", font["/BaseFont"])  # a subset
            font_names.add(font["/BaseFont"])
    assert any("WenQuanYi" in name for name in font_names)
    assert not any("STSong" in name or "Helvetica" in name for name in font_names)
    # a subset, not the 5 MB font: the whole file stays small
    assert out.stat().st_size < 60_000 + 8_000 * n


def test_rare_name_characters_print_and_read_back(db, finished, tmp_path):
    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    rows = [dict(cert, trainee_name=name) for name in ("王", "欧阳晓燕", "李䶮", "𠮷田")]
    out = certificates.write_pdf(db, rows, tmp_path / "rare.pdf")
    reader = pypdf.PdfReader(out)
    for i, row in enumerate(rows):
        assert row["trainee_name"] in page_text(reader, i)
    base_fonts = {
        f.get_object()["/BaseFont"]
        for p in reader.pages for f in p["/Resources"]["/Font"].values()
    }
    assert any("HanaMinA" in b for b in base_fonts) and any("HanaMinB" in b for b in base_fonts)


def test_printed_qr_code_decodes_to_the_text_that_verifies(db, finished, tmp_path):
    station.set_image(db, "seal", make_seal(tmp_path / "seal.png"))
    certs = certificates.issue(db, finished, today=TODAY).certificates[:2]
    out = certificates.write_pdf(db, certs, tmp_path / "qr.pdf")
    for page, cert in enumerate(certs):
        codes = decode_qr(out, page)
        assert codes == [cert["qr_text"]]
        check = certificates.verify(db, codes[0])
        assert check.genuine, check.message
        assert check.serial == cert["serial"]
        assert check.details["trainee_name"] == cert["trainee_name"]
        assert check.details["hours"] == cert["hours"]
    # typed by hand, or by a USB scanner, the serial verifies too
    assert certificates.verify(db, certs[0]["serial"].lower()).genuine


def test_a_changed_character_anywhere_fails(db, finished):
    text = certificates.issue(db, finished, today=TODAY).certificates[0]["qr_text"]
    alphabet = certificate_code.B32
    positions = [0, 3, 4, 5, 6, 12, 20, 40, len(text) // 2, len(text) - 64, len(text) - 30,
                 len(text) - 2, len(text) - 1]
    for pos in positions:
        for replacement in (alphabet[(alphabet.index(text[pos]) + 1) % 32]
                            if text[pos] in alphabet else "X", "Z" if text[pos] != "Z" else "Y"):
            forged = text[:pos] + replacement + text[pos + 1:]
            assert forged != text
            check = certificates.verify(db, forged)
            assert not check.genuine, (pos, replacement)
            assert check.verdict in (certificates.Verdict.FORGED, certificates.Verdict.UNKNOWN,
                                     certificates.Verdict.UNKNOWN_SIGNER)
    assert not certificates.verify(db, text[:-1]).genuine  # truncated
    assert not certificates.verify(db, text + "0").genuine  # lengthened
    assert certificates.verify(db, text).genuine


def test_withdrawn_certificate_verifies_as_withdrawn_with_the_reason(db, finished):
    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    certificates.revoke(db, cert["serial"], "Attendance sheet was falsified")
    check = certificates.verify(db, cert["qr_text"])
    assert check.verdict is certificates.Verdict.WITHDRAWN
    assert "Attendance sheet was falsified" in check.message
    assert certificates.get(db, cert["serial"])["status"] == "withdrawn"
    assert certificates.verify(db, cert["serial"]).verdict is certificates.Verdict.WITHDRAWN
    with pytest.raises(ServiceError):
        certificates.revoke(db, cert["serial"], "again")


def test_reissue_replaces_the_old_certificate_and_says_so(db, finished, tmp_path):
    old = certificates.issue(db, finished, today=TODAY).certificates[0]
    trainee = trainees.get(db, old["trainee_id"])
    trainees.update(db, old["trainee_id"], dataclasses.replace(trainee, name="欧阳晓燕"))
    new = certificates.reissue(db, old["serial"], "Name was misspelt",
                               today=TODAY + dt.timedelta(days=10))
    assert new["serial"] != old["serial"] and serial.is_valid(new["serial"])
    assert new["replaces"] == old["id"] and new["replaces_serial"] == old["serial"]
    assert new["trainee_name"] == "欧阳晓燕" and new["status"] == "valid"
    assert certificates.get(db, old["serial"])["status"] == "replaced"
    assert certificates.get(db, old["serial"])["replaced_by"] == new["serial"]
    assert certificates.verify(db, old["qr_text"]).verdict is certificates.Verdict.WITHDRAWN
    assert certificates.verify(db, new["qr_text"]).genuine
    # issuing for the class again reprints the new one
    current = {r["trainee_id"]: r["serial"] for r in certificates.eligibility(db, finished)}
    assert current[old["trainee_id"]] == new["serial"]

    out = certificates.write_pdf(db, [new], tmp_path / "reissue.pdf")
    text = page_text(pypdf.PdfReader(out), 0)
    assert "欧阳晓燕" in text and new["serial"] in text
    assert f"补发，替代证书 {old['serial']}" in text
    assert decode_qr(out) == [new["qr_text"]]


# -- keys ---------------------------------------------------------------------------------------
def test_private_key_is_owner_only_and_never_in_the_database(db, finished, tmp_path):
    certificates.issue(db, finished, today=TODAY)
    path = keys.key_path(db.site_id)
    assert path.is_file() and tmp_path / "home" in path.parents
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = keys.load(db.site_id)
    assert key is not None
    pem = path.read_text()
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    raw = key.private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    secrets = [body, base64.b64encode(raw).decode(), raw.hex(), raw.hex().upper(), "PRIVATE KEY"]
    tables = [r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "site_key" in tables
    for table in tables:
        for row in db.rows(f'SELECT * FROM "{table}"'):
            for value in row.values():
                if isinstance(value, bytes):
                    assert raw not in value, table
                elif isinstance(value, str):
                    for secret in secrets:
                        assert secret not in value, table
    files = list(tmp_path.glob("station.db*"))  # the database, its WAL and shared memory
    assert db.path in files
    for file in files:
        data = file.read_bytes()
        assert raw not in data and body.encode() not in data
    # the public half is there, so certificates verify from the database alone
    assert db.scalar("SELECT public_key FROM site_key WHERE key_id = ?",
                     [key.key_id.hex()]) == key.public_b64


# -- writing the file ---------------------------------------------------------------------------
def _page(**changes) -> CertificatePage:
    page = CertificatePage(
        serial="WP01-2026-000001-6", trainee_name="张伟", id_number_masked="4110**********1369",
        course_title="开设网店", course_title_en="EC101", hours="24",
        start_date="2026年6月1日", end_date="2026年6月11日", issued_on="2026年6月30日",
        qr_text="TRC1:TEST", branding=Branding("襄城县农村电商公共服务中心", "王坪村电商服务站"),
    )
    return dataclasses.replace(page, **changes)


def test_cancel_mid_render_leaves_no_file(tmp_path):
    out = tmp_path / "papers" / "cancelled.pdf"
    pages = [_page(serial=f"WP01-2026-{i:06d}-X") for i in range(6)]
    done: list[int] = []
    with pytest.raises(atomic.Cancelled):
        certificate.render(pages, out, progress=lambda i, n: done.append(i),
                           cancelled=lambda: len(done) >= 2)
    assert done == [1, 2]
    assert not out.exists()
    assert list(out.parent.iterdir()) == []

    # cancelling over an existing file leaves it as it was
    out.write_bytes(b"%PDF-1.4 the old one\n%%EOF\n")
    with pytest.raises(atomic.Cancelled):
        certificate.render(pages, out, cancelled=lambda: True)
    assert out.read_bytes() == b"%PDF-1.4 the old one\n%%EOF\n"
    assert [p.name for p in out.parent.iterdir()] == ["cancelled.pdf"]


def test_writing_over_an_existing_pdf_replaces_it_atomically(db, finished, tmp_path):
    certs = certificates.issue(db, finished, today=TODAY).certificates
    out = tmp_path / "certificates.pdf"
    certificates.write_pdf(db, certs[:1], out)
    old = out.read_bytes()
    os.link(out, tmp_path / "old-link.pdf")  # the old file, as a reader holding it open sees it
    inode = out.stat().st_ino

    certificates.write_pdf(db, certs[:3], out)
    assert len(pypdf.PdfReader(out).pages) == 3
    assert out.stat().st_ino != inode  # a new file renamed over the old, not rewritten in place
    assert (tmp_path / "old-link.pdf").read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_a_damaged_pdf_is_never_put_in_place(tmp_path):
    out = tmp_path / "paper.pdf"
    out.write_bytes(b"%PDF-1.4 previous\n%%EOF\n")
    with pytest.raises(atomic.PdfWriteError, match="not written completely"), \
            atomic.pdf_target(out) as fh:
        fh.write(b"%PDF-1.4 truncated, no end")
    assert out.read_bytes() == b"%PDF-1.4 previous\n%%EOF\n"
    assert [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]
    with pytest.raises(atomic.PdfWriteError):
        atomic.write_bytes(tmp_path / "empty.pdf", b"")
    assert not (tmp_path / "empty.pdf").exists()
    assert atomic.write_bytes(tmp_path / "ok.pdf", b"%PDF-1.4\nstartxref\n0\n%%EOF\n").exists()


def test_long_texts_shrink_to_fit(tmp_path):
    """A long name and course title still give one clean page whose text reads back."""
    name = "阿卜杜热合曼·买买提艾力·吐尔逊江"
    course = "电子商务进农村综合示范项目农村电商带头人培育暨农产品上行供应链管理专题培训班" * 2
    out = certificate.render([_page(trainee_name=name, course_title=course)], tmp_path / "l.pdf")
    text = page_text(pypdf.PdfReader(out), 0)
    assert name in text and course in text


def test_a_missing_key_file_is_an_error_not_a_new_key(db, finished):
    """A new key would not match the certificates issued nor the key the county approved."""
    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    path = keys.key_path(db.site_id)
    path.unlink()
    before = db.scalar("SELECT count(*) FROM site_key")
    for call in (lambda: certificates.signing_key(db),
                 lambda: certificates.reissue(db, cert["serial"], "lost", today=TODAY)):
        with pytest.raises(ServiceError) as info:
            call()
        assert str(path) in str(info.value) and "Restore the data folder" in str(info.value)
    assert not path.exists() and list(path.parent.iterdir()) == []
    assert db.scalar("SELECT count(*) FROM site_key") == before
    assert certificates.verify(db, cert["qr_text"]).genuine  # the public half still verifies


def test_a_station_signs_the_serials_of_its_own_code(db, finished):
    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    key = certificates.signing_key(db)
    record = certificate_code.decode(cert["qr_text"]).record
    for code, genuine in (("WP01", True), (station.default_code(db.site_id), True),
                          ("ZZ02", False)):
        other = dataclasses.replace(record, serial=serial.make(code, 2026, 777))
        text = certificate_code.encode(other, key.sign(other.to_bytes()))
        check = certificates.verify(db, text)
        assert check.genuine is genuine, (code, check.message)
        if not genuine:
            assert check.verdict is certificates.Verdict.FORGED
            assert "key of another station" in check.message
    # a certificate issued here under an earlier station code stays genuine
    station.update(db, station_code="WP9")
    assert certificates.verify(db, cert["qr_text"]).genuine


# -- the code's format: web form, earlier format, reprinting in the current one ----------------
def test_the_web_form_of_a_code_verifies_to_the_same_result(db, finished):
    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    text = cert["qr_text"]
    payload = text.removeprefix(certificate_code.PREFIX)
    # what a later version may print: an upper-case https address of the county's page
    url = f"HTTPS://YZ.XC.GOV.CN/CERT{certificate_code.URL_MARKER}{payload}"
    assert set(url) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$*+-./:")  # QR alphanumeric
    assert certificate_code.decode(url) == certificate_code.decode(text)
    direct, web = certificates.verify(db, text), certificates.verify(db, url)
    assert web.genuine and web == direct
    assert certificates.verify(db, url.lower()) == direct  # a phone may lower-case it
    assert web.details["trainee_name"] == cert["trainee_name"]
    assert web.details["id_number_masked"] == cert["id_number_masked"]
    forged = url[:-70] + ("A" if url[-70] != "A" else "B") + url[-69:]
    assert certificates.verify(db, forged).verdict is certificates.Verdict.FORGED
    damaged = certificates.verify(db, url[:-3] + "%20")  # a web form, but not a code
    assert damaged.verdict is certificates.Verdict.FORGED and "damaged" in damaged.message
    assert not certificate_code.is_code("HTTPS://YZ.XC.GOV.CN/")  # an address, not a code


def test_a_code_is_read_in_one_spelling_only():
    record = certificate_code.CertificateRecord(
        serial="WP01-2026-000001-6", course_code="EC101", issued_on=TODAY, hours=24.0,
        holder_name="王小明", id_number_masked="4110**********0120", key_id=b"\x01\x02\x03\x04")
    text = certificate_code.encode(record, b"\x07" * 64)
    assert certificate_code.decode(text).record == record
    refused = 0
    for char in certificate_code.B32:  # no other last character decodes to the same bytes
        if char != text[-1]:
            try:
                assert certificate_code.decode(text[:-1] + char).signature != b"\x07" * 64
            except certificate_code.CodeError:
                refused += 1
    assert refused == 30  # 127 bytes: the last character holds 1 bit and 4 spare (zero) bits
    for bad in (text + "A", text[:-1], text.replace("TRC2:", "TRC2:8"), "TRC3:" + text[5:]):
        with pytest.raises(certificate_code.CodeError):
            certificate_code.decode(bad)
    with pytest.raises(certificate_code.CodeError):  # only digits, X and * in a masked number
        dataclasses.replace(record, id_number_masked="4110 1990").to_bytes()


def test_an_earlier_format_certificate_still_verifies_and_says_so(db, finished, tmp_path):
    from tests.earlier_codes import earlier_code, make_earlier

    cert = certificates.issue(db, finished, today=TODAY).certificates[0]
    key = certificates.signing_key(db)
    old = make_earlier(db, key, cert["serial"])
    check = certificates.verify(db, old["qr_text"])
    assert check.genuine and check.earlier_format and check.details["format"] == 1
    assert "issued with an earlier format" in check.message
    assert check.details["trainee_name"] == cert["trainee_name"]  # from the register
    assert certificates.verify(db, cert["serial"]).earlier_format
    assert not certificates.verify(db, cert["qr_text"]).earlier_format
    # signed by this station, same serial, but another holder: not this certificate
    other = earlier_code(key, old, "410102199003071234")
    assert certificates.verify(db, other).verdict is certificates.Verdict.FORGED
    # the register lists it with a note; printing prints the current format, same serial
    assert certificates.is_earlier_format(certificates.get(db, cert["serial"]))
    result = certificates.reprint(db, [cert["serial"]])
    assert result.reformatted == [cert["serial"]]
    (new,) = result.certificates
    assert new["serial"] == cert["serial"] and new["qr_text"].startswith(certificate_code.PREFIX)
    assert new["qr_text"] == cert["qr_text"]  # the same facts give the same code
    assert certificates.reprint(db, [cert["serial"]]).reformatted == []
    assert decode_qr(certificates.write_pdf(db, [new], tmp_path / "r.pdf")) == [new["qr_text"]]
    # both papers are genuine: the old one (held by the trainee) and the reprint
    assert certificates.verify(db, old["qr_text"]).genuine
    assert certificates.verify(db, new["qr_text"]).genuine
    assert certificates.verify(db, other).verdict is certificates.Verdict.FORGED


def test_reprinting_by_issuing_again_uses_the_current_format(db, finished):
    from tests.earlier_codes import make_earlier

    first = certificates.issue(db, finished, today=TODAY).certificates
    key = certificates.signing_key(db)
    for cert in first:
        make_earlier(db, key, cert["serial"])
    again = certificates.issue(db, finished, today=TODAY)
    assert again.new_serials == [] and again.reprinted == [c["serial"] for c in first]
    assert [c["qr_text"] for c in again.certificates] == [c["qr_text"] for c in first]


def test_a_withdrawn_or_replaced_certificate_is_not_reprinted(db, finished):
    certs = certificates.issue(db, finished, today=TODAY).certificates
    certificates.revoke(db, certs[0]["serial"], "mistake")
    new = certificates.reissue(db, certs[1]["serial"], "typo", today=TODAY)
    with pytest.raises(ServiceError, match="withdrawn"):
        certificates.reprint(db, [certs[0]["serial"]])
    with pytest.raises(ServiceError, match=new["serial"]):
        certificates.reprint(db, [certs[1]["serial"]])


def test_a_course_code_in_chinese_is_signed_and_a_too_long_one_refused(db, finished):
    course_id = db.scalar("SELECT course_id FROM training_class WHERE id = ?", [finished])
    first, second = [r["trainee_id"] for r in certificates.eligibility(db, finished)
                     if r["eligible"]][:2]
    with db.transaction():
        db.conn.execute("UPDATE course SET code = '电商实训01' WHERE id = ?", [course_id])
    cert = certificates.issue(db, finished, [first], today=TODAY).certificates[0]
    assert certificate_code.decode(cert["qr_text"]).record.course_code == "电商实训01"
    assert certificates.verify(db, cert["qr_text"]).genuine
    with db.transaction():
        db.conn.execute("UPDATE course SET code = ? WHERE id = ?", ["课" * 90, course_id])
    before = count(db, "certificate")
    with pytest.raises(ServiceError, match="course code"):
        certificates.issue(db, finished, [second], today=TODAY)
    assert count(db, "certificate") == before
