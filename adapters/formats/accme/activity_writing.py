"""The activity's normalised data written as one ACCME activity JSON item (schema v0.1.2), the way batch files,
exports and the API give it back: `parse_item(to_item(...)).data == data`. `isInterprofessional` is emitted
without the trailing space some senders give it."""

from __future__ import annotations

from typing import Any

from adapters.formats.accme.activity_schema import OTHER_LEARNERS


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
