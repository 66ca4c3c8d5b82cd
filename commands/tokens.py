"""Commands about API tokens of every role (a provider's tokens are recorded on the provider)."""

from __future__ import annotations

from commands.base import Command


class IssueToken(Command):
    """Signs a token of a role for one scope (provider, board, state or learner) and records it."""

    role: str
    provider: str | None = None
    board: str | None = None
    state: str | None = None
    learner: str | None = None
    label: str = ""
    days: int | None = None  # the role's lifetime when not given


class RevokeToken(Command):
    """Revokes a recorded token; with `accme_id`, only a token of that provider is found (its own route)."""

    token_id: str
    accme_id: str | None = None


TokenCommand = IssueToken | RevokeToken
