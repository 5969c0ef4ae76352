"""The station's own details: names, code, and the seal and logo printed on papers."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from trainer_app import paths
from trainer_app.i18n import _
from trainer_app.services.errors import ValidationError
from trainer_app.store import Store


# A NamedTuple, not a dataclass: this module is read before the window's first paint, where
# building a dataclass costs ~0.5 ms and importing ``dataclasses`` ~1.4 ms (README, Figures).
class StationInfo(NamedTuple):
    station_name: str
    county_name: str
    station_code: str
    seal_image: Path | None
    logo_image: Path | None


def default_code(site_id: str) -> str:
    """A provisional station code until the county assigns one: ``S`` + 4 base-36 characters."""
    import hashlib  # here: OpenSSL's loading is not for the window's start-up

    n = int(hashlib.sha256(site_id.encode()).hexdigest(), 16)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    for _i in range(4):
        n, r = divmod(n, 36)
        code += chars[r]
    return "S" + code


def info(store: Store) -> StationInfo:
    def image(key: str) -> Path | None:
        value = store.get_meta(key)
        return Path(value) if value and Path(value).exists() else None

    return StationInfo(
        station_name=store.get_meta("station_name") or "",
        county_name=store.get_meta("county_name") or "",
        station_code=store.get_meta("station_code") or default_code(store.site_id),
        seal_image=image("seal_image"),
        logo_image=image("logo_image"),
    )


# Fields the county pack sets once the site is linked: the county knows the station by its code
# (a bundle from an unknown code is refused) and the county by its name.
LINKED_FIELDS = ("station_code", "county_name")


def linked(store: Store) -> bool:
    """Whether this site is part of a county's sync network (a linked station, or the county)."""
    return (store.get_meta("role") or "") in ("station", "county")


def is_county(store: Store) -> bool:
    """Whether this database is a county center (read without the sync machinery, whose
    imports the window's start-up need not pay for)."""
    return store.get_meta("role") == "county"


def is_demo(store: Store) -> bool:
    """Whether the database holds the demo station's practice records (not linked yet)."""
    from trainer_app.store import site as site_q

    return site_q.is_demo(store)


def locked_message() -> str:
    return _("Set by the county pack; it cannot be changed here.")


def update(
    store: Store, *, station_name: str | None = None, county_name: str | None = None,
    station_code: str | None = None,
) -> None:
    """Change the station's names and code. Once linked to a county, the station code and the
    county's name are the county pack's: changing them is refused (giving the same value is
    not a change)."""
    errors: dict[str, str] = {}
    if station_code is not None:
        station_code = station_code.strip().upper()
        if not (2 <= len(station_code) <= 12 and station_code.isascii() and station_code.isalnum()):
            errors["station_code"] = _("A station code has 2 to 12 letters or digits.")
    if linked(store):
        current = info(store)
        for key, value in (("station_code", station_code), ("county_name", county_name)):
            if value is not None and value.strip() != getattr(current, key):
                errors[key] = locked_message()
    if errors:
        raise ValidationError(errors)
    with store.transaction():
        for key, value in (
            ("station_name", station_name), ("county_name", county_name),
            ("station_code", station_code),
        ):
            if value is not None:
                store.set_meta(key, value.strip())


def set_image(store: Store, kind: str, source: Path | None) -> Path | None:
    """Use ``source`` (a PNG) as the station's ``seal`` or ``logo``; None removes it.

    The file is copied into the data folder, so the paper still prints when the USB stick
    the image came from is gone.
    """
    from trainer_app.files import copy_atomic  # the window's start-up reads this module

    if kind not in ("seal", "logo"):
        raise ValueError(kind)
    key = f"{kind}_image"
    if source is None:
        with store.transaction():
            store.set_meta(key, "")
        return None
    source = Path(source)
    if source.suffix.lower() != ".png" or not source.is_file():
        raise ValidationError({key: _("Choose a PNG image file.")})
    with source.open("rb") as fh:
        if fh.read(8) != b"\x89PNG\r\n\x1a\n":
            raise ValidationError({key: _("This file is not a PNG image.")})
    folder = paths.data_dir() / "images"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{store.site_id}-{kind}.png"
    copy_atomic(source, target)
    with store.transaction():
        store.set_meta(key, str(target))
    return target
