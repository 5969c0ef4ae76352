"""Issuing, reprinting, reissuing, withdrawing and verifying certificates.

A certificate is a row (serial, holder, course, hours, dates) plus a signed code printed as a QR
code (:mod:`trainer_app.domain.certificate_code`), so anyone with the station's public key can
tell a genuine certificate from a forged one offline. The code signs what the paper prints
(the name and the ID number as masked) and nothing computed from the hidden digits: the README's
"Certificates" section says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from trainer_app.domain import certificate_code, idcard, serial
from trainer_app.i18n import _, format_number
from trainer_app.security import keys
from trainer_app.services import classes, station
from trainer_app.services.errors import ServiceError, ValidationError, not_found
from trainer_app.store import Store, records
from trainer_app.store import certificates as q
from trainer_app.store import classes as classes_q
from trainer_app.store import trainees as trainees_q
from trainer_app.store.db import utc_now

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


# -- keys --------------------------------------------------------------------------------------
def signing_key(store: Store) -> keys.SigningKey:
    """The station's key pair, made on first need; its public half is kept in the database.

    Raises :class:`ServiceError` when this site registered a signing key but its file is gone:
    a new key would not match the certificates issued and the key the county approved."""
    key = keys.load(store.site_id)
    if key is None:
        if any(k["purpose"] == "sign" for k in q.site_keys(store, store.site_id)):
            raise ServiceError(
                _("This station's signing key file is missing from the data folder ({path}). "
                  "Restore the data folder from its backup; without the key, certificates "
                  "cannot be issued and sync files cannot be signed.").format(
                    path=keys.key_path(store.site_id)))
        key = keys.create(store.site_id)
    kid = key.key_id.hex()
    if not q.public_key(store, kid):
        with store.transaction():
            records.insert(
                store, "site_key",
                {"site_id": store.site_id, "key_id": kid, "public_key": key.public_b64,
                 "purpose": "sign", "label": station.info(store).station_name},
            )
    return key


# -- issuing -----------------------------------------------------------------------------------
def eligibility(store: Store, class_id: str) -> list[dict]:
    """Each enrolled trainee's completion figures, whether eligible, and their current
    certificate's serial (if any)."""
    rows = classes.completion_report(store, class_id)
    for row in rows:
        current = q.current_for(store, row["trainee_id"], class_id)
        row["serial"] = current["serial"] if current else None
        row["eligible"] = row["completed"]
        row["reason"] = "" if row["completed"] else not_eligible_reason(row)
    return rows


def not_eligible_reason(row: dict) -> str:
    return _(
        "{name} attended {attended} of the {required} hours required "
        "({scheduled} hours scheduled)."
    ).format(
        name=row["name"],
        attended=format_number(row["attended_hours"]),
        required=format_number(row["required_hours"]),
        scheduled=format_number(row["scheduled_hours"]),
    )


@dataclass
class IssueResult:
    certificates: list[dict] = field(default_factory=list)  # issued now or reprinted, in order
    new_serials: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per trainee refused

    @property
    def reprinted(self) -> list[str]:
        return [c["serial"] for c in self.certificates if c["serial"] not in self.new_serials]


def unprintable_reason(store: Store, name: str, course_title: str) -> str:
    """Why a certificate cannot be printed (a character no font has), or ''."""
    from trainer_app.pdf.fonts import missing_characters

    info = station.info(store)
    for label, text in (
        (_("name"), name), (_("course title"), course_title),
        (_("station name"), info.station_name), (_("county name"), info.county_name),
    ):
        missing = missing_characters(text)
        if missing:
            chars = "、".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
            return _(
                "The {field} “{text}” has characters no font of this program can print: "
                "{chars}. Nothing was printed for it; ask for a fonts update, or correct the "
                "record if it was mistyped."
            ).format(field=label, text=text, chars=chars)
    return ""


def issue(
    store: Store,
    class_id: str,
    trainee_ids: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> IssueResult:
    """Issue certificates to ``trainee_ids`` (default: everyone eligible) of the class.

    A trainee who already holds a valid certificate for the class gets that one again (a
    reprint), never a second. Trainees who are not eligible, or whose details cannot be
    printed, are refused with a reason; the others are issued in one transaction. Raises
    :class:`ServiceError` when no one at all can have one.
    """
    class_row = classes_q.by_id(store, class_id)
    if not class_row:
        raise not_found("class", class_id)
    report = {r["trainee_id"]: r for r in eligibility(store, class_id)}
    wanted = list(trainee_ids) if trainee_ids is not None else [
        t for t, r in report.items() if r["eligible"]
    ]
    result = IssueResult()
    if not wanted:
        raise ServiceError(
            _("No one in this class meets the completion rule yet, so no certificate can be "
              "issued.")
        )
    key = signing_key(store)
    info = station.info(store)
    issued_on = today or dt.date.today()
    with store.transaction():
        for trainee_id in wanted:
            row = report.get(trainee_id)
            if row is None:
                trainee = trainees_q.by_id(store, trainee_id) or trainees_q.by_code(
                    store, trainee_id
                )
                if not trainee:
                    raise not_found("trainee", trainee_id)
                row = report.get(trainee["id"])
                if row is None:
                    result.refused.append(
                        _("{name} is not enrolled in this class.").format(name=trainee["name"])
                    )
                    continue
            if not row["eligible"]:
                result.refused.append(row["reason"])
                continue
            if row["serial"]:
                current = q.by_serial(store, row["serial"])
                result.certificates.append(_in_current_format(store, key, current))
                continue
            trainee = trainees_q.by_id(store, row["trainee_id"])
            reason = unprintable_reason(store, trainee["name"], class_row["course_title"])
            if reason:
                result.refused.append(reason)
                continue
            cert = _create(store, key, info.station_code, class_row, trainee, issued_on, None)
            result.certificates.append(cert)
            result.new_serials.append(cert["serial"])
    if not result.certificates:
        raise ServiceError("\n".join(result.refused))
    return result


def _create(
    store: Store, key: keys.SigningKey, station_code: str, class_row: dict, trainee: dict,
    issued_on: dt.date, replaces: str | None,
) -> dict:
    prefix = f"{station_code}-{issued_on.year:04d}-"
    number = q.max_number(store, prefix) + 1
    values = {
        "serial": serial.make(station_code, issued_on.year, number),
        "trainee_id": trainee["id"], "class_id": class_row["id"],
        "trainee_name": trainee["name"], "id_number_masked": idcard.mask(trainee["id_number"]),
        "course_code": class_row["course_code"], "course_title": class_row["course_title"],
        "hours": float(class_row["hours"]), "start_date": class_row["start_date"],
        "end_date": class_row["end_date"], "issued_on": issued_on.isoformat(),
        "replaces": replaces,
    }
    cert_id = records.insert(store, "certificate", {**values, **_signed_code(key, values)})
    return q.by_id(store, cert_id)  # type: ignore[return-value]


def record_of(row: dict, key_id: bytes) -> certificate_code.CertificateRecord:
    """The record a certificate row's code signs: exactly what its paper prints (serial,
    course, date, hours, the name and the ID number as masked), nothing of the hidden digits."""
    return certificate_code.CertificateRecord(
        serial=row["serial"], course_code=row["course_code"],
        issued_on=dt.date.fromisoformat(row["issued_on"]), hours=float(row["hours"]),
        holder_name=row["trainee_name"], id_number_masked=row["id_number_masked"],
        key_id=key_id,
    )


def _signed_code(key: keys.SigningKey, row: dict) -> dict:
    """``qr_text`` and ``key_id`` of a certificate row, signed with ``key``."""
    record = record_of(row, key.key_id)
    try:
        signed = record.to_bytes()
    except certificate_code.CodeError:
        raise ServiceError(
            _("Certificate {serial} cannot be signed: its course code “{code}” is longer than a "
              "certificate's code holds, or its hours or date are out of range.").format(
                serial=row["serial"], code=row["course_code"])) from None
    return {"qr_text": certificate_code.encode(record, key.sign(signed)),
            "key_id": key.key_id.hex()}


def is_earlier_format(row: dict) -> bool:
    """Whether the certificate's code was written in an earlier format than the current one."""
    return not row["qr_text"].upper().startswith(certificate_code.PREFIX)


def _in_current_format(store: Store, key: keys.SigningKey, row: dict) -> dict:
    """``row``, its code signed again in the current format when it was issued with an
    earlier one (same serial, same printed facts); another site's certificate as it is."""
    if not is_earlier_format(row) or row["origin"] != store.site_id:
        return row
    records.update(store, "certificate", row["id"], _signed_code(key, row))
    return q.by_id(store, row["id"])  # type: ignore[return-value]


@dataclass
class Reprint:
    certificates: list[dict]  # the rows to print, in the order asked for
    reformatted: list[str]  # serials whose code was signed again in the current format


def reprint(store: Store, serials: Iterable[str]) -> Reprint:
    """The certificates of ``serials``, ready to print again with their serials.

    Only the current code format is printed: a certificate issued with an earlier one is signed
    again in the current format (its paper from before verifies still). Raises
    :class:`ServiceError` for a withdrawn or replaced certificate, before anything changes."""
    rows = [get(store, s) for s in serials]
    for row in rows:
        if row["replaced_by"]:
            raise ServiceError(
                _("Certificate {serial} was replaced by {new} and is not printed again; print "
                  "{new} instead.").format(serial=row["serial"], new=row["replaced_by"]))
        if row["status"] != "valid":
            raise ServiceError(
                _("Certificate {serial} is withdrawn and is not printed again.").format(
                    serial=row["serial"]))
    earlier = [r["serial"] for r in rows
               if is_earlier_format(r) and r["origin"] == store.site_id]
    if earlier:
        key = signing_key(store)
        with store.transaction():
            rows = [_in_current_format(store, key, row) for row in rows]
    return Reprint(rows, earlier)


# -- after issuing -----------------------------------------------------------------------------
def get(store: Store, serial_no: str) -> dict:
    row = q.by_serial(store, serial.normalize(serial_no))
    if not row:
        raise ServiceError(_("No certificate with serial {serial}.").format(serial=serial_no))
    return row


def register(store: Store, text: str = "", limit: int | None = None,
             class_id: str | None = None) -> list[dict]:
    """The station's certificate register, newest first; ``text`` matches serial or name,
    ``class_id`` keeps one class's certificates (:class:`NotFoundError` for a class neither
    held nor named by a certificate: a mistyped id is not an empty class)."""
    rows = q.search(store, text.strip(), limit, class_id)
    if class_id and not rows and classes_q.by_id(store, class_id) is None:
        raise not_found("class", class_id)
    return rows


def register_classes(store: Store, origin: str | None = None) -> list[dict]:
    """The classes of the register's certificates (of one site's, with ``origin``), the latest
    first, for choosing one."""
    return q.classes_with_certificates(store, origin)


def for_class(store: Store, class_id: str) -> list[dict]:
    return q.for_class(store, class_id)


def revoke(store: Store, serial_no: str, reason: str, by: str = "") -> dict:
    """Withdraw a certificate; it then verifies as withdrawn, with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing the certificate.")})
    with store.transaction():
        row = get(store, serial_no)
        if row["status"] != "valid":
            raise ServiceError(
                _("Certificate {serial} is already withdrawn.").format(serial=row["serial"])
            )
        _withdraw(store, row, reason.strip(), by)
    return get(store, serial_no)


def _withdraw(store: Store, row: dict, reason: str, by: str) -> None:
    records.insert(
        store, "revocation",
        {"certificate_id": row["id"], "serial": row["serial"], "reason": reason,
         "revoked_by": by, "revoked_at": utc_now()},
    )


def reissue(store: Store, serial_no: str, reason: str, today: dt.date | None = None) -> dict:
    """Issue a new certificate with the trainee's current (corrected) details, recorded as
    replacing the old one, which is withdrawn. Correct the trainee's record first."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reissuing the certificate.")})
    key = signing_key(store)
    info = station.info(store)
    with store.transaction():
        old = get(store, serial_no)
        if old["status"] != "valid":
            raise ServiceError(
                _("Certificate {serial} is withdrawn and cannot be reissued.").format(
                    serial=old["serial"]
                )
            )
        class_row = classes_q.by_id(store, old["class_id"])
        trainee = trainees_q.by_id(store, old["trainee_id"])
        if not class_row or not trainee:
            raise ServiceError(_("The class or trainee of this certificate no longer exists."))
        problem = unprintable_reason(store, trainee["name"], class_row["course_title"])
        if problem:
            raise ServiceError(problem)
        new = _create(
            store, key, info.station_code, class_row, trainee, today or dt.date.today(),
            old["id"],
        )
        _withdraw(
            store, old,
            _("Replaced by {serial}: {reason}").format(serial=new["serial"], reason=reason),
            "",
        )
    return get(store, new["serial"])


# -- verifying ---------------------------------------------------------------------------------
class Verdict(StrEnum):
    GENUINE = "genuine"
    FORGED = "forged"
    WITHDRAWN = "withdrawn"
    UNKNOWN_SIGNER = "unknown_signer"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    message: str
    serial: str = ""
    details: dict = field(default_factory=dict)
    earlier_format: bool = False  # the code is of an earlier format (no name in it)

    @property
    def genuine(self) -> bool:
        return self.verdict is Verdict.GENUINE


def verify(store: Store, text: str) -> Verification:
    """Check a scanned or typed code (text or web form, current or earlier format), or a
    serial, against the keys this program holds."""
    text = text.strip()
    if certificate_code.is_code(text):
        return _verify_code(store, text)
    if serial.is_valid(text):
        row = q.by_serial(store, serial.normalize(text))
        if not row:
            return Verification(
                Verdict.UNKNOWN,
                _("No certificate with serial {serial} is in this register.").format(
                    serial=serial.normalize(text)
                ),
                serial.normalize(text),
            )
        return _verify_code(store, row["qr_text"])
    if text and text.upper()[:4].isalnum() and text.count("-") == 3:
        return Verification(
            Verdict.FORGED,
            _("This serial's check character is wrong: it was mistyped, or it is not a real "
              "serial."),
            text.upper(),
        )
    return Verification(
        Verdict.FORGED,
        _("This is neither a certificate code nor a serial of this program: it may be "
          "damaged or forged."),
    )


def _verify_code(store: Store, text: str) -> Verification:
    try:
        code = certificate_code.decode(text)
    except certificate_code.CodeError:
        return Verification(
            Verdict.FORGED,
            _("The certificate code is damaged or was altered: it cannot be read."),
        )
    record = code.record
    earlier = isinstance(record, certificate_code.EarlierRecord)
    details: dict = {
        "serial": record.serial, "course_code": record.course_code,
        "issued_on": record.issued_on.isoformat(), "hours": record.hours,
        "key_id": record.key_id.hex(), "format": record.version,
    }

    def answer(verdict: Verdict, message: str) -> Verification:
        return Verification(verdict, message, record.serial, details, earlier)

    signer = q.public_key(store, record.key_id.hex())
    if signer is None:
        return answer(
            Verdict.UNKNOWN_SIGNER,
            _("This certificate was signed by a key this program does not know (key {key}). "
              "It may come from another station whose key has not reached you.").format(
                key=record.key_id.hex()
            ),
        )
    if not keys.verify(keys.public_from_b64(signer["public_key"]), code.signed, code.signature):
        return answer(
            Verdict.FORGED,
            _("The signature does not match: this certificate was altered or forged."),
        )
    wrong_signer = _wrong_signer(store, signer["site_id"], record.serial)
    if wrong_signer:
        return answer(Verdict.FORGED, wrong_signer)
    if not earlier:  # signed by its station: the holder as printed, to compare with the person
        details.update(trainee_name=record.holder_name,
                       id_number_masked=record.id_number_masked)
    row = q.by_serial(store, record.serial)
    if row is None:
        withdrawn = q.revocation_by_serial(store, record.serial)
        if withdrawn:
            return answer(
                Verdict.WITHDRAWN,
                _("Certificate {serial} was withdrawn: {reason}").format(
                    serial=record.serial, reason=withdrawn["reason"]
                ),
            )
    else:
        if not _same_certificate(store, row, code):
            # Signed by a key of the right station, but not what the register holds under this
            # serial (a serial given twice, say after restoring an old backup): not genuine.
            return answer(
                Verdict.FORGED,
                _("The code does not match the certificate recorded under this serial."),
            )
        details.update(
            trainee_name=row["trainee_name"], id_number_masked=row["id_number_masked"],
            course_title=row["course_title"], start_date=row["start_date"],
            end_date=row["end_date"], status=row["status"],
        )
        if row["status"] != "valid":
            return answer(
                Verdict.WITHDRAWN,
                _("Certificate {serial} was withdrawn: {reason}").format(
                    serial=record.serial, reason=row["revoked_reason"] or ""
                ),
            )
    signer_name = signer["label"] or signer["key_id"]
    if not earlier:
        message = _("Genuine: certificate {serial}, signed by {signer}.")
    elif row:
        message = _("Genuine: certificate {serial}, signed by {signer}. It was issued with an "
                    "earlier format, whose code does not hold the name: the name and ID number "
                    "shown come from this register. The station can reprint it in the current "
                    "format, with the same serial.")
    else:
        message = _("Genuine: certificate {serial}, signed by {signer}. It was issued with an "
                    "earlier format, whose code does not hold the name: check the name with the "
                    "station that issued it, or with the county. The station can reprint it in "
                    "the current format, with the same serial.")
    message = message.format(serial=record.serial, signer=signer_name)
    return answer(Verdict.GENUINE, message)


def _same_certificate(store: Store, row: dict, code: certificate_code.Code) -> bool:
    """Whether ``code`` is the certificate recorded in ``row`` (same serial): the code recorded
    for it, or a code of the same printed facts (the paper from before a reprint in the
    current format; a web form of the code)."""
    record = code.record
    try:
        if certificate_code.decode(row["qr_text"]).signed == code.signed:
            return True
    except certificate_code.CodeError:
        pass
    same = (
        record.course_code == row["course_code"]
        and record.issued_on.isoformat() == row["issued_on"]
        and round(record.hours * 10) == round(float(row["hours"]) * 10)
    )
    if isinstance(record, certificate_code.CertificateRecord):
        return same and (record.holder_name, record.id_number_masked) == (
            row["trainee_name"], row["id_number_masked"])
    trainee = trainees_q.by_id(store, row["trainee_id"])
    return same and trainee is not None and record.holder_digest == (
        certificate_code.earlier_digest(row["trainee_name"], trainee["id_number"]))


def _wrong_signer(store: Store, signer_site: str, serial_no: str) -> str:
    """Why the key of ``signer_site`` may not sign a certificate of serial ``serial_no`` (a
    station signs the serials of its own code only; the county signs none), or ''."""
    if signer_site == store.get_meta("county_site_id"):
        return _("This certificate was signed with the county center's key, which issues no "
                 "certificates: it is forged.")
    try:
        code = serial.parse(serial_no)[0]
    except ValueError:
        code = ""
    if signer_site == store.site_id:
        if q.issued_here(store, serial_no, signer_site):  # perhaps under an earlier code
            return ""
        codes = {station.info(store).station_code}
    else:
        registered = q.station_code_of(store, signer_site)
        if registered is None:
            return ""  # a station this site does not know the code of: nothing to compare
        codes = {registered}
    # A station's provisional code (before the county gave it one) is its own as well, unless
    # the register gave that code to another station.
    provisional = station.default_code(signer_site)
    if not q.station_code_taken(store, provisional, signer_site):
        codes.add(provisional)
    if code in codes:
        return ""
    return _("This certificate was signed by a key of another station than the one its "
             "serial {serial} names: it is forged.").format(serial=serial_no)


# -- printing ----------------------------------------------------------------------------------
def pages(store: Store, rows: list[dict]) -> list:
    """The printable pages of certificate rows (as returned by :func:`issue` or the register)."""
    from trainer_app.i18n import format_date_in
    from trainer_app.pdf.records import Branding, CertificatePage

    info = station.info(store)
    branding = Branding(
        county_name=info.county_name, station_name=info.station_name,
        seal_image=info.seal_image, logo_image=info.logo_image,
    )
    out = []
    for row in rows:
        out.append(
            CertificatePage(
                serial=row["serial"],
                trainee_name=row["trainee_name"],
                id_number_masked=row["id_number_masked"],
                course_title=row["course_title"],
                course_title_en=row["course_code"],
                hours=format_number(row["hours"]),
                start_date=format_date_in(row["start_date"], "zh_CN"),
                end_date=format_date_in(row["end_date"], "zh_CN"),
                issued_on=format_date_in(row["issued_on"], "zh_CN"),
                qr_text=row["qr_text"],
                branding=branding,
                replaces_serial=row.get("replaces_serial") or "",
            )
        )
    return out


def write_pdf(
    store: Store, rows: list[dict], out: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """All ``rows`` as one PDF, one page each, written atomically to ``out``."""
    from trainer_app.pdf import certificate

    return certificate.render(pages(store, rows), Path(out), progress, cancelled)
