"""Trainees the GUI tests look for by name, pinyin and initials."""

from __future__ import annotations

import datetime as dt

from trainer_app.domain import idcard
from trainer_app.domain.models import Trainee
from trainer_app.services import trainees
from trainer_app.store import Store


def register_wang_xiaoming(store: Store) -> str:
    """王小明 (wangxiaoming, wxm) of 王坪村, with a valid ID number; returns his id."""
    number = idcard.make("411025", dt.date(1991, 5, 17), 21, "M")
    return trainees.register(store, Trainee(name="王小明", id_number=number, village="王坪村"))
