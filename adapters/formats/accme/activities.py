"""ACCME activity JSON (schema v0.1.2, one `MedicalEducationMetrics` item) ↔ the activity's normalised data,
and the commands every activity channel builds from items (submissions, repeats, corrections).

The published schema's `required` lists sit in the wrong places (accme/README.md), so the intended
rules are validated here, in our own pydantic models, and every violation is reported with its JSON
path inside the item. `"isInterprofessional "` (trailing space) is accepted; it is emitted without.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from commands.activities import ActivityEntry, CorrectActivity, SubmitActivities, UnreadEntry
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
    Activity,
    ActivityNotReadyToCloseError,
    canonical_format,
    empty_data,
)
from domain.base import Acting
from domain.errors import DomainError, InvalidValueError
from services.activities import ActivityRegistry, ActivityResult

HE = ("healthcareMetadata", "healthcareEducation")
XI = ("XtensibleInfo",)


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


class ItemError(Exception):
    """An item that does not follow the intended schema rules; `errors` are {loc, msg} with JSON paths."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors


def parse_item(item: Any) -> ActivityEntry:
    """Validates one item and returns its action and normalised data; raises ItemError with JSON paths."""
    if not isinstance(item, dict):
        raise ItemError([{"loc": [], "msg": "an activity is a JSON object"}])
    xi = item.get("XtensibleInfo")
    if not isinstance(xi, dict):
        xi = {}
    if xi.get("activityRecordAction") == "Delete":
        return _parse_delete(item)
    try:
        model = ActivityItem.model_validate(item)
    except ValidationError as exc:
        raise ItemError(
            [
                {
                    "loc": [*(str(p) if not isinstance(p, int) else p for p in e["loc"]), *_misspelt(e)],
                    "msg": _message(e),
                }
                for e in exc.errors(include_url=False)
            ]
        ) from None
    pid, number = _identifiers(model.Lom.general.identifier)
    url = next((i.entry.strip() for i in model.Lom.general.identifier if i.catalog == "URL"), None)
    he = model.healthcareMetadata.healthcareEducation
    x = model.XtensibleInfo
    try:
        fmt, implied = canonical_format(he.activityFormat, loc=(*HE, "activityFormat"))
    except InvalidValueError as exc:
        raise ItemError([{"loc": list(exc.loc), "msg": exc.message}]) from None
    delivery = list((x.DeliveryMethods or {}).get("DeliveryMethod", []))
    if implied and implied not in delivery:
        delivery.append(implied)
    credits = he.credits or Credits()
    loc = he.activityLocation
    location = None
    if loc and (loc.city or loc.stateOrProvince or loc.country):
        location = {"city": loc.city, "state": loc.stateOrProvince, "country": loc.country}
    learners: dict[str, int] = {}
    for p in model.ParticipationMetrics.participantsByCategory if model.ParticipationMetrics else []:
        learners[p.category] = learners.get(p.category, 0) + p.numberOfParticipants
    extra = x.model_extra or {}
    data = {
        **empty_data(),
        "title": model.Lom.general.title.strip(),
        "description": (model.Lom.general.description or "").strip(),
        "keywords": model.Lom.general.keyword,
        "format": fmt,
        "start_date": he.startDateTime.isoformat(),
        "end_date": he.endDateTime.isoformat(),
        "location": location,
        "delivery_methods": sorted(delivery),
        "credits": _num(credits.numberOfCredits),
        "certification": credits.activityCertification,
        "sponsorship": he.activitySponsorship,
        "joint_providers": list(credits.nonAccreditedProvider),
        "commercial_support": he.commercialSupport,
        "monetary_support": [
            {"source": a.supportSource, "amount": _num(a.value), "currency": a.currency}
            for a in (model.ActivityDescription.commercialSupportAmount if model.ActivityDescription else [])
        ],
        "in_kind_support": [{"source": s.get("source", "")} for s in (x.InKindSupports or {}).get("InKindSupport", [])],
        "learners": learners,
        # Canonical order (flat files carry outcomes and boards in column order), so order alone is never a change.
        "outcomes": sorted(
            (
                {"outcome": o.MeasuredOutcome, "measurement_types": sorted(set(o.MeasurementType))}
                for o in x.MeasuredOutcomes
            ),
            key=lambda o: OUTCOMES.index(o["outcome"]),
        ),
        "commendation_tags": sorted(set((x.CommendationTags or {}).get("CommendationTag", []))),
        "for_public_list": x.ForPublicList,
        "fee": x.FeeForParticipation,
        "registration": x.ActivityRegistration,
        "moc": [
            {
                "board": r.boardName,
                "points": _num(r.mocPoints),
                "credit_types": list(r.MOCCreditType),
                "claim_date": r.CreditClaimDate.isoformat() if r.CreditClaimDate else None,
                **({"practice_areas": list(r.MOCPracticeArea)} if r.MOCPracticeArea else {}),
            }
            for r in sorted(
                (x.MOCRegistrations or {}).get("MOCRegistration", []), key=lambda r: BOARDS.index(r.boardName)
            )
        ],
        # An empty identifier is none: it is sent only when it has a value ("if relevant").
        "rems": {
            "type": x.REMS.REMSType,
            "identifier": (x.REMS.REMSRelatedIdentifier or "").strip() or None,
            # Kept only when given, so an activity stored before these were read is unchanged by a re-upload.
            **({"compliance": x.REMS.REMSCompliance} if x.REMS.REMSCompliance else {}),
            **(
                {"blueprint_sections": sorted(set(x.REMS.BlueprintSections), key=BLUEPRINT_SECTIONS.index)}
                if x.REMS.BlueprintSections
                else {}
            ),
        }
        if x.REMS
        else None,
        "mips": x.IsMeritBasedIncentivePaymentSystem,
        "state_content_tags": [
            {"domain": t.get("StateContentDomain"), "topic": t.get("StateContentTopic")}
            for t in (x.StateContentTags or {}).get("StateContent", [])
        ],
        "content_outlines": (x.ContentOutlines or {}).get("ContentOutlineSelections", []),
        "interprofessional": x.isInterprofessional,
        "pharmacy": {k: extra[k] for k in PHARMACY_KEYS if k in extra},
        "target_audience": he.targetAudience,
        "url": url or None,
        "moc_attestation": x.MOCAttestation,
    }
    return ActivityEntry(
        x.activityRecordAction,
        x.closeActivityRecord,
        pid,
        number,
        data,
        (x.CorrectionReason or "").strip(),
        (x.ProviderID or "").strip() or None,
    )


#: Fields with a fixed list of answers: what a refusal calls them, in PARS's words.
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "FeeForParticipation": ("the fee for participation", FEES),
    "ActivityRegistration": ("registration", REGISTRATIONS),
    "activitySponsorship": ("providership", ("direct", "joint")),
    "DeliveryMethod": ("a delivery method", DELIVERY_METHODS),
    "MeasuredOutcome": ("a measured outcome", OUTCOMES),
    "MeasurementType": ("how an outcome was measured", MEASUREMENT_TYPES),
    "boardName": ("a MOC board", BOARDS),
    "activityRecordAction": ("the record action", ("Add", "Update", "Delete")),
    "catalog": ("an identifier's catalog", ("ACCME Activity ID", "Provider Activity ID", "URL")),
    "activityCertification": ("the credit type", CERTIFICATIONS),
    "REMSType": ("the REMS type", REMS_TYPES),
    "REMSCompliance": ("REMS compliance", REMS_COMPLIANCE),
    "BlueprintSections": ("a Blueprint section", BLUEPRINT_SECTIONS),
}


def _misspelt(error: Any) -> list[str]:
    """The misspelt key itself, to end the error's path with."""
    cause = (error.get("ctx") or {}).get("error")
    return [cause.key] if isinstance(cause, MisspeltKeyError) else []


def _message(error: Any) -> str:
    """A validation error in PARS's words where the field has fixed answers, else pydantic's (trimmed)."""
    if error["type"] == "literal_error":
        named = next((CHOICES[str(p)] for p in reversed(error["loc"]) if str(p) in CHOICES), None)
        if named:
            what, choices = named
            return f"{what} is one of: {'; '.join(choices)} (got {error['input']!r})"
    if error["type"].startswith(("date_", "datetime_")):
        return f"a date is written YYYY-MM-DD (a time after it is ignored); got {error['input']!r}"
    return str(error["msg"]).removeprefix("Value error, ")


def _parse_delete(item: dict[str, Any]) -> ActivityEntry:
    try:
        general = General.model_validate({"title": "-", **(item.get("Lom") or {}).get("general", {})})
    except (ValidationError, AttributeError):
        raise ItemError(
            [{"loc": ["Lom", "general", "identifier"], "msg": "a Delete names the activity by its identifier"}]
        ) from None
    pid, number = _identifiers(general.identifier)
    provider = (item.get("XtensibleInfo") or {}).get("ProviderID")
    return ActivityEntry(
        "Delete", False, pid, number, {}, provider_id=str(provider).strip() or None if provider is not None else None
    )


def _identifiers(identifiers: list[Identifier]) -> tuple[str | None, str | None]:
    pid = number = None
    seen: dict[str, str] = {}
    for i, ident in enumerate(identifiers):
        # One activity has one of each: a second, different one would file the item under either.
        if seen.setdefault(ident.catalog, ident.entry.strip()) != ident.entry.strip():
            raise ItemError(
                [
                    {
                        "loc": ["Lom", "general", "identifier", i, "entry"],
                        "msg": f"a second, different {ident.catalog}; an activity has one",
                    }
                ]
            )
        if ident.catalog == "Provider Activity ID":
            pid = ident.entry.strip()
        elif ident.catalog == "ACCME Activity ID":
            number = ident.entry.strip()
            if not (len(number) == 9 and number.isdigit()):
                raise ItemError(
                    [{"loc": ["Lom", "general", "identifier", i, "entry"], "msg": "an ACCME Activity ID has 9 digits"}]
                )
    if not pid and not number:
        raise ItemError(
            [
                {
                    "loc": ["Lom", "general", "identifier"],
                    "msg": "a Provider Activity ID (or an ACCME Activity ID) is required",
                }
            ]
        )
    return pid, number


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


#: Domain field → JSON path inside the item, for domain errors.
DOMAIN_LOC: dict[str, tuple[Any, ...]] = {
    "title": ("Lom", "general", "title"),
    "description": ("Lom", "general", "description"),
    "provider_activity_id": ("Lom", "general", "identifier"),
    "activity_id": ("Lom", "general", "identifier"),
    "activity_format": (*HE, "activityFormat"),
    "start_date": (*HE, "startDateTime"),
    "end_date": (*HE, "endDateTime"),
    "credits": (*HE, "credits", "numberOfCredits"),
    "location": (*HE, "activityLocation"),
    "sponsorship": (*HE, "activitySponsorship"),
    "joint_providers": (*HE, "credits", "nonAccreditedProvider"),
    "commercial_support": (*HE, "commercialSupport"),
    "monetary_support": ("ActivityDescription", "commercialSupportAmount"),
    "learners": ("ParticipationMetrics", "participantsByCategory"),
    "learners_by_year": ("ParticipationMetrics", "participantsByCategory"),
    "outcomes": (*XI, "MeasuredOutcomes"),
    "delivery_methods": (*XI, "DeliveryMethods", "DeliveryMethod"),
    "for_public_list": (*XI, "ForPublicList"),
    "moc": (*XI, "MOCRegistrations", "MOCRegistration"),
    "moc_attestation": (*XI, "MOCAttestation"),
    "fee": (*XI, "FeeForParticipation"),
    "registration": (*XI, "ActivityRegistration"),
    "url": ("Lom", "general", "identifier"),
    "reason": (*XI, "CorrectionReason"),
    "provider_id": (*XI, "ProviderID"),
    "rems": (*XI, "REMS"),
}
REMS_LOC = {
    "type": "REMSType",
    "identifier": "REMSRelatedIdentifier",
    "compliance": "REMSCompliance",
    "blueprint_sections": "BlueprintSections",
}
MOC_LOC = {
    "board": "boardName",
    "points": "mocPoints",
    "credit_types": "MOCCreditType",
    "claim_date": "CreditClaimDate",
    "practice_areas": "MOCPracticeArea",
}


def item_loc(domain_loc: tuple[str, ...]) -> list[Any]:
    """The JSON path in the item of a domain error's field."""
    if not domain_loc:
        return []
    head, rest = domain_loc[0], list(domain_loc[1:])
    base = list(DOMAIN_LOC.get(head, (head,)))
    if head in ("moc", "monetary_support") and rest:
        index = int(rest[0]) if rest[0].isdigit() else rest[0]
        tail = (
            [MOC_LOC.get(r, r) for r in rest[1:]]
            if head == "moc"
            else ["value" if r == "amount" else r for r in rest[1:]]
        )
        return [*base, index, *tail]
    if head in ("learners", "learners_by_year"):
        return base
    if head == "rems":
        return [*base, *(REMS_LOC.get(r, int(r) if r.isdigit() else r) for r in rest)]
    return [*base, *rest]


def to_item(
    number: str, provider_activity_id: str, data: dict[str, Any], accme_id: str, closed: bool
) -> dict[str, Any]:
    """The activity as one ACCME JSON item; parse_item(to_item(...)).data == data."""
    he: dict[str, Any] = {
        "credits": {"activityCertification": data.get("certification") or "AMA PRA Category 1"},
        # The schema's form for these two is YYYY-MM-DDT00:00:00 (the activity's dates have no time).
        "startDateTime": f"{data['start_date']}T00:00:00",
        "endDateTime": f"{data['end_date']}T00:00:00",
        "activityFormat": data["format"],
    }
    if data.get("credits") is not None:
        he["credits"]["numberOfCredits"] = data["credits"]
    if data.get("joint_providers"):
        he["credits"]["nonAccreditedProvider"] = list(data["joint_providers"])
    if data.get("location"):
        loc = data["location"]
        he["activityLocation"] = {
            k: v
            for k, v in (
                ("city", loc.get("city")),
                ("stateOrProvince", loc.get("state")),
                ("country", loc.get("country")),
            )
            if v is not None
        }
    if data.get("sponsorship"):
        he["activitySponsorship"] = data["sponsorship"]
    if data.get("commercial_support") is not None:
        he["commercialSupport"] = data["commercial_support"]
    if data.get("target_audience") is not None:
        he["targetAudience"] = data["target_audience"]
    general: dict[str, Any] = {
        "identifier": [
            {"catalog": "ACCME Activity ID", "entry": number},
            {"catalog": "Provider Activity ID", "entry": provider_activity_id},
            *([{"catalog": "URL", "entry": data["url"]}] if data.get("url") else []),
        ],
        "title": data["title"],
        "description": data.get("description") or "",
    }
    if data.get("keywords"):
        general["keyword"] = data["keywords"]
    xi: dict[str, Any] = {"ProviderID": accme_id, "activityRecordAction": "Add"}
    if closed:
        xi["closeActivityRecord"] = True
    if data.get("interprofessional") is not None:
        xi["isInterprofessional"] = data["interprofessional"]
    if data.get("commendation_tags"):
        xi["CommendationTags"] = {"CommendationTag": list(data["commendation_tags"])}
    if data.get("in_kind_support"):
        xi["InKindSupports"] = {"InKindSupport": [dict(s) for s in data["in_kind_support"]]}
    if data.get("delivery_methods"):
        xi["DeliveryMethods"] = {"DeliveryMethod": list(data["delivery_methods"])}
    if data.get("outcomes"):
        xi["MeasuredOutcomes"] = [
            {"MeasuredOutcome": o["outcome"], "MeasurementType": list(o["measurement_types"])} for o in data["outcomes"]
        ]
    if data.get("moc"):
        regs = []
        for r in data["moc"]:
            reg: dict[str, Any] = {"boardName": r["board"], "MOCCreditType": list(r["credit_types"])}
            if r.get("points") is not None:
                reg["mocPoints"] = r["points"]
            if r.get("claim_date"):
                reg["CreditClaimDate"] = r["claim_date"]
            if r.get("practice_areas"):
                reg["MOCPracticeArea"] = list(r["practice_areas"])
            regs.append(reg)
        xi["MOCRegistrations"] = {"MOCRegistration": regs}
    if data.get("moc_attestation") is not None:
        xi["MOCAttestation"] = data["moc_attestation"]
    if data.get("content_outlines"):
        xi["ContentOutlines"] = {"ContentOutlineSelections": data["content_outlines"]}
    for key, field in (
        ("ForPublicList", "for_public_list"),
        ("FeeForParticipation", "fee"),
        ("ActivityRegistration", "registration"),
        ("IsMeritBasedIncentivePaymentSystem", "mips"),
    ):
        if data.get(field) is not None:
            xi[key] = data[field]
    if data.get("rems"):
        xi["REMS"] = {"REMSType": data["rems"]["type"]}
        if data["rems"].get("identifier"):
            xi["REMS"]["REMSRelatedIdentifier"] = data["rems"]["identifier"]
        if data["rems"].get("compliance"):
            xi["REMS"]["REMSCompliance"] = data["rems"]["compliance"]
        if data["rems"].get("blueprint_sections"):
            xi["REMS"]["BlueprintSections"] = list(data["rems"]["blueprint_sections"])
    if data.get("state_content_tags"):
        xi["HasStateContentTags"] = True
        xi["StateContentTags"] = {
            "StateContent": [
                {"StateContentDomain": t["domain"], "StateContentTopic": t["topic"]} for t in data["state_content_tags"]
            ]
        }
    xi.update(data.get("pharmacy") or {})
    item: dict[str, Any] = {
        "ReportDescription": {"ReportingStartDate": data["start_date"], "ReportingEndDate": data["end_date"]},
        "Lom": {"general": general},
        "healthcareMetadata": {"healthcareEducation": he},
        # Required by the activity OpenAPI even without commercial support (then it holds no amounts).
        "ActivityDescription": {
            "commercialSupportAmount": [
                {
                    k: v
                    for k, v in (
                        ("currency", m.get("currency", "USD")),
                        ("supportSource", m["source"]),
                        ("value", m.get("amount")),
                    )
                    if v is not None
                }
                for m in data.get("monetary_support") or []
            ]
        },
        "ParticipationMetrics": {
            "participantsByCategory": [
                {"category": c, "numberOfParticipants": n}
                for c, n in _schema_categories(data.get("learners") or {}).items()
            ]
        },
        "XtensibleInfo": xi,
    }
    return item


def _schema_categories(learners: dict[str, int]) -> dict[str, int]:
    """Learner counts in the schema's vocabulary: activities stored before it was enforced may count
    "non-physician" learners, which are the schema's "other"."""
    out: dict[str, int] = {}
    for category, n in learners.items():
        key = OTHER_LEARNERS if category == "non-physician" else category
        out[key] = out.get(key, 0) + n
    return out


# --- the commands items become ----------------------------------------------------------------------------


class ActivityItemError(InvalidValueError):
    """Raised when an ACCME item given to a single-activity command breaks the schema rules."""


def entry_of(item: Any) -> ActivityEntry | UnreadEntry:
    """One item read into an entry, or why it cannot be (JSON paths in the item)."""
    try:
        return parse_item(item)
    except ItemError as exc:
        return UnreadEntry(exc.errors)


def submission(accme_id: str, items: list[Any], *, only_new: bool = False) -> SubmitActivities:
    return SubmitActivities(accme_id=accme_id, entries=[entry_of(item) for item in items], only_new=only_new)


def in_item_terms(cmd: SubmitActivities, results: list[ActivityResult]) -> list[ActivityResult]:
    """The results with each error's and change's field given as its JSON path in the item."""
    return [
        r
        if isinstance(cmd.entries[r.index], UnreadEntry)
        else dataclasses.replace(
            r,
            errors=[{**e, "loc": item_loc(tuple(e["loc"]))} for e in r.errors],
            changed=[item_loc(tuple(c)) for c in r.changed],
        )
        for r in results
    ]


def submit_items(
    activities: ActivityRegistry, accme_id: str, items: list[Any], by: Acting, *, only_new: bool = False
) -> list[ActivityResult]:
    """Reads the items, hands the submission to the registry, and answers in the items' terms."""
    cmd = submission(accme_id, items, only_new=only_new)
    return in_item_terms(cmd, activities.handle(cmd, by))


def activity_item(activity: Activity) -> dict[str, Any]:
    return to_item(activity.number, activity.provider_activity_id, activity.data, activity.accme_id, activity.closed)


class AccmeActivities:
    """The activity registry as ACCME JSON items: what a batch file's records go in and come out as."""

    def __init__(self, registry: ActivityRegistry) -> None:
        self.registry = registry

    def submit_accme_activities(
        self, accme_id: str, items: list[Any], by: Acting, *, only_new: bool = False
    ) -> list[ActivityResult]:
        return submit_items(self.registry, accme_id, items, by, only_new=only_new)

    def export_accme_activities(self, accme_id: str) -> list[dict[str, Any]]:
        """Every (not deleted) activity of the provider as an ACCME JSON item, in registration order."""
        return [activity_item(a) for a in self.registry.list(accme_id)]

    def accme_activities_numbered(self, accme_id: str, numbers: list[str]) -> list[dict[str, Any]]:
        """The provider's activities with these ACCME activity IDs, as ACCME JSON items in that order (the
        ones since deleted or not the provider's left out)."""
        found = []
        for number in numbers:
            try:
                found.append(activity_item(self.registry.get_by_number(number, accme_id)))
            except DomainError:
                continue
        return found


class Instance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start_date: date
    end_date: date
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _Open(BaseModel):
    """A part of an ACCME item whose other keys pass through untouched (the registry validates them)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class RepeatGeneral(_Open):
    pass


class RepeatLom(_Open):
    general: RepeatGeneral = Field(default_factory=RepeatGeneral)


class RepeatHealthcareMetadata(_Open):
    healthcareEducation: dict[str, Any]


class RepeatXtensible(_Open):
    #: A repeat registers (or re-sends) its instances; deleting one is done by its own ID.
    activityRecordAction: Literal["Add", "Update"] = "Add"


class RepeatItem(_Open):
    """The shape a repeat activity's template item must have before its instances are filled in: `Lom`
    and `healthcareMetadata.healthcareEducation` objects (why: the instances' IDs, dates and places are
    written into them, so a string or a missing part must be refused naming its path, not crash)."""

    Lom: RepeatLom
    healthcareMetadata: RepeatHealthcareMetadata
    XtensibleInfo: RepeatXtensible = Field(default_factory=RepeatXtensible)


class RepeatRequest(BaseModel):
    """One activity given several times: one activity per date + location instance (`PID-1`, `PID-2`, …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accme_id: str
    provider_activity_id: str = Field(min_length=1, max_length=90)
    item: RepeatItem
    instances: list[Instance] = Field(min_length=1, max_length=500)
    only_new: bool = False  # as for SubmitActivities


def repeat_items(repeat: RepeatRequest) -> list[dict[str, Any]]:
    """The repeat's items: the template with each instance's own IDs, dates and place written in."""
    template = repeat.item.model_dump()
    items = []
    for n, instance in enumerate(repeat.instances, start=1):
        item = copy.deepcopy(template)
        general = item["Lom"]["general"]
        # Each instance is its own activity (its own IDs); the activity's URL is the template's.
        urls = [i for i in general.get("identifier") or [] if isinstance(i, dict) and i.get("catalog") == "URL"]
        general["identifier"] = [
            {"catalog": "Provider Activity ID", "entry": f"{repeat.provider_activity_id}-{n}"},
            *urls,
        ]
        he = item["healthcareMetadata"]["healthcareEducation"]
        he.update({"startDateTime": instance.start_date.isoformat(), "endDateTime": instance.end_date.isoformat()})
        if instance.city or instance.state or instance.country:
            he["activityLocation"] = {
                k: v
                for k, v in (
                    ("city", instance.city),
                    ("stateOrProvince", instance.state),
                    ("country", instance.country),
                )
                if v
            }
        items.append(item)
    return items


def submit_repeat(activities: ActivityRegistry, repeat: RepeatRequest, by: Acting) -> list[ActivityResult]:
    """A repeat activity is one submission of one item per date + location instance."""
    return submit_items(activities, repeat.accme_id, repeat_items(repeat), by, only_new=repeat.only_new)


def correction(accme_id: str, activity_id: str, item: Any, reason: str = "") -> CorrectActivity:
    """The correction an item in a request body asks for; ActivityItemError naming the item's part if unreadable."""
    try:
        entry = parse_item(item)
    except ItemError as exc:
        first = exc.errors[0]
        raise ActivityItemError(first["msg"], loc=("body", "item", *map(str, first["loc"]))) from None
    return CorrectActivity(accme_id=accme_id, activity_id=activity_id, entry=entry, reason=reason)


#: The fields naming what a correction is of: the request's path carries them, not its item.
TARGET_FIELDS = {("accme_id",), ("activityId",)}


def correct_item(activities: ActivityRegistry, cmd: CorrectActivity, by: Acting) -> int | None:
    """Hands the correction over; a refusal names the body's reason or the item's part (one naming the
    provider or the activity corrected, which the request's path carries, is left for the route to place)."""
    try:
        position: int | None = activities.handle(cmd, by)
    except DomainError as exc:
        if exc.loc[:1] in TARGET_FIELDS:
            raise

        def where(loc: tuple[str, ...]) -> tuple[str, ...]:
            return ("body", "reason") if loc == ("reason",) else ("body", "item", *map(str, item_loc(loc)))

        if isinstance(exc, ActivityNotReadyToCloseError):
            raise ActivityNotReadyToCloseError(
                exc.message, loc=where(exc.loc), gaps=[(where(loc), msg) for loc, msg in exc.gaps]
            ) from None
        raise type(exc)(exc.message, loc=where(exc.loc)) from None
    return position
