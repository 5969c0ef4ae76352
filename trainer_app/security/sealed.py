"""A file of named entries sealed with a passphrase: the encrypted backup for a USB stick.

Layout (format version 1)::

    TRAINER-BACKUP 1\\n           magic and version (ASCII)
    {"format": ...}\\n            the header, one line of JSON: what the file is, the KDF and
                                 its salt, a check value of the key; no personal data
    <frame><frame>...            4-byte big-endian length + ChaCha20-Poly1305 sealed bytes

The key is scrypt(passphrase as NFC UTF-8, salt) (64 bytes: the first 32 are the cipher's key,
the SHA-256 of the rest, cut to 16 bytes, is the header's ``check``, so a wrong passphrase is
told apart from a damaged file). Frame *n* is sealed with nonce = 4 zero bytes + *n* (8 bytes
big-endian) and associated data = SHA-256 of the header line + ``F`` (final frame) or ``M`` +
*n*: a frame moved, cut, dropped or added, or a changed header, fails to open.

The plaintext is one zlib stream of entries, each a JSON line ``{"name": ..., "size": N}``
followed by N bytes, and a last line ``{"end": true}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"TRAINER-BACKUP 1\n"
FORMAT = "trainer-backup"
VERSION = 1
FRAME = 1024 * 1024  # compressed bytes per frame
TAG = 16
KDF = {"name": "scrypt", "n": 2**16, "r": 8, "p": 1}  # 64 MiB of memory, ~0.3 s
MAX_N = 2**20  # a header asking for more is refused rather than run
BLOCK = 1024 * 1024


class SealedError(Exception):
    """A sealed file that cannot be opened. ``reason``: ``not_ours``, ``unsupported_version``,
    ``wrong_passphrase``, ``truncated`` or ``damaged``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _derive(passphrase: str, salt: bytes, kdf: dict) -> tuple[bytes, bytes]:
    secret = unicodedata.normalize("NFC", passphrase).encode()
    material = Scrypt(salt=salt, length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(secret)
    return material[:32], hashlib.sha256(material[32:]).digest()[:16]


def _nonce(n: int) -> bytes:
    return b"\0\0\0\0" + n.to_bytes(8, "big")


def _aad(header_hash: bytes, n: int, final: bool) -> bytes:
    return header_hash + (b"F" if final else b"M") + n.to_bytes(8, "big")


# -- writing ---------------------------------------------------------------------------------
Entry = tuple[str, Path | bytes]  # a name and a file to read, or the bytes themselves


def write(out: BinaryIO, passphrase: str, header: dict, entries: Iterable[Entry],
          progress: Callable[[int], None] | None = None) -> None:
    """Write the sealed file to ``out``; ``header`` adds fields to the header (no secrets).
    ``progress(bytes)`` is told how many bytes of entries were read so far."""
    salt = os.urandom(16)
    key, check = _derive(passphrase, salt, KDF)
    line = json.dumps(
        {**header, "format": FORMAT, "version": VERSION, "cipher": "chacha20poly1305",
         "kdf": {**KDF, "salt": base64.b64encode(salt).decode()},
         "check": base64.b64encode(check).decode()},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    ).encode()
    out.write(MAGIC + line + b"\n")
    sealer = _Sealer(out, ChaCha20Poly1305(key), hashlib.sha256(line).digest())
    squeeze = zlib.compressobj(6)
    done = 0
    for name, source in entries:
        data_size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        sealer.add(squeeze.compress(
            json.dumps({"name": name, "size": data_size}).encode() + b"\n"))
        for block in _blocks(source):
            sealer.add(squeeze.compress(block))
            done += len(block)
            if progress is not None:
                progress(done)
    sealer.add(squeeze.compress(b'{"end":true}\n') + squeeze.flush())
    sealer.finish()


def _blocks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        yield source
        return
    with Path(source).open("rb") as fh:
        while block := fh.read(BLOCK):
            yield block


class _Sealer:
    def __init__(self, out: BinaryIO, aead: ChaCha20Poly1305, header_hash: bytes) -> None:
        self._out = out
        self._aead = aead
        self._hash = header_hash
        self._buffer = bytearray()
        self._n = 0

    def add(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > FRAME:  # strictly more: the last frame is written by finish
            self._seal(bytes(self._buffer[:FRAME]), final=False)
            del self._buffer[:FRAME]

    def finish(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._n), plain, _aad(self._hash, self._n, final))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._n += 1


# -- reading ---------------------------------------------------------------------------------
def read_header(fh: BinaryIO) -> tuple[dict, bytes]:
    """The header and its line; the position is left at the first frame."""
    first = fh.readline(64)
    if first != MAGIC:
        if first.startswith(b"TRAINER-BACKUP "):
            raise SealedError("unsupported_version")
        raise SealedError("not_ours")
    line = fh.readline(64 * 1024)
    if not line.endswith(b"\n"):
        raise SealedError("truncated" if len(line) < 64 * 1024 else "damaged")
    line = line[:-1]
    try:
        header = json.loads(line)
        kdf = header["kdf"]
        ok = (header["format"] == FORMAT and kdf["name"] == "scrypt"
              and all(isinstance(kdf[k], int) for k in ("n", "r", "p")))
    except (ValueError, KeyError, TypeError):
        raise SealedError("damaged") from None
    if not ok:
        raise SealedError("damaged")
    if header.get("version") != VERSION or header.get("cipher") != "chacha20poly1305":
        raise SealedError("unsupported_version")
    if not (1 < kdf["n"] <= MAX_N and 0 < kdf["r"] <= 32 and 0 < kdf["p"] <= 16):
        raise SealedError("damaged")
    return header, line


Sink = Callable[[str, int], BinaryIO]  # (name, size) -> where to write the entry's bytes


def read(fh: io.BufferedReader, passphrase: str, sink: Sink) -> dict:
    """Open the sealed file and write each entry into ``sink(name, size)``; returns the header.

    Raises :class:`SealedError`; the caller must not use what the sinks received unless this
    returns (only then was every byte authenticated, up to the final frame)."""
    header, line = read_header(fh)
    try:
        salt = base64.b64decode(header["kdf"]["salt"], validate=True)
        expected = base64.b64decode(header["check"], validate=True)
    except (ValueError, KeyError, TypeError):
        raise SealedError("damaged") from None
    key, check = _derive(passphrase, salt, header["kdf"])
    if not hmac.compare_digest(check, expected):
        raise SealedError("wrong_passphrase")
    parser = _EntryParser(sink)
    inflate = zlib.decompressobj()
    try:
        for plain in _open_frames(fh, ChaCha20Poly1305(key), hashlib.sha256(line).digest()):
            parser.feed(inflate.decompress(plain))
        parser.feed(inflate.flush())
    except zlib.error:
        raise SealedError("damaged") from None
    if not inflate.eof or not parser.ended or inflate.unused_data:
        raise SealedError("damaged")
    return header


def _open_frames(fh: io.BufferedReader, aead: ChaCha20Poly1305,
                 header_hash: bytes) -> Iterator[bytes]:
    n = 0
    while True:
        prefix = fh.read(4)
        if len(prefix) < 4:
            raise SealedError("truncated")
        size = struct.unpack(">I", prefix)[0]
        if not TAG <= size <= FRAME + TAG:
            raise SealedError("damaged")
        sealed = fh.read(size)
        if len(sealed) < size:
            raise SealedError("truncated")
        final = not fh.peek(1)
        try:
            plain = aead.decrypt(_nonce(n), sealed, _aad(header_hash, n, final))
        except InvalidTag:
            try:  # a frame sealed as final but followed by more bytes, or not final but last
                aead.decrypt(_nonce(n), sealed, _aad(header_hash, n, not final))
            except InvalidTag:
                raise SealedError("damaged") from None
            raise SealedError("truncated" if final else "damaged") from None
        yield plain
        if final:
            return
        n += 1


class _EntryParser:
    """Splits the plaintext into entries: a JSON line, then that many bytes."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._pending = bytearray()
        self._target: BinaryIO | None = None
        self._left = 0
        self.ended = False

    def feed(self, data: bytes) -> None:
        self._pending += data
        while self._pending:
            if self.ended:
                raise SealedError("damaged")
            if self._target is not None:
                chunk = bytes(self._pending[: self._left])
                self._target.write(chunk)
                del self._pending[: len(chunk)]
                self._left -= len(chunk)
                if self._left == 0:
                    self._target = None
                continue
            end = self._pending.find(b"\n")
            if end < 0:
                if len(self._pending) > 64 * 1024:
                    raise SealedError("damaged")
                return
            self._entry(bytes(self._pending[:end]))
            del self._pending[: end + 1]

    def _entry(self, line: bytes) -> None:
        try:
            entry = json.loads(line)
        except ValueError:
            raise SealedError("damaged") from None
        if entry.get("end") is True:
            self.ended = True
            return
        name, size = entry.get("name"), entry.get("size")
        if not isinstance(name, str) or not isinstance(size, int) or size < 0:
            raise SealedError("damaged")
        self._target = self._sink(name, size)
        self._left = size
        if size == 0:
            self._target = None
