"""Every read model that reads completion streams against the events themselves: a completion deleted and
added again stands again in the transcripts, the learner status and the feeds (SQLite and PostgreSQL), and a
hypothesis property drives random add / delete / re-add sequences through the registry."""

from __future__ import annotations

import contextlib
import itertools
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.bootstrap import System
from adapters.formats.accme.learner_reports import report_completions
from commands.completions import DeleteCompletions, RecordCompletion
from domain.completion import Completion, CompletionAlreadyRecordedError
from tests.completions.helpers import BY, report, setup

ME = "0004444"
#: The facts a report can carry: (completion date, CME credits, ABIM MOC points or None).
FACTS = [("2025-03-02", 6.0, 6.0), ("2025-03-01", 2.0, None), ("2025-03-02", 1.0, 1.0)]


def a_report(activity: str, credit_id: str, action: str, facts: tuple[str, float, float | None]) -> dict[str, Any]:
    day, cme, moc = facts
    over: dict[str, Any] = {
        "Activity__Module__CompletedDateTime": f"{day}T00:00:00",
        "Activity__Module__CreditCertificate__0__CreditReceived__numberOfCredits": cme,
        "Activity__Module__CreditCertificate__1__CreditReceived__numberOfCredits": moc,
    }
    r = report(activity, credit_id, action, **over)
    if moc is None:
        r["Activity"]["Module"]["CreditCertificate"].pop(1)
    return r


def test_a_completion_deleted_and_added_again_stands_again(any_system: System) -> None:
    ids = setup(any_system)
    act = ids["activity"]
    for action in ("add", "delete", "add"):
        [r] = any_system.completions.handle(report_completions(ME, [report(act, action=action)]), BY)
        assert r.action == {"add": "added", "delete": "deleted"}[action], r.errors
    any_system.projections.catch_up()
    rows = any_system.reads.completions.for_learner(ids["ana"], None, None)
    assert [(r["credit_id"], r["completion_date"]) for r in rows] == [("ccid:0004444:c1", "2025-03-02")]
    assert len(any_system.reads.completions.by_credit_id(ME, "ccid:0004444:c1")) == 1
    assert any_system.reads.completions.count(ME) == 1
    state = any_system.queries.feeds.page("state:TN", 0, 100)
    assert [i["type"] for i in state] == ["completion", "deletion", "completion"]


def expected(system: System, learner_id: str, activity: str, credit_ids: list[str]) -> dict[str, Any]:
    """What the events say, per credit ID: the event types in order and, when it stands, its last facts."""
    out = {}
    for credit_id in credit_ids:
        agg_id = Completion.create_id(learner_id, activity, credit_id)
        events = list(system.store.events.get(agg_id)) if system.store.existing([agg_id]) else []
        facts = None
        for e in events:
            facts = None if isinstance(e, Completion.Deleted) else (e.completion_date.isoformat(), e.cme, e.moc)
        out[credit_id] = {"types": [type(e).__name__ for e in events], "facts": facts}
    return out


def check_read_models(system: System, learner_id: str, activity: str, credit_ids: list[str]) -> None:
    want = expected(system, learner_id, activity, credit_ids)
    system.projections.catch_up()
    # Transcripts (the passport, the ACCME transcripts and the learner status read them).
    rows = {
        r["credit_id"]: r
        for r in system.reads.completions.for_learner(learner_id, None, None)
        if r["credit_id"] in want
    }
    standing = {c: w["facts"] for c, w in want.items() if w["facts"]}
    assert {c: (r["completion_date"], r["doc"]["cme"], r["doc"]["moc"]) for c, r in rows.items()} == standing
    for credit_id in credit_ids:
        assert [r["completion_date"] for r in system.reads.completions.by_credit_id(ME, credit_id)] == (
            [standing[credit_id][0]] if credit_id in standing else []
        )
    # Feeds: the learner's state gets every event; the board every event of a completion that carried ABIM MOC.
    kinds = {"Recorded": "completion", "Resubmitted": "completion", "Deleted": "deletion"}
    state = system.queries.feeds.page("state:TN", 0, 10_000)
    for credit_id, w in want.items():
        assert [i["type"] for i in state if i["credit_id"] == credit_id] == [kinds[t] for t in w["types"]]
    board = system.queries.feeds.page("board:ABIM", 0, 10_000)
    for credit_id in credit_ids:
        agg_id = Completion.create_id(learner_id, activity, credit_id)
        events = list(system.store.events.get(agg_id)) if system.store.existing([agg_id]) else []
        want_board, reached = [], False
        for e in events:
            if isinstance(e, Completion.Deleted):
                want_board += ["deletion"] if reached else []
                reached = False
            else:
                reached = bool(e.moc)
                want_board += ["completion"] if reached else []
        assert [i["type"] for i in board if i["credit_id"] == credit_id] == want_board
    # History: every event of each completion, in order, in the provider's history.
    history = system.queries.audit.events(ME, types=["Completion"])
    for credit_id, w in want.items():
        stream = str(Completion.create_id(learner_id, activity, credit_id))
        assert [e["type"] for e in history if e["stream_id"] == stream] == [f"Completion.{t}" for t in w["types"]]


#: (action, which completion, which facts, through the learner reports or the web form's registry calls)
OPS = st.lists(
    st.tuples(st.sampled_from(["add", "delete"]), st.integers(0, 1), st.integers(0, len(FACTS) - 1), st.booleans()),
    min_size=1,
    max_size=8,
)
_examples = itertools.count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=OPS)
def test_random_add_delete_readd_sequences_agree_with_the_events(
    any_system: System, ops: list[tuple[str, int, int, bool]]
) -> None:
    system = any_system
    ids = _setup_once(system)
    n = next(_examples)
    credit_ids = [f"ccid:{ME}:p{n}-{k}" for k in range(2)]
    for action, k, f, by_form in ops:
        if not by_form:
            system.completions.handle(
                report_completions(ME, [a_report(ids["activity"], credit_ids[k], action, FACTS[f])]), BY
            )
        elif action == "add":
            day, cme, moc = FACTS[f]
            credits = (
                [{"type": "AMA PRA Category 1", "credits": cme}],
                [{"board": "ABIM", "type": "ABIM MOC", "credits": moc}] if moc else [],
            )
            # standing with other facts: records are not edited (the learner reports answer the same, as a rejection)
            with contextlib.suppress(CompletionAlreadyRecordedError):
                system.completions.handle(
                    RecordCompletion(
                        accme_id=ME,
                        learner_id=ids["ana"],
                        activity_id=ids["activity"],
                        completion_date=date.fromisoformat(day),
                        cme=credits[0],
                        moc=credits[1],
                        credit_id=credit_ids[k],
                        consent=True,  # as the learner reports attest it (tests/completions/helpers.report)
                    ),
                    BY,
                )
        elif (standing := system.completions.get(ids["ana"], ids["activity"], credit_ids[k])) is not None:
            system.completions.handle(DeleteCompletions(keys=[str(standing.id)]), BY)
    check_read_models(system, ids["ana"], ids["activity"], credit_ids)


_done: dict[str, dict[str, Any]] = {}


def _setup_once(system: System) -> dict[str, Any]:
    """One provider, activity and learners per store; each example uses credit IDs of its own."""
    key = system.settings.database_url
    if key not in _done:
        _done[key] = setup(system)
    return _done[key]


def test_a_store_made_before_rows_were_kept_gets_the_deleted_column_and_keeps_its_rows(database_url: str) -> None:
    from sqlalchemy import inspect

    from tests.conftest import make_system

    system = make_system(database_url)
    ids = setup(system)
    system.completions.handle(report_completions(ME, [report(ids["activity"])]), BY)
    system.projections.catch_up(["transcripts"])
    with system.db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE transcript_entries DROP COLUMN deleted")
    system.close()
    again = make_system(database_url)
    try:
        with again.db.engine.begin() as conn:
            assert "deleted" in {c["name"] for c in inspect(conn).get_columns("transcript_entries")}
        assert [r["credit_id"] for r in again.reads.completions.for_learner(ids["ana"], None, None)] == [
            "ccid:0004444:c1"
        ]
    finally:
        again.close()
