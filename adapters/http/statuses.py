"""The HTTP status of a domain error, the same for the API's problem answers and the web pages."""

from __future__ import annotations

from domain.errors import ConflictError, DomainError, InvalidValueError, NotFoundError


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, InvalidValueError):
        return 422
    return 400
