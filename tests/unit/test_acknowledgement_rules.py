"""A board's answers to a record, as domain rules (hypothesis): the same answer again records nothing, each
changed answer one event; only the record's current item is answered; a rejection gives its reason."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.base import Acting, Channel
from domain.completion import Completion, ItemNotAnswerableError
from domain.errors import InvalidValueError

BY = Acting("provider:0004444:t", Channel.WEB)
BOARD = Acting("board:ABIM:t", Channel.WEB_SERVICE)
ACTIVITY = cast(
    Any,
    SimpleNamespace(
        accme_id="0004444",
        deleted=False,
        number="123456789",
        data={
            "start_date": "2025-03-01",
            "end_date": "2025-03-02",
            "credits": 6,
            "title": "T",
            "moc": [{"board": "ABIM", "points": 6}],
        },
    ),
)
MOC = [{"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}]


def a_record(consent: bool = True) -> Completion:
    return Completion.record(
        accme_id="0004444",
        learner_id="l-1",
        activity=ACTIVITY,
        completion_date=date(2025, 3, 2),
        cme=[],
        moc=MOC,
        credit_id="ccid:0004444:1",
        today=date(2025, 6, 1),
        by=BY,
        consent=consent,
    )


ANSWERS = st.lists(
    st.sampled_from(
        [("accepted", "", ""), ("rejected", "BID", "board ID not found"), ("rejected", "", "name mismatch")]
    ),
    min_size=1,
    max_size=12,
)


@given(ANSWERS)
def test_each_changed_answer_is_one_event_and_a_repeat_none(answers: list[tuple[str, str, str]]) -> None:
    record = a_record()
    item = f"{record.id}:1"
    recorded = [record.acknowledge("board:ABIM", item, 1, s, code, why, BOARD) for s, code, why in answers]
    changes = [i == 0 or answers[i] != answers[i - 1] for i in range(len(answers))]
    assert recorded == changes
    events = [e for e in record.collect_events() if isinstance(e, Completion.Acknowledged)]
    assert len(events) == sum(changes)
    assert (events[-1].status, events[-1].reason_code, events[-1].reason) == answers[-1]
    assert all(e.accme_id == "0004444" and e.actor == BOARD.actor and e.board == "ABIM" for e in events)


def test_an_answer_to_a_replaced_record_is_refused_and_its_new_item_taken() -> None:
    record = a_record()
    record.correct(ACTIVITY, date(2025, 3, 1), [], MOC, date(2025, 6, 1), BY)  # Deleted (v2), Resubmitted (v3)
    with pytest.raises(ItemNotAnswerableError, match=f"answer item {record.id}:3"):
        record.acknowledge("board:ABIM", f"{record.id}:1", 1, "accepted", "", "", BOARD)
    assert record.acknowledge("board:ABIM", f"{record.id}:3", 3, "accepted", "", "", BOARD)
    record.delete(BY)
    with pytest.raises(ItemNotAnswerableError, match="deleted since"):
        record.acknowledge("board:ABIM", f"{record.id}:3", 3, "rejected", "X", "", BOARD)


@pytest.mark.parametrize(
    ("feed", "status", "reason", "field"),
    [
        ("board:ABIM", "received", "", "status"),
        ("state:TN", "accepted", "", "status"),
        ("board:ABIM", "rejected", " ", "reason"),
    ],
)
def test_a_malformed_answer_names_its_field(feed: str, status: str, reason: str, field: str) -> None:
    record = a_record()
    with pytest.raises(InvalidValueError) as refused:
        record.acknowledge(feed, f"{record.id}:1", 1, status, "", reason, BOARD)
    assert refused.value.loc == (field,)


def test_a_correction_keeps_the_consent_unless_it_says() -> None:
    record = a_record(consent=False)
    record.correct(ACTIVITY, date(2025, 3, 2), [], MOC, date(2025, 6, 1), BY)
    assert record.consent is False
    record.correct(ACTIVITY, date(2025, 3, 2), [], MOC, date(2025, 6, 1), BY, consent=True)
    assert record.consent is True
