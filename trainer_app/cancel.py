"""The one way long work stops when the operator presses Cancel."""


class Cancelled(Exception):  # noqa: N818 - the operator's word for it
    """Work stopped because the user asked; what it was writing was not kept."""
