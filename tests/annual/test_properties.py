"""Properties over random sequences of activity and annual-report commands.

- attestation succeeds exactly when every other step is done;
- the checklist read model always equals a from-scratch computation over the recorded events.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.annual import AcceptAgreement, Attest, ReopenYear, ReviewContacts, SubmitProgramSummary
from domain.activity import ENDURING, Activity
from domain.annual_report import SUMMARY_FIELDS, AnnualReport
from domain.base import Acting, Channel
from domain.deadlines import default_deadline
from domain.errors import ConflictError, DomainError
from tests.annual.activities import add_activity, change, complete_data
from tests.annual.conftest import register

YEAR = 2025
PROVIDER = Acting("provider:x:t", Channel.WEB)
ACCREDITOR = Acting("accreditor:t", Channel.WEB_SERVICE)
_ids = itertools.count(1)

#: Activities a script may create: (format, start, end) around the 2025 reporting year.
SHAPES = {
    "course-2025": ("Course", "2025-05-01", "2025-05-02"),
    "course-2026": ("Course", "2025-12-20", "2026-01-05"),
    "rss-2024": ("Regularly Scheduled Series", "2024-02-01", "2024-12-01"),
    "enduring": (ENDURING, "2025-02-01", "2027-01-31"),
    "enduring-old": (ENDURING, "2023-01-01", "2025-10-31"),
}

dollars = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
summary = st.fixed_dictionaries(dict.fromkeys(SUMMARY_FIELDS, dollars))
activity_key = st.sampled_from(sorted(SHAPES))
commands = st.one_of(
    st.just(("agreement",)),
    st.tuples(st.just("summary"), summary),
    st.just(("contacts",)),
    st.just(("attest",)),
    st.tuples(st.just("reopen"), st.text(min_size=1, max_size=20).filter(str.strip)),
    st.tuples(st.just("days"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("add_activity"), activity_key),
    st.tuples(st.just("close_activity"), activity_key),
    st.tuples(st.just("count_learners"), activity_key),
    st.tuples(st.just("delete_activity"), activity_key),
)


def from_scratch(report_events: list[Any], activity_streams: list[list[Any]], deadline: date) -> dict[str, Any]:
    """The checklist computed directly from the events, independently of the projection's code."""
    agreement = contacts = attested = False
    fields: dict[str, Any] = dict.fromkeys(SUMMARY_FIELDS)
    late: dict[str, bool] = {}
    for e in report_events:
        name = type(e).__name__
        if name == "AgreementAccepted":
            agreement, late["agreement"] = True, e.late
        elif name == "ProgramSummarySubmitted":
            fields = {f: getattr(e, f) for f in SUMMARY_FIELDS}
            late["program_summary"] = e.late
        elif name == "ContactsReviewed":
            contacts, late["contacts_reviewed"] = True, e.late
        elif name == "Attested":
            attested, late["attestation"] = True, e.late
        elif name == "Reopened":
            attested = False
    open_, uncounted = [], []
    for stream in activity_streams:
        number, data, closed, deleted = "", {}, False, False
        for e in stream:
            name = type(e).__name__
            if name == "Registered":
                number, data = e.number, e.data
            elif name == "Revised":
                data, deleted = e.data, False
            elif name == "Corrected":
                data = e.data
            elif name == "Closed":
                closed = True
            elif name == "Deleted":
                deleted = True
        if deleted:
            continue
        start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
        if end.year == YEAR and not closed:
            open_.append({"activity_id": number, "title": data["title"], "end_date": data["end_date"]})
        counted = str(YEAR) in (data.get("learners_by_year") or {}) or (closed and end.year <= YEAR)
        if data["format"] == ENDURING and start.year <= YEAR <= end.year and not counted:
            uncounted.append({"activity_id": number, "title": data["title"]})
    open_.sort(key=lambda a: (a["end_date"], a["activity_id"]))
    uncounted.sort(key=lambda a: a["activity_id"])
    missing = {
        "agreement": [] if agreement else ["agreement"],
        "activities_closed": open_,
        "enduring_counts": uncounted,
        "program_summary": [f for f in SUMMARY_FIELDS if fields[f] is None],
        "contacts_reviewed": [] if contacts else ["contacts_reviewed"],
        "attestation": [] if attested else ["attestation"],
    }
    steps = [
        {"key": k, "done": not m, "missing": m, "late": bool(not m and late.get(k, False))} for k, m in missing.items()
    ]
    return {"complete": all(s["done"] for s in steps), "deadline": deadline.isoformat(), "steps": steps}


def run_activity_command(system, accme_id: str, kind: str, key: str, added: set[str]) -> None:
    fmt, start, end = SHAPES[key]
    if kind == "add_activity":
        if key not in added:
            add_activity(system, accme_id, key, complete_data(key, start, end, fmt=fmt))
            added.add(key)
        return
    if key not in added:
        return
    act = {
        "close_activity": lambda a: a.close(date(2026, 1, 15), PROVIDER),
        "count_learners": lambda a: a.report_enduring_learners(YEAR, {"physician": 5, "other": 1}, PROVIDER),
        "delete_activity": lambda a: a.delete(PROVIDER),
    }[kind]
    # Not closable yet, not an enduring material, closed activities are not deleted: nothing recorded.
    with contextlib.suppress(DomainError):
        change(system, accme_id, key, act)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(script=st.lists(commands, max_size=16))
def test_checklist_equals_a_from_scratch_computation_and_attestation_needs_every_step(system, script):
    accme_id = f"{next(_ids) + 8000000:07d}"
    register(system, accme_id)
    added: set[str] = set()
    moment = datetime(2026, 3, 1, 18, tzinfo=UTC)
    for step in script:
        system.annual.clock = lambda m=moment: m
        kind = step[0]
        if kind == "days":
            moment += timedelta(days=step[1])
        elif kind.endswith("_activity") or kind == "count_learners":
            run_activity_command(system, accme_id, kind, step[1], added)
        elif kind == "attest":
            system.projections.catch_up()
            before = system.annual.checklist(accme_id, YEAR)
            others_done = all(s["done"] for s in before["steps"] if s["key"] != "attestation")
            already = before["steps"][-1]["done"]
            try:
                system.annual.handle(Attest(accme_id=accme_id, year=YEAR), PROVIDER)
                succeeded = True
            except ConflictError:
                succeeded = False
            assert succeeded == (others_done or already)
        else:
            cmd = {
                "agreement": lambda: AcceptAgreement(accme_id=accme_id, year=YEAR),
                "summary": lambda step=step: SubmitProgramSummary(accme_id=accme_id, year=YEAR, **step[1]),
                "contacts": lambda: ReviewContacts(accme_id=accme_id, year=YEAR),
                "reopen": lambda step=step: ReopenYear(accme_id=accme_id, year=YEAR, reason=step[1]),
            }[kind]()
            # Locked summary, nothing to reopen: refusals record nothing.
            with contextlib.suppress(ConflictError):
                system.annual.handle(cmd, ACCREDITOR if kind == "reopen" else PROVIDER)
        # the checklist is current after every command, not just at the end
        system.projections.catch_up()
        report = list(system.store.events.get(AnnualReport.create_id(accme_id, YEAR)))
        streams = [list(system.store.events.get(Activity.create_id(accme_id, k))) for k in sorted(added)]
        assert system.annual.checklist(accme_id, YEAR) == from_scratch(report, streams, default_deadline(YEAR))
