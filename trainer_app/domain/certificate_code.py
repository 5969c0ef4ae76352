"""The signed record inside a certificate's QR code: two layers, see docs/certificate-format.md.

**Record** (what is signed): a canonical binary record, version 2, that holds exactly what is
printed on the certificate and nothing computed from what is not (all integers big-endian)::

    version     1 byte   2
    serial      1 byte length + ASCII        WP01-2026-000123-K
    course      1 byte length + UTF-8        the course code
    issued      2 bytes  days since 2000-01-01
    hours       2 bytes  tenths of an hour
    name        1 byte length + UTF-8        the holder's name as printed
    ID number   1 byte length + ASCII        as printed: 4110**********0120 (`*` hidden)
    key id      4 bytes  which signing key (SHA-256 of the raw public key)[:4]
    signature  64 bytes  Ed25519 over every byte before it

**Text** (how it travels): the record and signature in RFC 4648 base32 without padding
(``A-Z 2-7``, so QR alphanumeric mode, any URL, any keyboard layout a USB scanner types on),
either behind the prefix ``TRC2:`` or as the last path segment after a ``/TRC2/`` segment of an
upper-case https address (``HTTPS://VERIFY.EXAMPLE.CN/C/TRC2/<base32>``). The address is not
signed: it may change without changing any code's signed content.

The earlier format, ``TRC1:`` + base45, bound the holder with an unkeyed
``SHA-256(name|ID number)[:8]``; the printed name and digits leave about a million candidates
for the hidden ones, so that digest gave the full ID number away. It is only read now (old
certificates stay verifiable), never written.

Signing and checking the signature live in :mod:`trainer_app.security.keys`; this module only
packs and unpacks.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import struct
from dataclasses import dataclass

PREFIX = "TRC2:"
URL_MARKER = "/TRC2/"
VERSION = 2
EARLIER_PREFIX = "TRC1:"
EARLIER_VERSION = 1
PREFIXES = (PREFIX, EARLIER_PREFIX)
EPOCH = dt.date(2000, 1, 1)
SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
MASKED_CHARS = frozenset("0123456789X*")
# an https address whose path ends in /TRC2/<base32>: the web form of a code
_URL = re.compile(r"^HTTPS?://[^/\s]+(?:/\S*)?/TRC2/(\S*)$")


class CodeError(ValueError):
    """Text that is not a certificate code of ours (damaged, truncated, or another format)."""


@dataclass(frozen=True)
class CertificateRecord:
    """What a certificate's code signs (format 2): the printed facts, and the signing key."""

    serial: str
    course_code: str
    issued_on: dt.date
    hours: float
    holder_name: str
    id_number_masked: str  # as printed: 4110**********0120; '' when the holder has none
    key_id: bytes

    version = VERSION

    def to_bytes(self) -> bytes:
        """The canonical bytes that are signed (raises :class:`CodeError` for a field that
        does not fit the record)."""
        days = (self.issued_on - EPOCH).days
        tenths = round(self.hours * 10)
        if not (0 <= days <= 0xFFFF and 0 <= tenths <= 0xFFFF):
            raise CodeError("date or hours out of range")
        if not (self.serial.isascii() and set(self.id_number_masked) <= MASKED_CHARS
                and len(self.key_id) == KEY_ID_SIZE):
            raise CodeError("serial, masked ID number or key id")
        return (
            bytes([VERSION]) + _field(self.serial.encode("ascii"))
            + _field(self.course_code.encode("utf-8")) + struct.pack(">HH", days, tenths)
            + _field(self.holder_name.encode("utf-8"))
            + _field(self.id_number_masked.encode("ascii")) + self.key_id
        )


@dataclass(frozen=True)
class EarlierRecord:
    """A format 1 record (``TRC1:``): the holder only as a digest of name and full ID."""

    serial: str
    course_code: str
    issued_on: dt.date
    hours: float
    holder_digest: bytes  # SHA-256(name|ID number)[:8]
    key_id: bytes

    version = EARLIER_VERSION


@dataclass(frozen=True)
class Code:
    """A decoded code: the record, the exact bytes its signature covers, and the signature."""

    record: CertificateRecord | EarlierRecord
    signed: bytes
    signature: bytes


def _field(data: bytes) -> bytes:
    if len(data) > 255:
        raise CodeError("field too long")
    return bytes([len(data)]) + data


def earlier_digest(name: str, id_number: str | None) -> bytes:
    """The holder digest of format 1, to compare an old code with a register's trainee."""
    return hashlib.sha256(f"{name}|{id_number or ''}".encode()).digest()[:8]


# -- the text layer ------------------------------------------------------------------------------
def b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def b32decode(text: str) -> bytes:
    if not set(text) <= set(B32):
        raise CodeError("character outside base32")
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error:
        raise CodeError("truncated base32") from None
    if b32encode(data) != text:  # unused low bits of the last character set: one text a code
        raise CodeError("not canonical base32")
    return data


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


def encode(record: CertificateRecord, signature: bytes) -> str:
    """The code's text form, ``TRC2:`` + base32 of the record and its signature."""
    return PREFIX + b32encode(record.to_bytes() + signature)


def is_code(text: str) -> bool:
    """Whether ``text`` claims to be a certificate code (either format, text or web form)."""
    upper = text.strip().upper()
    return upper.startswith(PREFIXES) or bool(_URL.match(upper))


def decode(text: str) -> Code:
    """Read a code in any form: ``TRC2:…``, an address ending ``/TRC2/…``, or ``TRC1:…``.

    Raises :class:`CodeError` when the text is malformed; the signature is not checked here."""
    upper = text.strip().upper()
    if upper.startswith(PREFIX):
        return _decode_record(b32decode(upper[len(PREFIX) :]))
    web = _URL.match(upper)
    if web:
        return _decode_record(b32decode(web.group(1)))
    if upper.startswith(EARLIER_PREFIX):
        return _decode_earlier(b45decode(upper[len(EARLIER_PREFIX) :]))
    raise CodeError("prefix")


class _Reader:
    """Reads the fields of a record in order; any overrun is a :class:`CodeError`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CodeError("truncated record")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def text(self, encoding: str) -> str:
        try:
            return self.take(self.take(1)[0]).decode(encoding)
        except UnicodeDecodeError:
            raise CodeError("text field") from None

    def head(self, version: int, course_encoding: str) -> tuple[str, str, dt.date, float]:
        if self.take(1)[0] != version:
            raise CodeError("version")
        serial, course = self.text("ascii"), self.text(course_encoding)
        days, tenths = struct.unpack(">HH", self.take(4))
        return serial, course, EPOCH + dt.timedelta(days=days), tenths / 10

    def finish(self, record: CertificateRecord | EarlierRecord) -> Code:
        signed, signature = self.data[: self.pos], self.data[self.pos :]
        if len(signature) != SIGNATURE_SIZE:
            raise CodeError("signature length")
        return Code(record, signed, signature)


def _decode_record(data: bytes) -> Code:
    reader = _Reader(data)
    serial, course, issued_on, hours = reader.head(VERSION, "utf-8")
    name, masked = reader.text("utf-8"), reader.text("ascii")
    if not set(masked) <= MASKED_CHARS:
        raise CodeError("masked ID number")
    record = CertificateRecord(
        serial=serial, course_code=course, issued_on=issued_on, hours=hours, holder_name=name,
        id_number_masked=masked, key_id=reader.take(KEY_ID_SIZE),
    )
    return reader.finish(record)


def _decode_earlier(data: bytes) -> Code:
    reader = _Reader(data)
    serial, course, issued_on, hours = reader.head(EARLIER_VERSION, "ascii")
    record = EarlierRecord(
        serial=serial, course_code=course, issued_on=issued_on, hours=hours,
        holder_digest=reader.take(8), key_id=reader.take(KEY_ID_SIZE),
    )
    return reader.finish(record)
