"""One ACCME activity JSON item read into the activity's normalised data (an `ActivityEntry`), or every way it
breaks the schema's rules, each with its JSON path inside the item and in PARS's words."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from adapters.formats.accme.activity_paths import HE
from adapters.formats.accme.activity_schema import (
    PHARMACY_KEYS,
    ActivityItem,
    Credits,
    General,
    Identifier,
    MisspeltKeyError,
)
from commands.activities import ActivityEntry
from domain.activity import (
    BLUEPRINT_SECTIONS,
    BOARDS,
    CERTIFICATIONS,
    DELIVERY_METHODS,
    FEES,
    MEASUREMENT_TYPES,
    OUTCOMES,
    REGISTRATIONS,
    REMS_COMPLIANCE,
    REMS_TYPES,
    canonical_format,
    empty_data,
)
from domain.errors import InvalidValueError


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
