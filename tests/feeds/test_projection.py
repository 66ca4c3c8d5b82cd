"""The feeds projection on SQLite and PostgreSQL: routing to board and state feeds, gap-free sequences,
deletions, resubmissions, erasure, and exactly-once across batches."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import System
from commands.completions import RecordCompletion
from commands.learners import EraseLearner
from domain.base import Acting, Channel
from projections.feeds import FeedProjection, with_learners
from tests.feeds.helpers import BY, catch_up, delete, record, setup


def items(system: System, feed: str) -> list[dict[str, Any]]:
    view = system.projections.get(FeedProjection).view
    return with_learners(view, view.page(feed, 0, 1000))


def test_completion_with_moc_goes_to_the_board_and_the_learners_states(any_system: System) -> None:
    ids = setup(any_system)
    record(any_system, ids, 1)
    record(any_system, ids, 1, learner="ben", moc=False, prefix="b")
    catch_up(any_system)

    [abim] = items(any_system, "board:ABIM")
    assert abim["seq"] == 1 and abim["type"] == "completion" and abim["board"] == "ABIM"
    assert (abim["provider_id"], abim["activity_id"], abim["credit_id"]) == (
        "0004444",
        ids["activity"],
        "ccid:0004444:c0",
    )
    assert abim["completion_date"] == "2025-03-02"
    assert abim["points"] == 2.0 and abim["credits"] == [{"type": "ABIM MOC", "credits": 2.0}]
    assert abim["credit_types"] == ["MK"]  # the activity's ABIM registration
    assert abim["learner"] == {
        "learner_id": ids["ana"],
        "first_name": "Ana",
        "last_name": "García-López",
        "birth_month_day": "03-07",
        "board_id": "123456",
        "erased": False,
    }
    [tn] = items(any_system, "state:TN")
    assert (
        tn["state"] == "TN"
        and tn["cme"] == [{"type": "AMA PRA Category 1", "credits": 2.0}]
        and tn["moc"][0]["board"] == "ABIM"
    )
    assert tn["learner"]["licence_number"] == "MD12345" and tn["learner"]["npi"] is not None
    assert tn["id"] == abim["id"]  # one event, one id, in every feed it reaches
    # Ben (NC licence, no MOC credit) reaches only North Carolina.
    [nc] = items(any_system, "state:NC")
    assert nc["learner"]["learner_id"] == ids["ben"] and nc["learner"]["licence_number"] == "2009-01234"
    assert items(any_system, "board:ABP") == [] and items(any_system, "state:CA") == []
    assert any_system.queries.feeds.head("board:ABIM") == 1 and any_system.queries.feeds.head("state:TN") == 1


def test_deletion_and_resubmission_travel_to_the_same_feeds_in_order(any_system: System) -> None:
    ids = setup(any_system)
    record(any_system, ids, 2)
    delete(any_system, ids, "ccid:0004444:c0")
    any_system.completions.handle(
        RecordCompletion(
            accme_id="0004444",
            learner_id=ids["ana"],
            activity_id=ids["activity"],
            completion_date=__import__("datetime").date(2025, 3, 1),
            cme=[{"type": "AMA PRA Category 1", "credits": 1.0}],
            moc=[],
            credit_id="ccid:0004444:c0",
            consent=True,
        ),
        BY,
    )
    catch_up(any_system)
    board = items(any_system, "board:ABIM")
    assert [(i["seq"], i["type"], i["credit_id"]) for i in board] == [
        (1, "completion", "ccid:0004444:c0"),
        (2, "completion", "ccid:0004444:c1"),
        (3, "deletion", "ccid:0004444:c0"),
    ]
    assert board[2]["points"] == 2.0  # a deletion says what was deleted
    state = items(any_system, "state:TN")
    # The resubmission carries no MOC credit: the state hears of it, the board does not.
    assert [(i["seq"], i["type"], i["completion_date"]) for i in state] == [
        (1, "completion", "2025-03-02"),
        (2, "completion", "2025-03-02"),
        (3, "deletion", "2025-03-02"),
        (4, "completion", "2025-03-01"),
    ]
    assert [i["position"] for i in state] == sorted(i["position"] for i in state)


def test_erased_learners_items_identify_no_one(any_system: System) -> None:
    ids = setup(any_system)
    record(any_system, ids, 1)
    catch_up(any_system)  # as in `pars serve`: the feeds are milliseconds behind the completion
    any_system.learners.handle(EraseLearner(learner_id=ids["ana"]), Acting("accreditor:ops", Channel.WEB_SERVICE))
    any_system.projections.catch_up()
    for feed in ("board:ABIM", "state:TN"):
        [item] = items(any_system, feed)
        person = item["learner"]
        assert person["erased"] is True
        assert {k: v for k, v in person.items() if k not in ("learner_id", "erased")} == dict.fromkeys(
            set(person) - {"learner_id", "erased"}
        )
        assert item["credit_id"] == "ccid:0004444:c0"  # the completion still counts
    # A replay cannot read an erased learner's licence states: why feeds are rebuilt only when named.
    any_system.projections.rebuild(FeedProjection.name)
    assert len(items(any_system, "board:ABIM")) == 1 and items(any_system, "state:TN") == []
    assert not FeedProjection.rebuild_by_default


def test_batches_of_any_size_give_the_same_gap_free_feeds(any_system: System) -> None:
    ids = setup(any_system)
    record(any_system, ids, 7)
    delete(any_system, ids, "ccid:0004444:c3")
    record(any_system, ids, 3, learner="ben", moc=False, prefix="b")
    any_system.projections.catch_up(["learner_directory"])
    runner = any_system.projections[FeedProjection.name]
    runner.batch_size = 3  # batches end between a completion and its deletion
    runner.catch_up()
    for feed, expected in (("board:ABIM", 8), ("state:TN", 8), ("state:NC", 3)):
        assert [i["seq"] for i in items(any_system, feed)] == list(range(1, expected + 1))
    before = {f: items(any_system, f) for f in ("board:ABIM", "state:TN", "state:NC")}
    any_system.projections.rebuild(FeedProjection.name)  # one batch this time
    assert {f: items(any_system, f) for f in before} == before
    assert any_system.projections.get(FeedProjection).view.between(
        0, any_system.store.head()
    )  # the relay's view of the same rows
