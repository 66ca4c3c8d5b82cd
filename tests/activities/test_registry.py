"""ActivityRegistry on each backend: ACCME JSON items in, results out, idempotent, export → submit unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.formats.accme.activities import AccmeActivities, submit_items
from adapters.formats.accme.activity_repeats import Instance, RepeatRequest, submit_repeat
from commands.activities import ReportEnduringLearners
from domain.activity import Activity
from services.activities import ActivityRegistry
from tests.activities.helpers import ACCME_ID, BY, HE, OTHER_ID, XI, item, register


@pytest.fixture
def registry(any_system):  # type: ignore[no-untyped-def]
    register(any_system)
    register(any_system, OTHER_ID)
    return ActivityRegistry(any_system.store, today=lambda: date(2026, 6, 1))


def test_submit_creates_then_the_same_items_change_nothing(any_system, registry):
    items = [item("A-1"), item("A-2"), item("A-3", **{XI + "closeActivityRecord": True})]
    first = submit_items(registry, ACCME_ID, items, BY)
    assert [r.action for r in first] == ["created", "created", "closed"]
    assert all(r.ok and len(r.activity_id) == 9 and r.activity_id.isdigit() for r in first)
    head = any_system.store.head()
    again = submit_items(registry, ACCME_ID, items, BY)
    assert [r.action for r in again] == ["unchanged"] * 3
    assert [r.activity_id for r in again] == [r.activity_id for r in first]
    assert any_system.store.head() == head


def test_invalid_items_are_reported_by_json_path_and_valid_ones_stored(registry):
    items = [
        item("B-1"),
        item("B-2", **{HE + "endDateTime": "2025-02-01"}),
        item("B-3", Lom__general__description="x" * 2501),
        item("B-4", **{HE + "credits": {"numberOfCredits": 1.1}}),
        item("B-5", **{XI + "MOCRegistrations": {"MOCRegistration": [{"boardName": "ABXX"}]}}),
        "not an object",
    ]
    results = submit_items(registry, ACCME_ID, items, BY)
    assert [r.action for r in results] == ["created"] + ["rejected"] * 5
    assert results[1].errors[0]["loc"] == ["healthcareMetadata", "healthcareEducation", "endDateTime"]
    assert results[2].errors[0]["loc"] == ["Lom", "general", "description"]
    assert results[3].errors[0]["loc"] == ["healthcareMetadata", "healthcareEducation", "credits", "numberOfCredits"]
    assert results[4].errors[0]["loc"][:5] == ["XtensibleInfo", "MOCRegistrations", "MOCRegistration", 0, "boardName"]
    assert [a.provider_activity_id for a in registry.list(ACCME_ID)] == ["B-1"]


def test_update_close_correct_and_delete(registry):
    [created] = submit_items(registry, ACCME_ID, [item("C-1")], BY)
    number = created.activity_id
    by_number = item(
        "C-1",
        **{
            "Lom__general__identifier": [{"catalog": "ACCME Activity ID", "entry": number}],
            XI + "activityRecordAction": "Update",
            "Lom__general__title": "New title",
        },
    )
    assert submit_items(registry, ACCME_ID, [by_number], BY)[0].action == "updated"
    closing = item("C-1", **{XI + "closeActivityRecord": True, "Lom__general__title": "New title"})
    assert submit_items(registry, ACCME_ID, [closing], BY)[0].action == "closed"
    fixed = item("C-1", **{XI + "closeActivityRecord": True, "Lom__general__title": "Newer title"})
    assert submit_items(registry, ACCME_ID, [fixed], BY)[0].errors[0]["loc"] == [
        "XtensibleInfo",
        "CorrectionReason",
    ]
    fixed["XtensibleInfo"]["CorrectionReason"] = "title typo"
    assert submit_items(registry, ACCME_ID, [fixed], BY)[0].action == "updated"
    activity = registry.get_by_number(number, ACCME_ID)
    assert activity.corrections == ["title typo"] and activity.closed
    delete = {
        "Lom": {"general": {"identifier": [{"catalog": "Provider Activity ID", "entry": "D-1"}]}},
        "XtensibleInfo": {"activityRecordAction": "Delete"},
    }
    submit_items(registry, ACCME_ID, [item("D-1")], BY)
    assert submit_items(registry, ACCME_ID, [delete], BY)[0].action == "deleted"
    assert submit_items(registry, ACCME_ID, [delete], BY)[0].action == "unchanged"
    assert [a.provider_activity_id for a in registry.list(ACCME_ID)] == ["C-1"]


def test_a_refused_close_leaves_the_activity_as_it_was(registry):
    submit_items(registry, ACCME_ID, [item("E-1", **{XI + "MeasuredOutcomes": []})], BY)
    res = submit_items(
        registry,
        ACCME_ID,
        [item("E-1", **{XI + "MeasuredOutcomes": [], "Lom__general__title": "X", XI + "closeActivityRecord": True})],
        BY,
    )
    assert res[0].action == "rejected" and res[0].errors[0]["loc"] == ["XtensibleInfo", "MeasuredOutcomes"]
    assert registry.list(ACCME_ID)[0].data["title"] == "Cardiology update E-1"


def test_export_then_submit_reports_every_item_unchanged(any_system, registry):
    items = [
        item("F-1"),
        item("F-2", **{HE + "activityFormat": "Internet Live Course", XI + "isInterprofessional ": True}),
        item(
            "F-3",
            **{
                HE + "commercialSupport": True,
                "ActivityDescription": {
                    "commercialSupportAmount": [{"currency": "USD", "supportSource": "Acme", "value": 5000}]
                },
                XI + "InKindSupports": {"InKindSupport": [{"source": "Scope Co"}]},
                XI + "MOCRegistrations": {
                    "MOCRegistration": [
                        {
                            "boardName": "ABIM",
                            "mocPoints": 6.25,
                            "MOCCreditType": ["MK"],
                            "CreditClaimDate": "2025-12-31",
                            "MOCPracticeArea": ["Cardiovascular Disease"],
                        }
                    ]
                },
                XI + "MOCAttestation": True,
                XI + "REMS": {"REMSType": "Opioid Analgesic"},
                XI + "IsMeritBasedIncentivePaymentSystem": True,
                XI + "closeActivityRecord": True,
            },
        ),
    ]
    submit_items(registry, ACCME_ID, items, BY)
    exported = AccmeActivities(registry).export_accme_activities(ACCME_ID)
    assert (
        "isInterprofessional" in exported[1]["XtensibleInfo"]
        and "isInterprofessional " not in exported[1]["XtensibleInfo"]
    )
    assert exported[1]["healthcareMetadata"]["healthcareEducation"]["activityFormat"] == "Course"
    head = any_system.store.head()
    assert [r.action for r in submit_items(registry, ACCME_ID, exported, BY)] == ["unchanged"] * 3
    assert any_system.store.head() == head


def test_a_provider_never_reaches_another_providers_activity(registry):
    [mine] = submit_items(registry, ACCME_ID, [item("G-1")], BY)
    theirs = item(
        "G-1",
        **{
            "Lom__general__identifier": [{"catalog": "ACCME Activity ID", "entry": mine.activity_id}],
            XI + "activityRecordAction": "Update",
        },
    )
    assert submit_items(registry, OTHER_ID, [theirs], BY)[0].action == "rejected"
    assert AccmeActivities(registry).export_accme_activities(OTHER_ID) == []
    # The same provider activity ID at another provider is another activity with another number.
    [other] = submit_items(registry, OTHER_ID, [item("G-1")], BY)
    assert other.activity_id != mine.activity_id


def test_repeat_activity_creates_one_activity_per_instance(registry):
    cmd = RepeatRequest(
        accme_id=ACCME_ID,
        provider_activity_id="R",
        item=item("R"),
        instances=[
            Instance(start_date=date(2025, 4, 1), end_date=date(2025, 4, 1), city="Memphis", state="TN", country="USA"),
            Instance(start_date=date(2025, 5, 1), end_date=date(2025, 5, 2), city="Denver", state="CO", country="USA"),
        ],
    )
    results = submit_repeat(registry, cmd, BY)
    assert [r.action for r in results] == ["created", "created"]
    acts = registry.list(ACCME_ID)
    assert [(a.provider_activity_id, a.data["location"]["city"], a.data["start_date"]) for a in acts] == [
        ("R-1", "Memphis", "2025-04-01"),
        ("R-2", "Denver", "2025-05-01"),
    ]


def test_enduring_counts_by_year_survive_a_resubmission(registry):
    enduring = item(
        "H-1",
        **{
            HE + "activityFormat": "Enduring Material",
            HE + "startDateTime": "2024-05-01",
            HE + "endDateTime": "2026-04-30",
            HE + "activityLocation": None,
            XI + "DeliveryMethods": {"DeliveryMethod": ["Online"]},
        },
    )
    [r] = submit_items(registry, ACCME_ID, [enduring], BY)
    registry.report_enduring_learners(
        ReportEnduringLearners(
            accme_id=ACCME_ID, activity_id=r.activity_id, year=2024, counts={"physician": 400, "other": 20}
        ),
        BY,
    )
    exported = AccmeActivities(registry).export_accme_activities(ACCME_ID)
    assert submit_items(registry, ACCME_ID, exported, BY)[0].action == "unchanged"
    assert registry.get_by_number(r.activity_id).data["learners_by_year"] == {"2024": {"physician": 400, "other": 20}}


def test_numbers_are_claimed_once_system_wide(any_system, registry):
    results = submit_items(registry, ACCME_ID, [item(f"N-{n}") for n in range(30)], BY)
    numbers = [r.activity_id for r in results]
    assert len(set(numbers)) == 30
    assert all(registry.get_by_number(n).provider_activity_id == f"N-{i}" for i, n in enumerate(numbers))
    assert Activity.create_id(ACCME_ID, "N-0") in any_system.store.repository


def test_concurrent_submissions_of_the_same_activities_create_each_once(any_system, registry):
    import threading

    items = [item(f"K-{n}") for n in range(5)]
    results: list = []
    barrier = threading.Barrier(3)

    def submit() -> None:
        barrier.wait()
        results.append(submit_items(registry, ACCME_ID, items, BY))

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    actions = sorted(r.action for batch in results for r in batch)
    assert actions == ["created"] * 5 + ["unchanged"] * 10
    assert len({r.activity_id for batch in results for r in batch}) == 5
    assert len(registry.list(ACCME_ID)) == 5


def test_an_item_refused_by_the_domain_claims_no_activity_number(any_system, registry):
    from domain.activity import ActivityNumber, activity_number_candidate

    # Valid as an activity, but it cannot be closed before its end date: refused after parsing.
    future = item(
        "N-1",
        **{HE + "startDateTime": "2999-01-01", HE + "endDateTime": "2999-01-02", XI + "closeActivityRecord": True},
    )
    [refused] = submit_items(registry, ACCME_ID, [future], BY)
    assert refused.action == "rejected" and refused.errors[0]["loc"] == [
        "healthcareMetadata",
        "healthcareEducation",
        "endDateTime",
    ]
    first_choice = activity_number_candidate(ACCME_ID, "N-1", 0)
    assert ActivityNumber.create_id(first_choice) not in any_system.store.repository
    # The same activity sent again without the close gets the first-choice number.
    [created] = submit_items(
        registry, ACCME_ID, [item("N-1", **{HE + "startDateTime": "2999-01-01", HE + "endDateTime": "2999-01-02"})], BY
    )
    assert created.action == "created" and created.activity_id == first_choice
