"""Errors a use case reports to the user; messages are in the active language."""

from __future__ import annotations

from trainer_app.i18n import _


class ServiceError(Exception):
    """A request that cannot be carried out; ``str(exc)`` is the message for the user."""


class ValidationError(ServiceError):
    """Invalid fields: ``errors`` maps a field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class NotFoundError(ServiceError):
    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(_("No {kind} with id {key}.").format(kind=kind, key=key))


def kind_name(kind: str) -> str:
    """The translated name of a record kind, for messages."""
    return {
        "trainee": _("trainee"),
        "course": _("course"),
        "class": _("class"),
        "lesson": _("lesson"),
    }.get(kind, kind)


def not_found(kind: str, key: str) -> NotFoundError:
    return NotFoundError(kind_name(kind), key)
