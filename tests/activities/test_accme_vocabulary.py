"""The activity web service speaks ACCME's formats where they are explicit: date-times, the required
ActivityDescription, and the learner-category vocabulary (the schema's, plus the OpenAPI's non-physician)."""

from __future__ import annotations

import pytest

from adapters.formats.accme.activity_reading import ItemError, parse_item
from adapters.formats.accme.activity_writing import to_item
from tests.activities.helpers import ACCME_ID, HE, OTHER_ID, XI, item, register

URL = "/accme/activities"


def body(*items):  # type: ignore[no-untyped-def]
    return {"ACCMEActivities": {"MedicalEducationMetrics": list(items)}}


def by_category(*pairs):  # type: ignore[no-untyped-def]
    return {
        "ParticipationMetrics": {
            "participantsByCategory": [{"category": c, "numberOfParticipants": n} for c, n in pairs]
        }
    }


@pytest.fixture
def mine(system, client, token):  # type: ignore[no-untyped-def]
    register(system)
    register(system, OTHER_ID)
    system.projections.wait(system.store.head(), timeout=10)
    return token("provider", provider=ACCME_ID)


def test_dates_are_sent_as_date_times_and_activity_description_always(client, mine):
    assert client.post(URL, json=body(item("V-1")), headers=mine).status_code == 201
    [sent] = client.get(URL, headers=mine).json()["ACCMEActivities"]["MedicalEducationMetrics"]
    he = sent["healthcareMetadata"]["healthcareEducation"]
    assert (he["startDateTime"], he["endDateTime"]) == ("2025-03-01T00:00:00", "2025-03-02T00:00:00")
    assert sent["ReportDescription"] == {"ReportingStartDate": "2025-03-01", "ReportingEndDate": "2025-03-02"}
    assert sent["ActivityDescription"] == {"commercialSupportAmount": []}  # no commercial support, yet present
    # What we send is read back as the same activity: posting it again changes nothing.
    again = client.post(URL, json=body(sent), headers=mine)
    assert [a["action"] for a in again.json()["activities"]] == ["unchanged"]


def test_the_schema_and_openapi_categories_are_accepted_and_the_schemas_sent(client, mine):
    over = by_category(("Physician", 10), ("non-physician", 4), ("nurse", 3), ("other", 1))
    assert client.post(URL, json=body(item("V-2", **over)), headers=mine).status_code == 201
    [sent] = client.get(URL, headers=mine).json()["ACCMEActivities"]["MedicalEducationMetrics"]
    assert sent["ParticipationMetrics"]["participantsByCategory"] == [
        {"category": "physician", "numberOfParticipants": 10},
        {"category": "other", "numberOfParticipants": 5},
        {"category": "nurse", "numberOfParticipants": 3},
    ]


def test_an_unknown_category_is_refused_naming_its_path(client, mine):
    answer = client.post(URL, json=body(item("V-3", **by_category(("physician", 2), ("doctors", 5)))), headers=mine)
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["errors"]] == [
        [
            "body",
            "ACCMEActivities",
            "MedicalEducationMetrics",
            0,
            "ParticipationMetrics",
            "participantsByCategory",
            1,
            "category",
        ]
    ]
    assert client.get(URL, headers=mine).json()["ACCMEActivities"]["MedicalEducationMetrics"] == []


def test_a_rems_identifier_is_sent_only_when_it_has_a_value() -> None:
    for given in ("", "  ", None):
        rems = {"REMSType": "Opioid Analgesic", **({"REMSRelatedIdentifier": given} if given is not None else {})}
        parsed = parse_item(item("V-4", **{XI + "REMS": rems}))
        assert parsed.data["rems"] == {"type": "Opioid Analgesic", "identifier": None}
        assert to_item("123456789", "V-4", parsed.data, ACCME_ID, False)["XtensibleInfo"]["REMS"] == {
            "REMSType": "Opioid Analgesic"
        }
    with_id = parse_item(
        item("V-4", **{XI + "REMS": {"REMSType": "Opioid Analgesic", "REMSRelatedIdentifier": "EG-123456-789"}})
    )
    assert (
        to_item("123456789", "V-4", with_id.data, ACCME_ID, False)["XtensibleInfo"]["REMS"]["REMSRelatedIdentifier"]
        == "EG-123456-789"
    )


def test_stored_non_physician_counts_are_sent_as_other() -> None:
    data = parse_item(item("V-5")).data | {"learners": {"physician": 2, "non-physician": 3}}
    sent = to_item("123456789", "V-5", data, ACCME_ID, False)["ParticipationMetrics"]["participantsByCategory"]
    assert sent == [
        {"category": "physician", "numberOfParticipants": 2},
        {"category": "other", "numberOfParticipants": 3},
    ]


def test_date_only_and_midnight_date_times_read_alike() -> None:
    a = parse_item(item("V-6", **{HE + "startDateTime": "2025-03-01", HE + "endDateTime": "2025-03-02"})).data
    b = parse_item(
        item("V-6", **{HE + "startDateTime": "2025-03-01T00:00:00", HE + "endDateTime": "2025-03-02T00:00:00"})
    ).data
    assert a == b
    with pytest.raises(ItemError):
        parse_item(item("V-6", **by_category(("physicians", 1))))


@pytest.mark.parametrize("catalog", ["Provider Activity ID", "ACCME Activity ID", "URL"])
def test_two_different_identifiers_of_one_catalog_are_refused_not_one_picked(catalog: str) -> None:
    entries = {
        "Provider Activity ID": ("V-7", "V-8"),
        "ACCME Activity ID": ("123456789", "987654321"),
        "URL": ("https://a.org/1", "https://a.org/2"),
    }[catalog]
    identifiers = [
        {"catalog": "Provider Activity ID", "entry": "V-7"},
        *({"catalog": catalog, "entry": e} for e in entries),
    ]
    with pytest.raises(ItemError) as refused:
        parse_item(item("V-7", Lom__general__identifier=identifiers))
    assert refused.value.errors[0]["loc"] == ["Lom", "general", "identifier", 2, "entry"]
    # The same identifier twice is one identifier.
    assert (
        parse_item(item("V-7", Lom__general__identifier=[identifiers[0], identifiers[0]])).provider_activity_id == "V-7"
    )


@pytest.mark.parametrize("value", ["2025-03-01junk", "2025-03-01T99:00:00", "2025-03-01T00:00:00 and more"])
def test_a_date_followed_by_anything_but_a_time_is_refused_not_cut_off(value: str) -> None:
    with pytest.raises(ItemError) as refused:
        parse_item(item("V-9", **{HE + "startDateTime": value}))
    assert refused.value.errors[0]["loc"] == ["healthcareMetadata", "healthcareEducation", "startDateTime"]
    for fine in ("2025-03-01T09:30:00-05:00", "2025-03-01T00:00:00Z", "2025-03-01 09:30:00"):
        assert parse_item(item("V-9", **{HE + "startDateTime": fine})).data["start_date"] == "2025-03-01"


def test_the_correction_form_shows_the_dates_of_a_stored_item() -> None:
    from adapters.web.activity_form.rendering import form_from_item

    sent = to_item("123456789", "V-10", parse_item(item("V-10")).data, ACCME_ID, False)
    form = form_from_item(sent)
    assert (form["start_date"], form["end_date"]) == ("2025-03-01", "2025-03-02")  # what <input type="date"> takes
