"""Errors a user can act on; their messages are shown as they are, in the user's language."""


class UserError(Exception):
    """A request that cannot be carried out as asked; nothing was changed."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(UserError):
    """The object changed since the user loaded it; their change was not written."""

    status_code = 409
