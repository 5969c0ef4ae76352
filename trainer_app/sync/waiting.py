"""Bundles of stations whose key is not approved yet, waiting as files for the coordinator.

A new station's first bundle carries its key. Until the coordinator approves that key after
comparing fingerprints with the station operator, its bundles wait as files in
``pending_dir()/<CODE>/`` (the database does not change). Anyone who knows a station's code can
send a bundle under it, so several keys may wait for one code: each is listed with its
fingerprint, when it first came and how (a file imported from a USB stick or folder, or an
upload to the hub); the coordinator approves the right one (the others' bundles are then
deleted: they can never be applied) or discards a wrong one.

A copy is named as the station named its file; when a bundle of another key already waits
under that name, the copy's name gets that key's id (``WP01-00001.3f2a91c0.trbundle``). A small
``inbox/arrivals/<CODE>/<file>.arrival`` file says when and how each copy came (copies kept by
earlier versions have none: their file's time is used, and how is unknown).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app import paths
from trainer_app.files import copy_atomic, same_content, sweep, write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services.errors import ServiceError
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, crypto

ARRIVAL = ".arrival"
VIA_FILE, VIA_UPLOAD = "file", "upload"


def pending_dir() -> Path:
    return paths.data_dir() / "inbox" / "pending"


def folder_of(code: str) -> Path:
    return pending_dir() / code.upper()


def _arrival_path(path: Path) -> Path:
    return pending_dir().parent / "arrivals" / path.parent.name / (path.name + ARRIVAL)


@dataclass
class WaitingKey:
    """One key waiting for a station's approval, with the bundles that carry it."""

    fingerprint: str
    sign_public: str  # base64, as in the bundles' manifests
    site_id: str
    first_at: str  # ISO time the first of its bundles came
    via: list[str] = field(default_factory=list)  # "file", "upload" (or "" when unknown)
    files: list[Path] = field(default_factory=list)
    size: int = 0

    def as_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "first_at": self.first_at, "via": self.via,
                "bundles": len(self.files), "size": self.size, "site_id": self.site_id}


def via_label(via: str) -> str:
    return {VIA_FILE: _("file (USB stick or folder)"), VIA_UPLOAD: _("upload to the hub")}.get(
        via, _("unknown"))


def bundles(code: str) -> list[Path]:
    folder = folder_of(code)
    return sorted(folder.glob(f"*{bundle.SUFFIX}")) if folder.is_dir() else []


def _sender(path: Path) -> dict | None:
    try:
        sender = bundle.read_header(path).manifest["sender"]
        crypto.unb64(sender["sign_public"])
        return sender
    except (bundle.BundleError, OSError, KeyError, ValueError, TypeError):
        return None


def _arrival(path: Path) -> dict:
    try:
        data = json.loads(_arrival_path(path).read_text("utf-8"))
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    try:
        when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        when = dt.datetime.now(dt.UTC)
    return {"received_at": when.isoformat(timespec="milliseconds"), "via": []}


def keys_of(code: str) -> list[WaitingKey]:
    """The keys waiting for ``code``, oldest first (bundles that cannot be read are left out)."""
    found: dict[str, WaitingKey] = {}
    for path in bundles(code):
        sender = _sender(path)
        if sender is None:
            continue
        arrival = _arrival(path)
        key = found.get(sender["sign_public"])
        if key is None:
            key = found[sender["sign_public"]] = WaitingKey(
                fingerprint=keys.fingerprint(crypto.unb64(sender["sign_public"])),
                sign_public=sender["sign_public"], site_id=str(sender.get("site_id", "")),
                first_at=str(arrival.get("received_at", "")))
        key.first_at = min(key.first_at, str(arrival.get("received_at", "")))
        for via in _vias(arrival) or [""]:
            if via not in key.via:
                key.via.append(via)
        key.files.append(path)
        with contextlib.suppress(OSError):
            key.size += path.stat().st_size
    return sorted(found.values(), key=lambda k: k.first_at)


def plain(fingerprint: str) -> str:
    """A fingerprint as typed (any case, groups split by dashes, spaces or nothing, in
    full-width characters as a Chinese input method types them)."""
    return "".join(c for c in unicodedata.normalize("NFKC", fingerprint).upper()
                   if c.isascii() and c.isalnum())


def find(code: str, fingerprint: str) -> WaitingKey | None:
    wanted = plain(fingerprint)
    return next((k for k in keys_of(code) if wanted and plain(k.fingerprint) == wanted), None)


def is_copy(path: Path, code: str) -> bool:
    """Whether ``path`` is one of the copies waiting for ``code``."""
    return Path(path).resolve().parent == folder_of(code).resolve()


def _alternative(name: str, sign_public_raw: bytes) -> str:
    """The name of a copy whose own name another key's bundle took first."""
    key_id = keys.key_id(sign_public_raw).hex()[:8]
    return f"{name[: -len(bundle.SUFFIX)]}.{key_id}{bundle.SUFFIX}"


def holds(code: str, name: str, sign_public_raw: bytes) -> bool:
    """Whether a bundle named ``name`` carrying this key waits for ``code``."""
    names = {Path(name).name, _alternative(Path(name).name, sign_public_raw)}
    return any(crypto.unb64(k.sign_public) == sign_public_raw and
               any(p.name in names for p in k.files) for k in keys_of(code))


def tidy() -> None:
    """Remove what a crashed import left half-copied in the pending folders."""
    for folder in (pending_dir().glob("*") if pending_dir().is_dir() else []):
        sweep(folder)
    sweep(pending_dir().parent / "arrivals")


def keep(path: Path, code: str, via: str = VIA_FILE) -> Path:
    """Keep a copy of a waiting bundle (written atomically, with its arrival beside it). The
    same file again changes nothing; a different copy under the same name from the same key (a
    damaged one kept before) is replaced; another key's never is."""
    folder = folder_of(code)
    folder.mkdir(parents=True, exist_ok=True)
    for kept in bundles(code):  # the same file again, under whatever name: only how it came
        if same_content(path, kept):
            _note_arrival(kept, via)
            return kept
    sender = _sender(path) or {}
    target = folder / path.name
    if target.exists():
        other = _sender(target)
        if other is not None and other.get("sign_public") != sender.get("sign_public"):
            target = folder / _alternative(path.name, crypto.unb64(sender["sign_public"]))
    _note_arrival(target, via, fresh=True)
    copy_atomic(path, target)
    return target


def _note_arrival(path: Path, via: str, fresh: bool = False) -> None:
    arrival = {"received_at": utc_now(), "via": []} if fresh else _arrival(path)
    vias = _vias(arrival)
    if via in vias and not fresh:
        return
    arrival["via"] = [*vias, via]
    _arrival_path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic_bytes(_arrival_path(path), json.dumps(arrival).encode())


def _vias(arrival: dict) -> list[str]:
    via = arrival.get("via") or []
    return [str(v) for v in (via if isinstance(via, list) else [via])]


def remove(path: Path) -> None:
    """Delete a waiting copy and its arrival."""
    path.unlink(missing_ok=True)
    _arrival_path(path).unlink(missing_ok=True)


def discard(code: str, fingerprint: str) -> WaitingKey:
    """Delete every waiting bundle of ``code`` that carries the key with ``fingerprint``."""
    key = find(code, fingerprint)
    if key is None:
        raise NoSuchKey(code, fingerprint)
    for path in key.files:
        remove(path)
    return key


class NoSuchKey(ServiceError):
    def __init__(self, code: str, fingerprint: str) -> None:
        self.code, self.fingerprint = code, fingerprint
        waiting = [k.fingerprint for k in keys_of(code)]
        text = _("No key with the fingerprint {fingerprint} is waiting for station {code}.")
        text = text.format(fingerprint=fingerprint, code=code)
        if waiting:
            text += " " + _("Waiting: {fingerprints}.").format(fingerprints=", ".join(waiting))
        super().__init__(text)


class ChooseKey(ServiceError):
    """Several keys wait for one station: approving must name one."""

    def __init__(self, code: str, waiting: list[WaitingKey]) -> None:
        self.code, self.waiting = code, waiting
        super().__init__(_(
            "{n} different keys are waiting for station {code} ({fingerprints}): only one is "
            "the station's. Approve the one whose fingerprint the station operator reads out, "
            "and discard the others.").format(
                n=len(waiting), code=code,
                fingerprints=", ".join(k.fingerprint for k in waiting)))
