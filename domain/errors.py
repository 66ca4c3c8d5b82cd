"""Domain errors, named for the rule they protect."""


class DomainError(Exception):
    """Raised when a command breaks a rule of the domain."""

    #: the field at fault, e.g. ("email",) or ("moc", "0", "board"): the field only, never where a request
    #: carried it ("body", "path", "query"); an adapter adds that when it reports the error's loc.
    loc: tuple[str, ...] = ()

    def __init__(self, message: str, *, loc: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        if loc:
            self.loc = loc

    def problems(self) -> list[tuple[tuple[str, ...], str]]:
        """Every (field, reason) the error names: one here; an error that names several at once overrides it."""
        return [(self.loc, self.message)]


class InvalidValueError(DomainError, ValueError):
    """Raised when a value is malformed (an ACCME ID that is not 7 digits, a bad email)."""


class ConflictError(DomainError):
    """Raised when a command conflicts with the current state (a rule, not a typo)."""


class NotFoundError(DomainError):
    """Raised when a command names something that does not exist."""


class ProviderAlreadyExistsError(ConflictError):
    """Raised when registering an ACCME ID that is already registered."""


class ProviderNotFoundError(NotFoundError):
    """Raised when no provider has the given ACCME ID."""


class PrimaryContactRequiredError(ConflictError):
    """Raised when a change would leave a provider without its primary contact."""


class RoleAlreadyFilledError(ConflictError):
    """Raised when adding a contact to a single-holder role that is already filled."""


class ContactNotFoundError(NotFoundError):
    """Raised when removing a contact (or revoking a token) the provider does not have."""


class DuplicateStaffContactError(ConflictError):
    """Raised when adding a staff contact whose email is already a staff contact."""
