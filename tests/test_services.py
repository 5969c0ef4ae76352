"""Station use cases on real SQLite files: trainees, courses, classes, attendance, demo data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gettext
import re
from collections import Counter

import pytest

from trainer_app import i18n
from trainer_app.domain import idcard, phone
from trainer_app.domain.models import ClassStatus, Course, Gender, Lesson, Trainee, TrainingClass
from trainer_app.domain.search import build_key
from trainer_app.services import attendance, classes, courses, demo, trainees
from trainer_app.services.attendance import ScanOutcome
from trainer_app.services.errors import NotFoundError, ServiceError, ValidationError
from trainer_app.store import Store, schema

TODAY = dt.date(2024, 6, 12)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setattr(i18n, "_translations", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_language", "en")


@pytest.fixture
def station(tmp_path):
    s = Store(tmp_path / "station.db", create=True)
    yield s
    s.close()


def number(seq: int, gender: str = "M", birth: dt.date = dt.date(1990, 3, 7)) -> str:
    return idcard.make("411025", birth, seq, gender)


def person(
    name: str = "王小明", seq: int = 1, gender: str = "M", birth: dt.date = dt.date(1990, 3, 7),
    **extra,
) -> Trainee:
    values = {"name": name, "id_number": number(seq, gender, birth), "village": "王坪村",
              "village_group": "三组", "phone": "13812345678"}
    values.update(extra)
    return Trainee(**values)


def snapshot(s: Store) -> tuple:
    """Everything a refused request must leave as it was."""
    counts = tuple(s.scalar(f"SELECT count(*) FROM {t}") for t in schema.SYNCED_TABLES)
    live = tuple(
        s.scalar(f"SELECT count(*) FROM {t} WHERE deleted = 0") for t in schema.SYNCED_TABLES
    )
    marks = tuple(s.conn.execute("SELECT id, status, rev FROM attendance ORDER BY id"))
    return s.get_meta("change_counter"), counts, live, marks


def refused(s: Store, exc_type, call, *args, **kwargs):
    before = snapshot(s)
    with pytest.raises(exc_type) as exc:
        call(s, *args, **kwargs)
    assert snapshot(s) == before, "a refused request changed the database"
    return exc.value


@pytest.fixture
def course_id(station) -> str:
    return courses.add(station, Course(code="ec101", title="开设网店", hours=12, min_share=0.8))


def make_class(s: Store, course: str, n_lessons: int = 3, hours: float = 4, **extra) -> str:
    lessons = [
        Lesson(date=(TODAY + dt.timedelta(days=i)).isoformat(), start_time="09:00", hours=hours,
               topic=f"第{i + 1}课")
        for i in range(n_lessons)
    ]
    values = {"course_id": course, "trainer": "刘建华", "place": "村委会会议室",
              "start_date": TODAY.isoformat(),
              "end_date": (TODAY + dt.timedelta(days=max(n_lessons - 1, 0))).isoformat(),
              "lessons": lessons}
    values.update(extra)
    return classes.create(s, TrainingClass(**values))


# == trainees =====================================================================================
class TestRegister:
    def test_register_fills_birth_date_and_gender_and_codes(self, station):
        first = trainees.register(station, person(seq=1, gender="F", phone="+86 138 1234 5678"))
        t = trainees.get(station, first)
        assert t.code == "T000001"
        assert t.birth_date == "1990-03-07"
        assert t.gender == "F"
        assert t.phone == "13812345678"
        row = station.row("SELECT origin, rev, deleted FROM trainee WHERE id = ?", [first])
        assert row == {"origin": station.site_id, "rev": 1, "deleted": 0}
        second = trainees.register(station, person("李娜", seq=2))
        assert trainees.get(station, second).code == "T000002"
        assert trainees.get(station, second).gender == "M"

    def test_codes_run_on_past_two_digits_and_are_never_reused(self, station):
        ids = [trainees.register(station, person(f"学员{i}", seq=i)) for i in range(12)]
        assert trainees.get(station, ids[-1]).code == "T000012"
        trainees.delete(station, ids[-1])
        new = trainees.register(station, person("新人", seq=50))
        assert trainees.get(station, new).code == "T000013"

    def test_id_number_normalized(self, station):
        xs = [n for n in (number(s, g) for s in range(100) for g in "MF") if n.endswith("X")]
        tid = trainees.register(station, person(id_number=" " + xs[0].lower() + " "))
        assert trainees.get(station, tid).id_number == xs[0]

    def test_given_birth_date_and_gender_cross_checked(self, station):
        ok = person(birth_date="1990-03-07", gender=Gender.MALE)
        assert trainees.register(station, ok)
        exc = refused(
            station, ValidationError, trainees.register,
            dataclasses.replace(person("李娜", seq=2), birth_date="1991-03-07", gender="F"),
        )
        assert set(exc.errors) == {"birth_date", "gender"}
        assert "ID number" in exc.errors["birth_date"]

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"name": " "}, "name"),
            ({"id_number": ""}, "id_number"),
            ({"id_number": "41102519900307001"}, "id_number"),
            ({"id_number": "411025199003070010"}, "id_number"),
            ({"phone": "1234"}, "phone"),
            ({"village": " "}, "village"),
            ({"birth_date": "07.03.1990"}, "birth_date"),
        ],
    )
    def test_validation_errors_per_field(self, station, changes, field):
        exc = refused(station, ValidationError, trainees.register, person(**changes))
        assert field in exc.errors
        assert exc.errors[field]
        assert str(exc)  # one message for a CLI

    def test_duplicate_id_number_names_the_holder(self, station):
        trainees.register(station, person("王小明", seq=1))
        exc = refused(station, ValidationError, trainees.register, person("王晓明", seq=1))
        assert set(exc.errors) == {"id_number"}
        assert "王小明" in exc.errors["id_number"] and "T000001" in exc.errors["id_number"]
        # the lowercase x form of the same number is the same number
        xs = [n for n in (number(s, g) for s in range(100) for g in "MF") if n.endswith("X")]
        trainees.register(station, person("李四", id_number=xs[0]))
        exc = refused(station, ValidationError, trainees.register,
                      person("李五", id_number=xs[0].lower()))
        assert "李四" in exc.errors["id_number"]

    def test_no_phone_is_fine(self, station):
        tid = trainees.register(station, person(phone=None))
        assert trainees.get(station, tid).phone is None
        tid = trainees.register(station, person("李娜", seq=2, phone=""))
        assert trainees.get(station, tid).phone is None

    def test_fields_saved(self, station):
        tid = trainees.register(
            station,
            person(poor_household=True, education="Primary school", notes="需要大字版材料"),
        )
        t = trainees.get(station, tid)
        assert t.poor_household is True
        assert (t.education, t.notes, t.village, t.village_group) == (
            "Primary school", "需要大字版材料", "王坪村", "三组",
        )


class TestUpdateDelete:
    def test_update_keeps_code_and_allows_own_id_number(self, station):
        tid = trainees.register(station, person())
        t = trainees.get(station, tid)
        t.name = "王晓明"
        t.village = "张庄村"
        trainees.update(station, tid, t)
        again = trainees.get(station, tid)
        assert (again.name, again.village, again.code) == ("王晓明", "张庄村", "T000001")
        assert station.scalar("SELECT rev FROM trainee WHERE id = ?", [tid]) == 2
        assert {r["id"] for r in trainees.search(station, "wxm")} == {tid}
        assert trainees.search(station, "王坪") == []

    def test_update_to_someone_elses_id_number(self, station):
        trainees.register(station, person("王小明", seq=1))
        other = trainees.register(station, person("李娜", seq=2))
        t = trainees.get(station, other)
        t.id_number, t.birth_date, t.gender = number(1), None, None
        exc = refused(station, ValidationError, trainees.update, other, t)
        assert "王小明" in exc.errors["id_number"]

    def test_update_with_changed_id_number_refills_nothing_wrong(self, station):
        tid = trainees.register(station, person(seq=1, gender="M"))
        t = trainees.get(station, tid)
        t.id_number = number(1, "F")  # gender no longer matches the old one
        exc = refused(station, ValidationError, trainees.update, tid, t)
        assert set(exc.errors) == {"gender"}
        t.gender = None
        trainees.update(station, tid, t)
        assert trainees.get(station, tid).gender == "F"

    def test_update_unknown(self, station):
        refused(station, NotFoundError, trainees.update, "nope", person())

    def test_delete_is_a_tombstone_hidden_everywhere(self, station, course_id):
        tid = trainees.register(station, person())
        rev = station.scalar("SELECT rev FROM trainee WHERE id = ?", [tid])
        trainees.delete(station, tid)
        row = station.row("SELECT deleted, rev FROM trainee WHERE id = ?", [tid])
        assert row == {"deleted": 1, "rev": rev + 1}
        assert trainees.search(station, "wxm") == []
        assert trainees.search(station, "") == []
        assert trainees.find_by_code(station, "T000001") is None
        with pytest.raises(NotFoundError):
            trainees.get(station, tid)
        refused(station, NotFoundError, trainees.delete, tid)
        refused(station, NotFoundError, classes.enroll, make_class(station, course_id), [tid])
        # the ID number is free again
        again = trainees.register(station, person("王小明", seq=1))
        assert trainees.get(station, again).code == "T000002"

    def test_delete_unknown(self, station):
        refused(station, NotFoundError, trainees.delete, "nope")


class TestSearch:
    @pytest.fixture
    def people(self, station):
        return {
            "wang": trainees.register(station, person("王小明", seq=1, phone="13812345678")),
            "shan": trainees.register(
                station, person("单丽", seq=2, gender="F", phone="13987654321", village="张庄村")
            ),
            "li": trainees.register(station, person("李小红", seq=3, gender="F", phone=None)),
        }

    def found(self, station, text):
        return {r["id"] for r in trainees.search(station, text)}

    def test_by_name_pinyin_initials(self, station, people):
        assert self.found(station, "wxm") == {people["wang"]}
        assert self.found(station, "WangXiaoMing") == {people["wang"]}
        assert self.found(station, "小") == {people["wang"], people["li"]}
        assert self.found(station, "xiao") == {people["wang"], people["li"]}
        assert self.found(station, "shanli") == {people["shan"]}
        assert self.found(station, "danli") == {people["shan"]}

    def test_by_digits_village_code(self, station, people):
        wang = trainees.get(station, people["wang"])
        assert self.found(station, wang.id_number[-6:]) == {people["wang"]}
        assert self.found(station, "4321") == {people["shan"]}
        assert self.found(station, "张庄") == {people["shan"]}
        assert self.found(station, "t000003") == {people["li"]}
        assert self.found(station, "zzz") == set()

    def test_order_and_limit(self, station, people):
        names = [r["name"] for r in trainees.search(station, "")]
        assert names == ["李小红", "单丽", "王小明"]  # by surname reading: li, shan, wang
        assert len(trainees.search(station, "", limit=2)) == 2

    def test_find_by_code(self, station, people):
        assert trainees.find_by_code(station, "T000001")["id"] == people["wang"]
        assert trainees.find_by_code(station, " t000001\r\n")["id"] == people["wang"]
        assert trainees.find_by_code(station, people["li"])["code"] == "T000003"
        assert trainees.find_by_code(station, "T999999") is None
        assert trainees.find_by_code(station, "") is None
        assert trainees.find_by_code(station, "   ") is None


# == courses ======================================================================================
class TestCourses:
    def test_add_and_get(self, station):
        cid = courses.add(station, Course(code=" ec101 ", title=" 开设网店 ", hours=24,
                                         category="网店运营", description="开店"))
        c = courses.get(station, cid)
        assert (c.code, c.title, c.hours, c.min_share, c.category) == (
            "EC101", "开设网店", 24, 0.8, "网店运营",
        )
        assert [r["code"] for r in courses.list_all(station)] == ["EC101"]

    def test_duplicate_code(self, station):
        courses.add(station, Course(code="EC101", title="开设网店", hours=24))
        exc = refused(station, ValidationError, courses.add,
                      Course(code="ec101", title="别的", hours=8))
        assert set(exc.errors) == {"code"} and "EC101" in exc.errors["code"]

    def test_update(self, station):
        a = courses.add(station, Course(code="EC101", title="开设网店", hours=24))
        courses.add(station, Course(code="EC102", title="直播带货", hours=20))
        courses.update(station, a, Course(code="EC101", title="开设网店（新版）", hours=16,
                                          min_share=0.9))
        c = courses.get(station, a)
        assert (c.title, c.hours, c.min_share) == ("开设网店（新版）", 16, 0.9)
        exc = refused(station, ValidationError, courses.update, a,
                      Course(code="EC102", title="x", hours=8))
        assert "code" in exc.errors
        refused(station, NotFoundError, courses.update, "nope", Course("EC9", "x", hours=1))
        with pytest.raises(NotFoundError):
            courses.get(station, "nope")

    def test_validation(self, station):
        exc = refused(station, ValidationError, courses.add,
                      Course(code="", title="", hours=0, min_share=1.5))
        assert set(exc.errors) == {"code", "title", "hours", "min_share"}

    def test_list_sorted_by_code(self, station):
        for code in ("EC3", "EC1", "EC2"):
            courses.add(station, Course(code=code, title=code, hours=4))
        assert [r["code"] for r in courses.list_all(station)] == ["EC1", "EC2", "EC3"]


# == classes ======================================================================================
class TestClasses:
    def test_create_with_lessons(self, station, course_id):
        cid = make_class(station, course_id, n_lessons=3)
        c = classes.get(station, cid)
        assert c.title == "开设网店"  # the course title when none is given
        assert c.status == ClassStatus.PLANNED
        assert [lesson.date for lesson in c.lessons] == [
            (TODAY + dt.timedelta(days=i)).isoformat() for i in range(3)
        ]
        row = classes.list_all(station)[0]
        assert (row["id"], row["lessons"], row["hours"], row["enrolled"]) == (cid, 3, 12, 0)
        assert row["course_code"] == "EC101"
        revs = station.rows("SELECT DISTINCT rev FROM lesson")
        assert revs == [{"rev": 2}]  # one transaction for the class and its lessons

    def test_start_time_normalized(self, station, course_id):
        cid = classes.create(station, TrainingClass(
            course_id=course_id, start_date="2024-06-01", end_date="2024-06-01",
            lessons=[Lesson("2024-06-01", "9:00", 2)],
        ))
        assert classes.lessons(station, cid)[0]["start_time"] == "09:00"

    def test_invalid_class_saves_nothing(self, station, course_id):
        bad_lesson = TrainingClass(
            course_id=course_id, start_date="2024-06-01", end_date="2024-06-03",
            lessons=[Lesson("2024-06-01", "09:00", 4), Lesson("2024-06-31", "09:00", 4)],
        )
        exc = refused(station, ValidationError, classes.create, bad_lesson)
        assert set(exc.errors) == {"lessons[1]"}
        exc = refused(station, ValidationError, classes.create, TrainingClass(
            course_id="nope", start_date="2024-06-01", end_date="2024-06-03"))
        assert set(exc.errors) == {"course_id"}
        exc = refused(station, ValidationError, classes.create, TrainingClass(
            course_id=course_id, start_date="2024-06-03", end_date="2024-06-01"))
        assert set(exc.errors) == {"end_date"}
        exc = refused(station, ValidationError, classes.create, TrainingClass(
            course_id=course_id, start_date="2024-06-01", end_date="2024-06-03",
            status="paused"))
        assert set(exc.errors) == {"status"}

    def test_update_and_status(self, station, course_id):
        cid = make_class(station, course_id)
        c = classes.get(station, cid)
        c.trainer, c.title = "陈晓燕", "开网店春季班"
        classes.update(station, cid, c)
        classes.set_status(station, cid, "running")
        c = classes.get(station, cid)
        assert (c.trainer, c.title, c.status) == ("陈晓燕", "开网店春季班", "running")
        assert len(c.lessons) == 3  # update leaves lessons alone
        refused(station, NotFoundError, classes.set_status, "nope", "running")
        refused(station, NotFoundError, classes.update, "nope", c)
        with pytest.raises(ValueError):
            classes.set_status(station, cid, "paused")

    def test_add_move_update_lesson(self, station, course_id):
        cid = make_class(station, course_id, n_lessons=1, start_date="2024-06-12",
                         end_date="2024-06-30")
        lid = classes.add_lesson(station, cid, Lesson("2024-06-20", "14:00", 2, "补课"))
        exc = refused(station, ValidationError, classes.add_lesson, cid,
                      Lesson("2024-07-01", "14:00", 2))
        assert "lessons must fall within" in exc.errors["date"]
        exc = refused(station, ValidationError, classes.move_lesson, lid, "2024-06-11", "09:00")
        assert set(exc.errors) == {"date"}
        classes.move_lesson(station, lid, "2024-06-21", "19:30")
        row = next(r for r in classes.lessons(station, cid) if r["id"] == lid)
        assert (row["date"], row["start_time"], row["hours"], row["topic"]) == (
            "2024-06-21", "19:30", 2, "补课",
        )
        exc = refused(station, ValidationError, classes.move_lesson, lid, "2024/06/22", "25:00")
        assert set(exc.errors) == {"date", "start_time"}
        classes.update_lesson(station, lid, Lesson("2024-06-22", "08:00", 3, "实操"))
        row = next(r for r in classes.lessons(station, cid) if r["id"] == lid)
        assert (row["date"], row["hours"], row["topic"]) == ("2024-06-22", 3, "实操")
        refused(station, NotFoundError, classes.move_lesson, "nope", "2024-06-21", "09:00")
        lesson = Lesson("2024-06-21", "09:00", 2)
        refused(station, NotFoundError, classes.add_lesson, "nope", lesson)
        refused(station, ValidationError, classes.add_lesson, cid, Lesson("2024-06-21", "09:00", 0))

    def test_cancelled_lesson_leaves_the_denominator(self, station, course_id):
        cid = make_class(station, course_id, n_lessons=3, hours=4)
        tid = trainees.register(station, person())
        classes.enroll(station, cid, [tid])
        l1, l2, l3 = (r["id"] for r in classes.lessons(station, cid))
        attendance.mark(station, l1, tid, "present")
        attendance.mark(station, l2, tid, "present")
        (r,) = classes.completion_report(station, cid)
        assert (r["attended_hours"], r["scheduled_hours"], r["completed"]) == (8, 12, False)
        classes.cancel_lesson(station, l3)
        (r,) = classes.completion_report(station, cid)
        assert (r["attended_hours"], r["scheduled_hours"], r["completed"]) == (8, 8, True)
        assert classes.list_all(station)[0]["hours"] == 8
        assert classes.list_all(station)[0]["lessons"] == 2
        assert [bool(x["cancelled"]) for x in classes.lessons(station, cid)] == [
            False, False, True,
        ]
        classes.cancel_lesson(station, l3, cancelled=False)
        (r,) = classes.completion_report(station, cid)
        assert r["scheduled_hours"] == 12
        # a mark at a cancelled lesson does not count either
        attendance.mark(station, l3, tid, "present")
        classes.cancel_lesson(station, l1)
        (r,) = classes.completion_report(station, cid)
        assert (r["attended_hours"], r["scheduled_hours"]) == (8, 8)

    def test_enroll_unenroll_reenroll(self, station, course_id):
        cid = make_class(station, course_id)
        a = trainees.register(station, person("王小明", seq=1))
        b = trainees.register(station, person("李娜", seq=2))
        assert classes.enroll(station, cid, [a, b]) == 2
        assert classes.enroll(station, cid, [a]) == 0
        assert {r["id"] for r in classes.enrolled(station, cid)} == {a, b}
        first_row = station.row("SELECT id FROM enrollment WHERE trainee_id = ?", [a])["id"]
        assert classes.unenroll(station, cid, [a]) == 1
        assert classes.unenroll(station, cid, [a, "nope"]) == 0
        assert {r["id"] for r in classes.enrolled(station, cid)} == {b}
        assert classes.list_all(station)[0]["enrolled"] == 1
        assert classes.enroll(station, cid, [a]) == 1  # revives the same row
        rows = station.rows("SELECT id, deleted FROM enrollment WHERE trainee_id = ?", [a])
        assert rows == [{"id": first_row, "deleted": 0}]
        assert {r["id"] for r in classes.enrolled(station, cid)} == {a, b}

    def test_enroll_is_all_or_nothing(self, station, course_id):
        cid = make_class(station, course_id)
        a = trainees.register(station, person())
        refused(station, NotFoundError, classes.enroll, cid, [a, "nope"])
        assert classes.enrolled(station, cid) == []
        refused(station, NotFoundError, classes.enroll, "nope", [a])
        refused(station, NotFoundError, classes.unenroll, "nope", [a])
        with pytest.raises(NotFoundError):
            classes.enrolled(station, "nope")
        with pytest.raises(NotFoundError):
            classes.lessons(station, "nope")

    def test_cancelled_class_refuses_enrollment(self, station, course_id):
        cid = make_class(station, course_id)
        a = trainees.register(station, person())
        classes.set_status(station, cid, ClassStatus.CANCELLED)
        exc = refused(station, ServiceError, classes.enroll, cid, [a])
        assert "cancelled" in str(exc)

    def test_unenrolled_and_deleted_trainees_leave_the_report(self, station, course_id):
        cid = make_class(station, course_id)
        a = trainees.register(station, person("王小明", seq=1))
        b = trainees.register(station, person("李娜", seq=2))
        c = trainees.register(station, person("赵六", seq=3))
        classes.enroll(station, cid, [a, b, c])
        classes.unenroll(station, cid, [b])
        trainees.delete(station, c)
        assert [r["trainee_id"] for r in classes.completion_report(station, cid)] == [a]


class TestCompletionReport:
    def test_numbers(self, station, course_id):
        # 3 lessons x 4 h = 12 h scheduled; the course asks 80 % = 9.6 h
        cid = make_class(station, course_id, n_lessons=3, hours=4)
        people = {
            name: trainees.register(station, person(name, seq=i))
            for i, name in enumerate(["全勤", "迟到", "请假", "缺课", "未记"])
        }
        classes.enroll(station, cid, people.values())
        l1, l2, l3 = (r["id"] for r in classes.lessons(station, cid))
        for lesson in (l1, l2, l3):
            attendance.mark(station, lesson, people["全勤"], "present")
        for lesson, status in ((l1, "late"), (l2, "late"), (l3, "present")):
            attendance.mark(station, lesson, people["迟到"], status)
        for lesson, status in ((l1, "present"), (l2, "present"), (l3, "excused")):
            attendance.mark(station, lesson, people["请假"], status)
        attendance.mark(station, l1, people["缺课"], "absent")
        attendance.mark(station, l2, people["缺课"], "present")
        report = {r["name"]: r for r in classes.completion_report(station, cid)}
        assert set(report) == set(people)
        expect = {"全勤": (12, True), "迟到": (12, True), "请假": (8, False),
                  "缺课": (4, False), "未记": (0, False)}
        for name, (hours, done) in expect.items():
            r = report[name]
            assert r["attended_hours"] == hours, name
            assert r["scheduled_hours"] == 12
            assert r["required_hours"] == pytest.approx(9.6)
            assert r["share"] == pytest.approx(hours / 12)
            assert r["completed"] is done, name
            assert r["code"].startswith("T")

    def test_exact_share_met(self, station):
        course = courses.add(station, Course(code="EC9", title="t", hours=10, min_share=0.8))
        cid = make_class(station, course, n_lessons=5, hours=2)
        tid = trainees.register(station, person())
        classes.enroll(station, cid, [tid])
        lessons = [r["id"] for r in classes.lessons(station, cid)]
        for lesson in lessons[:4]:
            attendance.mark(station, lesson, tid, "present")
        (r,) = classes.completion_report(station, cid)
        assert r["attended_hours"] == 8 and r["completed"]

    def test_no_lessons(self, station, course_id):
        cid = make_class(station, course_id, n_lessons=0)
        tid = trainees.register(station, person())
        classes.enroll(station, cid, [tid])
        (r,) = classes.completion_report(station, cid)
        assert (r["scheduled_hours"], r["share"], r["completed"]) == (0, 0, False)

    def test_unknown_class(self, station):
        with pytest.raises(NotFoundError):
            classes.completion_report(station, "nope")


# == attendance ===================================================================================
class TestAttendance:
    @pytest.fixture
    def setup(self, station, course_id):
        cid = make_class(station, course_id, n_lessons=2)
        ids = [trainees.register(station, person(n, seq=i))
               for i, n in enumerate(["王小明", "李娜", "赵六", "孙七"])]
        outsider = trainees.register(station, person("外人", seq=9))
        classes.enroll(station, cid, ids)
        lesson = classes.lessons(station, cid)[0]["id"]
        return station, cid, lesson, ids, outsider

    def marks(self, s, lesson):
        return {r["trainee_id"]: r["status"] for r in attendance.sheet(s, lesson)}

    def test_mark_and_replace(self, setup):
        s, _cid, lesson, ids, _ = setup
        attendance.mark(s, lesson, ids[0], "present")
        assert self.marks(s, lesson)[ids[0]] == "present"
        rev = s.scalar("SELECT rev FROM attendance")
        attendance.mark(s, lesson, ids[0], "present")  # the same again: no change, no new rev
        assert s.scalar("SELECT rev FROM attendance") == rev
        attendance.mark(s, lesson, ids[0], "late")
        assert self.marks(s, lesson)[ids[0]] == "late"
        assert s.scalar("SELECT count(*) FROM attendance") == 1
        assert s.scalar("SELECT rev FROM attendance") > rev
        row = s.row("SELECT method, origin, recorded_at FROM attendance")
        assert row["method"] == "manual" and row["origin"] == s.site_id and row["recorded_at"]

    def test_mark_by_code_and_sheet_method(self, setup):
        s, _cid, lesson, ids, _ = setup
        attendance.mark(s, lesson, "t000002", "excused", method="sheet")
        row = s.row("SELECT trainee_id, status, method FROM attendance")
        assert row == {"trainee_id": ids[1], "status": "excused", "method": "sheet"}

    def test_mark_refusals(self, setup):
        s, _cid, lesson, ids, outsider = setup
        exc = refused(s, ServiceError, attendance.mark, lesson, outsider, "present")
        assert "not enrolled" in str(exc)
        refused(s, NotFoundError, attendance.mark, lesson, "nope", "present")
        refused(s, NotFoundError, attendance.mark, "nope", ids[0], "present")
        exc = refused(s, ValidationError, attendance.mark, lesson, ids[0], "sleeping")
        assert "status" in exc.errors
        refused(s, ValidationError, attendance.mark, lesson, ids[0], "present", "telepathy")
        trainees.delete(s, ids[3])
        refused(s, NotFoundError, attendance.mark, lesson, ids[3], "present")

    def test_sheet(self, setup):
        s, _cid, lesson, ids, _outsider = setup
        sheet = attendance.sheet(s, lesson)
        assert {r["trainee_id"] for r in sheet} == set(ids)
        assert all(r["status"] is None for r in sheet)
        with pytest.raises(NotFoundError):
            attendance.sheet(s, "nope")

    def test_all_present_with_exceptions(self, setup):
        s, _cid, lesson, ids, _ = setup
        attendance.mark(s, lesson, ids[0], "late")
        count = attendance.mark_all_present(s, lesson, except_ids=[ids[1]])
        assert count == 2
        assert self.marks(s, lesson) == {
            ids[0]: "late", ids[1]: None, ids[2]: "present", ids[3]: "present",
        }
        assert attendance.mark_all_present(s, lesson, except_ids=[ids[1]]) == 0
        assert attendance.mark_all_present(s, lesson) == 1
        assert set(self.marks(s, lesson).values()) == {"late", "present"}
        refused(s, NotFoundError, attendance.mark_all_present, "nope")

    def test_all_present_one_transaction(self, setup):
        s, _cid, lesson, _ids, _ = setup
        before = int(s.get_meta("change_counter"))
        attendance.mark_all_present(s, lesson)
        assert int(s.get_meta("change_counter")) == before + 1
        assert s.rows("SELECT DISTINCT rev FROM attendance") == [{"rev": before + 1}]

    def test_scan_outcomes(self, setup):
        s, cid, lesson, ids, outsider = setup
        result = attendance.scan(s, lesson, "T000001")
        assert result.outcome is ScanOutcome.MARKED and result.trainee["id"] == ids[0]
        row = s.row("SELECT status, method FROM attendance WHERE trainee_id = ?", [ids[0]])
        assert row == {"status": "present", "method": "scan"}

        result = attendance.scan(s, lesson, " t000001\n")
        assert result.outcome is ScanOutcome.ALREADY and result.trainee["name"] == "王小明"

        before = snapshot(s)
        result = attendance.scan(s, lesson, "T000005")
        assert result.outcome is ScanOutcome.NOT_ENROLLED and result.trainee["id"] == outsider
        result = attendance.scan(s, lesson, "T123456")
        assert result.outcome is ScanOutcome.UNKNOWN and result.trainee is None
        result = attendance.scan(s, lesson, "垃圾输入")
        assert result.outcome is ScanOutcome.UNKNOWN
        assert snapshot(s) == before

        result = attendance.scan(s, lesson, "T000005", enroll_walk_in=True)
        assert result.outcome is ScanOutcome.MARKED
        assert outsider in {r["id"] for r in classes.enrolled(s, cid)}
        assert self.marks(s, lesson)[outsider] == "present"

        with pytest.raises(NotFoundError):
            attendance.scan(s, "nope", "T000001")

    def test_scan_after_late_and_excused(self, setup):
        s, _cid, lesson, ids, _ = setup
        attendance.mark(s, lesson, ids[1], "late")
        assert attendance.scan(s, lesson, "T000002").outcome is ScanOutcome.ALREADY
        assert self.marks(s, lesson)[ids[1]] == "late"
        attendance.mark(s, lesson, ids[2], "excused")
        assert attendance.scan(s, lesson, "T000003").outcome is ScanOutcome.MARKED
        assert self.marks(s, lesson)[ids[2]] == "present"

    def test_scan_walk_in_into_cancelled_class_refused(self, setup):
        s, cid, lesson, _ids, _outsider = setup
        classes.set_status(s, cid, "cancelled")
        with pytest.raises(ServiceError):
            attendance.scan(s, lesson, "T000005", enroll_walk_in=True)
        assert s.scalar("SELECT count(*) FROM attendance") == 0

    def test_scan_deleted_trainee_is_unknown(self, setup):
        s, _cid, lesson, ids, _ = setup
        trainees.delete(s, ids[0])
        assert attendance.scan(s, lesson, "T000001").outcome is ScanOutcome.UNKNOWN

    def test_unenrolled_trainee_leaves_sheet(self, setup):
        s, cid, lesson, ids, _ = setup
        attendance.mark(s, lesson, ids[0], "present")
        classes.unenroll(s, cid, [ids[0]])
        assert ids[0] not in self.marks(s, lesson)


class TestDefaultLesson:
    def test_picks_todays_earliest_lesson(self, station, course_id):
        cid = classes.create(station, TrainingClass(
            course_id=course_id, start_date="2024-06-11", end_date="2024-06-13",
            lessons=[Lesson("2024-06-11", "09:00", 2), Lesson("2024-06-12", "14:00", 2),
                     Lesson("2024-06-12", "08:30", 2), Lesson("2024-06-13", "07:00", 2)],
        ))
        found = attendance.default_lesson(station, TODAY)
        assert found["date"] == "2024-06-12" and found["start_time"] == "08:30"
        assert found["class_id"] == cid
        assert found["course_title"] == "开设网店"
        classes.cancel_lesson(station, found["id"])
        assert attendance.default_lesson(station, TODAY)["start_time"] == "14:00"
        assert attendance.default_lesson(station, dt.date(2024, 6, 14)) is None
        classes.set_status(station, cid, "cancelled")
        assert attendance.default_lesson(station, TODAY) is None

    def test_lessons_newest_first(self, station, course_id):
        make_class(station, course_id, n_lessons=3)
        dates = [r["date"] for r in attendance.lessons(station)]
        assert dates == sorted(dates, reverse=True) and len(dates) == 3

    def test_none_without_lessons(self, station):
        assert attendance.default_lesson(station) is None


# == demo =========================================================================================
class TestDemo:
    @pytest.fixture
    def filled(self, station):
        counts = demo.fill(station, trainees=300, seed=3, today=TODAY)
        return station, counts

    def test_counts_match_the_database(self, filled):
        s, counts = filled
        assert counts["courses"] == len(demo.COURSES) == s.scalar("SELECT count(*) FROM course")
        assert counts["trainees"] == 300 == s.scalar("SELECT count(*) FROM trainee")
        assert counts["classes"] == s.scalar("SELECT count(*) FROM training_class") >= 4
        assert counts["lessons"] == s.scalar("SELECT count(*) FROM lesson")
        assert counts["attendance"] == s.scalar("SELECT count(*) FROM attendance") > 0
        assert s.scalar("SELECT count(*) FROM enrollment") > 0
        assert s.get_meta("station_name")
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert s.rows("SELECT DISTINCT origin FROM trainee") == [{"origin": s.site_id}]

    def test_every_status_method_and_class_state(self, filled):
        s, _ = filled
        statuses = {r[0] for r in s.conn.execute("SELECT DISTINCT status FROM attendance")}
        assert statuses == {"present", "late", "excused", "absent"}
        methods = {r[0] for r in s.conn.execute("SELECT DISTINCT method FROM attendance")}
        assert methods == {"manual", "scan", "sheet"}
        states = {r[0] for r in s.conn.execute("SELECT DISTINCT status FROM training_class")}
        assert states >= {"finished", "running", "planned"}
        # no marks in the future
        assert s.scalar(
            "SELECT count(*) FROM attendance a JOIN lesson l ON l.id = a.lesson_id "
            "WHERE l.date > ?", [TODAY.isoformat()]
        ) == 0
        # a running class has a lesson today, so the attendance screen opens on it
        lesson = attendance.default_lesson(s, TODAY)
        assert lesson is not None
        assert attendance.sheet(s, lesson["id"])

    def test_trainee_data_valid(self, filled):
        s, _ = filled
        for r in s.rows("SELECT * FROM trainee"):
            info = idcard.parse(r["id_number"], TODAY)
            assert info.birth_date.isoformat() == r["birth_date"]
            assert info.gender == r["gender"]
            assert r["phone"] is None or phone.is_valid_mobile(r["phone"])
            assert r["village"] and r["village_group"]
            assert re.fullmatch(r"T\d{6}", r["code"])
            assert r["search_key"] == build_key(
                r["name"], r["code"], r["id_number"], r["phone"], r["village"],
                r["village_group"],
            )
            # the records pass the same validation as the form
            t = trainees.from_row({k: v for k, v in r.items() if k != "id"})
            trainees.validate(s, t, trainee_id=r["id"])

    def test_rare_characters_and_variety(self, filled):
        s, _ = filled
        names = [r[0] for r in s.conn.execute("SELECT name FROM trainee")]
        assert any(ch in demo.RARE for n in names for ch in n)
        assert len(set(names)) > 150
        assert len({r[0] for r in s.conn.execute("SELECT village FROM trainee")}) > 3
        poor = s.scalar("SELECT count(*) FROM trainee WHERE poor_household = 1")
        assert 0 < poor < 300

    def test_completion_report_of_a_finished_class(self, filled):
        s, _ = filled
        finished = [c for c in classes.list_all(s) if c["status"] == "finished"]
        assert finished
        report = classes.completion_report(s, finished[0]["id"])
        assert report and any(r["completed"] for r in report)
        assert all(r["scheduled_hours"] == finished[0]["hours"] for r in report)

    def test_running_twice_adds_more_without_clashes(self, filled):
        s, first = filled
        second = demo.fill(s, trainees=120, seed=3, today=TODAY)
        assert second["trainees"] == 120
        assert s.scalar("SELECT count(*) FROM trainee") == 420
        assert s.scalar("SELECT count(*) FROM course") == len(demo.COURSES)
        codes = [r[0] for r in s.conn.execute("SELECT code FROM trainee ORDER BY code")]
        assert len(set(codes)) == 420
        assert codes[-1] == "T000420"
        numbers = [r[0] for r in s.conn.execute("SELECT id_number FROM trainee")]
        assert len(set(numbers)) == 420
        assert first["classes"] + second["classes"] == s.scalar(
            "SELECT count(*) FROM training_class"
        )
        # and the operator's own registering continues the codes
        tid = trainees.register(s, person("新学员", seq=99, birth=dt.date(2001, 1, 1)))
        assert trainees.get(s, tid).code == "T000421"

    def test_small_demo(self, station):
        counts = demo.fill(station, trainees=5, seed=1, today=TODAY)
        assert counts["trainees"] == 5
        assert counts["classes"] >= 4
        for c in classes.list_all(station):
            assert c["enrolled"] <= 5

    def test_zero_trainees(self, station):
        counts = demo.fill(station, trainees=0, seed=1, today=TODAY)
        assert counts["trainees"] == 0 and counts["classes"] == 0
        assert counts["courses"] == len(demo.COURSES)

    def test_same_seed_same_station(self, tmp_path):
        names = []
        for i in range(2):
            s = Store(tmp_path / f"{i}.db", create=True)
            try:
                demo.fill(s, trainees=50, seed=11, today=TODAY)
                names.append(Counter(r[0] for r in s.conn.execute("SELECT name FROM trainee")))
            finally:
                s.close()
        assert names[0] == names[1]

    def test_progress_reported(self, station):
        calls = []
        demo.fill(station, trainees=2500, seed=1, today=TODAY,
                  progress=lambda done, total: calls.append((done, total)))
        assert calls and all(total == 2500 for _, total in calls)


# == demo records and linking to the county =======================================================
class TestDemoAndLinking:
    """The demo station's practice records never reach the county: a database filled by
    ``demo`` before it is linked is marked, linking refuses it, and linking with
    ``discard_demo`` removes them in the same transaction."""

    LOCAL = ("trainee", "training_class", "lesson", "enrollment", "attendance", "certificate",
             "revocation")

    @pytest.fixture
    def county(self, tmp_path):
        from trainer_app.sync import site

        s = Store(tmp_path / "county.db", create=True)
        site.setup_county(s, "XC", "襄城县电商中心")
        courses.add(s, Course(code="EC901", title="县级课程", hours=8))
        yield s
        s.close()

    @staticmethod
    def digest(s: Store) -> str:
        from trainer_app.store import sync as q

        return "\n".join(q.content_digest_rows(s))

    @staticmethod
    def demo_with_certificates(s: Store) -> None:
        """The demo, with certificates issued, one withdrawn and one reissued (rows that refer
        to each other)."""
        from trainer_app.services import certificates

        demo.fill(s, trainees=60, seed=11, today=TODAY)
        for row in s.rows("SELECT id FROM training_class WHERE status = 'finished'"):
            issued = certificates.issue(s, row["id"], today=TODAY)
            serials = [c["serial"] for c in certificates.for_class(s, row["id"])]
            if len(serials) >= 2:
                certificates.revoke(s, serials[0], "写错了名字")
                certificates.reissue(s, serials[1], "换发", today=TODAY)
                break
            assert issued
        assert s.scalar("SELECT count(*) FROM revocation") >= 2
        assert s.scalar("SELECT count(*) FROM certificate WHERE replaces IS NOT NULL") == 1

    def test_demo_marks_an_unlinked_database_only(self, station, county, tmp_path):
        from trainer_app.sync import site

        demo.fill(station, trainees=3, seed=1, today=TODAY)
        assert station.get_meta("demo") == "1" and site.holds_demo(station)
        linked = Store(tmp_path / "linked.db", create=True)
        try:
            site.setup_station(linked, site.write_pack(county, "LK01", tmp_path / "LK01.trpack"))
            demo.fill(linked, trainees=3, seed=1, today=TODAY)
            assert linked.get_meta("demo") is None and not site.holds_demo(linked)
            assert linked.scalar("SELECT count(*) FROM trainee") == 3  # the station's own
        finally:
            linked.close()
        demo.fill(county, trainees=0, seed=1, today=TODAY)
        assert not site.holds_demo(county)

    def test_linking_a_demo_database_is_refused(self, station, county, tmp_path):
        from trainer_app.sync import site

        demo.fill(station, trainees=20, seed=2, today=TODAY)
        pack = site.write_pack(county, "WP02", tmp_path / "WP02.trpack", station_name="王坪村站")
        before = self.digest(station)
        with pytest.raises(site.DemoDataError) as exc:
            site.setup_station(station, pack)
        assert isinstance(exc.value, ServiceError)
        assert "demo station's practice records" in str(exc.value)
        assert "must not reach the county" in str(exc.value)
        assert self.digest(station) == before
        with pytest.raises(site.DemoDataError):
            site.setup_county(station, "YY", "另一个县")
        assert self.digest(station) == before and site.role(station) == ""

    def test_discarding_the_demo_links_a_clean_station(self, station, county, tmp_path):
        from trainer_app.store import sync as q
        from trainer_app.sync import exchange, site

        self.demo_with_certificates(station)
        own_keys = station.rows("SELECT key_id FROM site_key WHERE origin = ?",
                                [station.site_id])
        assert own_keys
        usb = tmp_path / "usb"
        usb.mkdir()
        pack = site.write_pack(county, "WP02", tmp_path / "WP02.trpack", station_name="王坪村站")

        info = site.setup_station(station, pack, discard_demo=True)
        assert info.code == "XC" and site.role(station) == "station"
        for table in self.LOCAL:
            assert station.scalar(f"SELECT count(*) FROM {table}") == 0, table
        assert station.scalar("SELECT count(*) FROM course WHERE origin = ?",
                              [station.site_id]) == 0
        assert [r["code"] for r in station.rows("SELECT code FROM course")] == ["EC901"]
        assert station.scalar("SELECT count(*) FROM bundle_out") == 0
        assert not site.holds_demo(station) and station.get_meta("demo") is None
        assert station.get_meta("station_name") == "王坪村站"
        assert station.get_meta("station_code") == "WP02"
        assert station.get_meta("county_name") == "襄城县电商中心"
        kept = station.rows("SELECT key_id, label, purpose FROM site_key WHERE origin = ?",
                            [station.site_id])
        # its signing key kept, and the encryption key a rebuild file would be sealed to
        assert {k["key_id"] for k in kept if k["purpose"] == "sign"} == {
            k["key_id"] for k in own_keys}
        assert [k["purpose"] for k in kept].count("encrypt") == 1
        assert {k["label"] for k in kept} == {"王坪村站"}

        # the first bundle: only the station's keys, nothing of the demo
        path, manifest = exchange.export(station, usb)
        assert {k: n for k, n in manifest["counts"].items() if n} == {"site_key": len(kept)}
        assert manifest["sender"]["name"] == "王坪村站"
        assert manifest["sender"]["code"] == "WP02"
        exchange.import_many(county, [usb])
        assert [r.status for r in exchange.approve(county, "WP02")] == ["applied"]
        for table in self.LOCAL:
            assert county.scalar(f"SELECT count(*) FROM {table}") == 0, table
        assert county.scalar("SELECT count(*) FROM course") == 1
        text = "\n".join(q.content_digest_rows(county))
        assert demo.STATION_NAME not in text and demo.COUNTY_NAME not in text

        # work goes on: the operator's records reach the county
        trainees.register(station, person("新学员", seq=5))
        exchange.export(station, usb)
        exchange.import_many(county, [usb])
        assert county.scalar("SELECT count(*) FROM trainee") == 1

    def test_a_failed_link_keeps_the_demo(self, station, county, tmp_path, monkeypatch):
        from trainer_app.store import sync as q
        from trainer_app.sync import site

        demo.fill(station, trainees=10, seed=2, today=TODAY)
        pack = site.write_pack(county, "WP03", tmp_path / "WP03.trpack")
        before = self.digest(station)

        def broken(*_args, **_kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(q, "upsert", broken)
        with pytest.raises(RuntimeError):
            site.setup_station(station, pack, discard_demo=True)
        assert self.digest(station) == before and site.holds_demo(station)

    def test_a_real_database_links_as_it_is(self, station, county, tmp_path):
        from trainer_app.sync import site

        courses.add(station, Course(code="OWN1", title="本站课程", hours=6))
        tid = trainees.register(station, person())
        pack = site.write_pack(county, "RL01", tmp_path / "RL01.trpack", station_name="真实站")
        site.setup_station(station, pack)  # no flag needed, nothing removed
        assert trainees.get(station, tid).name == "王小明"
        assert {r["code"] for r in station.rows("SELECT code FROM course")} == {"OWN1", "EC901"}
        assert station.get_meta("station_name") == "真实站"

    def test_discarding_the_demo_sets_up_a_clean_county(self, station):
        from trainer_app.sync import exchange, site

        self.demo_with_certificates(station)
        info = site.setup_county(station, "XC", "襄城县电商中心", discard_demo=True)
        assert (info.code, info.name) == ("XC", "襄城县电商中心")
        for table in (*self.LOCAL, "course"):
            assert station.scalar(f"SELECT count(*) FROM {table}") == 0, table
        assert station.get_meta("station_name") is None
        assert station.get_meta("station_code") is None and not site.holds_demo(station)
        labels = {r[0] for r in station.conn.execute("SELECT label FROM site_key")}
        assert demo.STATION_NAME not in labels
        assert exchange.status(station)["role"] == "county"

    def test_station_code_and_county_locked_once_linked(self, station, county, tmp_path):
        from trainer_app.services import station as station_svc
        from trainer_app.sync import site

        station_svc.update(station, station_code="ab12", county_name="某县")  # not linked: fine
        assert station_svc.info(station).station_code == "AB12"
        site.setup_station(station, site.write_pack(county, "LK02", tmp_path / "LK02.trpack"))
        for field, value in (("station_code", "ZZ99"), ("county_name", "另一个县")):
            exc = refused(station, ValidationError, station_svc.update, **{field: value})
            assert exc.errors == {field: "Set by the county pack; it cannot be changed here."}
        # the same values, and the station's own name, may be saved
        station_svc.update(station, station_name="新名字", station_code="lk02",
                           county_name="襄城县电商中心")
        info = station_svc.info(station)
        assert (info.station_name, info.station_code, info.county_name) == (
            "新名字", "LK02", "襄城县电商中心")
        # at the county too
        exc = refused(county, ValidationError, station_svc.update, county_name="改名")
        assert "county_name" in exc.errors


# -- rows of another site ------------------------------------------------------------------------
def test_a_row_of_another_site_is_refused_and_never_restamped(station):
    """A site changes only the rows it created: another site's row (here made so by hand) is
    refused with a message, whether changed, removed or brought back."""
    from trainer_app.services.errors import OwnedElsewhereError
    from trainer_app.store import records

    demo.fill(station, trainees=12, seed=3, today=TODAY)
    other = "0190aaaa-0000-7000-8000-000000000001"
    mark = station.row("SELECT * FROM attendance WHERE deleted = 0 ORDER BY id LIMIT 1")
    enrollment = station.row("SELECT * FROM enrollment WHERE deleted = 0 AND trainee_id != ? "
                             "ORDER BY id LIMIT 1", [mark["trainee_id"]])
    classes.unenroll(station, enrollment["class_id"], [enrollment["trainee_id"]])
    tid = mark["trainee_id"]
    lesson = station.row("SELECT * FROM lesson WHERE id = ?", [mark["lesson_id"]])
    with station.transaction():
        for table, row_id in (("trainee", tid), ("attendance", mark["id"]),
                              ("enrollment", enrollment["id"]), ("lesson", lesson["id"])):
            station.conn.execute(f"UPDATE {table} SET origin = ? WHERE id = ?", [other, row_id])
    t = trainees.get(station, tid)
    message = "This record belongs to another site and can only be changed there."
    for call, args in (
        (trainees.update, (tid, dataclasses.replace(t, name="改名"))),
        (trainees.delete, (tid,)),
        (attendance.mark, (mark["lesson_id"], tid,
                           "absent" if mark["status"] != "absent" else "present")),
        (classes.enroll, (enrollment["class_id"], [enrollment["trainee_id"]])),
        (classes.cancel_lesson, (lesson["id"],)),
        (classes.move_lesson, (lesson["id"], lesson["date"], "07:30")),
    ):
        exc = refused(station, OwnedElsewhereError, call, *args)
        assert str(exc) == message and exc.origin == other
    with station.transaction(), pytest.raises(records.NotOwnedError) as info:
        records.tombstone(station, "trainee", tid)
    assert info.value.origin == other
    with station.transaction(), pytest.raises(KeyError):
        records.update(station, "trainee", "0190aaaa-0000-7000-8000-00000000ffff", {})


def test_live_id_numbers(station):
    from trainer_app.store import trainees as trainees_q

    a = trainees.register(station, person("甲", 1))
    trainees.register(station, person("乙", 2))
    trainees.delete(station, a)
    assert trainees_q.live_id_numbers(station) == {number(2)}


def test_class_dates_must_keep_including_its_lessons(tmp_path):
    s = Store(tmp_path / "s.db", create=True)
    i18n.set_language("en")
    course = courses.add(s, Course(code="EC1", title="开设网店", hours=8))
    class_id = classes.create(s, TrainingClass(
        course_id=course, start_date="2026-06-01", end_date="2026-06-10",
        lessons=[Lesson("2026-06-02", "09:00", 4), Lesson("2026-06-09", "09:00", 4)]))
    before = classes.get(s, class_id)
    with pytest.raises(ValidationError) as refused:
        classes.update(s, class_id, dataclasses.replace(before, end_date="2026-06-05", lessons=[]))
    assert "its dates must include them" in refused.value.errors["end_date"]
    assert classes.get(s, class_id).end_date == "2026-06-10"
    classes.update(s, class_id, dataclasses.replace(before, start_date="2026-06-02", lessons=[]))
    assert classes.get(s, class_id).start_date == "2026-06-02"
    s.close()
