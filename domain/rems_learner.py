"""The per-learner REMS fields of a completion (the 2025 draft learner schema's `Participants.Participant`, for
REMS-registered activities): the learner's profession (12 values: learners here are not only physicians), state of
primary practice, DEA registration, practice area, whether they perform surgical procedures, and time in practice.
And the practice types the REMS report groups practice areas into (DOMAIN-FACTS 3.2: primary care, pain, non-pain
specialist)."""

from __future__ import annotations

import re
from typing import Any

from domain.errors import InvalidValueError
from domain.geography import US_STATES

PROFESSIONS = (
    "Physician",
    "Advanced practice nurse",
    "Physician Assistant",
    "Dentist",
    "Podiatrist",
    "Nurse",
    "Pharmacist",
    "Optometrist",
    "Psychologist",
    "Veterinarian",
    "Other healthcare professional",
    "Other",
)
DEA_REGISTRATIONS = ("Individual", "Institutional", "None")
PRACTICE_AREAS = (
    "Addiction",
    "Anesthesiology",
    "Critical Care",
    "Dentistry",
    "Emergency",
    "Family Medicine",
    "Geriatric",
    "Hematology",
    "Hospice and/or Palliative Care",
    "Internal Medicine",
    "Neurology",
    "Obstetrics/Gynecology",
    "Oncology",
    "Ophthalmology",
    "Pain",
    "Pediatric",
    "Physical Medicine and Rehabilitation",
    "Psychiatry",
    "General Surgery",
    "Orthopedic surgery",
    "Other surgical specialty",
    "Urology",
    "Other",
    "N/A",
)
TIMES_IN_PRACTICE = (
    "Trainee",
    "0-5 years post training",
    "6-10 years",
    "11-15 years",
    "16-20 years",
    "21+ years",
)
PRACTICE_TYPES = ("Primary care", "Pain specialist", "Non-pain specialist", "Not stated")
PRIMARY_CARE = ("Family Medicine", "Internal Medicine", "Geriatric", "Pediatric")
PAIN = ("Pain", "Addiction", "Hospice and/or Palliative Care")
#: the fields, in the order the formats write them
FIELDS = ("local_id", "profession", "state", "dea", "practice_area", "surgical", "time_in_practice")


#: The 2025 draft learner schema's `Participant` members, by the field they hold.
PARTICIPANT = {
    "local_id": "LocalIdentifier",
    "profession": "Profession",
    "state": "StateOfPrimaryPractice",
    "dea": "DEARegistration",
    "practice_area": "PracticeArea",
    "surgical": "SurgicalProcedures",
    "time_in_practice": "TimeInPractice",
}


def participant_of(rems: dict[str, Any] | None) -> dict[str, Any] | None:
    """The learner's REMS fields as the draft schema's `Participant` (members not given left out); None without."""
    if not rems:
        return None
    return {member: rems[f] for f, member in PARTICIPANT.items() if rems.get(f) is not None}


def practice_type(practice_area: str | None) -> str:
    """The REMS report's practice type of a practice area (DOMAIN-FACTS 3.2)."""
    if practice_area in PRIMARY_CARE:
        return "Primary care"
    if practice_area in PAIN:
        return "Pain specialist"
    if practice_area in (None, "Other", "N/A"):
        return "Not stated"
    return "Non-pain specialist"


def registered_prescriber(rems: dict[str, Any]) -> bool:
    """A learner with a DEA registration (individual or institutional) may prescribe the opioids REMS is about."""
    return rems.get("dea") in ("Individual", "Institutional")


def _one_of(value: Any, allowed: tuple[str, ...], field: str, words: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for a in allowed:
            if a.casefold() == value.strip().casefold():
                return a
    raise InvalidValueError(f"{words} is one of: {'; '.join(allowed)} (got {value!r})", loc=("rems", field))


LOCAL_DOMAIN = re.compile(r"idd:[^:\s]+:[^:\s]+")


def _local_id(value: Any) -> dict[str, str] | None:
    """The learner's identifier at the provider: {value, domain}, the domain as idd:domainname:localidentifiertype."""
    if value is None:
        return None
    text = value.get("value") if isinstance(value, dict) else None
    domain = value.get("domain") if isinstance(value, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        raise InvalidValueError(
            "the local identifier's value is a text of at most 100 characters", loc=("rems", "local_id", "value")
        )
    if not isinstance(domain, str) or not LOCAL_DOMAIN.fullmatch(domain.strip()):
        raise InvalidValueError(
            "the local identifier's domain is idd:domainname:localidentifiertype", loc=("rems", "local_id", "domain")
        )
    return {"value": text.strip(), "domain": domain.strip()}


def state_of_practice(value: Any) -> str | None:
    """A state's full name (as the draft schema has it), from its name or its two-letter code."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in US_STATES:
            return US_STATES[text.upper()]
        for name in US_STATES.values():
            if name.casefold() == text.casefold():
                return name
    raise InvalidValueError(
        f"the state of primary practice is a US state or territory, by name or code (got {value!r})",
        loc=("rems", "state"),
    )


def rems_participant(
    *,
    profession: Any,
    state: Any = None,
    dea: Any = None,
    practice_area: Any = None,
    surgical: Any = None,
    time_in_practice: Any = None,
    local_id: Any = None,
) -> dict[str, Any]:
    """The learner's REMS fields checked and in their canonical spelling; InvalidValueError naming the field."""
    found = _one_of(profession, PROFESSIONS, "profession", "the learner's profession")
    if found is None:
        raise InvalidValueError(
            "the learner's profession is required with the REMS learner fields", loc=("rems", "profession")
        )
    if surgical is not None and not isinstance(surgical, bool):
        raise InvalidValueError("surgical procedures is true or false", loc=("rems", "surgical"))
    return {
        "local_id": _local_id(local_id),
        "profession": found,
        "state": state_of_practice(state),
        "dea": _one_of(dea, DEA_REGISTRATIONS, "dea", "the DEA registration"),
        "practice_area": _one_of(practice_area, PRACTICE_AREAS, "practice_area", "the practice area"),
        "surgical": surgical,
        "time_in_practice": _one_of(time_in_practice, TIMES_IN_PRACTICE, "time_in_practice", "the time in practice"),
    }
