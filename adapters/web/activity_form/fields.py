"""The activity form's fields: their choices, the parts of a MOC registration and of a repeat instance, the
labels, and which field an error's `loc` (ACCME JSON or domain names) concerns."""

from __future__ import annotations

import functools
from typing import Any

from domain.activity import (
    BOARDS,
    DELIVERY_METHODS,
    FEES,
    FORMATS,
    MEASUREMENT_TYPES,
    OUTCOMES,
    REGISTRATIONS,
    REMS_COMPLIANCE,
    REMS_TYPES,
)

FORMAT_OPTIONS = [(f, f) for f in FORMATS]
DELIVERY_OPTIONS = [(d, d) for d in DELIVERY_METHODS]
OUTCOME_OPTIONS = [(o, o) for o in OUTCOMES]
MEASUREMENT_OPTIONS = [(m, m) for m in MEASUREMENT_TYPES]
YES_NO = [("yes", "Yes"), ("no", "No")]
#: Exactly the domain's answers, in PARS's words (the value sent is the word stored).
FEE_OPTIONS = [(f, f) for f in FEES]
REGISTRATION_OPTIONS = [(r, {"Limited": "Limited (e.g. members only)"}.get(r, r)) for r in REGISTRATIONS]
REMS_TYPE_OPTIONS = [(t, t) for t in REMS_TYPES]
REMS_COMPLIANCE_OPTIONS = [("Compliant", "REMS-compliant"), ("Related", "REMS-related")]
assert [v for v, _ in REMS_COMPLIANCE_OPTIONS] == list(REMS_COMPLIANCE)
#: A registration's parts on the form (moc_ABIM_points, ...) and in the ACCME item / the domain.
MOC_PARTS = {
    "points": "mocPoints",
    "credit_types": "MOCCreditType",
    "claim_date": "CreditClaimDate",
    "practice_areas": "MOCPracticeArea",
}
MOC_PART_OF = {**{v: k for k, v in MOC_PARTS.items()}, **{k: k for k in MOC_PARTS}, "boardName": "", "board": ""}
#: A repeat instance's inputs, one row each: instance_start_0, instance_end_0, instance_city_0, ...
INSTANCE_PARTS = ("start", "end", "city", "state", "country")
MAX_INSTANCE_ROWS = 200

#: The last part of an error's `loc` (ACCME JSON names and domain names) -> the form field it belongs beside.
FIELDS = {
    "entry": "provider_activity_id",
    "identifier": "provider_activity_id",
    "provider_activity_id": "provider_activity_id",
    "title": "title",
    "description": "description",
    "activityFormat": "format",
    "format": "format",
    "startDateTime": "start_date",
    "ReportingStartDate": "start_date",
    "start_date": "start_date",
    "endDateTime": "end_date",
    "ReportingEndDate": "end_date",
    "end_date": "end_date",
    "DeliveryMethods": "delivery",
    "DeliveryMethod": "delivery",
    "delivery_methods": "delivery",
    "city": "city",
    "stateOrProvince": "state",
    "country": "country",
    "activityLocation": "city",
    "location": "city",
    "numberOfCredits": "credits",
    "credits": "credits",
    "activitySponsorship": "sponsorship",
    "sponsorship": "sponsorship",
    "nonAccreditedProvider": "joint_providers",
    "joint_providers": "joint_providers",
    "commercialSupport": "commercial_support",
    "commercial_support": "commercial_support",
    "supportSource": "support_source",
    "commercialSupportAmount": "support_amount",
    "monetary_support": "support_amount",
    "participantsByCategory": "physicians",
    "learners": "physicians",
    "ParticipationMetrics": "physicians",
    "MeasuredOutcomes": "outcome",
    "outcomes": "outcome",
    "MeasurementType": "outcome_type",
    "ForPublicList": "passport",
    "for_public_list": "passport",
    "FeeForParticipation": "fee",
    "fee": "fee",
    "ActivityRegistration": "registration",
    "registration": "registration",
    "url": "url",
    "reason": "reason",
    "instances": "instances",
    "MOCRegistrations": "moc_attestation",
    "MOCAttestation": "moc_attestation",
    "moc_attestation": "moc_attestation",
    "moc": "moc_attestation",
    "REMS": "rems_type",
    "rems": "rems_type",
    "REMSType": "rems_type",
    "REMSCompliance": "rems_compliance",
    "REMSRelatedIdentifier": "rems_identifier",
    "BlueprintSections": "rems_sections",
    "IsMeritBasedIncentivePaymentSystem": "mips",
    "mips": "mips",
    "CommendationTags": "commendation_tags",
    "commendation_tags": "commendation_tags",
    "InKindSupports": "in_kind_sources",
    "in_kind_support": "in_kind_sources",
}


#: Form fields in a provider's words (the labels of the activity form), for errors that name an ACCME JSON path.
LABELS = {
    "provider_activity_id": "Your activity ID",
    "title": "Title",
    "description": "Description",
    "format": "Activity format",
    "start_date": "Start date",
    "end_date": "End date",
    "delivery": "Delivery method",
    "city": "City",
    "state": "State",
    "country": "Country",
    "credits": "AMA PRA Category 1 credits",
    "sponsorship": "Providership",
    "joint_providers": "Joint providers",
    "commercial_support": "Commercial support",
    "support_source": "Monetary support: source",
    "support_amount": "Monetary support: amount",
    "physicians": "Learner counts",
    "outcome": "Outcome measured",
    "outcome_type": "How the outcome was measured",
    "passport": "CME Passport listing",
    "fee": "Fee for participation",
    "registration": "Registration",
    "url": "Activity web address",
    "moc_attestation": "MOC attestation",
    "rems_type": "REMS",
    "rems_compliance": "REMS compliance",
    "rems_identifier": "RPC-assigned ID",
    "rems_sections": "Blueprint sections",
    "mips": "MIPS",
    "commendation_tags": "Commendation criteria",
    "in_kind_sources": "In-kind supporters",
}


def field_of(loc: Any, boards: list[str] | None = None) -> str | None:
    """The form field an error's `loc` concerns (its deepest part the form knows), or None. A MOC
    registration's part is the board's field (`moc_ABIM_points`): `boards` are the registrations' boards in
    their order (an item loc `..., MOCRegistration, 0, mocPoints` or a domain loc `moc, 0, points`)."""
    parts = [str(p) for p in loc]
    for i, part in enumerate(parts):
        if part in ("MOCRegistration", "moc") and i + 1 < len(parts) and parts[i + 1].isdigit():
            n = int(parts[i + 1])
            if boards is not None and n < len(boards):
                what = MOC_PART_OF.get(parts[i + 2] if i + 2 < len(parts) else "", "")
                return f"moc_{boards[n]}" + (f"_{what}" if what else "")
    own = next((p for p in reversed(parts) if p.startswith(("instance_", "moc_"))), None)
    if own:
        return own
    return next((FIELDS[p] for p in reversed(parts) if p in FIELDS), None)


def errors_of(errors: list[dict[str, Any]], boards: list[str]) -> list[dict[str, Any]]:
    """Errors with each `loc` turned into the form field it concerns, for `render.field_errors`."""
    out = []
    for e in errors:
        target = field_of(e.get("loc", []), boards)
        out.append({**e, "loc": [target] if target else list(e.get("loc", []))})
    return out


@functools.cache
def field_names() -> dict[str, str]:
    """`render.field_errors`'s `fields` for `errors_of`'s errors: the names of ACCME/domain locs, and every
    form field by itself (each board's MOC fields, the rows of repeat instances)."""
    own = [f"moc_{b}" + (f"_{p}" if p else "") for b in BOARDS for p in ("", *MOC_PARTS)]
    own += [f"instance_{p}_{i}" for i in range(MAX_INSTANCE_ROWS) for p in INSTANCE_PARTS]
    return {**FIELDS, **{v: v for v in FIELDS.values()}, **{f: f for f in own}}


def where(loc: list[Any]) -> str:
    """`Title (Lom › general › title)`: the form's word for an ACCME JSON path, and the path."""
    path = " › ".join(str(p) for p in loc)
    for part in reversed([str(p) for p in loc]):
        if part in FIELDS:
            return f"{LABELS[FIELDS[part]]} ({path})" if FIELDS[part] in LABELS else path
    return path
