"""What every PARS event carries: the provider, who acted, through which channel (and, from the library, when)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError

ACCME_ID_PATTERN = re.compile(r"^[0-9]{7}$")


class Channel(StrEnum):
    """How a change reached the system."""

    WEB = "web"
    BATCH = "batch"
    WEB_SERVICE = "web_service"
    CLI = "cli"
    SYSTEM = "system"
    KAFKA = "kafka"


@dataclass(frozen=True)
class Acting:
    """Who is acting and through which channel; passed to every command method."""

    actor: str
    channel: Channel

    def __post_init__(self) -> None:
        if not self.actor:
            raise InvalidValueError("an actor is required", loc=("actor",))
        object.__setattr__(self, "channel", Channel(self.channel))


def require_accme_id(value: str, loc: tuple[str, ...] = ("accme_id",)) -> str:
    """Returns the ACCME ID unchanged if it is exactly seven digits (leading zeros kept)."""
    if not isinstance(value, str) or not ACCME_ID_PATTERN.match(value):
        raise InvalidValueError(f"ACCME ID must be exactly 7 digits, leading zeros kept (got {value!r})", loc=loc)
    return value


class ParsAggregate(Aggregate):
    """Base of every PARS aggregate; its events carry the provider's ACCME ID, the actor and the channel."""

    class Event(Aggregate.Event):
        accme_id: str
        actor: str
        channel: str

    class Created(Aggregate.Created, Event):
        """As the library would make it: said here so a type checker sees the Event fields on Created events."""

    accme_id: str

    def _meta(self, by: Acting) -> dict[str, str]:
        """The fields every event of this aggregate carries, for the private @event methods."""
        return {"accme_id": self.accme_id, "actor": by.actor, "channel": str(by.channel)}
