"""A rebuild equals live processing, for the read models that write a page's rows at once (transcripts with their
kept counts and lines, record statuses, licences, credential status, history, feeds): random add / delete / re-add
sequences of completions, caught up live at random points (so a page holds one command's events or several), leave
exactly the rows a rebuild from the log makes (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adapters.bootstrap import System
from adapters.formats.accme.learner_reports import report_completions
from services.projection_runner import rebuild_in_processes
from tests.completions.helpers import BY, setup
from tests.completions.test_read_models import FACTS, ME, a_report

NAMES = ["transcripts", "record_status", "licences", "credential_status", "history", "feeds"]

#: (action, which credit ID, which facts, catch up after it)
OPS = st.lists(
    st.tuples(st.sampled_from(["add", "delete"]), st.integers(0, 2), st.integers(0, len(FACTS) - 1), st.booleans()),
    min_size=1,
    max_size=10,
)
_examples = itertools.count()
_done: dict[str, dict[str, Any]] = {}


def rows_of(system: System, names: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the named read models' tables, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with system.db.engine.connect() as conn:
        for name in names:
            for table in system.projections[name].projection.view.tables:  # type: ignore[attr-defined]
                rows = [tuple(repr(v) for v in r) for r in conn.execute(select(table))]
                out[f"{name}.{table.name}"] = sorted(rows)
    return out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=OPS)
def test_a_rebuild_equals_live_processing(any_system: System, ops: list[tuple[str, int, int, bool]]) -> None:
    system = any_system
    key = system.settings.database_url
    if key not in _done:
        _done[key] = setup(system)
    activity = _done[key]["activity"]
    n = next(_examples)
    credit_ids = [f"ccid:{ME}:r{n}-{k}" for k in range(3)]
    for action, k, f, catch_up in ops:
        system.completions.handle(report_completions(ME, [a_report(activity, credit_ids[k], action, FACTS[f])]), BY)
        if catch_up:
            system.projections.catch_up(NAMES)
    system.projections.catch_up(NAMES)
    live = rows_of(system, NAMES)
    assert live["transcripts.transcript_entries"]  # something was recorded (the first op of a store adds or not)
    system.projections.rebuild(NAMES)
    assert rows_of(system, NAMES) == live


def test_a_rebuild_shared_out_among_worker_processes_equals_live_processing(any_system: System) -> None:
    """`pars projections rebuild` shares the read models out among worker processes (one per core), each reading
    the log and swapping its own copies in: every read model's rows and position are those live processing made."""
    system = any_system
    activity = setup(system)["activity"]
    for k, (action, f) in enumerate([("add", 0), ("add", 1), ("delete", 0), ("add", 2), ("add", 0)]):
        credit_id = f"ccid:{ME}:split-{k % 3}"
        system.completions.handle(report_completions(ME, [a_report(activity, credit_id, action, FACTS[f])]), BY)
    system.projections.catch_up()
    names = list(system.projections.runners)
    live = rows_of(system, names)
    head = system.store.head()
    assert len(system.projections._shares(names, 2)) == 2
    assert system.projections.rebuild(names, processes=2) == head
    assert rows_of(system, names) == live
    assert system.projections.positions() == dict.fromkeys(names, head)


def test_a_failing_rebuild_worker_is_raised_and_leaves_the_live_read_models(any_system: System) -> None:
    """A worker that fails (here: a read model it cannot open) is raised in the rebuilding process, with its
    traceback; what the other worker swapped in is whole, and the live read models stay as they were."""
    system = any_system
    activity = setup(system)["activity"]
    system.completions.handle(report_completions(ME, [a_report(activity, f"ccid:{ME}:fail", "add", FACTS[0])]), BY)
    system.projections.catch_up()
    live = rows_of(system, ["transcripts", "history"])
    with pytest.raises(RuntimeError, match="nosuch"):
        rebuild_in_processes(system.projections.reopen, [["transcripts"], ["nosuch"]])  # type: ignore[arg-type]
    assert rows_of(system, ["transcripts", "history"]) == live
