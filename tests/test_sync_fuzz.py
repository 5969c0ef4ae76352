"""Fuzzing the import: real bundles, mutated a bounded number of times, are all refused with a
known reason and leave the receiving database exactly as it was.

The mutations are those of a broken USB stick or a hostile sender: bits flipped anywhere, the
file cut anywhere, data appended, and manifest fields changed to hostile values and signed
again with the sender's own key (what a stolen key allows). Both directions are fuzzed: a
station's bundle at the county, and the county's bundle at a station. The seed is fixed, so a
failure is reproducible; each case names its mutation.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests import test_sync
from tests.test_sync import digest, edit_station, resign
from trainer_app.services import certificates
from trainer_app.store import Store
from trainer_app.sync import bundle, crypto, exchange

template, net = test_sync.template, test_sync.net  # the network of tests/test_sync.py, built here

ROUNDS = 120  # mutations of each kind and direction: 2 x 4 x 120 = 960 imports, a few seconds
KNOWN = set(exchange.REASONS) - {"cancelled"}  # a BundleError's reason, never "unreadable"

Mutation = Callable[[random.Random, bytes, Path, Path], str]


def flip_bits(rng: random.Random, data: bytes, _source: Path, target: Path) -> str:
    out = bytearray(data)
    offsets = [rng.randrange(len(out)) for _ in range(rng.randint(1, 3))]
    for at in offsets:
        out[at] ^= 1 << rng.randrange(8)
    target.write_bytes(bytes(out))
    return f"bits flipped at {offsets}"


def truncate(rng: random.Random, data: bytes, _source: Path, target: Path) -> str:
    size = rng.randrange(len(data))
    target.write_bytes(data[:size])
    return f"cut to {size} of {len(data)} bytes"


def append(rng: random.Random, data: bytes, _source: Path, target: Path) -> str:
    extra = rng.choice([
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
        data[-rng.randint(5, 200):],  # a piece of a frame again
        b"\x00\x00\x00\x00",  # an empty frame
        b"\n",
    ])
    target.write_bytes(data + extra)
    return f"{len(extra)} bytes appended"


def _another_key() -> str:
    return crypto.b64(crypto.raw_public(X25519PrivateKey.generate()))


# Manifest fields and values that must each be refused, whatever the sender signs. (Fields the
# format lets a sender choose freely, such as created_at, full or a new field, are not here.)
EDITS: dict[str, Callable[[random.Random, dict], object]] = {
    "seq": lambda rng, m: rng.choice([0, -1, -(2**63), 10**6, 2**64, "2", None, 1.5, True]),
    "plaintext_size": lambda rng, m: rng.choice(
        [m["plaintext_size"] + 1, m["plaintext_size"] - 1, 0, 2**40, -1, "1", None]),
    "payload_size": lambda rng, m: rng.choice([m["payload_size"] + 1, m["payload_size"] - 1, 0,
                                               -5, 2**70]),
    "payload_sha256": lambda rng, m: rng.choice(["0" * 64, "", 7, m["payload_sha256"].upper()]),
    "counts": lambda rng, m: _hostile_counts(rng, m["counts"]),
    "encryption": lambda rng, m: rng.choice([
        {"scheme": "x448-aes256gcm"}, {"scheme": None}, "none", [],
        {**m["encryption"], "scheme": "none"} if m["kind"] == "station" else {"scheme": 1},
        {**m["encryption"], "scheme": "x25519-chacha20poly1305", "ephemeral_public":
         _another_key(), "recipient_key_id": m["encryption"].get("recipient_key_id")},
        {**m["encryption"], "scheme": "x25519-chacha20poly1305", "ephemeral_public": "%%%"},
        {**m["encryption"], "scheme": "x25519-chacha20poly1305", "ephemeral_public":
         _another_key(), "recipient_key_id": "0badc0de"}]),
    "compression": lambda rng, m: rng.choice(["zstd", None, "", 1]),
    "kind": lambda rng, m: rng.choice(["county" if m["kind"] == "station" else "station", "x",
                                       None]),
    "version": lambda rng, m: rng.choice([2, 0, "1", None]),
    "format": lambda rng, m: rng.choice(["trainer-bundle2", "", None]),
    "sender": lambda rng, m: {**m["sender"], **rng.choice([
        {"site_id": "00000000-0000-7000-8000-000000000000"}, {"site_id": 5},
        {"code": "ZZ02" if m["sender"]["code"] != "ZZ02" else "WP01"}, {"code": None},
        {"sign_public": _another_key()}, {"sign_public": "not base64!"}])},
    "recipient": lambda rng, m: rng.choice([
        {**m["recipient"], "county_site_id": "00000000-0000-7000-8000-000000000001"}, {}, None]),
}


def _hostile_counts(rng: random.Random, counts: dict) -> object:
    table = rng.choice(sorted(counts))
    return rng.choice([
        {}, {**counts, table: counts[table] + rng.randint(1, 5)},
        {**counts, table: counts[table] - 1}, {**counts, table: -1}, {**counts, table: "3"},
        {**counts, "meta": 1}, {**counts, "lesson" if table != "lesson" else "trainee": 3},
        {k: v for k, v in counts.items() if k != table}, [], None,
    ])


def edit_manifest(signer) -> Mutation:
    def mutate(rng: random.Random, _data: bytes, source: Path, target: Path) -> str:
        field = rng.choice(sorted(EDITS))
        original = json.loads(bundle.read_header(source).manifest_bytes)
        value = EDITS[field](rng, copy.deepcopy(original))

        def change(m: dict) -> None:
            m[field] = value

        resign(source, target, signer, change)
        return f"manifest {field} = {value!r}, signed again by the sender"

    return mutate


def fuzz(receiver: Store, source: Path, mutations: dict[str, Mutation], tmp_path: Path,
         seed: int) -> dict[str, int]:
    """Import every mutation of ``source`` at ``receiver``; returns the reasons seen."""
    rng = random.Random(seed)
    data = source.read_bytes()
    target = tmp_path / source.name
    before = digest(receiver)
    seen: dict[str, int] = {}
    for kind, mutate in mutations.items():
        for n in range(ROUNDS):
            what = f"{kind} #{n}: {mutate(rng, data, source, target)}"
            report = exchange.import_file(receiver, target)
            assert report.status == "rejected", (what, report.status)
            assert report.reason in KNOWN, (what, report.reason, report.message)
            assert target.name in report.message and report.new == {}, what
            assert digest(receiver) == before, what
            seen[report.reason] = seen.get(report.reason, 0) + 1
    assert exchange.import_file(receiver, source).status == "applied"  # the original is fine
    return seen


def mutations(signer) -> dict[str, Mutation]:
    return {"flip": flip_bits, "cut": truncate, "append": append,
            "manifest": edit_manifest(signer)}


def test_mutated_station_bundles_are_refused_and_change_nothing(net, tmp_path):
    wp = net.stations["WP01"]
    edit_station(wp, 3)
    source, _ = net.export("WP01")  # bundle 3: a few records, encrypted to the county
    seen = fuzz(net.county, source, mutations(certificates.signing_key(wp)), tmp_path, seed=7)
    assert {"damaged", "truncated", "forged", "inconsistent", "bad_seq"} <= set(seen), seen


def test_mutated_county_bundles_are_refused_at_a_station(net, tmp_path):
    test_sync.import_all(net)
    source, _ = exchange.export(net.county, net.usb)  # signed, not encrypted
    seen = fuzz(net.stations["ZZ02"], source, mutations(certificates.signing_key(net.county)),
                tmp_path, seed=11)
    assert {"damaged", "truncated", "forged", "inconsistent"} <= set(seen), seen


@pytest.mark.parametrize("field", sorted(EDITS))
def test_every_manifest_edit_is_refused(net, tmp_path, field):
    """Each hostile value of each field, not only those the random draw picked."""
    wp = net.stations["WP01"]
    edit_station(wp, 5)
    source, _ = net.export("WP01")
    signer = certificates.signing_key(wp)
    before = digest(net.county)
    values = set()
    rng = random.Random(field)
    original = json.loads(bundle.read_header(source).manifest_bytes)
    for _ in range(40):
        value = EDITS[field](rng, copy.deepcopy(original))
        key = json.dumps(value, sort_keys=True)
        if key in values:
            continue
        values.add(key)
        resign(source, tmp_path / source.name, signer, lambda m, v=value: m.update({field: v}))
        report = exchange.import_file(net.county, tmp_path / source.name)
        assert (report.status, report.reason in KNOWN) == ("rejected", True), (value, report)
        assert digest(net.county) == before, value
    assert exchange.import_file(net.county, source).status == "applied"
