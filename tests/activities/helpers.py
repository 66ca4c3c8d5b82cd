"""Builders of valid ACCME JSON activity items for the activity tests."""

from __future__ import annotations

import copy
from typing import Any

from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel

ACCME_ID = "0004444"
OTHER_ID = "0005555"
BY = Acting("provider:0004444:tester", Channel.WEB_SERVICE)


def register(system: Any, accme_id: str = ACCME_ID) -> None:
    system.providers.register(
        RegisterProvider(
            accme_id=accme_id,
            name=f"CME {accme_id}",
            accreditor="ACCME",
            primary=ContactDetails(name="Pat Primary", email=f"p{accme_id}@cme.org"),
        ),
        BY,
    )


def item(pid: str = "A-1", **over: Any) -> dict[str, Any]:
    """A complete, closable course that ended in 2025."""
    base: dict[str, Any] = {
        "ReportDescription": {"ReportingStartDate": "2025-03-01", "ReportingEndDate": "2025-03-02"},
        "Lom": {
            "general": {
                "identifier": [
                    {"catalog": "Provider Activity ID", "entry": pid},
                    {"catalog": "URL", "entry": f"https://cme.example.org/{pid}"},
                ],
                "title": f"Cardiology update {pid}",
                "description": "An update on heart failure therapy.",
            }
        },
        "healthcareMetadata": {
            "healthcareEducation": {
                "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": 6.25},
                "activityLocation": {"city": "Nashville", "stateOrProvince": "TN", "country": "USA"},
                "startDateTime": "2025-03-01",
                "endDateTime": "2025-03-02",
                "activitySponsorship": "direct",
                "activityFormat": "Course",
                "commercialSupport": False,
            }
        },
        "ParticipationMetrics": {
            "participantsByCategory": [
                {"category": "physician", "numberOfParticipants": 120},
                {"category": "other", "numberOfParticipants": 30},
            ]
        },
        "XtensibleInfo": {
            "activityRecordAction": "Add",
            "ForPublicList": True,
            "FeeForParticipation": "Yes",
            "ActivityRegistration": "Open to all",
            "DeliveryMethods": {"DeliveryMethod": ["In-Person"]},
            "MeasuredOutcomes": [{"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]}],
        },
    }
    for path, value in over.items():
        target = base
        keys = path.split("__")
        for k in keys[:-1]:
            target = target.setdefault(k, {})
        if value is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = copy.deepcopy(value)
    return base


HE = "healthcareMetadata__healthcareEducation__"
XI = "XtensibleInfo__"
