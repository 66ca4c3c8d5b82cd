"""Property: for any sequence of commands, replaying a provider to the instant after each command gives
the answers the live read models gave at that instant (provider, checklist, dashboard, activities)."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.formats.accme.activities import submit_items
from adapters.formats.accme.learner_reports import report_completions
from commands.activities import CloseActivity
from commands.annual import AcceptAgreement, Attest, ReviewContacts, SubmitProgramSummary
from commands.providers import AssignContact, ContactDetails, RemoveContact
from domain.errors import DomainError
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.record_status import RecordStatusProjection
from projections.transcripts import TranscriptProjection
from services.queries.dashboard import dashboard_body
from services.queries.read_models import ReadModels
from tests.activities.helpers import ACCME_ID, HE, item
from tests.activities.helpers import register as register_provider
from tests.audit.test_as_of import BY, cme_report
from tests.completions.helpers import NPI
from tests.conftest import make_system
from tests.learners.helpers import register as learner

NEEDS = (
    ActivitySummaryProjection.name,
    TranscriptProjection.name,
    ChecklistProjection.name,
    RecordStatusProjection.name,
)
ROLES = ("billing", "ceo", "website")
PIDS = ("P-1", "P-2", "P-3")

commands = st.lists(
    st.one_of(
        st.tuples(st.just("assign"), st.sampled_from(ROLES), st.integers(0, 9)),
        st.tuples(st.just("remove"), st.sampled_from(ROLES)),
        st.tuples(st.just("activity"), st.sampled_from(PIDS), st.booleans()),
        st.tuples(st.just("close"), st.sampled_from(PIDS)),
        st.tuples(st.just("complete"), st.sampled_from(PIDS), st.integers(1, 3), st.booleans()),
        st.tuples(st.just("annual"), st.sampled_from(("agreement", "summary", "contacts", "attest"))),
    ),
    min_size=1,
    max_size=12,
)


def answers(reads: ReadModels) -> dict[str, Any]:
    """What the provider, checklist, dashboard and activity routes answer, from these read models."""
    profile = reads.profiles.get_profile(ACCME_ID)
    assert profile is not None
    rows, total = reads.activities.search(
        ACCME_ID,
        year=None,
        fmt=None,
        status=None,
        q=None,
        moc=None,
        rems=None,
        mips=None,
        today=reads.today(),
        limit=50,
        offset=0,
    )
    return {
        "profile": profile,
        "checklist": reads.annual.checklist(ACCME_ID, 2025, profile["accreditor"]),
        "dashboard": dashboard_body(reads, ACCME_ID, profile, 2025),
        "activities": (rows, total),
    }


def run(system: Any, command: tuple[Any, ...], numbers: dict[str, str]) -> None:
    kind = command[0]
    if kind == "assign":
        contact = ContactDetails(name=f"Person {command[2]}", email=f"p{command[2]}@cme.org")
        system.providers.handle(AssignContact(accme_id=ACCME_ID, role=command[1], contact=contact), BY)
    elif kind == "remove":
        system.providers.handle(RemoveContact(accme_id=ACCME_ID, role=command[1]), BY)
    elif kind == "activity":
        over = {
            HE + "commercialSupport": True,
            "ActivityDescription__commercialSupportAmount": [{"supportSource": "Acme", "value": 100}],
        }
        [outcome] = submit_items(system.activities, ACCME_ID, [item(command[1], **(over if command[2] else {}))], BY)
        numbers[command[1]] = outcome.activity_id
    elif kind == "close" and command[1] in numbers:
        system.activities.close(CloseActivity(accme_id=ACCME_ID, activity_id=numbers[command[1]]), BY)
    elif kind == "complete" and command[1] in numbers:
        report = cme_report(numbers[command[1]], f"ccid:0004444:c{command[2]}", "add" if command[3] else "delete")
        system.completions.handle(report_completions(ACCME_ID, [report]), BY)
    elif kind == "annual":
        cmd = {
            "agreement": AcceptAgreement(accme_id=ACCME_ID, year=2025),
            "summary": SubmitProgramSummary(
                accme_id=ACCME_ID,
                year=2025,
                advertising_exhibit_income=1,
                registration_fees=2,
                government_grants=3,
                private_donations=4,
            ),
            "contacts": ReviewContacts(accme_id=ACCME_ID, year=2025),
            "attest": Attest(accme_id=ACCME_ID, year=2025),
        }[command[1]]
        system.annual.handle(cmd, BY)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sequence=commands)
def test_replaying_to_each_instant_gives_the_live_answers_of_that_instant(
    tmp_path_factory: Any, sequence: list[tuple[Any, ...]]
) -> None:
    path: Path = tmp_path_factory.mktemp("as_of") / "pars.sqlite"
    system = make_system(f"sqlite:///{path}")
    try:
        system.completions.today = lambda: date(2025, 6, 1)
        system.learners.register_many(
            [learner("Ana", "García-López", "03-07", licences={"TN": "MD12345"}, npi=NPI, year=1972)], BY
        )
        register_provider(system)
        numbers: dict[str, str] = {}
        seen = []
        for command in [("assign", "billing", 0), *sequence]:
            # Refused: nothing recorded, and the answers stay as they were.
            with contextlib.suppress(DomainError):
                run(system, command, numbers)
            system.projections.catch_up()
            seen.append((datetime.now(UTC), answers(system.reads)))
            time.sleep(0.001)
        for moment, expected in seen:
            reads = system.as_of.replay(ACCME_ID, moment, NEEDS, accreditor="ACCME", years=[2025])
            try:
                assert answers(reads) == expected
            finally:
                reads.close()
    finally:
        system.close()
