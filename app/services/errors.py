"""The one shape of a refusal a person can act on: which form field, and what to do about it."""


class FieldError(ValueError):
    """A user-facing reason (a lazy gettext message) why a change was refused, tied to a form field."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field, self.message = field, message
