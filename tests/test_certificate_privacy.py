"""The attack on a printed certificate: from the paper and its QR code, find the holder's full
resident ID number.

The attacker reads what anyone holding the paper reads: the name and the masked ID number
(``4110**********0120``) from the page's text, and the record from its QR code (decoded from the
rendered page). The hidden digits are two of the region code and the eight of the birth date;
the attacker tries every combination the printed check character allows, for every birth date
over a century, and keeps those the QR code is consistent with.

- Earlier format (``TRC1:``, an unkeyed ``SHA-256(name|ID)[:8]``): exactly one candidate is
  left, the holder's ID number. That digest was the weakness.
- Current format (``TRC2:``): the code signs what is printed and nothing computed from the hidden
  digits, so every candidate is as consistent with the code as any other: the code adds nothing
  to guessing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator

import pypdf
import pytest

from tests.earlier_codes import make_earlier
from tests.test_certificates import decode_qr, page_text
from trainer_app import i18n
from trainer_app.domain import certificate_code, idcard
from trainer_app.services import certificates, demo
from trainer_app.store import Store

TODAY = dt.date(2026, 6, 30)
BORN_FROM = dt.date(1926, 1, 1)  # the attacker tries a century of birth dates


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    store = Store(tmp_path / "station.db", create=True)
    demo.fill(store, trainees=40, seed=5, today=TODAY)
    yield store
    store.close()


@pytest.fixture
def cert(db) -> dict:
    """A certificate issued to someone of the demo station."""
    for row in db.rows("SELECT id FROM training_class WHERE status = 'finished'"):
        if any(r["eligible"] for r in certificates.eligibility(db, row["id"])):
            return certificates.issue(db, row["id"], today=TODAY).certificates[0]
    raise AssertionError("the demo has no finished class with eligible trainees")


def paper_and_qr(db: Store, rows: list[dict], out) -> tuple[str, str]:
    """What the attacker holds: the printed page's text and the text of its QR code."""
    pdf = certificates.write_pdf(db, rows, out)
    (qr,) = decode_qr(pdf)
    return page_text(pypdf.PdfReader(pdf), 0), qr


def candidates(masked: str, born_to: dt.date) -> Iterator[str]:
    """Every ID number the printed ``4110**********0120`` allows: any two region digits and any
    birth date from BORN_FROM to ``born_to`` whose check character is the printed one."""
    weights, checks = idcard.WEIGHTS, idcard.CHECK_CHARS
    head, sequence, check = masked[:4], masked[14:17], masked[17]
    fixed = sum(int(c) * w for c, w in zip(head + "0" * 10 + sequence, weights, strict=True))
    dates_by_residue: dict[int, list[str]] = defaultdict(list)
    day = BORN_FROM
    while day <= born_to:
        text = f"{day:%Y%m%d}"
        dates_by_residue[sum(int(c) * w for c, w in zip(text, weights[6:14], strict=True)) % 11
                         ].append(text)
        day += dt.timedelta(days=1)
    for region in range(100):
        digits = f"{region:02d}"
        partial = fixed + int(digits[0]) * weights[4] + int(digits[1]) * weights[5]
        for date in dates_by_residue[(checks.index(check) - partial) % 11]:
            yield head + digits + date + sequence + check


def printed_id(text: str) -> str:
    """The masked ID number as the page prints it."""
    start = text.index("身份证号 ") + len("身份证号 ")
    return text[start : start + 18]


def test_the_attacker_enumerates_the_holder_among_about_300000_candidates(db, cert):
    full = db.scalar("SELECT id_number FROM trainee WHERE id = ?", [cert["trainee_id"]])
    pool = list(candidates(cert["id_number_masked"], TODAY))
    assert full in pool
    assert all(idcard.mask(c) == cert["id_number_masked"] for c in pool[:: 997])
    assert 250_000 < len(pool) < 400_000  # a century of birth dates x 100 regions / 11


def test_earlier_format_gives_the_full_id_number_away(db, cert, tmp_path):
    """A certificate issued by the previous version: its digest picks out the holder."""
    key = certificates.signing_key(db)
    old = make_earlier(db, key, cert["serial"])
    text, qr = paper_and_qr(db, [old], tmp_path / "old.pdf")
    assert qr.startswith(certificate_code.EARLIER_PREFIX)
    name, masked = cert["trainee_name"], printed_id(text)
    assert name in text and masked == cert["id_number_masked"]
    digest = certificate_code.decode(qr).record.holder_digest

    found = [c for c in candidates(masked, TODAY)
             if certificate_code.earlier_digest(name, c) == digest]

    full = db.scalar("SELECT id_number FROM trainee WHERE id = ?", [cert["trainee_id"]])
    assert found == [full]  # the paper and its QR code give the whole ID number


def test_current_format_leaves_nothing_better_than_guessing(db, cert, tmp_path):
    text, qr = paper_and_qr(db, [cert], tmp_path / "new.pdf")
    assert qr.startswith(certificate_code.PREFIX)
    masked = printed_id(text)
    code = certificate_code.decode(qr)
    record = code.record
    assert (record.holder_name, record.id_number_masked) == (cert["trainee_name"], masked)
    # the attacker's test for a candidate: would the station have signed these bytes for a
    # holder with that ID number? The record has no field that depends on the hidden digits.
    paper = {"serial": record.serial, "course_code": record.course_code,
             "issued_on": record.issued_on.isoformat(), "hours": record.hours,
             "trainee_name": record.holder_name}
    pool = list(candidates(masked, TODAY))
    consistent = [
        c for c in pool
        if certificates.record_of({**paper, "id_number_masked": idcard.mask(c)},
                                  record.key_id).to_bytes() == code.signed
    ]
    assert consistent == pool  # every candidate as likely as before: 1 in len(pool) each

    # and the code a station prints is the same whichever of them the holder's ID number is
    # (Ed25519 signatures are deterministic): the QR code is a function of the paper alone
    key = certificates.signing_key(db)
    row = certificates.get(db, cert["serial"])
    for candidate in random.Random(7).sample(pool, 40):
        other = certificates.record_of({**row, "id_number_masked": idcard.mask(candidate)},
                                       key.key_id)
        assert certificate_code.encode(other, key.sign(other.to_bytes())) == qr
    full = db.scalar("SELECT id_number FROM trainee WHERE id = ?", [cert["trainee_id"]])
    assert full.encode() not in code.signed and full[4:14].encode() not in code.signed
