"""The station's Ed25519 signing key.

The private key is a PKCS#8 PEM file ``keys/<site id>.ed25519.pem`` in the user data folder,
readable by the owner only; it never enters the database, a backup for others or a sync file.
The public key is recorded in the database (table ``site_key``) so certificates can be checked
by anyone holding the database, and later by the county.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainer_app import paths
from trainer_app.files import write_atomic_bytes


def key_id(public_raw: bytes) -> bytes:
    return hashlib.sha256(public_raw).digest()[:4]


def fingerprint(public_raw: bytes) -> str:
    """A short, readable fingerprint to compare on two screens: ``3F2A-91C0-...``."""
    digest = hashlib.sha256(public_raw).hexdigest().upper()[:20]
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode()

    @property
    def key_id(self) -> bytes:
        return key_id(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def verify(public_raw: bytes, data: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def key_dir() -> Path:
    return paths.data_dir() / "keys"


def key_path(site_id: str) -> Path:
    return key_dir() / f"{site_id}.ed25519.pem"


def load(site_id: str) -> SigningKey | None:
    path = key_path(site_id)
    if not path.exists():
        return None
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return SigningKey(private)


def create(site_id: str) -> SigningKey:
    """Make a new key pair and write the private key, readable by its owner only."""
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(folder, 0o700)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic_bytes(key_path(site_id), pem, mode=0o600)
    return SigningKey(private)


def public_from_b64(text: str) -> bytes:
    return base64.b64decode(text)
