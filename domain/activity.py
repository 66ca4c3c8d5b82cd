"""The accredited activity: what a provider ran, its lifecycle (draft → active → ready to close → closed),
the per-format counting rules, and the 2021 migration of its old events (upcasters).

An activity's reported facts live in one normalised `data` dict (snake_case, JSON values, dates as ISO
strings) so that every entry channel (ACCME JSON, MEMS XML, tab, Excel, web form) produces the same
events, and so that "nothing changed" is a plain comparison (idempotent batches).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate, require_accme_id
from domain.errors import ConflictError, InvalidValueError, NotFoundError

ACTIVITY_NAMESPACE = uuid.UUID("0b7f3c52-4e61-4d8e-8d0e-3a5c6f1e2d90")


class ActivityRuleError(InvalidValueError):
    """Raised when an activity's facts break a reporting rule (dates, counting rules, credits, MOC)."""


class ActivityNotFoundError(NotFoundError):
    """Raised when no activity of the provider has the given ID."""


Gap = tuple[tuple[str, ...], str]


class ActivityNotReadyToCloseError(ConflictError):
    """Raised when closing an activity that lacks what closing requires, or whose end date has not passed;
    it names every missing item at once (`gaps`), so one try tells the provider all there is to do."""

    def __init__(self, message: str, *, loc: tuple[str, ...] = (), gaps: list[Gap] | None = None) -> None:
        super().__init__(message, loc=loc)
        self.gaps: list[Gap] = list(gaps) if gaps else [(self.loc, message)]

    @classmethod
    def naming(cls, gaps: list[Gap], lead: str = "") -> ActivityNotReadyToCloseError:
        """The error naming each gap: the message lists them all, `loc` is the first's."""
        return cls(lead + "; ".join(msg for _, msg in gaps), loc=gaps[0][0], gaps=gaps)

    def problems(self) -> list[Gap]:
        return list(self.gaps)


class ActivityClosedError(ConflictError):
    """Raised when deleting a closed activity, or correcting it without a reason."""


# --- formats --------------------------------------------------------------------------------------

COURSE = "Course"
RSS = "Regularly Scheduled Series"
ENDURING = "Enduring Material"
MAX_LEARNERS = 10**8  # a hundred million learners in one activity: anything larger is a typo (and overflows storage)
MAX_DOLLARS = 10**12  # as for the annual program summary
FORMATS = (
    COURSE,
    RSS,
    ENDURING,
    "Journal-based CME",
    "Manuscript Review",
    "Test-Item Writing",
    "Committee Learning",
    "Performance/Quality Improvement",
    "Internet Searching and Learning",
    "Learning from Teaching",
    "Other",
)
#: Old (pre-November 2021) names and template codes → (streamlined format, delivery method it implies).
OLD_FORMATS: dict[str, tuple[str, str | None]] = {
    "c": (COURSE, None),
    "live course": (COURSE, None),
    "rss": (RSS, None),
    "il": (COURSE, "Live-Streamed"),
    "internet live course": (COURSE, "Live-Streamed"),
    "em": (ENDURING, None),
    "iem": (ENDURING, "Online"),
    "internet enduring material": (ENDURING, "Online"),
    "internet activity enduring material": (ENDURING, "Online"),
    "jn": ("Journal-based CME", None),
    "journal-based cme": ("Journal-based CME", None),
    "mr": ("Manuscript Review", None),
    "tiw": ("Test-Item Writing", None),
    "test item writing": ("Test-Item Writing", None),
    "cml": ("Committee Learning", None),
    "pi": ("Performance/Quality Improvement", None),
    "performance improvement": ("Performance/Quality Improvement", None),
    "isl": ("Internet Searching and Learning", None),
    "internet searching & learning": ("Internet Searching and Learning", None),
    "lft": ("Learning from Teaching", None),
    "other/blended learning": ("Other", None),
    "other/blended": ("Other", None),
}
TWELVE_MONTH_FORMATS = frozenset(f for f in FORMATS if f != ENDURING)
DELIVERY_METHODS = ("In-Person", "Live-Streamed", "Online", "Print/Other")
BOARDS = ("ABA", "ABIM", "ABOHNS", "ABOS", "ABP", "ABPATH", "ABS", "ABTS", "ABPMR")
ABPMR_FROM = date(2025, 1, 1)
#: REMS registration (DOMAIN-FACTS 3.2): the REMS types, REMS-compliant vs REMS-related, and the sections of the
#: FDA Opioid Analgesic REMS Education Blueprint (2018) an activity covers.
REMS_TYPES = ("Opioid Analgesic", "Mycophenolate")
REMS_COMPLIANCE = ("Compliant", "Related")
BLUEPRINT_SECTIONS = (
    "The Need for Comprehensive Pain Education",
    "The Fundamental Concepts of Pain Management",
    "Acute Pain Management",
    "Chronic Pain Management",
    "Managing Patients on Opioid Analgesics",
    "Addiction Medicine Primer",
)
OUTCOMES = ("Learner Knowledge", "Learner Competence", "Learner Performance", "Patient Health", "Community Health")
MEASUREMENT_TYPES = ("Objective", "Subjective")
DESCRIPTION_MAX = 2500
#: Learner categories of `ParticipationMetrics` (schema v0.1.2's professions, plus "other"); the activity
#: OpenAPI's "non-physician" is read as "other".
LEARNER_CATEGORIES = (
    "physician",
    "nurse",
    "pharmacist",
    "pharmacy technician",
    "physician assistant",
    "psychologist",
    "optometrist",
    "social worker",
    "dentist",
    "allied dental staff",
    "registered dietitians",
    "dietetic technicians registered",
    "athletic trainers",
    "other",
)
#: The credit an activity designates (schema v0.1.2's `activityCertification`; the schema is shared with JA-PARS).
CERTIFICATIONS = (
    "AMA PRA Category 1",
    "IPCE",
    "Nursing",
    "Pharmacy",
    "AAPA Category 1",
    "Psychologist",
    "Optometrist",
    "Social Worker",
    "Dentist",
    "Dietetic CPEU",
    "Athletic Training CEU",
)
#: A CME Passport listing's fee for participation and registration, in PARS's words (schema v0.1.2 enums).
FEES = ("Yes", "No, it’s free", "Variable")
REGISTRATIONS = ("Open to all", "Limited")
#: Boards whose MOC registration names the practice area(s) it counts for (the ACCME schema's MOC entry
#: carries board, points, credit types and claim date; practice areas travel as `MOCPracticeArea`).
PRACTICE_AREA_BOARDS = frozenset({"ABIM"})


def canonical_format(name: str, loc: tuple[str, ...] = ("activity_format",)) -> tuple[str, str | None]:
    """The streamlined format for a current or old name (case-insensitive), and a delivery method it implies."""
    text = " ".join((name or "").split())
    for fmt in FORMATS:
        if text.lower() == fmt.lower():
            return fmt, None
    if text.lower() in OLD_FORMATS:
        return OLD_FORMATS[text.lower()]
    raise InvalidValueError(f"{name!r} is not an activity format; use one of {', '.join(FORMATS)}", loc=loc)


def year_counted(data: dict[str, Any]) -> int:
    """The one reporting year an activity counts in: the year it ended (PRODUCT.md section 4). Every view that
    counts activities by year (dashboard, checklist, program summary, data report, year-end table, search)
    uses this rule; SQL views select `end_date` within the year, which is the same thing."""
    return date.fromisoformat(data["end_date"]).year


def year_bounds(year: int) -> tuple[str, str]:
    """The first and last day (ISO) of the end dates that count in `year`."""
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_rems(rems: dict[str, Any] | None) -> None:
    """A REMS registration names its type; a REMS-compliant Opioid Analgesic activity names the Blueprint sections
    it covers; Blueprint sections are the Opioid Analgesic Blueprint's; the RPC-assigned ID is at most 50 characters."""
    if not rems:
        return
    if rems.get("type") not in REMS_TYPES:
        raise ActivityRuleError(f"the REMS type is one of: {'; '.join(REMS_TYPES)}", loc=("rems", "type"))
    compliance = rems.get("compliance")
    if compliance is not None and compliance not in REMS_COMPLIANCE:
        raise ActivityRuleError(f"REMS compliance is one of: {'; '.join(REMS_COMPLIANCE)}", loc=("rems", "compliance"))
    sections = rems.get("blueprint_sections") or []
    for i, section in enumerate(sections):
        if section not in BLUEPRINT_SECTIONS:
            raise ActivityRuleError(
                f"a Blueprint section is one of: {'; '.join(BLUEPRINT_SECTIONS)}",
                loc=("rems", "blueprint_sections", str(i)),
            )
    if sections and rems["type"] != "Opioid Analgesic":
        raise ActivityRuleError(
            "Blueprint sections are for Opioid Analgesic REMS activities", loc=("rems", "blueprint_sections")
        )
    if compliance == "Compliant" and rems["type"] == "Opioid Analgesic" and not sections:
        raise ActivityRuleError(
            "a REMS-compliant Opioid Analgesic activity names the FDA Blueprint sections it covers",
            loc=("rems", "blueprint_sections"),
        )
    if len(rems.get("identifier") or "") > 50:
        raise ActivityRuleError("the RPC-assigned REMS ID is at most 50 characters", loc=("rems", "identifier"))


def check_rules(data: dict[str, Any]) -> None:
    """Rules every saved activity obeys (the draft minimum plus the counting rules); raises with the field."""
    if not (data.get("title") or "").strip():
        raise ActivityRuleError("a title is required", loc=("title",))
    if len(data.get("description") or "") > DESCRIPTION_MAX:
        raise ActivityRuleError(f"the description is longer than {DESCRIPTION_MAX:,} characters", loc=("description",))
    fmt = data.get("format")
    if fmt not in FORMATS:
        raise ActivityRuleError("an activity format is required", loc=("activity_format",))
    if not data.get("start_date"):
        raise ActivityRuleError("a start date is required", loc=("start_date",))
    if not data.get("end_date"):
        raise ActivityRuleError("an end date is required", loc=("end_date",))
    start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
    if end < start:
        raise ActivityRuleError("the end date is before the start date", loc=("end_date",))
    if fmt == ENDURING and end > add_years(start, 3):
        raise ActivityRuleError(
            "an enduring material is reported once for at most 3 years; enter a new activity after that",
            loc=("end_date",),
        )
    if fmt in TWELVE_MONTH_FORMATS and end >= add_years(start, 1):
        raise ActivityRuleError(
            f"a {fmt} activity spans at most 12 months; enter a new activity for each 12-month period",
            loc=("end_date",),
        )
    credits = data.get("credits")
    if credits is not None and (credits < 0 or round(credits * 4) != credits * 4):
        raise ActivityRuleError("credits are given in steps of 0.25", loc=("credits",))
    if data.get("commercial_support") is False and (data.get("monetary_support") or data.get("in_kind_support")):
        # Else the sources would be summed into the year's commercial support of an activity that says it had none.
        raise ActivityRuleError(
            "commercial support is answered No, yet supporters are listed: answer Yes, or remove them",
            loc=("commercial_support",),
        )
    for i, support in enumerate(data.get("monetary_support") or []):
        amount = support.get("amount")
        if amount is not None and (amount < 0 or amount != int(amount)):
            raise ActivityRuleError(
                "a monetary amount is a whole number of dollars", loc=("monetary_support", str(i), "amount")
            )
        if amount is not None and amount > MAX_DOLLARS:
            raise ActivityRuleError(
                f"a monetary amount is at most {MAX_DOLLARS:,} dollars", loc=("monetary_support", str(i), "amount")
            )
    for category, count in (data.get("learners") or {}).items():
        if not 0 <= count <= MAX_LEARNERS:
            raise ActivityRuleError(
                f"the number of {category} learners is at most {MAX_LEARNERS:,}", loc=("learners", category)
            )
    for i, reg in enumerate(data.get("moc") or []):
        if reg.get("board") not in BOARDS:
            raise ActivityRuleError(f"{reg.get('board')!r} is not a certifying board", loc=("moc", str(i), "board"))
        if reg["board"] == "ABPMR" and start < ABPMR_FROM:
            raise ActivityRuleError(
                "ABPMR registers activities starting on or after 1 January 2025", loc=("moc", str(i), "board")
            )
        points = reg.get("points")
        if points is not None and (points < 0 or round(points * 4) != points * 4):
            raise ActivityRuleError("MOC points are given in steps of 0.25", loc=("moc", str(i), "points"))
    check_rems(data.get("rems"))
    for year, counts in (data.get("learners_by_year") or {}).items():
        if fmt != ENDURING:
            raise ActivityRuleError("yearly learner counts are for enduring materials", loc=("learners_by_year",))
        if not start.year <= int(year) <= end.year:
            raise ActivityRuleError(f"{year} is outside the activity's years", loc=("learners_by_year", year))
        for category, count in counts.items():
            if not 0 <= count <= MAX_LEARNERS:
                raise ActivityRuleError(
                    f"the number of {category} learners is at most {MAX_LEARNERS:,}",
                    loc=("learners_by_year", year, category),
                )


def active_gaps(data: dict[str, Any]) -> list[Gap]:
    """What an activity still lacks to be active (DOMAIN-FACTS 1.3), as (field, reason)."""
    gaps: list[tuple[tuple[str, ...], str]] = []
    if not (data.get("description") or "").strip():
        gaps.append((("description",), "a description is required"))
    if not data.get("delivery_methods"):
        gaps.append((("delivery_methods",), "a delivery method is required"))
    if "In-Person" in (data.get("delivery_methods") or []) and not (data.get("location") or {}).get("city"):
        gaps.append((("location",), "an in-person activity needs its city, state and country"))
    if data.get("credits") is None:
        gaps.append((("credits",), "the AMA PRA Category 1 credits are required"))
    if data.get("for_public_list") is None:
        gaps.append((("for_public_list",), "say whether the activity is listed on CME Passport"))
    elif data.get("for_public_list"):
        gaps += _listing_gaps(data, "an activity listed on CME Passport")
    if data.get("sponsorship") not in ("direct", "joint"):
        gaps.append((("sponsorship",), "say whether the activity is directly or jointly provided"))
    return gaps


def _listing_gaps(data: dict[str, Any], what: str) -> list[tuple[tuple[str, ...], str]]:
    """Fee, registration (open or limited) and activity URL: what a listing on CME Passport shows."""
    gaps: list[tuple[tuple[str, ...], str]] = []
    if not data.get("fee"):
        gaps.append((("fee",), f"{what} needs its fee for participation"))
    if not data.get("registration"):
        gaps.append((("registration",), f"{what} says whether registration is open to all or limited"))
    if not (data.get("url") or "").strip():
        gaps.append((("url",), f"{what} needs its activity URL"))
    return gaps


def close_gaps(data: dict[str, Any]) -> list[Gap]:
    """What an activity lacks to be closed (DOMAIN-FACTS 1.3), as (field, reason)."""
    gaps = active_gaps(data)
    if data.get("sponsorship") == "joint" and not data.get("joint_providers"):
        gaps.append((("joint_providers",), "a jointly provided activity names at least one joint provider"))
    if not data.get("outcomes"):
        gaps.append((("outcomes",), "at least one measured outcome is required"))
    support = data.get("commercial_support")
    if support is None:
        gaps.append((("commercial_support",), "say whether the activity received commercial support"))
    elif support and not (data.get("monetary_support") or data.get("in_kind_support")):
        gaps.append((("commercial_support",), "commercial support names at least one source"))
    for i, m in enumerate(data.get("monetary_support") or []):
        if m.get("amount") is None:
            gaps.append((("monetary_support", str(i), "amount"), "monetary support needs its amount"))
    learners = data.get("learners") or {}
    if "physician" not in learners:
        gaps.append((("learners", "physician"), "the number of physician learners is required (0 allowed)"))
    if not any(k != "physician" for k in learners):
        gaps.append((("learners", "other"), "the number of other learners is required (0 allowed)"))
    if data.get("moc"):
        if data.get("moc_attestation") is not True:
            gaps.append((("moc_attestation",), "a MOC-registered activity needs the completed MOC attestation"))
        if not data.get("for_public_list"):  # else already asked for above
            gaps += _listing_gaps(data, "a MOC-registered activity")
    for i, reg in enumerate(data.get("moc") or []):
        if reg.get("board") in PRACTICE_AREA_BOARDS and not reg.get("practice_areas"):
            gaps.append((("moc", str(i), "practice_areas"), f"{reg['board']} MOC needs at least one practice area"))
        if reg.get("points") is None:
            gaps.append((("moc", str(i), "points"), "MOC points are required"))
        if not reg.get("credit_types"):
            gaps.append((("moc", str(i), "credit_types"), "at least one MOC credit type is required"))
        if not reg.get("claim_date"):
            gaps.append((("moc", str(i), "claim_date"), "the MOC credit-claim date is required"))
    return gaps


def missing_to_close(data: dict[str, Any], today: date) -> list[Gap]:
    """Everything an (unclosed) activity still needs before it can be closed today, as (field, reason)."""
    gaps: list[Gap] = []
    if data.get("end_date") and date.fromisoformat(data["end_date"]) >= today:
        gaps.append((("end_date",), "an activity is closed after its end date has passed"))
    return gaps + close_gaps(data)


def activity_number_candidate(accme_id: str, provider_activity_id: str, attempt: int) -> str:
    """A 9-digit ACCME activity ID derived from the natural key; `attempt` > 0 after a collision."""
    digest = hashlib.sha256(f"{accme_id}\x00{provider_activity_id}\x00{attempt}".encode()).digest()
    return f"{100_000_000 + int.from_bytes(digest[:8], 'big') % 900_000_000:09d}"


class ActivityNumber(ParsAggregate):
    """The claim of one 9-digit ACCME activity ID by one activity.

    Why: the ID must be unique system-wide and stable for an activity, but an event store has no
    sequence. The ID is a hash of (provider, provider activity ID); this aggregate's id is uuid5 of
    the number, so two activities claiming the same number collide on the store's unique key in the
    same transaction that creates the activity, and the loser retries with the next candidate.
    """

    class Claimed(ParsAggregate.Created):
        number: str
        activity_id: str

    @staticmethod
    def create_id(number: str) -> uuid.UUID:
        return uuid.uuid5(ACTIVITY_NAMESPACE, f"activity-number:{number}")

    @event(Claimed)
    def __init__(self, accme_id: str, number: str, activity_id: str, actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.number = number
        self.activity_id = activity_id


class ActivityCatalog(ParsAggregate):
    """The list of a provider's activities, so that exports read the store itself, consistently."""

    class Started(ParsAggregate.Created):
        pass

    class ActivitiesAdded(ParsAggregate.Event):
        activity_ids: list[str]

    @staticmethod
    def create_id(accme_id: str) -> uuid.UUID:
        return uuid.uuid5(ACTIVITY_NAMESPACE, f"activity-catalog:{accme_id}")

    @classmethod
    def start(cls, accme_id: str, by: Acting) -> ActivityCatalog:
        return cls(accme_id=accme_id, actor=by.actor, channel=str(by.channel))

    @event(Started)
    def __init__(self, accme_id: str, actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.activity_ids: list[str] = []

    def add(self, activity_ids: list[str], by: Acting) -> None:
        known = set(self.activity_ids)
        new = [a for a in dict.fromkeys(activity_ids) if a not in known]
        if new:
            self._add(activity_ids=new, **self._meta(by))

    @event(ActivitiesAdded)
    def _add(self, activity_ids: list[str], accme_id: str, actor: str, channel: str) -> None:
        self.activity_ids = self.activity_ids + activity_ids


def _upcast_data_v1(state: dict[str, Any]) -> dict[str, Any]:
    """Builds the current `data` from a version-1 (pre-November 2021) event's flat fields."""
    old_format = state.pop("activity_type", None) or "Other"
    try:
        fmt, implied = canonical_format(old_format)
    except InvalidValueError:
        fmt, implied = "Other", None
    title = state.pop("title", "") or ""
    description = state.pop("description", None) or title
    start = state.pop("start_date", None)
    reporting_year = state.pop("reporting_year", None)
    if not start and reporting_year:
        start = f"{reporting_year}-01-01"
    end = state.pop("end_date", None)
    if not end:
        # The migration assigned end dates: the reporting year's last day for enduring materials, else the start.
        end = f"{reporting_year or start[:4]}-12-31" if fmt == ENDURING else start
    state.pop("hours_of_instruction", None)
    state.pop("competencies", None)
    in_kind = [{"source": s.get("source", "")} for s in state.pop("in_kind_support", None) or []]  # type dropped
    evaluation = state.pop("evaluation", None) or {}
    outcomes = [
        {"outcome": outcome, "measurement_types": []}
        for question, outcome in (
            ("competence_evaluated", "Learner Competence"),
            ("performance_evaluated", "Learner Performance"),
            ("patient_outcomes_evaluated", "Patient Health"),
        )
        if evaluation.get(question)
    ]
    moc = state.pop("moc", None) or []
    rems = state.pop("rems", None)
    mips = state.pop("mips", None)
    location = state.pop("location", None)
    delivery = [implied] if implied else []
    return {
        **empty_data(),
        "title": title,
        "description": description,
        "format": fmt,
        "start_date": start,
        "end_date": end,
        "location": location,
        "delivery_methods": delivery,
        "credits": state.pop("credits", None),
        "sponsorship": state.pop("sponsorship", None),
        "joint_providers": state.pop("joint_providers", None) or [],
        "commercial_support": state.pop("commercial_support", None),
        "monetary_support": state.pop("monetary_support", None) or [],
        "in_kind_support": in_kind,
        "learners": state.pop("learners", None) or {},
        "outcomes": outcomes,
        "moc": moc,
        "rems": rems,
        "mips": mips,
        # Passport flag defaulted by the migration: yes for MOC/REMS/MIPS activities, no otherwise.
        "for_public_list": bool(moc or rems or mips),
    }


def empty_data() -> dict[str, Any]:
    """Every key of an activity's data, unset."""
    return {
        "title": "",
        "description": "",
        "format": None,
        "start_date": None,
        "end_date": None,
        "location": None,
        "delivery_methods": [],
        "credits": None,
        "certification": "AMA PRA Category 1",
        "sponsorship": None,
        "joint_providers": [],
        "commercial_support": None,
        "monetary_support": [],
        "in_kind_support": [],
        "learners": {},
        "learners_by_year": {},
        "outcomes": [],
        "commendation_tags": [],
        "for_public_list": None,
        "fee": None,
        "registration": None,
        "moc": [],
        "rems": None,
        "mips": None,
        "state_content_tags": [],
        "content_outlines": [],
        "interprofessional": None,
        "pharmacy": {},
        "keywords": [],
        "target_audience": None,
        "url": None,
        "moc_attestation": None,
    }


class Activity(ParsAggregate):
    """One accredited activity of one provider: 9-digit ACCME activity ID + the provider's own ID."""

    class Registered(ParsAggregate.Created):
        number: str
        provider_activity_id: str
        data: dict[str, Any]

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["data"] = _upcast_data_v1(state)

    class Revised(ParsAggregate.Event):
        data: dict[str, Any]

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["data"] = _upcast_data_v1(state)

    class Closed(ParsAggregate.Event):
        pass

    class Corrected(ParsAggregate.Event):
        data: dict[str, Any]
        reason: str

    class Deleted(ParsAggregate.Event):
        pass

    @staticmethod
    def create_id(accme_id: str, provider_activity_id: str) -> uuid.UUID:
        return uuid.uuid5(ACTIVITY_NAMESPACE, f"activity:{accme_id}:{provider_activity_id}")

    @classmethod
    def register(
        cls, accme_id: str, provider_activity_id: str, number: str, data: dict[str, Any], by: Acting
    ) -> Activity:
        require_accme_id(accme_id)
        provider_activity_id = (provider_activity_id or "").strip()
        if not provider_activity_id or len(provider_activity_id) > 100:
            raise ActivityRuleError(
                "a provider activity ID of 1 to 100 characters is required", loc=("provider_activity_id",)
            )
        if not (len(number) == 9 and number.isdigit()):
            raise ActivityRuleError("an ACCME activity ID has 9 digits", loc=("activity_id",))
        data = {**empty_data(), **data}
        check_rules(data)
        return cls(
            accme_id=accme_id,
            number=number,
            provider_activity_id=provider_activity_id,
            data=data,
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Registered)
    def __init__(
        self, accme_id: str, number: str, provider_activity_id: str, data: dict[str, Any], actor: str, channel: str
    ) -> None:
        self.accme_id = accme_id
        self.number = number
        self.provider_activity_id = provider_activity_id
        self.data = {**empty_data(), **data}  # events stored before a key existed read it as unset
        self.closed = False
        self.deleted = False
        self.corrections: list[str] = []

    # --- decisions ---------------------------------------------------------------------------

    def revise(self, data: dict[str, Any], by: Acting, reason: str = "") -> bool:
        """Replaces the reported facts; after closing this is a correction with a reason. False if unchanged."""
        data = {**empty_data(), **data}
        if data == self.data and not self.deleted:
            return False
        check_rules(data)
        if self.closed:
            if gaps := close_gaps(data):
                raise ActivityNotReadyToCloseError.naming(gaps, "a closed activity stays complete: ")
            if not reason.strip():
                raise ActivityClosedError("a correction of a closed activity needs a reason", loc=("reason",))
            self._correct(data=data, reason=reason.strip(), **self._meta(by))
        else:
            self._revise(data=data, **self._meta(by))
        return True

    def close(self, today: date, by: Acting) -> bool:
        """Closes the activity (a deliberate act) once its end date has passed and it is complete."""
        if self.closed:
            return False
        if self.deleted:
            raise ActivityNotFoundError(f"activity {self.number} was deleted", loc=("activity_id",))
        if gaps := missing_to_close(self.data, today):
            raise ActivityNotReadyToCloseError.naming(gaps)
        self._close(**self._meta(by))
        return True

    def delete(self, by: Acting) -> bool:
        if self.deleted:
            return False
        if self.closed:
            raise ActivityClosedError("a closed activity is not deleted; correct it instead", loc=("activity_id",))
        self._delete(**self._meta(by))
        return True

    def report_enduring_learners(self, year: int, counts: dict[str, int], by: Acting) -> bool:
        """Sets an enduring material's cumulative learner counts as of 31 December of `year`."""
        by_year = dict(self.data.get("learners_by_year") or {})
        for earlier, before in by_year.items():
            if int(earlier) < year and any(counts.get(k, 0) < v for k, v in before.items()):
                raise ActivityRuleError(
                    "cumulative learner counts do not go down from one year to the next", loc=("learners",)
                )
        by_year[str(year)] = dict(counts)
        latest = by_year[max(by_year, key=int)]
        return self.revise(
            {**self.data, "learners_by_year": by_year, "learners": dict(latest)},
            by,
            reason=f"learner counts as of 31 December {year}",
        )

    def status(self, today: date) -> str:
        """draft → active → ready_to_close (derived from the end date) → closed; or deleted."""
        if self.deleted:
            return "deleted"
        return derived_status(self.data, self.closed, today)

    # --- records -----------------------------------------------------------------------------

    @event(Revised)
    def _revise(self, data: dict[str, Any], accme_id: str, actor: str, channel: str) -> None:
        self.data = {**empty_data(), **data}
        self.deleted = False

    @event(Corrected)
    def _correct(self, data: dict[str, Any], reason: str, accme_id: str, actor: str, channel: str) -> None:
        self.data = {**empty_data(), **data}
        self.corrections.append(reason)

    @event(Closed)
    def _close(self, accme_id: str, actor: str, channel: str) -> None:
        self.closed = True

    @event(Deleted)
    def _delete(self, accme_id: str, actor: str, channel: str) -> None:
        self.deleted = True


def derived_status(data: dict[str, Any], closed: bool, today: date) -> str:
    if closed:
        return "closed"
    if active_gaps(data):
        return "draft"
    return "ready_to_close" if date.fromisoformat(data["end_date"]) < today else "active"
