"""Where a field of the activity's normalised data sits inside an ACCME activity JSON item: a domain error's
field given as the JSON path in the item that was sent."""

from __future__ import annotations

from typing import Any

HE = ("healthcareMetadata", "healthcareEducation")
XI = ("XtensibleInfo",)

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
