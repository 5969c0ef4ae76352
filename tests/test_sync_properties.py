"""Merge order, as a property: random edits at two stations make several bundles; the county
holds the same synced tables whichever order it imports them in, duplicates included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_sync import STATION_OWNED, build, count, synced_digest
from trainer_app.domain import idcard
from trainer_app.domain.models import Trainee
from trainer_app.services import attendance, classes, trainees
from trainer_app.store import Store
from trainer_app.sync import exchange

PLAN = {"AA01": (12, 101), "BB02": (12, 202)}
CODES = list(PLAN)
# ID numbers both stations may register (the same person at two stations), and a spare one
# for swapping two trainees' numbers; demo trainees are born 1960-2005, these are not.
POOL = [idcard.make("411025", dt.date(1950, 1, 1 + k), k, "MF"[k % 2]) for k in range(4)]
SPARE = idcard.make("411025", dt.date(1949, 12, 31), 0, "M")
STATUSES = ("present", "late", "excused", "absent")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        yield build(tmp_path_factory.mktemp("prop") / "net", PLAN, mp)


station = st.sampled_from(CODES)
index = st.integers(0, 10_000)
operation = st.one_of(
    st.tuples(st.just("register"), station, st.integers(0, len(POOL) - 1)),
    st.tuples(st.just("edit"), station, index),
    st.tuples(st.just("swap"), station, index, index),
    st.tuples(st.just("delete"), station, index),
    st.tuples(st.just("mark"), station, index, st.sampled_from(STATUSES)),
    st.tuples(st.just("cancel"), station, index),
    st.tuples(st.just("export"), station, st.booleans()),
)


def live(s: Store) -> list[str]:
    return [r["id"] for r in s.rows("SELECT id FROM trainee WHERE deleted = 0 ORDER BY code")]


def set_number(s: Store, trainee_id: str, number: str) -> None:
    t = trainees.get(s, trainee_id)
    trainees.update(s, trainee_id, dataclasses.replace(t, id_number=number, birth_date=None,
                                                       gender=None))


def apply(op: tuple, stores: dict[str, Store], usb: Path, bundles: list[Path]) -> None:
    kind, code, *args = op
    s = stores[code]
    people = live(s)
    if kind == "register":
        number = POOL[args[0]]
        if not s.scalar("SELECT 1 FROM trainee WHERE id_number = ? AND deleted = 0", [number]):
            trainees.register(s, Trainee(name=f"重名{args[0]}", id_number=number,
                                         village="王坪村"))
    elif kind == "edit":
        tid = people[args[0] % len(people)]
        t = trainees.get(s, tid)
        trainees.update(s, tid, dataclasses.replace(t, name=f"改{args[0]}",
                                                    phone=f"138{args[0]:08d}"))
    elif kind == "swap":
        a, b = people[args[0] % len(people)], people[args[1] % len(people)]
        if a != b:
            na, nb = (trainees.get(s, x).id_number for x in (a, b))
            set_number(s, a, SPARE)
            set_number(s, b, na)
            set_number(s, a, nb)
    elif kind == "delete":
        if len(people) > 3:
            trainees.delete(s, people[args[0] % len(people)])
    elif kind == "mark":
        marks = s.rows(
            """SELECT a.lesson_id, a.trainee_id FROM attendance a
                 JOIN lesson l ON l.id = a.lesson_id
                 JOIN trainee t ON t.id = a.trainee_id AND t.deleted = 0
                 JOIN enrollment e ON e.class_id = l.class_id AND e.trainee_id = t.id
                                  AND e.deleted = 0
                ORDER BY a.id""")
        m = marks[args[0] % len(marks)]
        attendance.mark(s, m["lesson_id"], m["trainee_id"], args[1])
    elif kind == "cancel":
        lessons = s.rows("SELECT id, cancelled FROM lesson ORDER BY id")
        lesson = lessons[args[0] % len(lessons)]
        classes.cancel_lesson(s, lesson["id"], not lesson["cancelled"])
    elif kind == "export":
        bundles.append(exchange.export(s, usb, full=args[0])[0])


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=14), data=st.data())
def test_any_import_order_gives_the_same_county(template, monkeypatch, ops, data):
    root: Path = template["root"]
    monkeypatch.setenv("TRAINER_APP_HOME", str(root / "home"))  # the keys of every site
    work = Path(tempfile.mkdtemp(dir=root.parent))
    stores: list[Store] = []
    try:
        for name in [*CODES, "county"]:
            shutil.copy(root / f"{name}.db", work / f"{name}.db")
        shutil.copy(root / "county.db", work / "county-b.db")
        usb = work / "usb"
        usb.mkdir()
        stations = {code: Store(work / f"{code}.db") for code in CODES}
        stores += stations.values()
        bundles = [root / "usb" / n for names in template["bundles"].values() for n in names]
        for op in ops:
            apply(op, stations, usb, bundles)
        for code in CODES:  # ship what is left
            bundles.append(exchange.export(stations[code], usb)[0])

        in_order = Store(work / "county.db")
        stores.append(in_order)
        reports = exchange.import_many(in_order, bundles)
        assert {r.status for r in reports} <= {"applied", "duplicate"}, [
            r.message for r in reports]

        extra = data.draw(st.lists(st.sampled_from(bundles), max_size=4), label="again")
        order = data.draw(st.permutations(bundles + extra), label="order")
        shuffled = Store(work / "county-b.db")
        stores.append(shuffled)
        reports = exchange.import_many(shuffled, order)
        assert {r.status for r in reports} <= {"applied", "duplicate"}, [
            r.message for r in reports]

        assert synced_digest(shuffled) == synced_digest(in_order)
        for county in (in_order, shuffled):
            assert all(s["gaps"] == [] for s in exchange.status(county)["stations"])
            for s in stations.values():
                for table in STATION_OWNED:
                    assert count(county, table, s.site_id) == count(s, table, s.site_id)
    finally:
        for s in stores:
            s.close()
        shutil.rmtree(work, ignore_errors=True)
