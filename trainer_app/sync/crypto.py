"""Encryption of bundle payloads to the county's X25519 key.

Each bundle uses a fresh (ephemeral) X25519 key; the shared secret with the county's key goes
through HKDF-SHA256 to a ChaCha20-Poly1305 key. The payload is cut into frames of at most
:data:`FRAME` bytes, each sealed with its counter as nonce and a final-frame flag in the
associated data, so a reordered, dropped or truncated frame fails to open.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trainer_app.files import write_atomic_bytes

FRAME = 256 * 1024
INFO = b"trainer-bundle-v1"


def raw_public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:8]


def _derive(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + ephemeral_pub + recipient_pub
    ).derive(shared)


def _nonce(counter: int) -> bytes:
    return b"\0\0\0\0" + counter.to_bytes(8, "big")


def _aad(counter: int, final: bool) -> bytes:
    return (b"F" if final else b"M") + counter.to_bytes(8, "big")


class Sealer:
    """Encrypts frames for one recipient; ``ephemeral_public`` goes into the manifest."""

    def __init__(self, recipient_pub: bytes) -> None:
        ephemeral = X25519PrivateKey.generate()
        self.ephemeral_public = raw_public(ephemeral)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_pub))
        self._aead = ChaCha20Poly1305(_derive(shared, self.ephemeral_public, recipient_pub))
        self._counter = 0

    def seal(self, plain: bytes, final: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._counter), plain, _aad(self._counter, final))
        self._counter += 1
        return sealed


class Opener:
    def __init__(self, private: X25519PrivateKey, ephemeral_pub: bytes) -> None:
        recipient_pub = raw_public(private)
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        self._aead = ChaCha20Poly1305(_derive(shared, ephemeral_pub, recipient_pub))
        self._counter = 0

    def open(self, sealed: bytes, final: bool) -> bytes:
        """Raises cryptography's InvalidTag when the frame was altered or is out of place."""
        plain = self._aead.decrypt(_nonce(self._counter), sealed, _aad(self._counter, final))
        self._counter += 1
        return plain


# -- the county's encryption key, a file beside its signing key --------------------------------
def key_path(folder: Path, site_id: str) -> Path:
    return folder / f"{site_id}.x25519.pem"


def load_or_create(folder: Path, site_id: str) -> X25519PrivateKey:
    path = key_path(folder, site_id)
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, X25519PrivateKey):
            raise ValueError(f"{path} does not hold an X25519 key")
        return key
    folder.mkdir(parents=True, exist_ok=True)
    key = X25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic_bytes(path, pem, mode=0o600)
    return key


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def frames(data: bytes, size: int = FRAME) -> Iterator[tuple[bytes, bool]]:
    """Cut ``data`` into frames; yields (frame, is_final). Empty data is one empty final frame."""
    if not data:
        yield b"", True
        return
    for start in range(0, len(data), size):
        yield data[start : start + size], start + size >= len(data)
