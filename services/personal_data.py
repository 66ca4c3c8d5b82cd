"""Erasable personal data: each learner's (and web account's) personal fields are sealed with its own key.

An event class lists its personal fields in `personal_fields` (field -> value once erased).
`PersonalDataMapper` (the store's mapper) takes those fields out of the event before it is
stored and keeps them only as one AES-GCM ciphertext (`sealed`), under a 256-bit key held in
a key table outside the event log (`PersonalKeys`). Erasing a learner destroys the key: every
stored event of that learner still loads, with the fields read back as their erased values,
and no stored event (theirs or anyone else's) is rewritten.

The associated data binds each ciphertext to its stream and version, so a sealed blob cannot
be copied into another learner's event.
"""

from __future__ import annotations

import base64
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent

SEALED = "sealed"
NONCE_BYTES = 12


class PersonalKeys(ABC):
    """Per-learner data keys, kept outside the event log so that deleting one erases that learner."""

    @abstractmethod
    def get(self, owner_id: UUID) -> bytes | None:
        """The owner's key, or None when it never existed or was destroyed."""

    @abstractmethod
    def provision(self, owner_ids: Iterable[UUID]) -> None:
        """Creates a key for each owner that has none (many at once: one transaction)."""

    @abstractmethod
    def destroy(self, owner_id: UUID) -> bool:
        """Deletes the owner's key for good; True if there was one."""

    @abstractmethod
    def forget(self, owner_id: UUID) -> None:
        """Drops any cached copy of the owner's key (another process destroyed it)."""

    @staticmethod
    def new_key() -> bytes:
        return AESGCM.generate_key(bit_length=256)


class KeysNotConfiguredError(RuntimeError):
    """Raised when an event with personal data is stored by a store that has no key table."""


def _associated_data(originator_id: Any, version: int) -> bytes:
    return f"{originator_id}:{version}".encode()


class PersonalDataMapper(Mapper[Any]):
    """The library's mapper, plus sealing of personal fields with the originator's key."""

    keys: PersonalKeys | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        personal: dict[str, Any] = getattr(type(domain_event), "personal_fields", None) or {}
        if not personal:
            return super().to_stored_event(domain_event)
        if self.keys is None:
            raise KeysNotConfiguredError(
                f"{type(domain_event).__qualname__} carries personal data but no key table is set"
            )
        originator_id = domain_event.originator_id
        key = self.keys.get(originator_id)
        if key is None:
            self.keys.provision([originator_id])
            key = self.keys.get(originator_id)
            assert key is not None
        state = dict(vars(domain_event))
        secret = {name: state.pop(name) for name in personal if name in state}
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(key).encrypt(
            nonce, self.transcoder.encode(secret), _associated_data(originator_id, domain_event.originator_version)
        )
        state[SEALED] = base64.b64encode(nonce + ciphertext).decode("ascii")
        sealed_event = object.__new__(type(domain_event))
        object.__setattr__(sealed_event, "__dict__", state)
        return super().to_stored_event(sealed_event)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        cls = type(domain_event)
        if getattr(cls, "erases_personal_data", False) and self.keys is not None:
            # Every process that reads past an erasure drops its cached key too.
            self.keys.forget(domain_event.originator_id)
        state = vars(domain_event)
        sealed = state.pop(SEALED, None)
        if sealed is None:
            return domain_event
        personal: dict[str, Any] = getattr(cls, "personal_fields", {})
        key = self.keys.get(domain_event.originator_id) if self.keys is not None else None
        if key is None:  # erased: the fields read back as their erased values
            for name, erased_value in personal.items():
                state[name] = erased_value.copy() if isinstance(erased_value, (list, dict)) else erased_value
            return domain_event
        blob = base64.b64decode(sealed)
        plaintext = AESGCM(key).decrypt(
            blob[:NONCE_BYTES],
            blob[NONCE_BYTES:],
            _associated_data(domain_event.originator_id, domain_event.originator_version),
        )
        state.update(self.transcoder.decode(plaintext))
        return domain_event
