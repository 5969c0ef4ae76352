"""The signed record inside a certificate's QR code.

Binary layout (all integers big-endian), then base45 (RFC 9285) so the text fits the QR code's
alphanumeric mode, behind the prefix ``TRC1:``::

    version   1 byte   (1)
    serial    1 byte length + ASCII
    course    1 byte length + ASCII course code
    issued    2 bytes  days since 2000-01-01
    hours     2 bytes  tenths of an hour
    holder    8 bytes  SHA-256(name + "|" + ID number)[:8]: proves a name and ID without
                       printing the ID number in the code
    key id    4 bytes  which signing key (SHA-256 of the raw public key)[:4]
    signature 64 bytes Ed25519 over everything before it

About 100 bytes, 160 characters: a version 8-9 QR code, scannable when printed 3 cm wide.
Signing and checking the signature live in :mod:`trainer_app.security.keys`; this module only
packs and unpacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
from dataclasses import dataclass

PREFIX = "TRC1:"
VERSION = 1
EPOCH = dt.date(2000, 1, 1)
SIGNATURE_SIZE = 64
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class CodeError(ValueError):
    """Text that is not a certificate code of ours (damaged, truncated, or another format)."""


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = divmod(n, 45 * 45)
        b, a = divmod(n, 45)
        out += [B45[a], B45[b], B45[c]]
    if len(data) % 2:
        b, a = divmod(data[-1], 45)
        out += [B45[a], B45[b]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [B45.index(ch) for ch in text]
    except ValueError:
        raise CodeError("character outside base45") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise CodeError("base45 group out of range")
            out += n.to_bytes(2, "big")
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise CodeError("base45 group out of range")
            out.append(n)
        else:
            raise CodeError("truncated base45")
    return bytes(out)


def holder_digest(name: str, id_number: str | None) -> bytes:
    return hashlib.sha256(f"{name}|{id_number or ''}".encode()).digest()[:8]


@dataclass(frozen=True)
class CertificateRecord:
    serial: str
    course_code: str
    issued_on: dt.date
    hours: float
    holder: bytes
    key_id: bytes

    def to_bytes(self) -> bytes:
        serial = self.serial.encode("ascii")
        course = self.course_code.encode("ascii")
        days = (self.issued_on - EPOCH).days
        return (
            bytes([VERSION, len(serial)]) + serial + bytes([len(course)]) + course
            + struct.pack(">HH", days, round(self.hours * 10)) + self.holder + self.key_id
        )


def encode(record: CertificateRecord, signature: bytes) -> str:
    return PREFIX + b45encode(record.to_bytes() + signature)


def decode(text: str) -> tuple[CertificateRecord, bytes, bytes]:
    """``(record, signed bytes, signature)``; raises :class:`CodeError` when malformed."""
    text = text.strip()
    if not text.upper().startswith(PREFIX):
        raise CodeError("prefix")
    data = b45decode(text[len(PREFIX) :].upper())
    if len(data) < 2 + SIGNATURE_SIZE or data[0] != VERSION:
        raise CodeError("version or length")
    try:
        pos = 1
        n = data[pos]
        serial = data[pos + 1 : pos + 1 + n].decode("ascii")
        pos += 1 + n
        n = data[pos]
        course = data[pos + 1 : pos + 1 + n].decode("ascii")
        pos += 1 + n
        days, tenths = struct.unpack_from(">HH", data, pos)
        pos += 4
        holder, key_id = data[pos : pos + 8], data[pos + 8 : pos + 12]
        pos += 12
    except (IndexError, UnicodeDecodeError, struct.error):
        raise CodeError("layout") from None
    signed, signature = data[:pos], data[pos:]
    if len(signature) != SIGNATURE_SIZE or len(key_id) != 4:
        raise CodeError("length")
    record = CertificateRecord(
        serial=serial,
        course_code=course,
        issued_on=EPOCH + dt.timedelta(days=days),
        hours=tenths / 10,
        holder=holder,
        key_id=key_id,
    )
    return record, signed, signature
