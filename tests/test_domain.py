"""Domain rules: ID numbers, phones, completion, search keys, ids and validation. No Qt, no SQL."""

from __future__ import annotations

import datetime as dt
import gettext
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer_app import i18n
from trainer_app.domain import completion, idcard, phone, search, validation
from trainer_app.domain.ids import uuid7
from trainer_app.domain.models import (
    AttendanceStatus,
    ClassStatus,
    Course,
    Gender,
    Lesson,
    Trainee,
    TrainingClass,
)

TODAY = dt.date(2024, 6, 1)
# The example of GB 11643-1999 itself: born 1949-12-31, female, check character X.
STANDARD_EXAMPLE = "11010519491231002X"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Messages in English whatever another test module switched the language to."""
    monkeypatch.setattr(i18n, "_translations", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_language", "en")


def numbers_ending_in_x() -> list[str]:
    found = []
    for days in range(0, 4000, 7):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=days)
        for seq in range(100):
            for gender in "MF":
                number = idcard.make("411025", birth, seq, gender)
                if number.endswith("X"):
                    found.append(number)
        if len(found) > 20:
            break
    return found


# -- ID numbers -----------------------------------------------------------------------------------
class TestIdCard:
    def test_standard_example_with_x(self):
        info = idcard.parse(STANDARD_EXAMPLE, TODAY)
        assert info.number == STANDARD_EXAMPLE
        assert info.region == "110105"
        assert info.birth_date == dt.date(1949, 12, 31)
        assert info.gender == "F"

    def test_check_character_is_iso_7064(self):
        assert idcard.check_char(STANDARD_EXAMPLE[:17]) == "X"
        # every check value 0..10 maps to its character
        assert idcard.CHECK_CHARS == "10X98765432"

    def test_made_numbers_ending_in_x_parse(self):
        xs = numbers_ending_in_x()
        assert xs, "idcard.make never produced a number ending in X"
        for number in xs:
            info = idcard.parse(number, TODAY)
            assert info.number == number
            assert info.number[-1] == "X"

    def test_lowercase_x_accepted_and_normalized(self):
        info = idcard.parse(STANDARD_EXAMPLE.lower(), TODAY)
        assert info.number == STANDARD_EXAMPLE

    def test_spaces_and_full_width_digits_accepted(self):
        spaced = " 110105 19491231 002x "
        assert idcard.parse(spaced, TODAY).number == STANDARD_EXAMPLE
        full_width = "１１０１０５１９４９１２３１００２Ｘ"
        assert idcard.parse(full_width, TODAY).number == STANDARD_EXAMPLE

    def test_male_and_female_from_17th_digit(self):
        male = idcard.make("411025", dt.date(1990, 3, 7), 12, "M")
        female = idcard.make("411025", dt.date(1990, 3, 7), 12, "F")
        assert int(male[16]) % 2 == 1 and int(female[16]) % 2 == 0
        assert idcard.parse(male, TODAY).gender == "M"
        assert idcard.parse(female, TODAY).gender == "F"
        assert idcard.parse(male, TODAY).birth_date == dt.date(1990, 3, 7)

    def test_wrong_check_digit(self):
        good = idcard.make("411025", dt.date(1985, 11, 30), 3, "F")
        for other in "0123456789X":
            if other != good[-1]:
                with pytest.raises(idcard.IdNumberError) as exc:
                    idcard.parse(good[:17] + other, TODAY)
                assert exc.value.code == "check"

    def test_single_digit_typo_is_caught(self):
        good = idcard.make("411025", dt.date(1985, 11, 30), 3, "F")
        for i in range(17):
            for d in "0123456789":
                if d == good[i]:
                    continue
                typo = good[:i] + d + good[i + 1 :]
                with pytest.raises(idcard.IdNumberError):
                    idcard.parse(typo, TODAY)

    def test_february_30_is_not_a_date(self):
        body = "41102519900230001"
        with pytest.raises(idcard.IdNumberError) as exc:
            idcard.parse(body + idcard.check_char(body), TODAY)
        assert exc.value.code == "date"

    @pytest.mark.parametrize(
        "birth", ["19901301", "19900001", "19900100", "18991231", "20240602", "20990101"]
    )
    def test_impossible_or_future_dates(self, birth):
        body = "411025" + birth + "001"
        with pytest.raises(idcard.IdNumberError) as exc:
            idcard.parse(body + idcard.check_char(body), TODAY)
        assert exc.value.code == "date"

    def test_leap_day_is_a_date(self):
        body = "41102520000229001"
        info = idcard.parse(body + idcard.check_char(body), TODAY)
        assert info.birth_date == dt.date(2000, 2, 29)

    def test_born_today_is_accepted(self):
        number = idcard.make("411025", TODAY, 1, "M")
        assert idcard.parse(number, TODAY).birth_date == TODAY

    @pytest.mark.parametrize("number", ["", "1101051949123100", STANDARD_EXAMPLE + "1", "X" * 17])
    def test_wrong_length(self, number):
        with pytest.raises(idcard.IdNumberError) as exc:
            idcard.parse(number, TODAY)
        assert exc.value.code == "length"

    @pytest.mark.parametrize(
        "number",
        [
            "11010519491231002Y",
            "1101051949123100X2",
            "A1010519491231002X",
            "1101051949-231002X",
            "11010519491231002١",  # an Arabic-Indic digit: isdigit() but not 0-9
            "11010519491231002〇",
            "1101051949123100١X",
        ],
    )
    def test_letters_and_other_characters(self, number):
        with pytest.raises(idcard.IdNumberError) as exc:
            idcard.parse(number, TODAY)
        assert exc.value.code == "chars"

    def test_error_is_a_value_error(self):
        with pytest.raises(ValueError):
            idcard.parse("123", TODAY)

    def test_mask(self):
        assert idcard.mask("410102199003071234") == "4101**********1234"
        assert idcard.mask(STANDARD_EXAMPLE) == "1101**********002X"
        assert idcard.mask("") == ""
        assert idcard.mask(None) == ""
        assert idcard.mask("12345678") == "********"
        masked = idcard.mask("410102199003071234")
        assert len(masked) == 18 and "19900307" not in masked

    @given(
        birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
        sequence=st.integers(min_value=0, max_value=99),
        gender=st.sampled_from(["M", "F"]),
        region=st.from_regex(r"\A[1-8][0-9]{5}\Z", fullmatch=True),
    )
    def test_make_parse_round_trip(self, birth, sequence, gender, region):
        number = idcard.make(region, birth, sequence, gender)
        assert len(number) == 18
        info = idcard.parse(number, TODAY)
        assert (info.region, info.birth_date, info.gender) == (region, birth, gender)
        assert idcard.parse(number.lower(), TODAY) == info

    @given(st.text(max_size=20))
    def test_parse_never_raises_anything_else(self, text):
        try:
            info = idcard.parse(text, TODAY)
        except idcard.IdNumberError as exc:
            assert exc.code in {"length", "chars", "date", "check"}
        else:
            assert len(info.number) == 18


# -- phones ---------------------------------------------------------------------------------------
class TestPhone:
    @pytest.mark.parametrize(
        "number",
        [
            "13812345678", "19912345678", "+86 138 1234 5678", "138-1234-5678",
            "１３８１２３４５６７８",
        ],
    )
    def test_valid(self, number):
        assert phone.is_valid_mobile(number)
        assert phone.normalize(number) == phone.normalize(number).strip()

    @pytest.mark.parametrize(
        "number",
        [
            "", "12812345678", "1381234567", "138123456789", "23812345678", "1381234567a",
            "0371-12345678", "13８1234567",
            "138١2345678",  # Arabic-Indic digit
        ],
    )
    def test_invalid(self, number):
        if number == "13８1234567":  # full-width 8 becomes 8: a valid but too short number
            assert phone.normalize(number) == "1381234567"
        assert not phone.is_valid_mobile(number)

    def test_normalize(self):
        assert phone.normalize("+86 138-1234-5678") == "13812345678"
        assert phone.normalize("１３８１２３４５６７８") == "13812345678"

    def test_mask(self):
        assert phone.mask("13812345678") == "138****5678"
        assert phone.mask("") == ""
        assert phone.mask(None) == ""
        assert phone.mask("123456") == "******"
        # a short number never shows more than its last four
        for n in ("1234567", "12345678", "1234567890"):
            masked = phone.mask(n)
            assert len(masked) == len(n)
            assert masked.count("*") >= len(n) - 4


# -- completion -----------------------------------------------------------------------------------
class TestCompletion:
    def test_present_and_late_count_excused_and_absent_do_not(self):
        result = completion.evaluate(
            [(4, "present"), (4, "late"), (4, "excused"), (4, "absent")], 0.5
        )
        assert result.attended_hours == 8
        assert result.scheduled_hours == 16
        assert result.share == 0.5
        assert result.met

    def test_excused_does_not_lower_the_requirement(self):
        result = completion.evaluate([(4, "present")] * 3 + [(4, "excused")], 0.8)
        assert result.required_hours == pytest.approx(12.8)
        assert not result.met

    def test_unmarked_lessons_count_as_scheduled(self):
        result = completion.evaluate([(2, "present"), (2, None), (2, None)], 0.8)
        assert result.scheduled_hours == 6
        assert result.attended_hours == 2
        assert not result.met

    def test_enum_statuses_accepted(self):
        result = completion.evaluate([(3, AttendanceStatus.PRESENT), (1, AttendanceStatus.LATE)], 1)
        assert result.met and result.attended_hours == 4

    def test_exact_threshold_is_met(self):
        # 8 of 10 one-hour lessons is exactly 80 %
        marks = [(1.0, "present")] * 8 + [(1.0, "absent")] * 2
        assert completion.evaluate(marks, 0.8).met
        # float noise must not break the exact case: 0.1-hour lessons, 0.7 share
        marks = [(0.1, "present")] * 7 + [(0.1, "absent")] * 3
        assert completion.evaluate(marks, 0.7).met
        # 3 lessons of 2.5 h, 0.6 share of 7.5 h = 4.5 h; attended 2 lessons = 5 h
        assert completion.evaluate([(2.5, "present")] * 2 + [(2.5, "absent")], 0.6).met

    def test_just_under_threshold_is_not_met(self):
        marks = [(1.0, "present")] * 7 + [(0.99, "present")] + [(1.0, "absent")] * 2
        result = completion.evaluate(marks, 0.8)
        assert result.attended_hours < result.required_hours
        assert not result.met
        marks = [(4, "present")] * 3 + [(4, "late")] + [(4, "absent")] * 2  # 16 of 24 = 66.7 %
        assert not completion.evaluate(marks, 0.8).met

    def test_zero_scheduled_is_not_met(self):
        result = completion.evaluate([], 0.8)
        assert result.scheduled_hours == 0
        assert result.share == 0
        assert not result.met
        assert not completion.evaluate([], 0.01).met

    def test_all_attended_full_share(self):
        assert completion.evaluate([(4, "present")] * 5, 1.0).met

    @given(
        st.lists(
            st.tuples(
                st.sampled_from([0.5, 1, 1.5, 2, 2.5, 3, 4]),
                st.sampled_from([None, "present", "late", "excused", "absent"]),
            ),
            max_size=30,
        ),
        st.sampled_from([0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0]),
    )
    def test_rule_properties(self, marks, share):
        result = completion.evaluate(marks, share)
        assert result.scheduled_hours == pytest.approx(sum(h for h, _ in marks))
        assert 0 <= result.attended_hours <= result.scheduled_hours + 1e-9
        # exact arithmetic decides: attended / scheduled >= share
        from fractions import Fraction

        attended = sum(Fraction(h) for h, s in marks if s in ("present", "late"))
        scheduled = sum(Fraction(h) for h, _ in marks)
        exact = scheduled > 0 and attended >= scheduled * Fraction(str(share))
        assert result.met == exact
        # turning one more mark into "present" never loses completion
        if result.met:
            for i, (h, _) in enumerate(marks):
                better = [*marks[:i], (h, "present"), *marks[i + 1 :]]
                assert completion.evaluate(better, share).met

    def test_unknown_status_is_rejected(self):
        with pytest.raises(ValueError):
            completion.evaluate([(4, "sleeping")], 0.8)


# -- search keys ----------------------------------------------------------------------------------
class TestSearch:
    def test_pinyin_and_initials(self):
        key = search.build_key("王小明")
        assert "王小明" in key
        assert "wangxiaoming" in key
        assert "wxm" in key
        assert key == key.lower()

    def test_extra_fields_in_key(self):
        key = search.build_key("王小明", "T000001", STANDARD_EXAMPLE, "13812345678", "王坪村", None)
        for fragment in ("t000001", "002x", "5678", "王坪村", "wxm"):
            assert search.matches(key, fragment)
        assert search.matches(key, " W X M ")
        assert search.matches(key, "WangXiaoming")
        assert not search.matches(key, "lxm")

    def test_polyphonic_surname_both_readings(self):
        key = search.build_key("单小明")
        assert "shanxiaoming" in key and "sxm" in key
        assert "danxiaoming" in key and "dxm" in key

    @pytest.mark.parametrize(
        "name, forms",
        [
            ("单于明", ["danyuming", "dym", "shanyuming", "sym"]),  # phrase reading chanyu
            ("曾国藩", ["zengguofan", "zgf"]),
            ("解晓东", ["xiexiaodong", "xxd", "jiexiaodong"]),
            ("仇大海", ["qiudahai", "qdh"]),
        ],
    )
    def test_more_polyphonic_surnames(self, name, forms):
        key = search.build_key(name)
        for form in forms:
            assert form in key, (name, form, key)

    @pytest.mark.parametrize(
        "name, wrong",
        [("沈伟", "chenwei"), ("沈伟", "cw"), ("王小明", "yxm"), ("吴军", "tunjun"),
         ("石磊", "danlei"), ("陆明", "liuming")],
    )
    def test_rare_readings_of_common_surnames_not_added(self, name, wrong):
        # pypinyin knows 沈 chen and 王 yu; as surnames they are shen and wang only
        assert not search.matches(search.build_key(name), wrong)

    def test_surname_variants(self):
        assert search.surname_variants("单丽") == ["shan", "dan"]
        assert search.surname_variants("王小明") == []
        assert search.surname_variants("") == []

    def test_key_has_no_repeated_parts(self):
        parts = search.build_key("单于明").split(" ")
        assert len(parts) == len(set(parts))

    def test_rare_characters_kept(self):
        key = search.build_key("张𠮷")
        assert "张𠮷" in key
        assert search.matches(key, "𠮷")
        assert search.matches(key, "zhang")

    def test_non_chinese_name(self):
        assert search.matches(search.build_key("Anna Li"), "anna")

    def test_empty_name(self):
        assert search.build_key("") == ""

    def test_normalize_query(self):
        assert search.normalize_query(" W x M ") == "wxm"


# -- ids ------------------------------------------------------------------------------------------
class TestUuid7:
    def test_version_and_variant(self):
        u = uuid.UUID(uuid7())
        assert u.version == 7
        assert u.variant == uuid.RFC_4122

    def test_timestamp_is_now(self):
        before = dt.datetime.now(dt.UTC).timestamp() * 1000
        u = uuid.UUID(uuid7())
        after = dt.datetime.now(dt.UTC).timestamp() * 1000
        ms = u.int >> 80
        assert before - 5 <= ms <= after + 5

    def test_ten_thousand_unique_and_time_ordered(self):
        ids = [uuid7() for _ in range(10_000)]
        assert len(set(ids)) == len(ids)
        assert ids == sorted(ids)
        assert all(uuid.UUID(i).version == 7 for i in ids)
        assert all(len(i) == 36 and i == i.lower() for i in ids)

    def test_unique_across_threads(self):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as pool:
            chunks = list(pool.map(lambda _: [uuid7() for _ in range(2000)], range(4)))
        ids = [i for chunk in chunks for i in chunk]
        assert len(set(ids)) == len(ids)
        for chunk in chunks:
            assert chunk == sorted(chunk)


# -- validation -----------------------------------------------------------------------------------
def valid_trainee(**changes) -> Trainee:
    values = {
        "name": "王小明", "id_number": idcard.make("411025", dt.date(1990, 3, 7), 1, "M"),
        "phone": "13812345678", "village": "王坪村",
    }
    values.update(changes)
    return Trainee(**values)


class TestValidation:
    def test_valid_trainee(self):
        assert validation.validate_trainee(valid_trainee(), TODAY) == {}
        t = valid_trainee(birth_date="1990-03-07", gender=Gender.MALE)
        assert validation.validate_trainee(t, TODAY) == {}
        assert validation.validate_trainee(valid_trainee(phone=None), TODAY) == {}

    @pytest.mark.parametrize(
        "changes, field, message",
        [
            ({"name": "  "}, "name", "Enter the trainee's name."),
            ({"name": "王" * 41}, "name", "A name has at most 40 characters."),
            ({"id_number": None}, "id_number", "Enter the resident ID number."),
            ({"id_number": "123"}, "id_number", "An ID number has 18 characters."),
            (
                {"id_number": "11010519491231002Y"}, "id_number",
                "17 digits followed by a digit or X",
            ),
            ({"id_number": "11010519491231002" + "1"}, "id_number", "check character"),
            ({"id_number": "411025199002300011"}, "id_number", "not a real date"),
            ({"phone": "12345"}, "phone", "A mobile number has 11 digits"),
            ({"village": ""}, "village", "Enter the village."),
            ({"birth_date": "1990-03-08"}, "birth_date", "differs from the one in the ID number"),
            ({"gender": "F"}, "gender", "gender differs"),
            ({"birth_date": "1990/03/07"}, "birth_date", "YYYY-MM-DD"),
            ({"birth_date": "19900307"}, "birth_date", "YYYY-MM-DD"),
        ],
    )
    def test_trainee_messages_per_field(self, changes, field, message):
        errors = validation.validate_trainee(valid_trainee(**changes), TODAY)
        assert set(errors) == {field}, errors
        assert message in errors[field]

    def test_several_errors_at_once(self):
        errors = validation.validate_trainee(Trainee(name="", phone="1"), TODAY)
        assert set(errors) == {"name", "id_number", "phone", "village"}

    def test_course(self):
        assert validation.validate_course(Course(code="EC1", title="开网店", hours=24)) == {}
        errors = validation.validate_course(Course(code=" ", title="", hours=0, min_share=0))
        assert set(errors) == {"code", "title", "hours", "min_share"}
        assert validation.validate_course(Course("A", "B", hours=1001))["hours"]
        assert validation.validate_course(Course("A", "B", hours=8, min_share=1.2))["min_share"]
        assert validation.validate_course(Course("A", "B", hours=8, min_share=1.0)) == {}

    def test_lesson(self):
        assert validation.validate_lesson(Lesson("2024-06-01", "09:00", 4)) == {}
        assert validation.validate_lesson(Lesson("2024-06-01", "9:00", 4)) == {}
        errors = validation.validate_lesson(Lesson("2024-02-30", "25:00", 0))
        assert set(errors) == {"date", "start_time", "hours"}
        assert "YYYY-MM-DD" in errors["date"]
        assert "HH:MM" in errors["start_time"]
        assert validation.validate_lesson(Lesson("2024-06-01", "09:00", 13))["hours"]

    @pytest.mark.parametrize(
        "date", ["20240601", "2024-W22-6", "2024-6-1", "", None, "2024-06-01T09"]
    )
    def test_lesson_dates_must_be_iso(self, date):
        # date.fromisoformat alone accepts "20240601" (Python 3.11), which would be stored as is
        assert "date" in validation.validate_lesson(Lesson(date, "09:00", 2))

    @pytest.mark.parametrize("time", ["0900", "9", "09:60", "", None, "09:00:00+08:00"])
    def test_lesson_times_must_be_hh_mm(self, time):
        assert "start_time" in validation.validate_lesson(Lesson("2024-06-01", time, 2))

    def test_class(self):
        ok = TrainingClass(course_id="c", start_date="2024-06-01", end_date="2024-06-10")
        assert validation.validate_class(ok) == {}
        bad = TrainingClass(course_id="", start_date="2024-06-10", end_date="2024-06-01")
        errors = validation.validate_class(bad)
        assert set(errors) == {"course_id", "end_date"}
        errors = validation.validate_class(
            TrainingClass(course_id="c", start_date="20240601", end_date="2024-06-10")
        )
        assert set(errors) == {"start_date"}
        errors = validation.validate_class(
            TrainingClass(course_id="c", start_date="2024-06-01", end_date="2024-06-10",
                          status="paused")
        )
        assert set(errors) == {"status"}
        with_lessons = TrainingClass(
            course_id="c", start_date="2024-06-01", end_date="2024-06-10",
            status=ClassStatus.RUNNING,
            lessons=[Lesson("2024-06-01", "09:00", 4), Lesson("2024-06-02", "x", 4)],
        )
        errors = validation.validate_class(with_lessons)
        assert set(errors) == {"lessons[1]"}
        assert "HH:MM" in errors["lessons[1]"]

    def test_id_number_messages(self):
        for code in ("length", "chars", "date", "check"):
            assert validation.id_number_message(code)


def test_names_sort_syllable_by_syllable_as_chinese_rosters_do():
    from trainer_app.domain.search import name_sort_key

    names = ["林怡胜", "廖小红", "李秀兰", "梁伟", "黎明", "李民丽", "李", "王小明"]
    assert sorted(names, key=name_sort_key) == [
        "李", "李民丽", "黎明", "李秀兰", "梁伟", "廖小红", "林怡胜", "王小明"]
