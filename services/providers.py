"""ProviderRegistry: registers providers and applies provider commands, atomically and with retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.base import Command
from commands.providers import PROVIDER_HANDLERS, RegisterProvider, register_provider
from domain.base import Acting, require_accme_id
from domain.errors import ConflictError, ProviderAlreadyExistsError, ProviderNotFoundError
from domain.provider import Provider
from services.store import ParsStore

#: Attempts at a command that keeps losing a race with concurrent writers before giving up.
MAX_ATTEMPTS = 8


class ConcurrentChangeError(ConflictError):
    """Raised when a command kept conflicting with concurrent changes to the same provider."""


@dataclass(frozen=True)
class Outcome:
    """What a command returned, and the log position a reader must reach to see it."""

    value: Any
    position: int | None


class ProviderRegistry:
    def __init__(self, store: ParsStore) -> None:
        self.store = store

    def register(self, cmd: RegisterProvider, by: Acting) -> Outcome:
        provider = register_provider(cmd, by)
        if self.exists(cmd.accme_id):
            raise ProviderAlreadyExistsError(
                f"provider {cmd.accme_id} already exists", loc=("body", "accme_id")
            )
        try:
            recordings = self.store.save(provider)
        except IntegrityError:  # registered concurrently: same deterministic id
            raise ProviderAlreadyExistsError(
                f"provider {cmd.accme_id} already exists", loc=("body", "accme_id")
            ) from None
        return Outcome(provider, recordings[-1].notification.id)

    def handle(self, cmd: Command, by: Acting) -> Outcome:
        """Loads the provider, applies the command, saves; retries when a concurrent writer won."""
        handler = PROVIDER_HANDLERS[type(cmd)]
        accme_id: str = getattr(cmd, "accme_id")
        for _ in range(MAX_ATTEMPTS):
            provider = self.get(accme_id)
            value = handler(provider, cmd, by)
            if not provider.pending_events:
                return Outcome(value, None)
            try:
                recordings = self.store.save(provider)
            except IntegrityError:
                continue  # another writer appended this version first: reload and decide again
            return Outcome(value, recordings[-1].notification.id)
        raise ConcurrentChangeError(
            f"provider {accme_id} is being changed by others; try again", loc=("path", "accme_id")
        )

    def get(self, accme_id: str) -> Provider:
        require_accme_id(accme_id, loc=("path", "accme_id"))
        try:
            return self.store.repository.get(Provider.create_id(accme_id))
        except AggregateNotFoundError:
            raise ProviderNotFoundError(
                f"no provider with ACCME ID {accme_id}", loc=("path", "accme_id")
            ) from None

    def exists(self, accme_id: str) -> bool:
        return Provider.create_id(accme_id) in self.store.repository
