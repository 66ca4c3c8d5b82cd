"""ACCME activity JSON (schema v0.1.2, one `MedicalEducationMetrics` item) as pydantic models of the schema's
intended rules: the published schema's `required` lists sit in the wrong places (accme/README.md), so the rules
are checked here. A known key misspelt is refused; keys the schema does not name pass. `"isInterprofessional "`
(trailing space) is accepted."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from domain.activity import (
    BLUEPRINT_SECTIONS,
    BOARDS,
    CERTIFICATIONS,
    DELIVERY_METHODS,
    FEES,
    LEARNER_CATEGORIES,
    MEASUREMENT_TYPES,
    OUTCOMES,
    REGISTRATIONS,
    REMS_COMPLIANCE,
    REMS_TYPES,
)

#: A date, optionally with a time (and offset) that is ignored: time zones shifted dates (DOMAIN-FACTS 2.3).
DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?"
)


def _date(value: Any) -> Any:
    if isinstance(value, str) and (match := DATE_TIME.fullmatch(value.strip())):
        return match[1]  # anything else (e.g. "2025-03-01x") stays as sent and is refused, never cut to fit
    return value


Day = Annotated[date, BeforeValidator(_date)]

#: The schema's word for learners who are not physicians (the activity OpenAPI's "non-physician").
OTHER_LEARNERS = "other"


class MisspeltKeyError(ValueError):
    """Raised (inside validation) for a key that is a known key misspelt; `key` is the key as sent."""

    def __init__(self, key: str, name: str) -> None:
        super().__init__(f"{key!r} is not a key of this object; did you mean {name!r}?")
        self.key = key


def _squash(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


@functools.cache
def _squashed_fields(model: type[BaseModel]) -> dict[str, str]:
    return {_squash(name): name for name in model.model_fields}


class _M(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _misspelt_keys(cls, value: Any) -> Any:
        """Keys the schema does not name pass (drafts add fields), but a known key misspelt by case, space or
        underscore ("commercialsupport") is refused: ignored, its answer would be silently lost."""
        if isinstance(value, dict):
            known = _squashed_fields(cls)
            for key in value:
                if (
                    isinstance(key, str)
                    and key not in cls.model_fields
                    and (name := known.get(_squash(key)))
                    and key.strip() != name
                ):
                    raise MisspeltKeyError(key, name)
        return value


class Identifier(_M):
    catalog: Literal["ACCME Activity ID", "Provider Activity ID", "URL"]
    entry: str = Field(min_length=1, max_length=100)


class General(_M):
    identifier: list[Identifier] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=2500)
    keyword: list[dict[str, Any]] = []


class LomModel(_M):
    general: General


def _certification(value: Any) -> Any:
    """The schema's word for the credit, whatever its case and spacing ("AMA PRA category 1")."""
    if isinstance(value, str):
        return next((c for c in CERTIFICATIONS if c.lower() == " ".join(value.split()).lower()), value)
    return value


class Credits(_M):
    activityCertification: Annotated[Literal[CERTIFICATIONS], BeforeValidator(_certification)] = "AMA PRA Category 1"  # type: ignore[valid-type]
    numberOfCredits: float | None = Field(default=None, ge=0, le=1000)
    nonAccreditedProvider: list[str] = []


class Location(_M):
    city: str | None = None
    stateOrProvince: str | None = None
    country: str | None = None


class HealthcareEducation(_M):
    credits: Credits | None = None
    activityLocation: Location | None = None
    startDateTime: Day
    endDateTime: Day
    activitySponsorship: Literal["direct", "joint"] | None = None
    activityFormat: str = Field(min_length=1)
    commercialSupport: bool | None = None
    targetAudience: dict[str, Any] | None = None


class HealthcareMetadata(_M):
    healthcareEducation: HealthcareEducation


class Amount(_M):
    currency: str = "USD"
    supportSource: str = Field(min_length=1)
    value: float | None = Field(default=None, ge=0)


class ActivityDescriptionModel(_M):
    commercialSupportAmount: list[Amount] = []


def _category(value: Any) -> Any:
    """A learner category in the schema's words; "non-physician" (the activity OpenAPI's word) is "other".
    Why refuse the rest: an unknown word (say "Physicians") would be stored and counted as other learners."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split()).lower()
    if text in ("non-physician", "nonphysician", "non physician"):
        return "other"
    if text not in LEARNER_CATEGORIES:
        raise ValueError(
            f"a learner category is one of: {'; '.join(LEARNER_CATEGORIES)}; or non-physician (got {value!r})"
        )
    return text


class Participants(_M):
    category: Annotated[str, BeforeValidator(_category)]
    numberOfParticipants: int = Field(ge=0)


class ParticipationModel(_M):
    participantsByCategory: list[Participants] = []


class Outcome(_M):
    MeasuredOutcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    MeasurementType: list[Literal[MEASUREMENT_TYPES]] = []  # type: ignore[valid-type]


class MocRegistration(_M):
    boardName: Literal[BOARDS]  # type: ignore[valid-type]
    mocPoints: float | None = Field(default=None, ge=0)
    MOCCreditType: list[str] = []
    CreditClaimDate: Day | None = None
    #: Not in schema v0.1.2 (an XtensibleInfo extension): the board's practice area(s), where the board asks.
    MOCPracticeArea: list[str] = []


class Rems(_M):
    REMSType: Literal[REMS_TYPES]  # type: ignore[valid-type]
    #: The RPC-assigned ID of an RPC-funded activity (the schema's "if relevant, e.g. 'EG-######-###'").
    REMSRelatedIdentifier: str | None = None
    #: Not in schema v0.1.2 (an extension): REMS-compliant or REMS-related.
    REMSCompliance: Literal[REMS_COMPLIANCE] | None = None  # type: ignore[valid-type]
    #: Not in schema v0.1.2 (an extension): the FDA Opioid Analgesic REMS Education Blueprint sections covered.
    BlueprintSections: list[Literal[BLUEPRINT_SECTIONS]] = []  # type: ignore[valid-type]


PHARMACY_KEYS = (
    "PharmacyActivityType",
    "PharmacyActivityTopic",
    "PharmacyLiveDate",
    "PharmacySequenceNumber",
    "UANPharmacy",
    "UANPharmacyTech",
    "HasPharmacyRecertifications",
    "PharmacyRecertificationRequirements",
    "HasPharmacyContentTags",
    "PharmacyContentTags",
)


class Xtensible(_M):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    ProviderID: str | None = None
    isInterprofessional: bool | None = None
    CommendationTags: dict[str, list[str]] | None = None
    InKindSupports: dict[str, list[dict[str, str]]] | None = None
    DeliveryMethods: dict[str, list[Literal[DELIVERY_METHODS]]] | None = None  # type: ignore[valid-type]
    MeasuredOutcomes: list[Outcome] = []
    MOCRegistrations: dict[str, list[MocRegistration]] | None = None
    #: Not in schema v0.1.2 (an extension): the provider completed the CME-for-MOC attestation.
    MOCAttestation: bool | None = None
    ContentOutlines: dict[str, list[dict[str, Any]]] | None = None
    ForPublicList: bool | None = None
    FeeForParticipation: Literal[FEES] | None = None  # type: ignore[valid-type]
    ActivityRegistration: Literal[REGISTRATIONS] | None = None  # type: ignore[valid-type]
    IsMeritBasedIncentivePaymentSystem: bool | None = None
    REMS: Rems | None = None
    HasStateContentTags: bool | None = None
    StateContentTags: dict[str, list[dict[str, str]]] | None = None
    activityRecordAction: Literal["Add", "Update", "Delete"] = "Add"
    closeActivityRecord: bool = False
    #: Not in schema v0.1.2 (our extension): why a closed activity is changed. A change to a closed activity
    #: is a correction and is refused without it; it is not a fact of the activity, so it is never emitted.
    CorrectionReason: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _trailing_space(cls, value: Any) -> Any:
        if isinstance(value, dict) and "isInterprofessional " in value:
            value = dict(value)
            value.setdefault("isInterprofessional", value.pop("isInterprofessional "))
        if isinstance(value, dict) and value.get("FeeForParticipation") == "No, it's free":
            # Typed with a straight apostrophe (keyboards, spreadsheets): the schema's word has a curly one.
            value = {**value, "FeeForParticipation": "No, it’s free"}
        return value


class ActivityItem(_M):
    ReportDescription: dict[str, Any] | None = None
    ActivityDescription: ActivityDescriptionModel | None = None
    Lom: LomModel
    healthcareMetadata: HealthcareMetadata
    ParticipationMetrics: ParticipationModel | None = Field(default=None, alias="ParticipationMetrics")
    XtensibleInfo: Xtensible = Field(default_factory=Xtensible)

    @model_validator(mode="before")
    @classmethod
    def _participation_spelling(cls, value: Any) -> Any:
        # The schema's `required` list spells it participationMetrics; its properties say ParticipationMetrics.
        if isinstance(value, dict) and "participationMetrics" in value and "ParticipationMetrics" not in value:
            value = dict(value)
            value["ParticipationMetrics"] = value.pop("participationMetrics")
        return value
