"""Auditors' reads, recorded as events: who read what, through which channel.

One stream per read (a random id): recording needs no load and never collides with another
read, and the log orders them anyway. A read that concerns a provider carries its ACCME ID, so
it shows in that provider's history next to the events it read.

A read never holds a learner's personal data: the log is append-only, so a name or an NPI
written into it could never be erased. The values of the parameters that name a physician
(`firstName=…&npi=…`) are recorded as `[personal]`, and the learners the read found are recorded
by `learner_id` (random: after erasure it identifies no one). Version-1 events, recorded before
this rule, still hold the raw query in the stored bytes (they cannot be rewritten without
breaking the hash chain); they are read back through `upcast_v1_v2`, which applies the same
redaction, so every reader (history, replays, the relay) sees only the redacted query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode
from uuid import uuid4

from eventsourcing.domain import Aggregate

from domain.base import Acting

#: What a personal parameter's value is recorded as.
PERSONAL = "[personal]"

#: Parameters (folded: case, '_' and '-' left out) whose values identify a physician: the ACCME
#: transcript and learner services' names, birth dates, NPI, licence and board IDs, `UniqueID`.
PERSONAL_PARAMETERS = frozenset(
    {
        "firstname",
        "lastname",
        "givenname",
        "familyname",
        "name",
        "birthdate",
        "dateofbirth",
        "birthmonthday",
        "npi",
        "statemedicallicenseid",
        "licenseid",
        "licencenumber",
        "licensenumber",
        "licence",
        "license",
        "boardid",
        "uniqueid",
        "learnerid",
        "email",
    }
)


def is_personal_parameter(name: str) -> bool:
    return "".join(ch for ch in name.casefold() if ch.isalnum()) in PERSONAL_PARAMETERS


def redact_query(pairs: list[tuple[str, str]]) -> str:
    """The query string with every personal parameter's value replaced by `[personal]`."""
    return urlencode([(k, PERSONAL if is_personal_parameter(k) else v) for k, v in pairs], safe="[]")


class AuditorRead(Aggregate):
    class Recorded(Aggregate.Created):
        accme_id: str | None
        actor: str
        channel: str
        path: str
        query: str
        learner_ids: list[str]

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 stored the raw query (names, NPI, licence numbers): redact it on every read.
            state["query"] = redact_query(parse_qsl(state.get("query") or "", keep_blank_values=True))
            state["learner_ids"] = []

    def __init__(
        self, accme_id: str | None, actor: str, channel: str, path: str, query: str, learner_ids: list[str]
    ) -> None:
        self.accme_id = accme_id
        self.actor = actor
        self.channel = channel
        self.path = path
        self.query = query
        self.learner_ids = list(learner_ids)

    @classmethod
    def record(
        cls,
        by: Acting,
        path: str,
        query: list[tuple[str, str]] | str,
        accme_id: str | None = None,
        learner_ids: list[str] | None = None,
    ) -> AuditorRead:
        """`query`: the parameters read, as pairs or a query string (personal values are redacted here);
        `learner_ids`: the learners the read found."""
        if isinstance(query, str):
            query = parse_qsl(query, keep_blank_values=True)
        return cls._create(
            cls.Recorded,
            id=uuid4(),
            accme_id=accme_id,
            actor=by.actor,
            channel=str(by.channel),
            path=path,
            query=redact_query(query),
            learner_ids=sorted(set(learner_ids or [])),
        )
