"""Auditors' reads, recorded as events: who read what, through which channel.

One stream per read (a random id): recording needs no load and never collides with another
read, and the log orders them anyway. A read that concerns a provider carries its ACCME ID, so
it shows in that provider's history next to the events it read.
"""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.domain import Aggregate

from domain.base import Acting


class AuditorRead(Aggregate):
    class Recorded(Aggregate.Created):
        accme_id: str | None
        actor: str
        channel: str
        path: str
        query: str

    def __init__(self, accme_id: str | None, actor: str, channel: str, path: str, query: str) -> None:
        self.accme_id = accme_id
        self.actor = actor
        self.channel = channel
        self.path = path
        self.query = query

    @classmethod
    def record(cls, by: Acting, path: str, query: str, accme_id: str | None = None) -> AuditorRead:
        return cls._create(
            cls.Recorded, id=uuid4(), accme_id=accme_id, actor=by.actor, channel=str(by.channel), path=path, query=query
        )
