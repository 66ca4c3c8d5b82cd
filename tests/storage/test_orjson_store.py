"""Stores written with the library's JSON transcoder (every store before orjson) load as before, and the other way round."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import JSONTranscoder

from adapters.db import database
from adapters.db.orjson_transcoder import OrjsonTranscoder
from adapters.demo import FIRST_DEMO_PROVIDER, DemoDataSet
from commands.learners import Licence, RegisterLearner
from domain.base import Acting, Channel
from tests.conftest import make_system

TODAY = date(2026, 6, 30)
BY = Acting("cli:test", Channel.BATCH)


def decoded(system):  # type: ignore[no-untyped-def]
    notifications = system.store.recorder.select_notifications(start=1, limit=100_000)
    return [system.store.mapper.to_domain_event(n) for n in notifications]


def read_models(system):  # type: ignore[no-untyped-def]
    return (
        system.queries.audit.events(FIRST_DEMO_PROVIDER),
        system.reads.profiles.get_profile(FIRST_DEMO_PROVIDER),
        system.reads.completions.count(),
    )


def test_a_json_store_reads_alike_with_orjson_and_an_orjson_store_with_json(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "TRANSCODER_TOPIC", "eventsourcing.persistence:JSONTranscoder")
    system = make_system(database_url)
    try:
        assert type(system.store.mapper.transcoder) is JSONTranscoder
        DemoDataSet(system, today=TODAY).load()
        system.projections.catch_up()
        written_as_json, live = decoded(system), read_models(system)
        provider = system.providers.get(FIRST_DEMO_PROVIDER)
    finally:
        system.close()
    monkeypatch.undo()

    system = make_system(database_url)
    try:
        assert type(system.store.mapper.transcoder) is OrjsonTranscoder
        assert decoded(system) == written_as_json
        assert system.providers.get(FIRST_DEMO_PROVIDER).__dict__ == provider.__dict__
        system.projections.rebuild(["history", "provider_profile", "transcripts"])
        assert read_models(system) == live
        # events of its own, written with orjson (learners: sealed personal data, transcoded twice)
        system.learners.register_many(more_learners(), BY)
        both = decoded(system)
        assert len(both) == len(written_as_json) + 3
    finally:
        system.close()

    monkeypatch.setattr(database, "TRANSCODER_TOPIC", "eventsourcing.persistence:JSONTranscoder")
    system = make_system(database_url)
    try:
        assert decoded(system) == both
    finally:
        system.close()


def more_learners() -> list[RegisterLearner]:
    return [
        RegisterLearner(
            first_name="Ana",
            last_name=f"Orjson{n}",
            birth_month_day="03-04",
            licences=(Licence(state="TN", number=f"TN90000{n}"),),
        )
        for n in range(3)
    ]
