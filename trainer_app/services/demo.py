"""A realistic demo station: a county's e-commerce courses, villagers with valid ID numbers
(some with rare name characters), and classes finished, running and planned with attendance."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from trainer_app.domain import idcard
from trainer_app.domain.ids import uuid7
from trainer_app.domain.search import build_key, name_sort_key
from trainer_app.services.trainees import CODE_PREFIX
from trainer_app.store import Store, records
from trainer_app.store import courses as courses_q
from trainer_app.store import site as site_q
from trainer_app.store import trainees as trainees_q
from trainer_app.store.db import utc_now

STATION_NAME = "襄城县王洛镇王坪村电商服务站"
COUNTY_NAME = "襄城县农村电商公共服务中心"
REGION = "411025"
STATION_CODE = "WP01"

COURSES = [
    ("EC101", "开设网店", "网店运营", "从注册到上线：开设淘宝、拼多多网店的全过程。", 24),
    ("EC102", "农产品拍摄与上架", "内容制作", "用手机拍好农产品，写好标题和详情页并上架。", 16),
    ("EC103", "直播带货", "直播电商", "直播间布置、话术、选品与售后。", 20),
    ("EC104", "快递物流与包装", "物流", "生鲜与易碎农产品的包装、发货与退换。", 12),
    ("EC105", "网店客服", "网店运营", "售前售后沟通、差评处理与平台规则。", 12),
    ("EC106", "短视频制作", "内容制作", "拍摄、剪辑与发布乡村短视频。", 16),
    ("EC107", "农产品品牌与包装设计", "品牌", "地方特产的品牌故事与包装设计。", 16),
    ("EC108", "电商财务与税务基础", "经营管理", "记账、开票与个体户税务。", 8),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤单"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华红玉梅建国志文斌海波宁凤兴福春"
    "燕云晓辉鹏飞丹萍金荣琴亮成林小宝喜翠花德永庆胜利新民家乐佳怡浩然子涵雨欣梓轩思远"
)
RARE = "䶮堃喆玥赟昇珺燊淼犇垚彧镕𠮷"
VILLAGES = ("王坪村", "张庄村", "李家湾村", "柳树沟村", "石桥村", "东岗村", "河西村", "新华村")
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")
EDUCATION = (
    "Primary school", "Junior middle school", "Junior middle school", "Senior middle school",
    "Vocational school", "College or above",
)
TRAINERS = ("刘建华", "陈晓燕", "赵志刚", "孙丽娟", "周文斌")
PLACES = ("王坪村电商服务站培训室", "王洛镇文化站", "村委会会议室")
TOPICS = (
    "平台规则与开店准备", "商品拍摄实操", "标题与详情页", "订单与发货", "售后与评价", "实操考核",
)


def fill(
    store: Store,
    trainees: int = 300,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Add demo records to ``store`` in one transaction; returns counts of what was added.

    A database not linked to a county yet is marked as holding the demo station's practice
    records (meta ``demo``): linking it later removes them, so that they never reach the
    county. On a linked station the records are that station's own (for trying things out)."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    with store.transaction():
        if not store.get_meta("role"):
            site_q.mark_demo(store)
        for key, value in (("station_name", STATION_NAME), ("county_name", COUNTY_NAME)):
            if not store.get_meta(key):
                store.set_meta(key, value)
        if not store.get_meta("station_code"):
            store.set_meta("station_code", STATION_CODE)
        course_ids = _courses(store)
        trainee_ids = _trainees(store, rng, trainees, progress)
        classes, lessons, marks = _classes(store, rng, course_ids, trainee_ids, today)
    return {
        "courses": len(course_ids),
        "trainees": len(trainee_ids),
        "classes": classes,
        "lessons": lessons,
        "attendance": marks,
    }


def _courses(store: Store) -> list[tuple[str, float]]:
    found = []
    for code, title, category, description, hours in COURSES:
        row = courses_q.by_code(store, code)
        if row is None:
            course_id = records.insert(
                store,
                "course",
                {"code": code, "title": title, "category": category,
                 "description": description, "hours": hours, "min_share": 0.8},
            )
            found.append((course_id, float(hours)))
        else:
            found.append((row["id"], float(row["hours"])))
    return found


def _name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    pool = RARE if rng.random() < 0.03 else GIVEN
    given = rng.choice(pool) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def _trainees(
    store: Store, rng: random.Random, n: int, progress: Callable[[int, int], None] | None
) -> list[str]:
    start = trainees_q.max_code_number(store, CODE_PREFIX)
    taken = trainees_q.live_id_numbers(store)
    rows = []
    ids: list[str] = []
    for i in range(n):
        gender = rng.choice("MF")
        while True:
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
            number = idcard.make(REGION, birth, rng.randrange(100), gender)
            if number not in taken:
                taken.add(number)
                break
        name = _name(rng)
        code = f"{CODE_PREFIX}{start + i + 1:06d}"
        phone = rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
        phone = "1" + phone
        village, group = rng.choice(VILLAGES), rng.choice(GROUPS)
        row = {
            "code": code, "name": name, "gender": gender, "birth_date": birth.isoformat(),
            "id_number": number, "phone": phone if rng.random() < 0.9 else None,
            "village": village, "village_group": group,
            "poor_household": int(rng.random() < 0.18), "education": rng.choice(EDUCATION),
            "notes": "",
        }
        row["search_key"] = build_key(name, code, number, row["phone"], village, group)
        row["name_sort"] = name_sort_key(name)
        row["id"] = uuid7()
        ids.append(row["id"])
        rows.append(row)
        if progress and i % 1000 == 0:
            progress(i, n)
    records.insert_many(store, "trainee", rows)
    return ids


def _classes(
    store: Store,
    rng: random.Random,
    course_ids: list[tuple[str, float]],
    trainee_ids: list[str],
    today: dt.date,
) -> tuple[int, int, int]:
    """Per ~100 trainees: two finished classes, one running (a lesson today), one planned."""
    if not trainee_ids:
        return 0, 0, 0
    plan = ["finished", "finished", "running", "planned"]
    n_classes = max(4, min(40, len(trainee_ids) // 25))
    class_count = lesson_count = mark_count = 0
    lesson_rows: list[dict] = []
    enroll_rows: list[dict] = []
    mark_rows: list[dict] = []
    now = utc_now()

    for k in range(n_classes):
        status = plan[k % len(plan)]
        course_id, course_hours = course_ids[k % len(course_ids)]
        n_lessons = max(2, int(course_hours // 4))
        if status == "finished":
            first = today - dt.timedelta(days=30 + 20 * k)
        elif status == "running":
            first = today - dt.timedelta(days=2 * (n_lessons // 2))
        else:
            first = today + dt.timedelta(days=7 + 3 * k)
        days = [first + dt.timedelta(days=2 * j) for j in range(n_lessons)]
        course_title = COURSES[k % len(COURSES)][1]
        class_id = records.insert(
            store,
            "training_class",
            {"course_id": course_id, "title": f"{course_title}（第{k // len(COURSES) + 1}期）",
             "trainer": rng.choice(TRAINERS), "place": rng.choice(PLACES),
             "start_date": days[0].isoformat(), "end_date": days[-1].isoformat(),
             "status": status},
        )
        class_count += 1
        members = rng.sample(trainee_ids, min(len(trainee_ids), rng.randint(18, 30)))
        enroll_rows += [{"class_id": class_id, "trainee_id": t} for t in members]
        for j, day in enumerate(days):
            lesson_id = uuid7()
            lesson_rows.append(
                {"id": lesson_id, "class_id": class_id, "date": day.isoformat(),
                 "start_time": rng.choice(("09:00", "14:00", "19:00")), "hours": 4.0,
                 "topic": TOPICS[j % len(TOPICS)], "cancelled": 0}
            )
            lesson_count += 1
            if day >= today or status == "planned":
                continue  # today's sheet is left open for the operator to take
            for t in members:
                r = rng.random()
                st = ("present" if r < 0.8 else "late" if r < 0.88
                      else "excused" if r < 0.93 else "absent")
                mark_rows.append(
                    {"lesson_id": lesson_id, "trainee_id": t, "status": st,
                     "recorded_at": now, "method": rng.choice(("manual", "scan", "sheet"))}
                )
                mark_count += 1
    records.insert_many(store, "lesson", lesson_rows)
    records.insert_many(store, "enrollment", enroll_rows)
    records.insert_many(store, "attendance", mark_rows)
    return class_count, lesson_count, mark_count
