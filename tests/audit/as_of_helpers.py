"""What the as-of tests share: a provider's commands drawn by hypothesis and run, the answers of its read routes
from any read models (live or replayed), the live answers after each command, and a fresh system to run them on."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import strategies as st

from adapters.bootstrap import System
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
from services.as_of import AsOfReplayer
from services.queries.dashboard import dashboard_body
from services.queries.read_models import ReadModels
from tests.activities.helpers import ACCME_ID, HE, item
from tests.activities.helpers import register as register_provider
from tests.completions.helpers import BY, report
from tests.conftest import make_system
from tests.learners.helpers import NPI
from tests.learners.helpers import register as learner

#: The read models the provider, checklist, dashboard and activity routes answer from.
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


def cme_report(
    activity_id: str, credit_id: str = "ccid:0004444:c1", action: str = "add", day: str = "2025-03-02"
) -> dict[str, Any]:
    """Ana's completion on `day` with AMA PRA Category 1 credit only (the activity is not MOC-registered)."""
    cme = report(activity_id, credit_id)["Activity"]["Module"]["CreditCertificate"][0]
    return report(
        activity_id,
        credit_id,
        action,
        Activity__Module__CreditCertificate=[cme],
        Activity__Module__CompletedDateTime=f"{day}T00:00:00",
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


def answers_at(replayer: AsOfReplayer, moment: datetime) -> dict[str, Any]:
    """`answers` of the provider replayed to `moment`."""
    reads = replayer.replay(ACCME_ID, moment, NEEDS, accreditor="ACCME", years=[2025])
    try:
        return answers(reads)
    finally:
        reads.close()


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


def prepare(system: System) -> None:
    """Ana, whose completions the reports carry, and our provider."""
    system.completions.today = lambda: date(2025, 6, 1)
    system.learners.register_many(
        [learner("Ana", "García-López", "03-07", licences={"TN": "MD12345"}, npi=NPI, year=1972)], BY
    )
    register_provider(system)
    system.projections.catch_up()  # the learner directory matches reports


def live_answers(system: System, sequence: list[tuple[Any, ...]]) -> list[tuple[datetime, dict[str, Any]]]:
    """The commands run one by one (a billing contact first); after each, the instant and the live `answers`."""
    numbers: dict[str, str] = {}
    seen = []
    for command in [("assign", "billing", 0), *sequence]:
        # Refused: nothing recorded, and the answers stay as they were.
        with contextlib.suppress(DomainError):
            run(system, command, numbers)
        system.projections.catch_up()
        seen.append((datetime.now(UTC), answers(system.reads)))
        time.sleep(0.001)
    return seen


def one_activity(system: System) -> str:
    """Our provider's activity P-1; its ACCME activity ID."""
    [outcome] = submit_items(system.activities, ACCME_ID, [item("P-1")], BY)
    return str(outcome.activity_id)


@contextlib.contextmanager
def fresh_system(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[System]:
    """A system on a SQLite file of its own: a hypothesis example's (function-scoped fixtures are made once)."""
    system = make_system(f"sqlite:///{tmp_path_factory.mktemp(name) / 'pars.sqlite'}")
    try:
        yield system
    finally:
        system.close()
