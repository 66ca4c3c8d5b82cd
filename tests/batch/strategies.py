"""Hypothesis strategies for ACCME activity items (`MedicalEducationMetrics`) that every batch format can carry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st

from adapters.batch.spec import IDENTIFIER_CATALOGS
from domain.activity import LEARNER_CATEGORIES as PARTICIPANT_CATEGORIES
from domain.activity import MEASUREMENT_TYPES
from domain.activity import OUTCOMES as MEASURED_OUTCOMES

# text an XML 1.0 document and an Excel cell can hold, without surrounding blanks (every format trims them)
text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=12).map(str.strip).filter(bool)
)
texts = st.lists(text, min_size=1, max_size=3)
quarters = st.integers(1, 400).map(lambda k: k / 4)
dates = st.dates(date(1990, 1, 1), date(2100, 12, 31))
iso_dates = dates.map(lambda d: d.isoformat())
date_times = st.one_of(
    dates.map(lambda d: f"{d.isoformat()}T00:00:00"),
    st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
)


def obj(required: dict[str, Any] | None = None, **optional: Any) -> st.SearchStrategy[dict[str, Any]]:
    """An object with some of the optional keys; never empty (an empty object is no data in XML or a row)."""
    return st.fixed_dictionaries(required or {}, optional=optional).filter(bool)


def ordered_subset(values: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.sets(st.sampled_from(values), min_size=1).map(lambda chosen: [v for v in values if v in chosen])


def identifiers(draw_text: st.SearchStrategy[str] = text) -> st.SearchStrategy[list[dict[str, str]]]:
    others = st.sets(st.sampled_from([c for c in IDENTIFIER_CATALOGS if c != "Provider Activity ID"]))
    return st.tuples(others, draw_text, st.dictionaries(st.sampled_from(IDENTIFIER_CATALOGS), draw_text)).map(
        lambda t: [
            {"catalog": c, "entry": t[1] if c == "Provider Activity ID" else t[2].get(c, t[1])}
            for c in IDENTIFIER_CATALOGS
            if c == "Provider Activity ID" or c in t[0]
        ]
    )


participants = ordered_subset(PARTICIPANT_CATEGORIES).flatmap(
    lambda cats: st.tuples(*[st.integers(0, 10**6) for _ in cats]).map(
        lambda counts: [{"category": c, "numberOfParticipants": n} for c, n in zip(cats, counts, strict=True)]
    )
)
outcomes = ordered_subset(MEASURED_OUTCOMES).flatmap(
    lambda chosen: st.tuples(*[st.one_of(st.none(), ordered_subset(MEASUREMENT_TYPES)) for _ in chosen]).map(
        lambda types: [
            {"MeasuredOutcome": o} | ({"MeasurementType": t} if t else {}) for o, t in zip(chosen, types, strict=True)
        ]
    )
)

healthcare_education = obj(
    credits=obj(activityCertification=text, numberOfCredits=quarters, nonAccreditedProvider=texts),
    activityLocation=obj(city=text, stateOrProvince=text, country=text),
    startDateTime=date_times,
    endDateTime=date_times,
    activitySponsorship=st.sampled_from(["direct", "joint"]),
    activityFormat=text,
    commercialSupport=st.booleans(),
    targetAudience=obj(profession=texts, specialty=texts),
)

xtensible = obj(
    ProviderID=text,
    isInterprofessional=st.booleans(),
    CommendationTags=st.fixed_dictionaries({"CommendationTag": texts}),
    InKindSupports=st.fixed_dictionaries(
        {"InKindSupport": st.lists(st.fixed_dictionaries({"source": text}), min_size=1, max_size=3)}
    ),
    DeliveryMethods=st.fixed_dictionaries({"DeliveryMethod": texts}),
    MeasuredOutcomes=outcomes,
    MOCRegistrations=st.fixed_dictionaries(
        {
            "MOCRegistration": st.lists(
                st.fixed_dictionaries(
                    {"boardName": text, "mocPoints": quarters, "MOCCreditType": texts},
                    optional={"CreditClaimDate": iso_dates, "MOCPracticeArea": texts},
                ),
                min_size=1,
                max_size=3,
            )
        }
    ),
    ContentOutlines=st.fixed_dictionaries(
        {
            "ContentOutlineSelections": st.lists(
                st.fixed_dictionaries(
                    {
                        "ContentOutlineSource": text,
                        "ContentOutlineKeys": st.lists(
                            st.fixed_dictionaries({"ContentKeyword": text, "ContentKeywordValue": text}),
                            min_size=1,
                            max_size=3,
                        ),
                    }
                ),
                min_size=1,
                max_size=2,
            )
        }
    ),
    MOCAttestation=st.booleans(),
    ForPublicList=st.booleans(),
    FeeForParticipation=text,
    ActivityRegistration=text,
    IsMeritBasedIncentivePaymentSystem=st.booleans(),
    REMS=obj(REMSType=text, REMSRelatedIdentifier=text),
    PharmacyActivityType=text,
    PharmacyActivityTopic=text,
    PharmacyLiveDate=iso_dates,
    PharmacySequenceNumber=text,
    UANPharmacy=text,
    UANPharmacyTech=text,
    HasPharmacyRecertifications=st.sampled_from(["true", "false", "not sure"]),
    PharmacyRecertificationRequirements=st.lists(
        st.fixed_dictionaries({"PharmacyAudience": text, "PharmacyRequirement": text}), min_size=1, max_size=3
    ),
    HasPharmacyContentTags=st.sampled_from(["true", "false", "not sure"]),
    PharmacyContentTags=obj(PharmacyState=texts, PharmacyContentTopic=texts),
    HasStateContentTags=st.booleans(),
    StateContentTags=st.fixed_dictionaries(
        {
            "StateContent": st.lists(
                st.fixed_dictionaries({"StateContentDomain": text, "StateContentTopic": text}), min_size=1, max_size=3
            )
        }
    ),
    activityRecordAction=st.sampled_from(["Add", "Update", "Delete"]),
    closeActivityRecord=st.booleans(),
)

report_dates = st.one_of(st.integers(1990, 2100).map(str), iso_dates)

items = st.fixed_dictionaries(
    {
        "Lom": st.fixed_dictionaries(
            {
                "general": st.fixed_dictionaries(
                    {"identifier": identifiers(), "title": text},
                    optional={
                        "description": text,
                        "keyword": st.lists(
                            st.fixed_dictionaries({"id": text, "source": text, "string": text}), min_size=1, max_size=2
                        ),
                    },
                )
            }
        )
    },
    optional={
        "ReportDescription": obj(ReportingStartDate=report_dates, ReportingEndDate=report_dates),
        "ActivityDescription": st.fixed_dictionaries(
            {
                "commercialSupportAmount": st.lists(
                    st.fixed_dictionaries({"currency": text, "supportSource": text, "value": st.integers(0, 10**8)}),
                    min_size=1,
                    max_size=4,
                )
            }
        ),
        "healthcareMetadata": st.fixed_dictionaries({"healthcareEducation": healthcare_education}),
        "ParticipationMetrics": st.fixed_dictionaries({"participantsByCategory": participants}),
        "XtensibleInfo": xtensible,
    },
)
