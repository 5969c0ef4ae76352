"""The bundle file: a self-describing, signed, compressed and encrypted sync file.

Layout (see docs/bundle-format.md)::

    TRAINER-BUNDLE 1\\n          magic and format version
    {manifest JSON}\\n           one line, UTF-8, readable with `sed -n 2p FILE`
    <base64 Ed25519 signature>\\n over the manifest line's bytes
    frames...                    each: 4-byte big-endian length, then the frame

The payload is JSON lines ``{"t": table, "r": row}``, zlib-compressed, cut into frames, each
sealed with ChaCha20-Poly1305 (:mod:`trainer_app.sync.crypto`) when the manifest says so. The
manifest carries the SHA-256 and size of the frames, so the signature covers the payload too.

Reading is streamed: the file is never held in memory whole, only a regular file is opened
(a pipe named like a bundle would block), the work is bounded by what the signed manifest
declares (records per table, bytes before compression) and the content must match it exactly,
and nothing in a bundle names a file path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag

from trainer_app.files import NotRegularFile, atomic_writer, open_regular
from trainer_app.security import keys
from trainer_app.sync import crypto

MAGIC = b"TRAINER-BUNDLE 1\n"
FORMAT_VERSION = 1
SUFFIX = ".trbundle"


@dataclass(frozen=True)
class Limits:
    file_size: int = 512 * 1024 * 1024  # bytes on disk
    manifest_size: int = 64 * 1024
    frame_size: int = crypto.FRAME + 64
    plaintext_size: int = 4 * 1024 * 1024 * 1024  # after decompression
    line_size: int = 1024 * 1024  # one record


DEFAULT_LIMITS = Limits()


class BundleError(Exception):
    """A bundle that cannot be used. ``reason`` is a stable code (for tests and reports):
    damaged, truncated, forged, unknown_station, not_approved, unsupported_version, too_large,
    wrong_recipient, invalid_record, not_a_bundle, not_a_file, not_encrypted, bad_seq,
    inconsistent."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Header:
    manifest: dict
    manifest_bytes: bytes
    signature: bytes
    payload_offset: int


def open_file(path: Path) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file (``not_a_file`` otherwise)."""
    try:
        return open_regular(Path(path))
    except NotRegularFile:
        raise BundleError("not_a_file", "a pipe, device, socket or folder") from None


def _size(fh: BinaryIO) -> int:
    return os.fstat(fh.fileno()).st_size


def read_header(path: Path, limits: Limits = DEFAULT_LIMITS) -> Header:
    """The manifest and signature, checked for shape only (no keys needed)."""
    with open_file(path) as fh:
        size = _size(fh)
        if size > limits.file_size:
            raise BundleError("too_large", f"{size} bytes")
        magic = fh.read(len(MAGIC))
        if magic != MAGIC:
            if len(magic) < len(MAGIC) and MAGIC.startswith(magic):
                raise BundleError("truncated", "magic line")
            if magic.startswith(b"TRAINER-BUNDLE "):
                raise BundleError("unsupported_version", magic.decode("ascii", "replace").strip())
            raise BundleError("not_a_bundle")
        manifest_line = fh.readline(limits.manifest_size + 1)
        if not manifest_line.endswith(b"\n"):
            raise BundleError("too_large" if len(manifest_line) > limits.manifest_size
                              else "truncated", "manifest")
        signature_line = fh.readline(SIGNATURE_LINE_MAX)
        if not signature_line.endswith(b"\n"):
            # end of file: cut short; a full-length line without its end: damaged
            raise BundleError("truncated" if len(signature_line) < SIGNATURE_LINE_MAX
                              else "damaged", "signature")
        offset = fh.tell()
    manifest_bytes = manifest_line[:-1]
    try:
        manifest = json.loads(manifest_bytes)
        signature = crypto.unb64(signature_line[:-1].decode("ascii"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BundleError("damaged", "manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "trainer-bundle":
        raise BundleError("not_a_bundle")
    if manifest.get("version") != FORMAT_VERSION:
        raise BundleError("unsupported_version", str(manifest.get("version")))
    _check_manifest(manifest)
    return Header(manifest, manifest_bytes, signature, offset)


SIGNATURE_LINE_MAX = 200
SCHEMES = ("none", "x25519-chacha20poly1305")


def _check_manifest(m: dict) -> None:
    """The fields import relies on, with their types: a manifest without them is damaged (or,
    for an encryption or compression this version does not know, of an unsupported version)."""

    def need(container: dict, name: str, kind: type, where: str = "") -> Any:
        value = container.get(name)
        if not isinstance(value, kind) or isinstance(value, bool) or (
                kind is int and value < 0):
            raise BundleError("damaged", f"manifest field {where}{name}")
        return value

    need(m, "kind", str)
    sender = need(m, "sender", dict)
    for name in ("site_id", "code", "sign_public"):
        need(sender, name, str, "sender.")
    need(m, "recipient", dict)
    for name in ("payload_size", "plaintext_size"):
        need(m, name, int)
    if type(m.get("seq")) is not int:  # its value is checked once the signature is
        raise BundleError("damaged", "manifest field seq")
    need(m, "payload_sha256", str)
    counts = need(m, "counts", dict)
    for table in counts:
        need(counts, table, int, "counts.")
    encryption = need(m, "encryption", dict)
    scheme = need(encryption, "scheme", str, "encryption.")
    if scheme not in SCHEMES:
        raise BundleError("unsupported_version", f"encryption {scheme}")
    if scheme != "none":
        need(encryption, "ephemeral_public", str, "encryption.")
    if m.get("compression") != "zlib":
        raise BundleError("unsupported_version", f"compression {m.get('compression')}")


def check_signature(header: Header, public_raw: bytes) -> None:
    if not keys.verify(public_raw, header.manifest_bytes, header.signature):
        raise BundleError("forged", "signature")


def check_payload(path: Path, header: Header) -> None:
    """Compare the payload's size and SHA-256 with the (signed) manifest before anything in it
    is decrypted or parsed: a cut file is ``truncated``, any changed byte ``damaged``."""
    manifest = header.manifest
    with open_file(path) as fh:
        size = _size(fh) - header.payload_offset
        if size < manifest["payload_size"]:
            raise BundleError("truncated", f"payload {size} of {manifest['payload_size']} bytes")
        if size > manifest["payload_size"]:
            raise BundleError("damaged", "bytes after the payload")
        digest = hashlib.sha256()
        fh.seek(header.payload_offset)
        while block := fh.read(1024 * 1024):
            digest.update(block)
    if digest.hexdigest() != manifest["payload_sha256"]:
        raise BundleError("damaged", "payload hash")


def records(
    path: Path, header: Header, opener: crypto.Opener | None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[str, dict]]:
    """The records of a bundle whose signature was checked, streamed.

    The payload's size and hash are compared with the manifest first (one extra read of the
    file, no decryption), and again while reading, so a file that changes in between is caught
    too. The work is bounded by what the signed manifest declares: reading stops as soon as
    the records pass the counts per table or the bytes pass ``plaintext_size``, and the end
    must match both exactly, with nothing after the compressed stream (``inconsistent``). A
    caller therefore applies nothing before the iterator finished without error."""
    manifest = header.manifest
    encrypted = manifest["encryption"]["scheme"] == "x25519-chacha20poly1305"
    if encrypted and opener is None:
        raise BundleError("wrong_recipient", "no key to decrypt")
    declared_size = manifest["plaintext_size"]
    if declared_size > limits.plaintext_size:
        raise BundleError("too_large", "after decompression")
    declared = {table: n for table, n in manifest["counts"].items() if n}
    seen: dict[str, int] = {}

    def counted(items: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        for table, _row in items:
            n = seen[table] = seen.get(table, 0) + 1
            if n > declared.get(table, 0):
                raise BundleError("inconsistent", f"more {table} records than the manifest "
                                                  "counts")
        return items

    check_payload(path, header)
    digest = hashlib.sha256()
    decompressor = zlib.decompressobj()
    produced = 0
    pending = b""
    payload_size = 0
    with open_file(path) as fh:
        fh.seek(header.payload_offset)
        while True:
            size_bytes = fh.read(4)
            if not size_bytes:
                break
            if len(size_bytes) < 4:
                raise BundleError("truncated", "frame header")
            (length,) = struct.unpack(">I", size_bytes)
            if length > limits.frame_size:
                raise BundleError("too_large", "frame size")
            frame = fh.read(length)
            if len(frame) < length:
                raise BundleError("truncated", "frame")
            digest.update(size_bytes + frame)
            payload_size += 4 + length
            final = not fh.peek(1)
            if encrypted:
                try:
                    frame = opener.open(frame, final)  # type: ignore[union-attr]
                except InvalidTag:
                    raise BundleError("damaged", "a frame does not decrypt") from None
            try:
                chunk = decompressor.decompress(frame, limits.line_size * 4)
                while True:
                    produced += len(chunk)
                    if produced > declared_size:
                        raise BundleError("inconsistent", "more data after decompression than "
                                                          "the manifest's plaintext_size")
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    yield from counted(_records(lines))
                    if len(pending) > limits.line_size:
                        raise BundleError("too_large", "record")
                    if not decompressor.unconsumed_tail:
                        break
                    chunk = decompressor.decompress(
                        decompressor.unconsumed_tail, limits.line_size * 4
                    )
            except zlib.error:
                raise BundleError("damaged", "compression") from None
            if decompressor.unused_data:  # a second stream, or anything else, after the end
                raise BundleError("inconsistent", "data after the end of the compressed stream")
    if not decompressor.eof:
        raise BundleError("truncated", "payload")
    if pending.strip():
        yield from counted([_record(pending)])
    if payload_size != manifest["payload_size"] or digest.hexdigest() != manifest[
        "payload_sha256"
    ]:
        raise BundleError("damaged", "payload hash")
    if produced != declared_size:
        raise BundleError("inconsistent", f"{produced} bytes after decompression, the manifest "
                                          f"says {declared_size}")
    if seen != declared:
        raise BundleError("inconsistent", "fewer records than the manifest counts")


def _records(lines: list[bytes]) -> list[tuple[str, dict]]:
    """Decode many lines with one ``json.loads`` (twice as fast as one call a line); any doubt
    and they are decoded one by one, which names the fault."""
    if not lines:
        return []
    try:
        items = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        items = None
    if isinstance(items, list) and len(items) == len(lines) and all(
        type(i) is dict and type(i.get("t")) is str and type(i.get("r")) is dict for i in items
    ):
        return [(i["t"], i["r"]) for i in items]
    return [_record(line) for line in lines]


def _record(line: bytes) -> tuple[str, dict]:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        raise BundleError("invalid_record", "not JSON") from None
    if not isinstance(item, dict) or not isinstance(item.get("t"), str) or not isinstance(
        item.get("r"), dict
    ):
        raise BundleError("invalid_record", "shape")
    return item["t"], item["r"]


def write(
    path: Path,
    manifest: dict,
    items: Iterable[tuple[str, dict]],
    signer: keys.SigningKey,
    recipient_pub: bytes | None,
    progress: Callable[[int], None] | None = None,
    before_replace: Callable[[Path, dict], None] | None = None,
) -> dict:
    """Write a bundle atomically (:func:`trainer_app.files.atomic_writer`), checked before the
    rename: its signature, size and hash read back from the disk.

    ``manifest`` gets the counts, sizes, hash and encryption fields added; returns it.
    ``before_replace(tmp, manifest)`` runs with the complete, checked temporary file just before
    it is renamed into place (the exporter records the bundle's number and hash there).
    """
    path = Path(path)
    counts: dict[str, int] = {}
    sealer = crypto.Sealer(recipient_pub) if recipient_pub else None
    digest = hashlib.sha256()
    payload_size = plain_size = 0
    # The payload goes to an anonymous temporary file on the local disk (gone with the process,
    # however it ends): only the final file's short copy touches the target's drive.
    with tempfile.TemporaryFile() as out:
        compressor = zlib.compressobj(6)
        buffer = b""
        pending: bytes | None = None

        def emit(frame: bytes, final: bool) -> None:
            nonlocal payload_size
            sealed = sealer.seal(frame, final) if sealer else frame
            block = struct.pack(">I", len(sealed)) + sealed
            digest.update(block)
            out.write(block)
            payload_size += len(block)

        for n, (table, row) in enumerate(items, 1):
            line = json.dumps({"t": table, "r": row}, ensure_ascii=False,
                              separators=(",", ":")).encode() + b"\n"
            plain_size += len(line)
            counts[table] = counts.get(table, 0) + 1
            buffer += compressor.compress(line)
            while len(buffer) >= crypto.FRAME:
                if pending is not None:
                    emit(pending, False)
                pending, buffer = buffer[: crypto.FRAME], buffer[crypto.FRAME :]
            if progress and n % 5000 == 0:
                progress(n)
        buffer += compressor.flush()
        while buffer:
            if pending is not None:
                emit(pending, False)
            pending, buffer = buffer[: crypto.FRAME], buffer[crypto.FRAME :]
        emit(pending or b"", True)
        manifest = {
            **manifest,
            "format": "trainer-bundle",
            "version": FORMAT_VERSION,
            "counts": counts,
            "compression": "zlib",
            "plaintext_size": plain_size,
            "payload_size": payload_size,
            "payload_sha256": digest.hexdigest(),
            "encryption": (
                {"scheme": "x25519-chacha20poly1305",
                 "ephemeral_public": crypto.b64(sealer.ephemeral_public),
                 "recipient_key_id": crypto.key_id(recipient_pub)}  # type: ignore[arg-type]
                if sealer else {"scheme": "none"}
            ),
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")).encode()
        signature = signer.sign(manifest_bytes)
        out.seek(0)

        def hand_over(tmp: Path) -> None:
            verify_written(tmp, signer.public_raw)
            if before_replace:
                before_replace(tmp, manifest)

        with atomic_writer(path, before_replace=hand_over) as final:
            final.write(MAGIC + manifest_bytes + b"\n" + crypto.b64(signature).encode() + b"\n")
            shutil.copyfileobj(out, final, 1024 * 1024)
    return manifest


def verify_written(path: Path, public_raw: bytes) -> None:
    """Read a written bundle back: signature, frame structure, size and hash (no decryption:
    the sender cannot open what it sealed for the county)."""
    header = read_header(path)
    check_signature(header, public_raw)
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        fh.seek(header.payload_offset)
        while block := fh.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    if size != header.manifest["payload_size"] or digest.hexdigest() != header.manifest[
        "payload_sha256"
    ]:
        raise BundleError("damaged", "read back differs from what was written")
