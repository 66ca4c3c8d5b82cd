"""Builders for the completion tests: a provider with an activity (ABIM MOC), learners, and ACCME learner reports."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from domain.base import Acting, Channel
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item
from tests.activities.helpers import register as register_provider
from tests.learners.helpers import NPI, ana_and_ben  # noqa: F401  (NPI re-exported for the completion tests)

BY = Acting("provider:0004444:tester", Channel.WEB_SERVICE)
TODAY = date(2025, 6, 1)
MOC = {XI + "MOCRegistrations": {"MOCRegistration": [{"boardName": "ABIM", "mocPoints": 6, "MOCCreditType": ["MK"]}]}}


def setup(system: System, *, running: bool = False) -> dict[str, Any]:
    """Two providers, an activity each (2025-03-01..02, 6.25 credits, ABIM MOC for ours), and two learners."""
    system.activities.today = lambda: TODAY
    system.completions.today = lambda: TODAY
    register_provider(system)
    register_provider(system, OTHER_ID)
    mine = submit_items(system.activities, ACCME_ID, [item("A-1", **MOC)], BY)[0]
    theirs = submit_items(system.activities, OTHER_ID, [item("B-1")], BY)[0]
    outcomes = system.learners.register_many(ana_and_ben(), BY)
    if running:  # the app runs the projections
        # Every read model, not just the directory: transcripts name the provider from its profile.
        system.projections.wait(system.store.head())
    else:
        system.projections.catch_up(["learner_directory"])
    return {
        "activity": mine.activity_id,
        "other_activity": theirs.activity_id,
        "ana": outcomes[0].learner_id,
        "ben": outcomes[1].learner_id,
    }


def report(activity_id: str, credit_id: str = "ccid:0004444:c1", action: str = "add", **over: Any) -> dict[str, Any]:
    """Ana's completion of the activity on 2025-03-02: 6 AMA PRA Category 1 credits and 6 ABIM MOC points."""
    base: dict[str, Any] = {
        "ReportingOrganization": "CME 0004444",
        "Member": {
            "Name": {"GivenName": "Ana", "FamilyName": "Garcia Lopez"},
            "PersonalInfo": {"BirthDate": "1972-03-07"},
        },
        "Activity": {
            "ProviderOrganization": ACCME_ID,
            "Module": {
                "ModuleName": {"value": "Cardiology update", "moduleID": activity_id},
                "Status": "Completed",
                "CompletedDateTime": "2025-03-02T00:00:00",
                "CreditCertificate": [
                    {
                        "UniqueID": [{"value": "MD12345", "domain": "TN"}],
                        "CreditReceived": {
                            "activityCertification": "AMA PRA Category 1",
                            "creditUnit": "Point",
                            "numberOfCredits": 6,
                        },
                        "CreditID": credit_id,
                    },
                    {
                        "UniqueID": [{"value": "123456", "domain": "ABIM"}],
                        "CreditReceived": {
                            "activityCertification": "ABIM MOC",
                            "creditUnit": "Point",
                            "numberOfCredits": 6,
                        },
                        "CreditID": credit_id,
                    },
                ],
            },
        },
        "XtensibleInfo": {"LearnerRecordAction": action, "LearnerConsent": True},
    }
    for path, value in over.items():
        target = base
        keys = path.split("__")
        for k in keys[:-1]:
            target = target[int(k)] if isinstance(target, list) else target.setdefault(k, {})
        if value is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = copy.deepcopy(value)
    return base


def envelope(*reports: dict[str, Any]) -> dict[str, Any]:
    return {
        "ACCMELearnerReports": {
            "ActivityReports": {"DateTimeCreated": "2025-06-01T10:00:00", "ActivityReport": list(reports)}
        }
    }
