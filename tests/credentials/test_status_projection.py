"""The credential status read model on SQLite and PostgreSQL: indexes in log order, a deletion revokes, a
correction gives a new index (the old stays revoked), an erasure revokes the learner's every index (and those of
completions recorded after it); a rebuild hands out the very same indexes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from adapters.bootstrap import System, bootstrap
from commands.completions import CorrectCompletion, DeleteCompletions, RecordCompletion
from commands.learners import EraseLearner
from domain.base import Acting, Channel
from domain.completion import Completion
from projections.credential_status import CredentialStatusProjection, learner_subject
from tests.activities.helpers import ACCME_ID
from tests.completions.helpers import BY, setup
from tests.credentials.conftest import settings

STAFF = Acting("cli:staff", Channel.CLI)


@pytest.fixture
def stored(database_url: str, tmp_path: Path) -> Iterator[System]:
    system = bootstrap(settings(database_url, tmp_path / "keys"))
    yield system
    system.close()


def _record(system: System, learner_id: str, activity_id: str, credit_id: str, day: int) -> str:
    action, _ = system.completions.handle(
        RecordCompletion(
            accme_id=ACCME_ID,
            learner_id=learner_id,
            activity_id=activity_id,
            completion_date=date(2025, 3, day),
            cme=[{"type": "AMA PRA Category 1", "credits": 1.0}],
            moc=[],
            credit_id=credit_id,
        ),
        BY,
    )
    assert action == "added"
    return str(Completion.create_id(learner_id, activity_id, credit_id))


def _state(system: System, subjects: list[str]) -> tuple[dict[str, tuple[int, bool]], list[int]]:
    view = system.projections.get(CredentialStatusProjection).view
    return view.current_of(subjects), sorted(view.revoked(0))


def test_indexes_follow_the_log_and_revocations_follow_deletions_corrections_and_erasure(stored: System) -> None:
    system = stored
    ids = setup(system)
    system.projections.catch_up()
    ana, ben, activity = ids["ana"], ids["ben"], ids["activity"]
    kept = _record(system, ana, activity, "ccid:0004444:k1", 1)
    deleted = _record(system, ana, activity, "ccid:0004444:k2", 2)
    corrected = _record(system, ben, activity, "ccid:0004444:k3", 1)
    system.projections.catch_up()
    subjects = [kept, deleted, corrected, learner_subject(ana), learner_subject(ben)]
    before, revoked = _state(system, subjects)
    assert revoked == [] and len({i for i, _ in before.values()}) == 5
    assert before[learner_subject(ana)][0] < before[kept][0] < before[deleted][0] < before[corrected][0]

    system.completions.handle(DeleteCompletions(keys=[deleted]), BY)
    system.completions.handle(
        CorrectCompletion(
            accme_id=ACCME_ID,
            key=corrected,
            completion_date=date(2025, 3, 2),
            cme=[{"type": "AMA PRA Category 1", "credits": 2.0}],
            moc=[],
        ),
        BY,
    )
    system.projections.catch_up()
    after, revoked = _state(system, subjects)
    assert after[deleted] == (before[deleted][0], True)
    assert after[corrected][0] > before[corrected][0] and after[corrected][1] is False  # a new credential
    assert revoked == sorted([before[deleted][0], before[corrected][0]])  # the corrected record's old one stays revoked

    system.learners.handle(EraseLearner(learner_id=ana), STAFF)
    late = _record(system, ana, activity, "ccid:0004444:k4", 2)  # reported after the erasure
    system.projections.catch_up()
    erased, revoked = _state(system, [*subjects, late])
    assert erased[kept][1] and erased[learner_subject(ana)][1] and erased[late][1]
    assert not erased[corrected][1] and not erased[learner_subject(ben)][1]  # Ben's stand

    system.projections.rebuild(CredentialStatusProjection.name)
    assert _state(system, [*subjects, late]) == (erased, revoked)
