"""Erasable personal data, on SQLite and PostgreSQL: per-learner keys, raw rows, nothing rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.bootstrap import System
from adapters.db.learner_directory_tables import learner_board_ids, learner_directory, learner_licences
from adapters.db.learner_key_store import learner_keys
from commands.learners import EraseLearner
from domain.learner import ERASED, Learner, LearnerErasedError
from services.learners import LearnerNotFoundError
from tests.learners.helpers import BY, npi_with_check_digit, raw_events, register

ANA_NPI = npi_with_check_digit("123456789")
BEN_NPI = npi_with_check_digit("987654321")


def _load_two(system: System) -> tuple[str, str]:
    outcomes = system.learners.register_many(
        [
            register(
                "Ana",
                "Zapatería",
                "02-29",
                licences={"TN": "MD12345"},
                npi=ANA_NPI,
                boards={"ABIM": "111222"},
                year=1972,
            ),
            register("Ben", "Okafor", "11-03", licences={"NC": "2009-01234"}, npi=BEN_NPI),
        ],
        BY,
    )
    assert [o.status for o in outcomes] == ["created", "created"]
    system.projections.catch_up()
    return outcomes[0].learner_id, outcomes[1].learner_id  # type: ignore[return-value]


def test_stored_events_carry_only_ciphertext_for_personal_fields(any_system: System) -> None:
    ana, ben = _load_two(any_system)
    learner_rows = [r for r in raw_events(any_system) if r["id"] in (ana, ben)]
    assert len(learner_rows) == 2
    for row in learner_rows:
        for clear in (
            b"Ana",
            b"Zapater",
            b"Okafor",
            ANA_NPI.encode(),
            BEN_NPI.encode(),
            b"MD12345",
            b"2009-01234",
            b"111222",
            b"02-29",
            b"1972",
        ):
            assert clear not in row["state"]
        assert b'"sealed"' in row["state"]
    loaded = any_system.learners.get(ana)
    assert (loaded.first_name, loaded.last_name, loaded.npi, loaded.birth_year) == ("Ana", "Zapatería", ANA_NPI, 1972)
    assert loaded.licences == [{"state": "TN", "number": "MD12345"}]


def test_erasure_destroys_the_key_and_rewrites_no_stored_event(any_system: System) -> None:
    ana, ben = _load_two(any_system)
    before = {(r["id"], r["version"]): r["state"] for r in raw_events(any_system)}

    any_system.learners.handle(EraseLearner(learner_id=ana), BY)
    any_system.projections.catch_up()

    after = {(r["id"], r["version"]): r["state"] for r in raw_events(any_system)}
    # Every event stored before is byte-for-byte the same; one Erased event was appended.
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == {(ana, 2)}
    assert b"Ana" not in after[(ana, 2)] and ANA_NPI.encode() not in after[(ana, 2)]
    with any_system.db.engine.connect() as conn:
        assert conn.execute(select(learner_keys.c.learner_id).where(learner_keys.c.learner_id == ana)).first() is None
        assert (
            conn.execute(select(learner_keys.c.learner_id).where(learner_keys.c.learner_id == ben)).first() is not None
        )
        for table in (learner_directory, learner_licences, learner_board_ids):
            assert conn.execute(select(table).where(table.c.learner_id == ana)).first() is None
        assert conn.execute(select(learner_directory).where(learner_directory.c.learner_id == ben)).first() is not None


def test_an_erased_learner_still_loads_with_redacted_fields_and_others_are_untouched(any_system: System) -> None:
    ana, ben = _load_two(any_system)
    any_system.learners.handle(EraseLearner(learner_id=ana), BY)

    # A fresh process (no cached keys) reads the same log.
    any_system.store.mapper.keys._cache.clear()  # type: ignore[union-attr]
    erased = any_system.learners.get(ana)
    assert erased.erased and erased.version == 2
    assert (erased.first_name, erased.last_name, erased.birth_month_day, erased.npi) == (ERASED, ERASED, ERASED, None)
    assert erased.licences == [] and erased.board_ids == []
    other = any_system.learners.get(ben)
    assert (other.first_name, other.npi, other.licences) == ("Ben", BEN_NPI, [{"state": "NC", "number": "2009-01234"}])
    with pytest.raises(LearnerErasedError):
        any_system.learners.handle(EraseLearner(learner_id=ana), BY)


def test_counts_survive_erasure_and_a_rebuild(any_system: System) -> None:
    ana, _ = _load_two(any_system)
    any_system.learners.handle(EraseLearner(learner_id=ana), BY)
    any_system.projections.catch_up()
    assert any_system.learners.counts() == {"registered": 2, "erased": 1, "listed": 1}
    any_system.projections.rebuild("learner_directory")
    assert any_system.learners.counts() == {"registered": 2, "erased": 1, "listed": 1}
    assert any_system.learners.resolve(ANA_NPI) is None
    assert any_system.learners.resolve(BEN_NPI) is not None


def test_history_of_providers_never_copies_learner_events(any_system: System) -> None:
    _load_two(any_system)
    events = list(any_system.store.recorder.select_notifications(start=1, limit=100))
    assert all(any_system.store.mapper.to_domain_event(n).__class__.__qualname__.startswith("Learner.") for n in events)
    assert not hasattr(any_system.store.mapper.to_domain_event(events[0]), "accme_id")


def test_unknown_learner_is_not_found(any_system: System) -> None:
    with pytest.raises(LearnerNotFoundError):
        any_system.learners.get("not-a-uuid")
    with pytest.raises(LearnerNotFoundError):
        any_system.learners.handle(EraseLearner(learner_id="00000000-0000-4000-8000-000000000000"), BY)
    assert isinstance(Learner.create_id(), type(Learner.create_id()))


def test_another_process_forgets_its_cached_key_when_it_reads_the_erasure(
    any_system: System, database_url: str
) -> None:
    from tests.conftest import make_system

    ana, ben = _load_two(any_system)
    other = make_system(database_url)  # a second process on the same database (e.g. the projection worker)
    try:
        assert other.learners.get(ana).first_name == "Ana"  # its key is cached there now
        any_system.learners.handle(EraseLearner(learner_id=ana), BY)
        other.projections.catch_up()  # reading the Erased event drops the cached key
        assert other.learners.get(ana).first_name == ERASED
        assert other.learners.get(ben).first_name == "Ben"
        assert other.learners.counts()["erased"] == 1
    finally:
        other.close()


def test_an_erased_learner_imported_again_is_a_new_learner(any_system: System) -> None:
    ana, _ = _load_two(any_system)
    any_system.learners.handle(EraseLearner(learner_id=ana), BY)
    any_system.projections.catch_up()
    [again] = any_system.learners.register_many(
        [register("Ana", "Zapatería", "02-29", licences={"TN": "MD12345"}, npi=ANA_NPI)], BY
    )
    assert again.status == "created" and again.learner_id != ana
    any_system.projections.catch_up()
    assert any_system.learners.resolve(ANA_NPI) == again.learner_id
    assert any_system.learners.counts() == {"registered": 3, "erased": 1, "listed": 2}
