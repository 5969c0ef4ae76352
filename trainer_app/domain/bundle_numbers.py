"""Bundle numbers: which a sender may use next, which are missing, and how to write them.

A sender numbers its bundles 1, 2, 3, … A receiver lists what it holds and what is missing as
ranges, computed by one sorted walk over the numbers held: the cost follows the bundles held,
never the size of the largest number (a broken or hostile sender may claim any number).
"""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.i18n import _

# A bundle number may be at most this far past the highest one held from its sender (per
# station and epoch): more would be thousands of bundles lost on the way, which no
# station sends, while gaps and reports must stay small whatever a sender claims.
MAX_AHEAD = 10_000

Range = tuple[int, int]  # first and last number, both included


def acceptable(seq: object, highest_held: int) -> bool:
    """Whether ``seq`` may be a bundle's number when ``highest_held`` (0 for none) is the
    highest number held from the same sender."""
    return type(seq) is int and 1 <= seq <= max(highest_held, 0) + MAX_AHEAD


def lineage(epochs: list[dict], by_epoch: dict[str | None, list[int]]) -> list[int]:
    """The numbers of a station's bundles held along the epoch it lives in now (the newest
    active one of ``epochs``, rows with ``epoch_id``, ``epoch``, ``first_seen``, ``status``,
    ``parent_id``, ``base_seq``, ``restart``), from ``by_epoch`` (numbers held per epoch id,
    ``None`` for bundles without one). Gaps are looked for in these.

    An epoch whose numbers restart counts alone: its numbers are its own. One whose numbers go
    on from its parent's (written by a station before its county read restarted numbers) counts
    with its parent's up to the point it started from, and so on up the line: bundles an earlier
    epoch sent after the point a restore went back to are not missing."""
    active = [e for e in epochs if e["status"] == "active"]
    if not active:
        return sorted(set(by_epoch.get(None, [])))
    parents = {e["epoch_id"]: e for e in epochs}
    current: dict | None = max(active, key=lambda e: (e["epoch"], e["first_seen"]))
    seqs: set[int] = set()
    limit: int | None = None
    while current is not None:
        own = by_epoch.get(current["epoch_id"], [])
        if current["restart"]:
            return sorted(seqs | {s for s in own if limit is None or s <= limit})
        seqs |= {s for s in own if s > current["base_seq"] and (limit is None or s <= limit)}
        limit = current["base_seq"]
        current = parents.get(current["parent_id"]) if current["parent_id"] else None
    return sorted(seqs | {s for s in by_epoch.get(None, []) if limit is None or s <= limit})


def runs(numbers: Iterable[int]) -> list[Range]:
    """Consecutive numbers (1 or more) as ranges: [1, 2, 3, 5] → [(1, 3), (5, 5)]."""
    out: list[Range] = []
    for n in sorted({n for n in numbers if n >= 1}):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def gaps(held: Iterable[int]) -> list[Range]:
    """The numbers below the highest held that are not held: [1, 2, 5, 9] → [(3, 4), (6, 8)]."""
    out: list[Range] = []
    expected = 1
    for first, last in runs(held):
        if first > expected:
            out.append((expected, first - 1))
        expected = last + 1
    return out


def count(ranges: Iterable[Range]) -> int:
    return sum(last - first + 1 for first, last in ranges)


def as_ranges(value: object) -> list[Range]:
    """Ranges read from a receipt: ``[[first, last], …]``, or the single numbers an older county
    hub sent; anything else is left out."""
    out: list[Range] = []
    for item in value if isinstance(value, list) else []:
        if type(item) is int:
            out.append((item, item))
        elif (isinstance(item, list | tuple) and len(item) == 2
              and all(type(n) is int for n in item) and item[0] <= item[1]):
            out.append((item[0], item[1]))
    return out


def text(ranges: Iterable[Range]) -> str:
    """[(1, 3), (5, 5), (7, 8)] → "1–3, 5, 7, 8" (two numbers in a row are written both)."""
    out: list[str] = []
    for first, last in ranges:
        if last - first >= 2:
            out.append(f"{first}–{last}")
        else:
            out.extend(str(n) for n in range(first, last + 1))
    return _(", ").join(out)
