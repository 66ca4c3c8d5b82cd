"""A realistic demo data set, made deterministically (seeded) with the batched write paths.

Providers of the three kinds of accreditor (ACCME, Joint Accreditation, state Recognized
Accreditors) with contacts and accreditation decisions; a few hundred activities over last year
and this one (every format, some registered for MOC, some REMS, last year's mostly closed); a few
hundred physicians in the learner directory; thousands of completions; and program summaries
for some providers. Everything goes through the same services as the API and batch files, so
the demo's events are exactly what real use would store.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from adapters.formats.accme.activities import submit_items
from adapters.licences.seed import seed_commands
from commands.annual import AcceptAgreement, SubmitProgramSummary
from commands.completions import AcknowledgeItems, Acknowledgement, ReportCompletion, ReportCompletions
from commands.learners import BoardId, Licence, MatchQuery, RegisterLearner
from commands.providers import AssignContact, ContactDetails, RecordAccreditationDecision, RegisterProvider
from domain.activity import DELIVERY_METHODS, ENDURING, FORMATS
from domain.base import Acting, Channel
from domain.completion import CME_CERTIFICATION, DERIVED_CREDIT_ID, reporting_window
from domain.learner import CERTIFYING_BOARDS
from services.providers import NewProvider

SEED = 20260101
#: Of the learners, the share whose consent to sharing with boards the provider attests (the rest: not sent).
CONSENT_SHARE = 0.95
#: How the boards answer the demo's records: most accepted, some rejected for the usual reasons, a few pending.
ACCEPTED_SHARE, REJECTED_SHARE = 0.75, 0.15
REJECTIONS = (
    ("BOARD_ID_NOT_FOUND", "Board ID not found among the board's diplomates"),
    ("NAME_MISMATCH", "Learner name does not match the board's record for this board ID"),
    ("POINTS_EXCEED_ACTIVITY", "MOC points exceed the points the activity is registered for"),
    ("BIRTH_DATE_MISMATCH", "Birth month and day do not match the board's record"),
)
FIRST_DEMO_PROVIDER = "0900001"
PROVIDERS = (
    ("0900001", "Cumberland Heart Institute CME", "ACCME"),
    ("0900002", "Great Lakes Academy of Family Physicians", "ACCME"),
    ("0900003", "Pacific Oncology Education Network", "ACCME"),
    ("0900004", "Southern Society of Anesthesiologists", "ACCME"),
    ("0900005", "Mountain States Pediatric Education", "JA"),
    ("0900006", "Interprofessional Pain Education Consortium", "JA"),
    ("0900007", "Tennessee Rural Health Grand Rounds", "TN"),
    ("0900008", "California Community Hospital Education", "CA"),
    ("0900009", "Empire State Internal Medicine Forum", "NY"),
)
STATES = ("TN", "CA", "NY", "TX", "FL", "NC", "OH", "IL", "WA", "GA")
FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloé",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "José",
    "Kara",
    "Liam",
    "Maya",
    "Nikhil",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tomás",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
)
LAST_NAMES = (
    "García-López",
    "Okafor",
    "Nguyen",
    "Smith",
    "Johnson",
    "O'Brien",
    "Kowalski",
    "Patel",
    "Chen",
    "Haddad",
    "Müller",
    "Rossi",
    "Kim",
    "Mensah",
    "Ivanova",
    "Santos",
    "Cohen",
    "Yamamoto",
    "Fischer",
    "Dubois",
    "Andersen",
    "Novak",
)
TOPICS = (
    "Heart failure",
    "Atrial fibrillation",
    "Opioid prescribing",
    "Pediatric asthma",
    "Sepsis recognition",
    "Diabetes technology",
    "Breast cancer screening",
    "Perioperative anemia",
    "Stroke systems of care",
    "Antimicrobial stewardship",
    "Depression in primary care",
    "Chronic kidney disease",
    "Lung cancer immunotherapy",
    "Airway management",
    "Health equity",
    "Telehealth practice",
)
KINDS = ("update", "grand rounds", "case conference", "masterclass", "symposium", "journal club", "workshop", "review")
BOARDS = ("ABIM", "ABP", "ABA", "ABS", "ABPATH")
LEARNERS = 400
ACTIVITIES_PER_PROVIDER = 36  # 9 providers: 324 activities
COMPLETIONS_PER_OPEN_ACTIVITY = (8, 30)


def npi(first_nine: int) -> str:
    """A valid NPI: nine digits and the Luhn check digit over 80840 + the nine."""
    digits = [int(d) for d in f"80840{first_nine:09d}"]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return f"{first_nine:09d}{(10 - total % 10) % 10}"


@dataclass
class DemoSummary:
    providers: list[str] = field(default_factory=list)
    activities: int = 0
    closed: int = 0
    rejected_activities: list[str] = field(default_factory=list)
    learners: list[str] = field(default_factory=list)
    completions: int = 0
    rejected_completions: int = 0
    board_answers: dict[str, int] = field(default_factory=dict)  # accepted, rejected: the boards' answers
    program_summaries: list[tuple[str, int]] = field(default_factory=list)
    sample_activity: str = ""
    sample_learner: dict[str, Any] = field(default_factory=dict)


class DemoAlreadyLoadedError(Exception):
    """Raised when the store already holds the demo providers."""


class DemoDataSet:
    def __init__(self, system: Any, today: date | None = None, seed: int = SEED) -> None:
        self.system = system
        self.today = today or date.today()
        self.random = random.Random(seed)
        self.by = Acting("cli:demo", Channel.BATCH)

    def load(self) -> DemoSummary:
        if self.system.providers.exists(FIRST_DEMO_PROVIDER):
            raise DemoAlreadyLoadedError(
                f"the store already holds the demo providers ({FIRST_DEMO_PROVIDER} ...); use an empty store"
            )
        summary = DemoSummary()
        for cmd in seed_commands():  # the states' licence CME rules (LICENCE-RULES.md)
            self.system.licences.handle(cmd, self.by)
        self._providers(summary)
        numbers = self._activities(summary)
        learners = self._learners(summary)
        self.system.projections.catch_up(["learner_directory"])  # completions are matched against it
        self._completions(summary, numbers, learners)
        self._board_answers(summary)
        self._program_summaries(summary)
        return summary

    # --- providers, contacts, decisions ------------------------------------------------------------

    def _providers(self, summary: DemoSummary) -> None:
        items = []
        for accme_id, name, accreditor in PROVIDERS:
            domain = name.lower().split()[0] + ".org"

            def person(
                first: str, last: str, title: str, accme_id: str = accme_id, domain: str = domain
            ) -> ContactDetails:
                return ContactDetails(
                    name=f"{first} {last}",
                    title=title,
                    email=f"{first.lower()}.{last.lower()}@{domain}",
                    phone=f"615-555-{self.random.randint(1000, 9999)}",
                )

            then = [
                AssignContact(accme_id=accme_id, role="billing", contact=person("Bo", "Chen", "Controller")),
                AssignContact(accme_id=accme_id, role="website", contact=person("Info", "Desk", "CME Office")),
                AssignContact(
                    accme_id=accme_id, role="medical_director", contact=person("Rae", "Iyer", "Medical Director")
                ),
                RecordAccreditationDecision(
                    accme_id=accme_id,
                    decision=self.random.choice(["Accreditation", "Accreditation with Commendation"]),
                    decided_on=date(self.today.year - self.random.randint(1, 4), self.random.randint(1, 12), 15),
                ),
            ]
            primary = person("Pat", "Lee", "CME Director")
            items.append(
                NewProvider(
                    RegisterProvider(accme_id=accme_id, name=name, accreditor=accreditor, primary=primary), then
                )
            )
        for outcome in self.system.providers.register_many(items, self.by):
            if outcome.error is None:
                summary.providers.append(outcome.accme_id)

    # --- activities -----------------------------------------------------------------------------

    def _activity(self, n: int, accme_id: str) -> dict[str, Any]:
        r = self.random
        year = self.today.year - (1 if n % 2 else 0)
        fmt = FORMATS[n % len(FORMATS)]
        start = date(year, 1, 1) + timedelta(days=r.randint(0, 330))
        if year == self.today.year:
            start = min(start, self.today - timedelta(days=r.randint(5, 60)))  # this year's have begun
        length = {ENDURING: r.randint(180, 700), "Regularly Scheduled Series": r.randint(60, 300)}.get(
            fmt, r.randint(0, 3)
        )
        end = start + timedelta(days=length)
        method = "In-Person" if fmt in ("Course", "Regularly Scheduled Series") else r.choice(DELIVERY_METHODS[1:])
        credits = r.choice([1, 1.5, 2, 3.25, 4, 6.5, 8, 12, 20])
        topic = f"{r.choice(TOPICS)} {r.choice(KINDS)}"
        he: dict[str, Any] = {
            "credits": {"activityCertification": CME_CERTIFICATION, "numberOfCredits": credits},
            "startDateTime": start.isoformat(),
            "endDateTime": end.isoformat(),
            "activitySponsorship": "joint" if n % 7 == 0 else "direct",
            "activityFormat": fmt,
            "commercialSupport": n % 5 == 0,
        }
        if method == "In-Person":
            he["activityLocation"] = {
                "city": r.choice(["Nashville", "Chicago", "San Diego", "Albany", "Denver"]),
                "stateOrProvince": r.choice(STATES),
                "country": "USA",
            }
        if n % 7 == 0:
            he["credits"]["nonAccreditedProvider"] = ["County Medical Society"]
        monetary: list[dict[str, Any]] = []
        xi: dict[str, Any] = {
            "activityRecordAction": "Add",
            "ForPublicList": n % 3 != 0,
            "FeeForParticipation": r.choice(["Yes", "No, it’s free"]),
            "ActivityRegistration": "Open to all",
            "DeliveryMethods": {"DeliveryMethod": [method]},
            "MeasuredOutcomes": [
                {
                    "MeasuredOutcome": r.choice(["Learner Competence", "Learner Performance", "Patient Health"]),
                    "MeasurementType": ["Objective"],
                }
            ],
        }
        if n % 5 == 0:
            xi["InKindSupports"] = {"InKindSupport": [{"source": "Simulation Center of America"}]}
            monetary = [{"currency": "USD", "supportSource": "Pharma Foundation", "value": r.randint(5, 50) * 1000}]
        if n % 4 == 1:
            boards = r.sample(BOARDS, r.randint(1, 2))
            claim = (end + timedelta(days=90)).isoformat()
            xi["MOCRegistrations"] = {
                "MOCRegistration": [
                    {
                        "boardName": b,
                        "mocPoints": credits,
                        "MOCCreditType": ["MK"],
                        "CreditClaimDate": claim,
                        "MOCPracticeArea": ["Internal Medicine"],
                    }
                    for b in boards
                ]
            }
            xi["MOCAttestation"] = True
        if n % 11 == 0:
            xi["REMS"] = {"REMSType": "Opioid Analgesic"}
        if n % 13 == 0:
            xi["IsMeritBasedIncentivePaymentSystem"] = True
        if year < self.today.year and end < self.today and n % 5 != 0:
            xi["closeActivityRecord"] = True
        pid = f"DEMO-{accme_id}-{n:03d}"
        extra = {"ActivityDescription": {"commercialSupportAmount": monetary}} if monetary else {}
        return {
            **extra,
            "ReportDescription": {"ReportingStartDate": start.isoformat(), "ReportingEndDate": end.isoformat()},
            "Lom": {
                "general": {
                    "identifier": [
                        {"catalog": "Provider Activity ID", "entry": pid},
                        {"catalog": "URL", "entry": f"https://cme.example.org/{pid}"},
                    ],
                    "title": topic.capitalize(),
                    "description": f"An evidence-based {topic.lower()} for practising physicians.",
                }
            },
            "healthcareMetadata": {"healthcareEducation": he},
            "ParticipationMetrics": {
                "participantsByCategory": [
                    {"category": "physician", "numberOfParticipants": r.randint(10, 400)},
                    {"category": "other", "numberOfParticipants": r.randint(0, 120)},
                ]
            },
            "XtensibleInfo": xi,
        }

    def _activities(self, summary: DemoSummary) -> dict[str, list[str]]:
        numbers: dict[str, list[str]] = {}
        for accme_id in summary.providers:
            items = [self._activity(n, accme_id) for n in range(ACTIVITIES_PER_PROVIDER)]
            for result in submit_items(self.system.activities, accme_id, items, self.by):
                if result.ok:
                    assert result.activity_id is not None  # an accepted item has its number
                    summary.activities += 1
                    summary.closed += bool(items[result.index]["XtensibleInfo"].get("closeActivityRecord"))
                    numbers.setdefault(accme_id, []).append(result.activity_id)
                else:
                    summary.rejected_activities.append(f"{accme_id} item {result.index}: {result.errors[:1]}")
        return numbers

    # --- learners -------------------------------------------------------------------------------

    def _learners(self, summary: DemoSummary) -> list[RegisterLearner]:
        r = self.random
        cmds = []
        for n in range(LEARNERS):
            states = r.sample(STATES, r.choice([1, 1, 1, 2, 3]))
            boards = r.sample(BOARDS, r.choice([0, 1, 1, 2]))
            born = date(2000, 1, 1) + timedelta(days=r.randint(0, 365))
            cmds.append(
                RegisterLearner(
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)],
                    birth_month_day=born.strftime("%m-%d"),
                    birth_year=r.randint(1950, 1995),
                    licences=tuple(Licence(state=s, number=f"{s}{r.randint(10000, 99999)}") for s in states),
                    npi=npi(100_000_000 + n * 7919),
                    board_ids=tuple(BoardId(board=b, id=str(r.randint(100000, 999999))) for b in boards),
                )
            )
        outcomes = self.system.learners.register_many(cmds, self.by)
        kept = []
        for cmd, outcome in zip(cmds, outcomes, strict=True):
            if outcome.learner_id:
                summary.learners.append(outcome.learner_id)
                kept.append(cmd)
        if kept:
            first = kept[0]
            summary.sample_learner = {
                "learner_id": summary.learners[0],
                "name": f"{first.first_name} {first.last_name}",
                "npi": first.npi,
                "licence": f"{first.licences[0].state} {first.licences[0].number}",
            }
        return kept

    # --- completions ----------------------------------------------------------------------------

    def _completions(
        self, summary: DemoSummary, numbers: dict[str, list[str]], learners: list[RegisterLearner]
    ) -> None:
        r = self.random
        first, last = reporting_window(self.today)
        moc_records = itertools.count()  # across providers: the first, then every twentieth, lacks consent
        for accme_id, activity_numbers in numbers.items():
            reports: list[ReportCompletion] = []
            for number in activity_numbers:
                activity = self.system.activities.get_by_number(number)
                start, end = (
                    date.fromisoformat(activity.data["start_date"]),
                    date.fromisoformat(activity.data["end_date"]),
                )
                lo, hi = max(start, first), min(end, last)
                if lo > hi:
                    continue  # outside the reporting window: nothing can be reported now
                summary.sample_activity = summary.sample_activity or number
                credits = float(activity.data.get("credits") or 1)
                boards = [m["board"] for m in activity.data.get("moc") or []]
                for who in r.sample(learners, r.randint(*COMPLETIONS_PER_OPEN_ACTIVITY)):
                    day = lo + timedelta(days=r.randint(0, (hi - lo).days))
                    moc = [
                        {"board": b, "type": f"{b} MOC", "credits": credits}
                        for b in boards
                        if any(x.board == b for x in who.board_ids)
                    ]
                    query = MatchQuery(npi=who.npi)
                    # The registry makes the credit ID from the matched learner_id, never from the NPI.
                    reports.append(
                        ReportCompletion(
                            "add",
                            number,
                            day,
                            query,
                            {DERIVED_CREDIT_ID: ([{"type": CME_CERTIFICATION, "credits": credits}], moc)},
                            # Every twentieth record with MOC points lacks consent: some are always not sent,
                            # whatever day the demo's reporting window falls on.
                            consent=not moc or next(moc_records) % round(1 / (1 - CONSENT_SHARE)) != 0,
                        )
                    )
            for result in self.system.completions.handle(
                ReportCompletions(accme_id=accme_id, reports=reports), self.by
            ):
                if result.ok:
                    summary.completions += 1
                else:
                    summary.rejected_completions += 1

    def _board_answers(self, summary: DemoSummary) -> None:
        """Each certifying board answers the records of its feed, as a board's system would over HTTP."""
        self.system.projections.catch_up(["learner_directory", "feeds"])
        r = self.random
        for board in CERTIFYING_BOARDS:
            feed, after = f"board:{board}", 0
            answers: list[Acknowledgement] = []
            while page := self.system.queries.feeds.page(feed, after, 1000):
                after = page[-1]["seq"]
                for item in page:
                    if item["type"] != "completion":
                        continue
                    roll = r.random()
                    if roll < ACCEPTED_SHARE:
                        answers.append(Acknowledgement(item["id"], "accepted"))
                    elif roll < ACCEPTED_SHARE + REJECTED_SHARE:
                        answers.append(Acknowledgement(item["id"], "rejected", *r.choice(REJECTIONS)))
            by = Acting(f"board:{board}:demo", Channel.WEB_SERVICE)
            for start in range(0, len(answers), 1000):
                chunk = answers[start : start + 1000]
                self.system.completions.handle(AcknowledgeItems(kind="board", code=board, answers=chunk), by)
                for answer in chunk:
                    summary.board_answers[answer.status] = summary.board_answers.get(answer.status, 0) + 1

    # --- annual reporting -----------------------------------------------------------------------

    def _program_summaries(self, summary: DemoSummary) -> None:
        year = self.today.year - 1
        for accme_id in summary.providers[::2]:
            self.system.annual.handle(AcceptAgreement(accme_id=accme_id, year=year), self.by)
            r = self.random
            self.system.annual.handle(
                SubmitProgramSummary(
                    accme_id=accme_id,
                    year=year,
                    advertising_exhibit_income=r.randint(0, 90) * 1000,
                    registration_fees=r.randint(20, 400) * 1000,
                    government_grants=r.randint(0, 5) * 10000,
                    private_donations=r.randint(0, 30) * 1000,
                ),
                self.by,
            )
            summary.program_summaries.append((accme_id, year))
