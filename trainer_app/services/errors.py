"""Errors a use case reports to the user; messages are in the active language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from trainer_app.i18n import _
from trainer_app.store import Store
from trainer_app.store.records import NotOwnedError


class ServiceError(Exception):
    """A request that cannot be carried out; ``str(exc)`` is the message for the user."""


class ValidationError(ServiceError):
    """Invalid fields: ``errors`` maps a field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class OwnedElsewhereError(ServiceError):
    """A change to a record another site owns (a county course at a station, a station's
    trainee at the county): records are changed only where they were created."""

    def __init__(self, owner: str, origin: str) -> None:
        self.owner = owner
        self.origin = origin
        super().__init__(
            _("This record belongs to {owner} and can only be changed there.").format(owner=owner))


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


def owner_name(store: Store, origin: str) -> str:
    """Who owns rows of ``origin``, for messages: the county center, station WP01, or another
    site."""
    if origin and origin == store.get_meta("county_site_id"):
        return _("the county center")
    from trainer_app.store import sync as sync_q  # the sync tables: not for start-up

    registered = sync_q.station_by_site(store, origin)
    if registered:
        return _("station {code}").format(code=registered["code"])
    return _("another site")


@contextmanager
def owned_here(store: Store) -> Iterator[None]:
    """Turn the store's refusal to change another site's row into a message for the user."""
    try:
        yield
    except NotOwnedError as exc:
        raise OwnedElsewhereError(owner_name(store, exc.origin), exc.origin) from None
