"""Replay snapshots kept in the database (adapters/db/as_of_snapshots.py) are a cache: as-of answers are the
same with them, without them and from them alone (a new process), and equal the live read models at head;
snapshots of another projection code version are never read; and they hold no learner's identifiers."""

from __future__ import annotations

import contextlib
import time
import zlib
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from adapters.bootstrap import System
from adapters.db.as_of_snapshots import SqlReplaySnapshots, as_of_snapshots
from adapters.db.scratch import replay_code_version, scratch_views
from adapters.formats.accme.learner_reports import report_completions
from domain.errors import DomainError
from services import as_of as as_of_service
from services.as_of import AsOfReplayer
from tests.activities.helpers import ACCME_ID
from tests.audit.as_of_helpers import (
    NEEDS,
    answers,
    answers_at,
    cme_report,
    commands,
    fresh_system,
    live_answers,
    one_activity,
    prepare,
    run,
)
from tests.completions.helpers import BY, NPI


def replayer(system: System, kept: SqlReplaySnapshots | None) -> AsOfReplayer:
    """A new process's replayer: nothing in memory; the database's snapshots (`kept`) or none at all."""
    return AsOfReplayer(system.store, system.as_of.history, scratch_views, kept)


def stored(system: System, version: str | None = None) -> int:
    q = select(func.count()).select_from(as_of_snapshots)
    if version:
        q = q.where(as_of_snapshots.c.version == version)
    with system.db.engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sequence=commands, every=st.integers(1, 3), full=st.integers(1, 4))
def test_answers_are_the_same_with_without_and_from_database_snapshots_and_equal_the_live_ones_at_head(
    tmp_path_factory: pytest.TempPathFactory, sequence: list[tuple[Any, ...]], every: int, full: int
) -> None:
    """Snapshots every `every` events, each `full`th of a chain a whole image and those between deltas; the
    database's chains with a link dropped answer the same too (another chain, or a replay from the start)."""
    with fresh_system(tmp_path_factory, "as_of_snap") as system:
        prepare(system)
        seen = live_answers(system, sequence)
        kept = SqlReplaySnapshots(system.db, replay_code_version())
        with (
            mock.patch.object(as_of_service, "SNAPSHOT_EVERY", every),
            mock.patch.object(as_of_service, "FULL_EVERY", full),
        ):
            for moment, expected in seen:  # oldest first: each replay keeps snapshots the next one starts from
                assert answers_at(replayer(system, None), moment) == expected
                assert answers_at(system.as_of, moment) == expected
            # at least one full chunk of the provider's events (registration, the billing contact) was replayed
            assert stored(system) > 0 or every > 2, "the replays kept snapshots in the database"
            one_process = replayer(system, kept)
            for moment, expected in reversed(seen):  # newest first, from the database's snapshots alone
                assert answers_at(replayer(system, kept), moment) == expected
                assert answers_at(one_process, moment) == expected
            head = datetime.now(UTC)
            assert answers_at(replayer(system, kept), head) == answers(system.reads)
            assert answers_at(one_process, head) == answers(system.reads)
            with system.db.engine.begin() as conn:  # a delta not kept (a busy database): its chain breaks there
                links = select(as_of_snapshots.c.position).where(as_of_snapshots.c.previous.is_not(None))
                broken = conn.execute(links.order_by(as_of_snapshots.c.position).limit(1)).scalar()
                conn.execute(delete(as_of_snapshots).where(as_of_snapshots.c.position == broken))
            for moment, expected in reversed(seen):
                assert answers_at(replayer(system, kept), moment) == expected


def test_snapshots_of_another_code_version_are_never_read_and_go_when_new_ones_are_kept(
    any_system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = any_system
    prepare(system)
    outcome = one_activity(system)
    system.completions.handle(report_completions(ACCME_ID, [cme_report(outcome)]), BY)
    system.projections.catch_up()
    live = answers(system.reads)
    moment = datetime.now(UTC)
    monkeypatch.setattr(as_of_service, "SNAPSHOT_EVERY", 1)
    old = SqlReplaySnapshots(system.db, "an older projection code")
    assert answers_at(replayer(system, old), moment) == live
    assert stored(system, "an older projection code") > 0
    key = (ACCME_ID, "provider_profile", *sorted(NEEDS))  # as the replayer names them
    assert old.latest(key, moment) is not None
    # A newer snapshot of that version that would answer wrongly (an empty database's image) is not read.
    with system.db.engine.begin() as conn:
        conn.execute(
            insert(as_of_snapshots).values(
                accme_id=ACCME_ID,
                read_models=",".join(key[1:]),
                version="an older projection code",
                position=10**9,
                last_recorded=0,
                image=zlib.compress(scratch_views().image()),
            )
        )
    current = SqlReplaySnapshots(system.db, replay_code_version())
    assert current.latest(key, moment) is None
    assert answers_at(replayer(system, current), moment) == live  # replayed, keeping its own snapshots
    assert stored(system, "an older projection code") == 0
    assert stored(system) == stored(system, current.version) > 0
    assert answers_at(replayer(system, current), moment) == live  # from them
    assert current.clear() > 0 and answers_at(replayer(system, current), moment) == live  # dropped: the same


def test_snapshots_hold_no_identifier_of_a_learner(any_system: System, monkeypatch: pytest.MonkeyPatch) -> None:
    """The images hold the scratch read models only: a learner is a learner_id there, as in the live read
    models an erasure leaves (tests/learners/test_erasure_leaves_nothing.py), so no snapshot has to be purged."""
    system = any_system
    prepare(system)
    activity = one_activity(system)
    [result] = system.completions.handle(report_completions(ACCME_ID, [cme_report(activity)]), BY)
    assert result.learner_id, result.errors
    system.projections.catch_up()
    monkeypatch.setattr(as_of_service, "SNAPSHOT_EVERY", 1)
    answers_at(system.as_of, datetime.now(UTC))
    with system.db.engine.connect() as conn:
        rows = conn.execute(select(as_of_snapshots.c.image, as_of_snapshots.c.previous)).all()
    images = [zlib.decompress(r.image) for r in rows]
    assert any(r.previous is None for r in rows) and any(r.previous for r in rows), "whole images and deltas"
    text = b"".join(images)
    assert ACCME_ID.encode() in text and activity.encode() in text  # the images are searchable as they are
    assert b"ccid:0004444:c1" in text  # the transcripts' rows are in them
    for needle in ("García", "Garc", "López", "Ana", NPI, "MD12345", "1972-03-07", "03-07"):
        assert needle.encode() not in text, needle


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sequence=commands, every=st.integers(1, 3), full=st.integers(1, 4), data=st.data())
def test_warm_replays_at_random_instants_answer_as_cold_ones_while_events_are_added(
    tmp_path_factory: Any, sequence: list[tuple[Any, ...]], every: int, full: int, data: st.DataObject
) -> None:
    """One process's replayer (its snapshots, its kept timelines) asked at random earlier instants between
    commands, then at every instant in a random order, answers as the live read models did then and as a
    new process replaying from nothing does."""
    with fresh_system(tmp_path_factory, "as_of_warm") as system:
        prepare(system)
        warm = replayer(system, SqlReplaySnapshots(system.db, replay_code_version()))
        numbers: dict[str, str] = {}
        seen: list[tuple[datetime, dict[str, Any]]] = []
        with (
            mock.patch.object(as_of_service, "SNAPSHOT_EVERY", every),
            mock.patch.object(as_of_service, "FULL_EVERY", full),
        ):
            for command in [("assign", "billing", 0), *sequence]:
                with contextlib.suppress(DomainError):
                    run(system, command, numbers)
                system.projections.catch_up()
                seen.append((datetime.now(UTC), answers(system.reads)))
                time.sleep(0.001)
                moment, expected = data.draw(st.sampled_from(seen))
                assert answers_at(warm, moment) == expected
                warm.timelines.wait()  # the next replay reads the kept timeline, brought forward
            for moment, expected in data.draw(st.permutations(seen)):
                assert answers_at(warm, moment) == expected
                assert answers_at(replayer(system, None), moment) == expected
