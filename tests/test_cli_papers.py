"""The command line's certificates, papers and station details: real PDFs read back with pypdf,
verification exit codes, and the database and ``--out`` left alone on refusal."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.earlier_codes import make_earlier
from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.domain import certificate_code, serial
from trainer_app.services import certificates
from trainer_app.store import Store


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def db(home, capsys) -> Path:
    """A demo station of 60 trainees: classes finished, running and planned."""
    path = home / "station.db"
    assert main(["--db", str(path), "demo", "--trainees", "60"]) == 0
    capsys.readouterr()
    return path


def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, db: Path, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert (code, err) == (0, ""), err
    return out


def as_json(capsys, db: Path, *args: str):
    return json.loads(ok(capsys, db, *args, "--json"))


def refused(capsys, db: Path, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err.strip()


def digest(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)


def class_of(capsys, db: Path, status: str) -> dict:
    return next(c for c in as_json(capsys, db, "classes", "list") if c["status"] == status)


def completion(capsys, db: Path, class_id: str) -> list[dict]:
    return as_json(capsys, db, "classes", "completion", class_id)


def serials_of(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()]


def issue(capsys, db: Path, out: Path, class_id: str, *more: str) -> list[str]:
    text = ok(capsys, db, "certificates", "issue", "--class", class_id, "--out", str(out),
              *more)
    return serials_of(text)


def register(capsys, db: Path, *more: str) -> dict[str, dict]:
    return {c["serial"]: c for c in as_json(capsys, db, "certificates", "list", *more)}


@pytest.fixture
def issued(capsys, db, tmp_path) -> tuple[Path, dict, list[str]]:
    """Certificates issued for the demo's first finished class: (PDF, class, serials)."""
    finished = class_of(capsys, db, "finished")
    out = tmp_path / "证书.pdf"
    return out, finished, issue(capsys, db, out, finished["id"])


# -- issuing ---------------------------------------------------------------------------------------
def test_help_lists_the_new_commands(capsys, tmp_path):
    code, out, _err = run(capsys, tmp_path / "x.db", "--help")
    assert code == 0
    for name in ("certificates", "papers", "station"):
        assert name in out
    code, out, _err = run(capsys, tmp_path / "x.db", "certificates", "--help")
    assert code == 0
    for action in ("issue", "list", "revoke", "reissue", "print", "verify"):
        assert action in out
    code, out, _err = run(capsys, tmp_path / "x.db", "papers", "--help")
    assert code == 0
    for action in ("sign-in-sheet", "cards", "roster", "summary"):
        assert action in out


def test_issue_prints_serials_and_writes_one_page_each(capsys, db, issued):
    out, finished, serials = issued
    eligible = [r for r in completion(capsys, db, finished["id"]) if r["completed"]]
    assert serials and len(serials) == len(eligible)
    assert all(serial.is_valid(s) for s in serials)
    assert len(set(serials)) == len(serials)
    pages, text = pdf_text(out)
    assert pages == len(serials)
    assert serials[0] in text and serials[-1] in text

    again = ok(capsys, db, "certificates", "issue", "--class", finished["id"], "--out", str(out))
    assert again.splitlines() == [f"{s} (reprint)" for s in serials]  # never a second one
    assert len(register(capsys, db)) == len(serials)
    assert pdf_text(out)[0] == len(serials)


def test_issue_some_trainees_skips_those_not_eligible(capsys, db, tmp_path):
    finished = class_of(capsys, db, "finished")
    rows = completion(capsys, db, finished["id"])
    done = next(r for r in rows if r["completed"])
    short = next((r for r in rows if not r["completed"]), None)
    if short is None:
        pytest.skip("the demo class has no trainee short of hours")
    out = tmp_path / "some.pdf"
    code, text, err = run(capsys, db, "certificates", "issue", "--class", finished["id"],
                          "--trainee", done["code"].lower(), short["trainee_id"],
                          "--out", str(out))
    assert code == 0
    assert len(serials_of(text)) == 1 and "(reprint)" not in text
    assert err.startswith("skipped: ") and short["name"] in err and "hours required" in err
    assert pdf_text(out)[0] == 1

    before = digest(db)
    line = refused(capsys, db, "certificates", "issue", "--class", finished["id"],
                   "--trainee", short["code"], "--out", str(tmp_path / "none.pdf"))
    assert short["name"] in line and "hours required" in line
    assert digest(db) == before
    assert not (tmp_path / "none.pdf").exists()


def test_class_with_no_one_eligible_is_refused_and_nothing_changes(capsys, db, tmp_path):
    planned = class_of(capsys, db, "planned")
    out = tmp_path / "planned.pdf"
    before = digest(db)
    line = refused(capsys, db, "certificates", "issue", "--class", planned["id"], "--out",
                   str(out))
    assert "completion rule" in line
    assert digest(db) == before
    assert not out.exists()
    assert "No class with id nope" in refused(capsys, db, "certificates", "issue", "--class",
                                              "nope", "--out", str(out))


def test_pdf_that_cannot_be_written_records_no_certificate(capsys, db, tmp_path, monkeypatch):
    from trainer_app.services import certificates

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(certificates, "write_pdf", full_disk)
    finished = class_of(capsys, db, "finished")
    before = digest(db)
    line = refused(capsys, db, "certificates", "issue", "--class", finished["id"], "--out",
                   str(tmp_path / "c.pdf"))
    assert "is full" in line and "c.pdf" in line
    assert digest(db) == before
    assert register(capsys, db) == {}


def test_out_in_a_missing_folder_or_a_folder(capsys, db, tmp_path):
    finished = class_of(capsys, db, "finished")
    lesson = as_json(capsys, db, "lessons", "list", "--class", finished["id"])[0]
    before = digest(db)
    missing = tmp_path / "no" / "such" / "folder" / "x.pdf"
    for args in (
        ["certificates", "issue", "--class", finished["id"]],
        ["papers", "sign-in-sheet", "--lesson", lesson["id"]],
        ["papers", "cards", "--class", finished["id"]],
        ["papers", "roster", "--class", finished["id"]],
        ["papers", "summary", "--class", finished["id"]],
        ["certificates", "print", "WP01-2026-000001-6"],
    ):
        line = refused(capsys, db, *args, "--out", str(missing))
        assert "--out" in line and "does not exist" in line and str(missing.parent) in line
    assert "is a folder" in refused(capsys, db, "certificates", "issue", "--class",
                                    finished["id"], "--out", str(tmp_path))
    assert digest(db) == before
    assert not (tmp_path / "no").exists()


# -- the register, withdrawing, reissuing, verifying ---------------------------------------------
def test_list_json_and_search(capsys, db, issued):
    _out, _finished, serials = issued
    rows = as_json(capsys, db, "certificates", "list")
    assert sorted(r["serial"] for r in rows) == sorted(serials)
    for row in rows:
        assert row["id"] and row["status"] == "valid" and row["trainee_name"]
        assert row["qr_text"].startswith(certificate_code.PREFIX)
    one = rows[0]
    found = as_json(capsys, db, "certificates", "list", "--search", one["trainee_name"])
    assert one["serial"] in [r["serial"] for r in found]
    assert [r["serial"] for r in as_json(capsys, db, "certificates", "list", "--search",
                                         one["serial"].lower())] == [one["serial"]]
    table = ok(capsys, db, "certificates", "list", "--limit", "2")
    assert "2 certificates" in table and "valid" in table


def test_verify_genuine_and_tampered(capsys, db, issued):
    cert = next(iter(register(capsys, db).values()))
    code, out, err = run(capsys, db, "certificates", "verify", cert["qr_text"])
    assert (code, err) == (0, "")
    assert "genuine" in out and cert["serial"] in out and cert["trainee_name"] in out
    code, out, _err = run(capsys, db, "certificates", "verify", cert["serial"].lower())
    assert code == 0 and "genuine" in out

    qr = cert["qr_text"]
    i = len(certificate_code.PREFIX) + 40
    alphabet = certificate_code.B32
    tampered = qr[:i] + alphabet[(alphabet.index(qr[i]) + 1) % 32] + qr[i + 1:]
    code, out, _err = run(capsys, db, "certificates", "verify", tampered)
    assert code == 1 and "forged" in out
    result = as_json(capsys, db, "certificates", "verify", qr)
    assert (result["verdict"], result["serial"]) == ("genuine", cert["serial"])
    code, out, _err = run(capsys, db, "certificates", "verify", "hello world")
    assert code == 1 and "forged" in out
    unknown = serial.make("WP01", 2020, 999)
    code, out, _err = run(capsys, db, "certificates", "verify", unknown)
    assert code == 1 and "unknown" in out


def test_revoke_then_verify_says_withdrawn(capsys, db, issued):
    cert = next(iter(register(capsys, db).values()))
    before = digest(db)
    assert "--reason" in refused(capsys, db, "certificates", "revoke", cert["serial"],
                                 "--reason", "  ")
    assert "No certificate with serial" in refused(capsys, db, "certificates", "revoke",
                                                   "WP01-2020-000999-0", "--reason", "x")
    assert digest(db) == before

    out = ok(capsys, db, "certificates", "revoke", cert["serial"], "--reason", "姓名写错")
    assert cert["serial"] in out and "withdrawn" in out
    code, out, _err = run(capsys, db, "certificates", "verify", cert["qr_text"])
    assert code == 1 and "withdrawn" in out and "姓名写错" in out
    assert register(capsys, db)[cert["serial"]]["status"] == "withdrawn"
    assert "already withdrawn" in refused(capsys, db, "certificates", "revoke", cert["serial"],
                                          "--reason", "again")


def test_reissue_replaces_the_old_certificate(capsys, db, issued, tmp_path):
    old = next(iter(register(capsys, db).values()))
    ok(capsys, db, "trainees", "edit", old["trainee_id"], "--name", "王晓明")
    out = tmp_path / "reissued.pdf"
    text = ok(capsys, db, "certificates", "reissue", old["serial"], "--reason", "姓名更正",
              "--out", str(out))
    new_serial = text.strip()
    assert serial.is_valid(new_serial) and new_serial != old["serial"]
    pages, pdf = pdf_text(out)
    assert pages == 1 and new_serial in pdf and "王晓明" in pdf

    certs = register(capsys, db)
    assert certs[old["serial"]]["status"] == "replaced"
    assert certs[old["serial"]]["replaced_by"] == new_serial
    assert (certs[new_serial]["status"], certs[new_serial]["replaces_serial"]) == (
        "valid", old["serial"])
    assert certs[new_serial]["trainee_name"] == "王晓明"
    code, out_text, _err = run(capsys, db, "certificates", "verify", old["qr_text"])
    assert code == 1 and "withdrawn" in out_text
    assert run(capsys, db, "certificates", "verify", certs[new_serial]["qr_text"])[0] == 0
    assert "cannot be reissued" in refused(capsys, db, "certificates", "reissue",
                                           old["serial"], "--reason", "again")


def test_print_reprints_valid_certificates_only(capsys, db, issued, tmp_path):
    _out, _finished, serials = issued
    out = tmp_path / "reprint.pdf"
    assert ok(capsys, db, "certificates", "print", *serials[:2], "--out", str(out)).strip() == (
        str(out))
    pages, text = pdf_text(out)
    assert pages == 2 and serials[0] in text and serials[1] in text

    new = ok(capsys, db, "certificates", "reissue", serials[0], "--reason", "x").strip()
    again = tmp_path / "again.pdf"
    line = refused(capsys, db, "certificates", "print", serials[0], "--out", str(again))
    assert "replaced" in line and new in line
    assert not again.exists()


def test_earlier_format_verifies_says_so_and_prints_in_the_current_format(
        capsys, db, issued, tmp_path):
    _out, _finished, serials = issued
    store = Store(db)
    try:
        old = make_earlier(store, certificates.signing_key(store), serials[0])
    finally:
        store.close()
    code, out, err = run(capsys, db, "certificates", "verify", old["qr_text"])
    assert (code, err) == (0, "") and "genuine" in out
    assert "issued with an earlier format" in out and old["trainee_name"] in out
    assert as_json(capsys, db, "certificates", "verify", old["qr_text"])["earlier_format"]

    reprint = tmp_path / "reprint.pdf"
    code, out, err = run(capsys, db, "certificates", "print", *serials[:2], "--out", str(reprint))
    assert code == 0 and out.strip() == str(reprint)
    assert serials[0] in err and "earlier format" in err and serials[1] not in err
    new = register(capsys, db)[serials[0]]
    assert new["qr_text"].startswith(certificate_code.PREFIX)  # same serial, current format
    for text in (old["qr_text"], new["qr_text"],
                 "HTTPS://YZ.XC.GOV.CN/V/TRC2/" + new["qr_text"].removeprefix("TRC2:")):
        result = as_json(capsys, db, "certificates", "verify", text)
        assert (result["verdict"], result["serial"]) == ("genuine", serials[0])
        assert result["details"]["trainee_name"] == old["trainee_name"]
    url = as_json(capsys, db, "certificates", "verify",
                  "HTTPS://YZ.XC.GOV.CN/V/TRC2/" + new["qr_text"].removeprefix("TRC2:"))
    assert url == as_json(capsys, db, "certificates", "verify", new["qr_text"])


# -- papers ----------------------------------------------------------------------------------------
def enrolled_names(capsys, db: Path, class_id: str) -> list[str]:
    return [r["name"] for r in completion(capsys, db, class_id)]


def assert_paper(path: Path, printed: str, names: list[str]) -> str:
    assert printed.strip() == str(path)
    pages, text = pdf_text(path)
    assert pages >= 1
    assert any(name in text for name in names), text[:300]
    return text


def test_sign_in_sheet(capsys, db, tmp_path):
    running = class_of(capsys, db, "running")
    lesson = as_json(capsys, db, "lessons", "list", "--class", running["id"])[0]
    out = tmp_path / "签到表.pdf"
    before = digest(db)
    printed = ok(capsys, db, "papers", "sign-in-sheet", "--lesson", lesson["id"], "--out",
                 str(out))
    assert_paper(out, printed, enrolled_names(capsys, db, running["id"]))
    assert digest(db) == before
    assert "No lesson with id nope" in refused(capsys, db, "papers", "sign-in-sheet",
                                               "--lesson", "nope", "--out", str(tmp_path / "x"))


def test_cards_roster_and_summary(capsys, db, tmp_path):
    finished = class_of(capsys, db, "finished")
    names = enrolled_names(capsys, db, finished["id"])
    for paper in ("cards", "roster", "summary"):
        out = tmp_path / f"{paper}.pdf"
        printed = ok(capsys, db, "papers", paper, "--class", finished["id"], "--out", str(out))
        assert_paper(out, printed, names)


def test_cards_for_some_trainees(capsys, db, tmp_path):
    finished = class_of(capsys, db, "finished")
    rows = completion(capsys, db, finished["id"])
    out = tmp_path / "cards.pdf"
    printed = ok(capsys, db, "papers", "cards", "--class", finished["id"], "--trainee",
                 rows[0]["code"], "--out", str(out))
    text = assert_paper(out, printed, [rows[0]["name"]])
    assert rows[0]["code"] in text
    assert "No trainee with id T999999" in refused(
        capsys, db, "papers", "cards", "--class", finished["id"], "--trainee", "T999999",
        "--out", str(tmp_path / "none.pdf"))
    assert not (tmp_path / "none.pdf").exists()


# -- the station -----------------------------------------------------------------------------------
def png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGBA", (64, 64), (200, 20, 20, 120)).save(path)
    return path


def test_station_set_and_show(capsys, db, tmp_path, home):
    shown = as_json(capsys, db, "station", "show")
    assert shown["id"] and shown["station_code"] and shown["key_id"] is None

    seal = png(tmp_path / "seal.png")
    out = ok(capsys, db, "station", "set", "--name", "王坪村电商服务站", "--county", "襄城县",
             "--code", "xc07", "--seal", str(seal))
    assert "saved" in out
    shown = as_json(capsys, db, "station", "show")
    assert (shown["station_name"], shown["county_name"], shown["station_code"]) == (
        "王坪村电商服务站", "襄城县", "XC07")
    assert shown["station_code_provisional"] is False
    assert shown["seal_image"] and Path(shown["seal_image"]).is_file()
    assert Path(shown["seal_image"]).is_relative_to(home)  # a copy in the data folder
    assert shown["logo_image"] is None
    table = ok(capsys, db, "station", "show")
    assert "王坪村电商服务站" in table and "XC07" in table

    ok(capsys, db, "station", "set", "--no-seal")
    assert as_json(capsys, db, "station", "show")["seal_image"] is None

    before = digest(db)
    assert "--code:" in refused(capsys, db, "station", "set", "--name", "新名字", "--code",
                                "x")
    not_png = tmp_path / "logo.png"
    not_png.write_text("not an image")
    assert "--logo:" in refused(capsys, db, "station", "set", "--logo", str(not_png))
    assert "Nothing to change" in refused(capsys, db, "station", "set")
    assert digest(db) == before


def test_serials_use_the_station_code_and_show_the_key(capsys, db, tmp_path):
    ok(capsys, db, "station", "set", "--code", "XC07")
    finished = class_of(capsys, db, "finished")
    serials = issue(capsys, db, tmp_path / "c.pdf", finished["id"])
    assert all(s.startswith("XC07-") for s in serials)
    shown = as_json(capsys, db, "station", "show")
    assert shown["key_id"] and shown["key_fingerprint"]
