"""What the county coordinator's screens need besides :mod:`trainer_app.sync`: the station
register with its bundles, gaps and key fingerprints; adding a station; merging a duplicate
group; and read-only lists of every station's trainees, classes and certificates that stay fast
on a county of 100,000 trainees (ordered rowids first, rows a page at a time)."""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.i18n import _
from trainer_app.services.errors import ValidationError
from trainer_app.services.trainee_list import TraineeList
from trainer_app.store import Store
from trainer_app.store import county as q
from trainer_app.store import sync as sync_q
from trainer_app.sync import exchange, persons, rebuild, site


# -- the county itself -------------------------------------------------------------------------
def can_set_up(store: Store) -> bool:
    """A database can become a county center when it is not one, is not linked to a county as
    a station, and holds no station's records (the demo station's practice records are no
    station's: setting up removes them, see :func:`site.setup_county`)."""
    return site.role(store) == "" and (site.holds_demo(store) or not q.has_station_data(store))


def set_up(store: Store, code: str, name: str, discard_demo: bool = False) -> site.County:
    return site.setup_county(store, code, name, discard_demo=discard_demo)


def totals(store: Store) -> tuple[int, int]:
    """Stations in the register and persons held, for the window's status line."""
    return q.totals(store)


# -- the station register ----------------------------------------------------------------------
def stations(store: Store) -> list[dict]:
    """Every station of the register: code, name, township, village, contact, approved,
    state (``approved``, ``waiting`` for the coordinator, ``new_key``: approved, and another
    key waits — a new PC to re-key, or a stranger —, or ``new``: nothing received yet),
    fingerprint (the approved key's, else the waiting one's), last_seq, last_at, gaps and
    trainees held."""
    site.require_role(store, "county")
    details = q.station_details(store)
    counts = q.trainee_counts(store)
    out = []
    for st in exchange.status(store)["stations"]:
        row = details.get(st["code"], {})
        approved = bool(st["approved"])
        waiting = st["pending_fingerprint"]
        if approved:
            state = "new_key" if st["waiting_keys"] else "approved"
            fingerprint = exchange.approved_fingerprint(row.get("sign_key"))
        elif waiting:
            state, fingerprint = "waiting", waiting
        else:
            state, fingerprint = "new", ""
        out.append({
            **st,
            "township": row.get("township", ""),
            "village": row.get("village", ""),
            "contact": row.get("contact", ""),
            "site_id": row.get("site_id"),
            "state": state,
            "fingerprint": fingerprint,
            "trainees": counts.get(row.get("site_id") or "", 0),
            # re-keyed, and nothing came from the new PC since: its rebuild file may be needed
            "rekeyed": bool((request := rebuild.requested(store, row.get("site_id") or ""))
                            and (st["last_at"] or "") < request["at"]),
        })
    return out


def add_station(store: Store, code: str, name: str = "", township: str = "", village: str = "",
                contact: str = "") -> dict:
    """Add a station to the register; a code already there is refused (beside the field)."""
    site.require_role(store, "county")
    clean = code.strip().upper()
    errors: dict[str, str] = {}
    if not (2 <= len(clean) <= 12 and clean.isascii() and clean.isalnum()):
        errors["station_code"] = _("A station code has 2 to 12 letters or digits.")
    elif sync_q.station_by_code(store, clean):
        errors["station_code"] = _("Station {code} is in the register already.").format(
            code=clean)
    if not name.strip():
        errors["name"] = _("Enter the station's name.")
    if errors:
        raise ValidationError(errors)
    return site.add_station(store, clean, name.strip(), township.strip(), village.strip(),
                            contact.strip())


def pack_file_name(code: str) -> str:
    return f"{code}{site.PACK_SUFFIX}"


# -- duplicates ------------------------------------------------------------------------------
def duplicate_groups(store: Store) -> list[list[dict]]:
    """:func:`persons.duplicates`, each member with what helps choose the record to keep:
    gender, birth_date, village_group, classes, certificates, updated_at."""
    groups = persons.duplicates(store)
    facts = q.trainee_facts(store, [m["id"] for g in groups for m in g])
    return [[{**m, **facts.get(m["id"], {})} for m in g] for g in groups]


def merge_group(store: Store, keep_id: str, others: Iterable[str]) -> list[str]:
    """Merge every other member of a duplicate group into the record kept, all or nothing."""
    site.require_role(store, "county")
    with store.transaction():
        return [persons.merge(store, keep_id, other) for other in others if other != keep_id]


# -- read-only lists of every station's records -------------------------------------------------
def station_choices(store: Store) -> list[dict]:
    """Stations whose records may be held here, for a filter: code, name, site_id."""
    return q.known_stations(store)


class CountyTraineeList(TraineeList):
    """The station's fast trainee list over the county's whole table, with each trainee's
    station, and an optional filter to one station."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._station: str | None = None
        self._station_rows: set[int] | None = None

    def set_station(self, site_id: str | None) -> None:
        self._station = site_id or None
        self._station_rows = None

    def invalidate(self) -> None:
        super().invalidate()
        self._station_rows = None

    def find(self, text: str) -> list[int]:
        found = super().find(text)
        if self._station is None:
            return found
        if self._station_rows is None:
            self._station_rows = q.trainee_rowids_of(self._store, self._station)
        keep = self._station_rows
        return [r for r in found if r in keep]

    def rows(self, rowids: list[int]) -> dict[int, dict]:
        return q.trainees_by_rowid(self._store, rowids)


class ClassList:
    """Classes of every station, newest first, with enrolled and attendance counts."""

    SORTS = tuple(q.CLASS_SORTS)

    def __init__(self, store: Store) -> None:
        self._store = store
        self.sort, self.descending = "start_date", True
        self.search = ""
        self.station: str | None = None

    def set_sort(self, sort: str, descending: bool = False) -> None:
        if sort not in q.CLASS_SORTS:
            raise ValueError(sort)
        self.sort, self.descending = sort, descending

    def rowids(self) -> list[int]:
        return q.class_rowids(self._store, self.search.strip(), self.station, self.sort,
                              self.descending)

    def rows(self, rowids: list[int]) -> dict[int, dict]:
        return q.classes_by_rowid(self._store, rowids)


class CertificateList:
    """Certificates of every station with their status (valid, withdrawn, replaced)."""

    SORTS = tuple(q.CERTIFICATE_SORTS)
    STATUSES = tuple(q.STATUS_WHERE)

    def __init__(self, store: Store) -> None:
        self._store = store
        self.sort, self.descending = "issued_on", True
        self.search = ""
        self.station: str | None = None
        self.status: str | None = None
        self.class_id: str | None = None

    def set_sort(self, sort: str, descending: bool = False) -> None:
        if sort not in q.CERTIFICATE_SORTS:
            raise ValueError(sort)
        self.sort, self.descending = sort, descending

    def rowids(self) -> list[int]:
        return q.certificate_rowids(self._store, self.search.strip(), self.station,
                                    self.status, self.sort, self.descending, self.class_id)

    def rows(self, rowids: list[int]) -> dict[int, dict]:
        rows = q.certificates_by_rowid(self._store, rowids)
        for row in rows.values():
            if row["replaced_by"]:
                row["status"] = "replaced"
            elif row["revoked_reason"] is not None:
                row["status"] = "withdrawn"
            else:
                row["status"] = "valid"
        return rows
