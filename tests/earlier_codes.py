"""Certificate codes of the earlier format (``TRC1:``), as the previous version of the program
issued them, written here from their documented layout (the program only reads them now)."""

from __future__ import annotations

import datetime as dt
import struct

from trainer_app.domain import certificate_code
from trainer_app.security import keys
from trainer_app.store import Store
from trainer_app.store import certificates as certificates_q


def b45encode(data: bytes) -> str:
    """RFC 9285 base45."""
    alphabet = certificate_code.B45
    out = []
    for i in range(0, len(data) - 1, 2):
        c, n = divmod(data[i] * 256 + data[i + 1], 45 * 45)
        b, a = divmod(n, 45)
        out += [alphabet[a], alphabet[b], alphabet[c]]
    if len(data) % 2:
        b, a = divmod(data[-1], 45)
        out += [alphabet[a], alphabet[b]]
    return "".join(out)


def earlier_code(key: keys.SigningKey, row: dict, id_number: str | None) -> str:
    """The ``TRC1:`` code the previous version printed for a certificate row."""
    serial, course = row["serial"].encode(), row["course_code"].encode()
    days = (dt.date.fromisoformat(row["issued_on"]) - certificate_code.EPOCH).days
    signed = (
        bytes([1, len(serial)]) + serial + bytes([len(course)]) + course
        + struct.pack(">HH", days, round(float(row["hours"]) * 10))
        + certificate_code.earlier_digest(row["trainee_name"], id_number) + key.key_id
    )
    return certificate_code.EARLIER_PREFIX + b45encode(signed + key.sign(signed))


def make_earlier(store: Store, key: keys.SigningKey, serial: str) -> dict:
    """Turn a certificate of ``store`` into one issued by the previous version (its row holds a
    ``TRC1:`` code, as in a database written then); returns the row."""
    row = certificates_q.by_serial(store, serial)
    trainee = store.row("SELECT id_number FROM trainee WHERE id = ?", [row["trainee_id"]])
    code = earlier_code(key, row, trainee["id_number"])
    with store.transaction():
        store.db["certificate"].update(row["id"], {"qr_text": code})
    return certificates_q.by_serial(store, serial)
