"""Properties over random sequences of annual-report commands.

- attestation succeeds exactly when every other step is done;
- the checklist read model always equals a from-scratch computation over the recorded events.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.annual import AcceptAgreement, Attest, ReopenYear, ReviewContacts, SubmitProgramSummary
from domain.annual_report import SUMMARY_FIELDS, AnnualReport
from domain.base import Acting, Channel
from domain.deadlines import default_deadline
from domain.errors import ConflictError
from projections.checklist import ActivityFactsForYear
from tests.annual.conftest import register

YEAR = 2025
PROVIDER = Acting("provider:x:t", Channel.WEB)
ACCREDITOR = Acting("accreditor:t", Channel.WEB_SERVICE)
_ids = itertools.count(1)


class FakeActivities(ActivityFactsForYear):
    """Activity facts the test controls: activity ids that ended in the year and are still open."""

    def __init__(self) -> None:
        self.open: dict[str, set[str]] = {}

    def unclosed_ended_in(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return [{"activity_id": a, "title": a, "end_date": "2025-06-30"} for a in sorted(self.open.get(accme_id, ()))]

    def enduring_without_count(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return []


dollars = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
summary = st.fixed_dictionaries({f: dollars for f in SUMMARY_FIELDS})
commands = st.one_of(
    st.just(("agreement",)),
    st.tuples(st.just("summary"), summary),
    st.just(("contacts",)),
    st.just(("attest",)),
    st.tuples(st.just("reopen"), st.text(min_size=1, max_size=20).filter(str.strip)),
    st.tuples(st.just("days"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("open_activity"), st.sampled_from(["a1", "a2"])),
    st.tuples(st.just("close_activity"), st.sampled_from(["a1", "a2"])),
)


def from_scratch(events: list[Any], open_activities: list[dict[str, Any]], deadline: date) -> dict[str, Any]:
    """The checklist computed directly from the stream's events, independently of the projection's code."""
    agreement = contacts = attested = False
    fields: dict[str, Any] = dict.fromkeys(SUMMARY_FIELDS)
    late: dict[str, bool] = {}
    for e in events:
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
    missing = {
        "agreement": [] if agreement else ["agreement"],
        "activities_closed": open_activities,
        "enduring_counts": [],
        "program_summary": [f for f in SUMMARY_FIELDS if fields[f] is None],
        "contacts_reviewed": [] if contacts else ["contacts_reviewed"],
        "attestation": [] if attested else ["attestation"],
    }
    steps = [
        {"key": k, "done": not m, "missing": m, "late": bool(not m and late.get(k, False))} for k, m in missing.items()
    ]
    return {"complete": all(s["done"] for s in steps), "deadline": deadline.isoformat(), "steps": steps}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=st.lists(commands, max_size=14))
def test_checklist_equals_a_from_scratch_computation_and_attestation_needs_every_step(system, script):
    accme_id = f"{next(_ids) + 8000000:07d}"
    register(system, accme_id)
    fake = FakeActivities()
    system.annual.facts = fake
    moment = datetime(2026, 3, 1, 18, tzinfo=UTC)
    for step in script:
        system.annual.clock = lambda m=moment: m
        kind = step[0]
        if kind == "days":
            moment += timedelta(days=step[1])
            continue
        if kind == "open_activity":
            fake.open.setdefault(accme_id, set()).add(step[1])
            continue
        if kind == "close_activity":
            fake.open.setdefault(accme_id, set()).discard(step[1])
            continue
        if kind == "attest":
            system.projections.catch_up()
            before = system.annual.checklist(accme_id, YEAR)
            others_done = all(s["done"] for s in before["steps"] if s["key"] != "attestation")
            already = next(s["done"] for s in before["steps"] if s["key"] == "attestation")
            try:
                system.annual.handle(Attest(accme_id=accme_id, year=YEAR), PROVIDER)
                succeeded = True
            except ConflictError:
                succeeded = False
            assert succeeded == (others_done or already)
            continue
        cmd = {
            "agreement": lambda: AcceptAgreement(accme_id=accme_id, year=YEAR),
            "summary": lambda: SubmitProgramSummary(accme_id=accme_id, year=YEAR, **step[1]),
            "contacts": lambda: ReviewContacts(accme_id=accme_id, year=YEAR),
            "reopen": lambda: ReopenYear(accme_id=accme_id, year=YEAR, reason=step[1]),
        }[kind]()
        try:
            system.annual.handle(cmd, ACCREDITOR if kind == "reopen" else PROVIDER)
        except ConflictError:
            pass  # locked summary, nothing to reopen: refusals record nothing
    system.projections.catch_up()
    stream = list(system.store.events.get(AnnualReport.create_id(accme_id, YEAR)))
    expected = from_scratch(stream, fake.unclosed_ended_in(accme_id, YEAR), default_deadline(YEAR))
    assert system.annual.checklist(accme_id, YEAR) == expected
