"""Builders for the feed tests: the completion test set-up (provider, ABIM activity, Ana in TN, Ben in NC)
and completions recorded through the registry's web-form path."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.bootstrap import System
from commands.completions import DeleteCompletions, RecordCompletion
from projections.feeds import FeedProjection
from tests.completions.helpers import BY, setup  # noqa: F401  (re-exported for the feed tests)

CME = [{"type": "AMA PRA Category 1", "credits": 2.0}]
ABIM = [{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}]


def record(
    system: System, ids: dict[str, Any], n: int, *, learner: str = "ana", moc: bool = True, prefix: str = "c"
) -> None:
    """n completions of one learner (credit IDs ccid:0004444:{prefix}{i}), one save each."""
    for i in range(n):
        outcome, _ = system.completions.handle(
            RecordCompletion(
                accme_id="0004444",
                learner_id=ids[learner],
                activity_id=ids["activity"],
                completion_date=date(2025, 3, 2),
                cme=CME,
                moc=ABIM if moc else [],
                credit_id=f"ccid:0004444:{prefix}{i}",
                consent=True,  # the learner consented to sharing with boards
            ),
            BY,
        )
        assert outcome == "added"


def delete(system: System, ids: dict[str, Any], credit_id: str, learner: str = "ana") -> None:
    completion = system.completions.get(ids[learner], ids["activity"], credit_id)
    assert completion is not None
    system.completions.handle(DeleteCompletions(keys=[str(completion.id)]), BY)


def catch_up(system: System) -> None:
    system.projections.catch_up(["learner_directory", FeedProjection.name])
