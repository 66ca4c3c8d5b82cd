"""The shape of one ACCME activity item (`MedicalEducationMetrics`, schema v0.1.2), as types.

JSON carries its own types; XML and the flat formats do not, so their parsers read each value
by this tree. A dict is an object, a one-element list is an array of that element, and the
strings name the scalar type. The published draft's defects are handled here, not copied: the
key `"isInterprofessional "` (trailing space) is read and written as `isInterprofessional`.
"""

from __future__ import annotations

from typing import Any

S, N, I, B = "string", "number", "integer", "boolean"  # noqa: E741 - JSON Schema type letters, as a table

ITEM: dict[str, Any] = {
    "ReportDescription": {"ReportingStartDate": S, "ReportingEndDate": S},
    "ActivityDescription": {"commercialSupportAmount": [{"currency": S, "supportSource": S, "value": N}]},
    "Lom": {
        "general": {
            "identifier": [{"catalog": S, "entry": S}],
            "title": S,
            "description": S,
            "keyword": [{"id": S, "source": S, "string": S}],
        }
    },
    "healthcareMetadata": {
        "healthcareEducation": {
            "credits": {"activityCertification": S, "numberOfCredits": N, "nonAccreditedProvider": [S]},
            "activityLocation": {"city": S, "stateOrProvince": S, "country": S},
            "startDateTime": S,
            "endDateTime": S,
            "activitySponsorship": S,
            "activityFormat": S,
            "commercialSupport": B,
            "targetAudience": {"profession": [S], "specialty": [S]},
        }
    },
    "ParticipationMetrics": {"participantsByCategory": [{"category": S, "numberOfParticipants": I}]},
    "XtensibleInfo": {
        "ProviderID": S,
        "isInterprofessional": B,
        "CommendationTags": {"CommendationTag": [S]},
        "InKindSupports": {"InKindSupport": [{"source": S}]},
        "DeliveryMethods": {"DeliveryMethod": [S]},
        "MeasuredOutcomes": [{"MeasuredOutcome": S, "MeasurementType": [S]}],
        "MOCRegistrations": {
            "MOCRegistration": [
                {"boardName": S, "mocPoints": N, "MOCCreditType": [S], "CreditClaimDate": S, "MOCPracticeArea": [S]}
            ]
        },
        "MOCAttestation": B,
        "ContentOutlines": {
            "ContentOutlineSelections": [
                {"ContentOutlineSource": S, "ContentOutlineKeys": [{"ContentKeyword": S, "ContentKeywordValue": S}]}
            ]
        },
        "ForPublicList": B,
        "FeeForParticipation": S,
        "ActivityRegistration": S,
        "IsMeritBasedIncentivePaymentSystem": B,
        "REMS": {"REMSType": S, "REMSRelatedIdentifier": S, "REMSCompliance": S, "BlueprintSections": [S]},
        "PharmacyActivityType": S,
        "PharmacyActivityTopic": S,
        "PharmacyLiveDate": S,
        "PharmacySequenceNumber": S,
        "UANPharmacy": S,
        "UANPharmacyTech": S,
        "HasPharmacyRecertifications": S,
        "PharmacyRecertificationRequirements": [{"PharmacyAudience": S, "PharmacyRequirement": S}],
        "HasPharmacyContentTags": S,
        "PharmacyContentTags": {"PharmacyState": [S], "PharmacyContentTopic": [S]},
        "HasStateContentTags": B,
        "StateContentTags": {"StateContent": [{"StateContentDomain": S, "StateContentTopic": S}]},
        "activityRecordAction": S,
        "closeActivityRecord": B,
        "CorrectionReason": S,  # our extension: why a closed activity is changed
    },
}

#: other spellings met in files, mapped to the schema's key (the draft's own typo among them)
KEY_ALIASES = {"isInterprofessional ": "isInterprofessional"}

#: the section names of the MEMS XML that differ from the JSON's
SECTION_ALIASES = {"HealthcareEducation": "healthcareMetadata", "participationMetrics": "ParticipationMetrics"}

IDENTIFIER_CATALOGS = ("ACCME Activity ID", "Provider Activity ID", "URL")


def normalize_keys(value: Any) -> Any:
    """The same value with aliased keys renamed (e.g. `"isInterprofessional "`), recursively."""
    if isinstance(value, dict):
        return {KEY_ALIASES.get(k, k) if isinstance(k, str) else k: normalize_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_keys(v) for v in value]
    return value


def provider_activity_id(item: dict[str, Any]) -> str | None:
    """The item's Provider Activity ID, if it names one (the upsert key of the legacy files)."""
    try:
        for ident in item["Lom"]["general"]["identifier"]:
            if ident.get("catalog") == "Provider Activity ID":
                return str(ident.get("entry"))
    except (KeyError, TypeError, AttributeError):
        pass
    return None
