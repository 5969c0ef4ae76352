"""The columns reports are made of: each key's title in the active language and its kind."""

from __future__ import annotations

from trainer_app.i18n import pgettext
from trainer_app.services.reports import Column


def column(key: str) -> Column:
    title, kind = {
        "station": (pgettext("report column", "Station code"), "text"),
        "station_name": (pgettext("report column", "Station"), "text"),
        "course": (pgettext("report column", "Course code"), "text"),
        "course_title": (pgettext("report column", "Course"), "text"),
        "class_name": (pgettext("report column", "Class"), "text"),
        "start_date": (pgettext("report column", "First day"), "date"),
        "end_date": (pgettext("report column", "Last day"), "date"),
        "place": (pgettext("report column", "Place"), "text"),
        "trainer": (pgettext("report column", "Trainer"), "text"),
        "lessons": (pgettext("report column", "Lessons held"), "int"),
        "hours": (pgettext("report column", "Hours"), "hours"),
        "enrolled": (pgettext("report column", "Enrolled"), "int"),
        "person_times": (pgettext("report column", "Person-times"), "int"),
        "completed": (pgettext("report column", "Completed"), "int"),
        "certificates": (pgettext("report column", "Certificates issued"), "int"),
        "persons_trained": (pgettext("report column", "People trained"), "int"),
        "classes": (pgettext("report column", "Classes"), "int"),
        "poor_persons": (pgettext("report column", "From poor households"), "int"),
        "village": (pgettext("report column", "Village"), "text"),
        "village_group": (pgettext("report column", "Group"), "text"),
        "month": (pgettext("report column", "Month"), "text"),
        "poor_share": (pgettext("report column", "Share from poor households"), "percent"),
        "completion_rate": (pgettext("report column", "Completion rate"), "percent"),
        "poor_completion_rate": (pgettext("report column", "Completion rate, poor households"),
                                 "percent"),
        "dimension": (pgettext("report column", "By"), "text"),
        "group": (pgettext("report column", "Group"), "text"),
        "persons": (pgettext("report column", "People trained"), "int"),
        "share": (pgettext("report column", "Share"), "percent"),
        "level": (pgettext("report column", "Row"), "text"),
        "dropouts": (pgettext("report column", "Never attended"), "int"),
        "attendance_rate": (pgettext("report column", "Attendance rate"), "percent"),
        "issued": (pgettext("report column", "Issued"), "int"),
        "reissued": (pgettext("report column", "Reissued"), "int"),
        "withdrawn": (pgettext("report column", "Withdrawn"), "int"),
        "last_bundle": (pgettext("report column", "Last bundle"), "int"),
        "last_bundle_date": (pgettext("report column", "Last bundle received"), "date"),
        "missing": (pgettext("report column", "Missing bundles"), "text"),
        "last_class_day": (pgettext("report column", "Last lesson held"), "date"),
        "code": (pgettext("report column", "Trainee code"), "text"),
        "name": (pgettext("report column", "Name"), "text"),
        "gender": (pgettext("report column", "Gender"), "text"),
        "birth_date": (pgettext("report column", "Birth date"), "date"),
        "id_number": (pgettext("report column", "ID number"), "text"),
        "phone": (pgettext("report column", "Phone"), "text"),
        "poor_household": (pgettext("report column", "Poor household"), "text"),
        "education": (pgettext("report column", "Education"), "text"),
    }[key]
    return Column(key, title, kind)


def columns(*keys: str) -> list[Column]:
    return [column(k) for k in keys]
