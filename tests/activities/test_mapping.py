"""ACCME JSON ↔ activity data: schema quirks accepted, and export → parse is the identity (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.formats.accme.activity_reading import ItemError, parse_item
from adapters.formats.accme.activity_writing import to_item
from domain.activity import BOARDS, DELIVERY_METHODS, FORMATS, OUTCOMES, check_rules, empty_data
from tests.activities.helpers import HE, XI, item

words = (
    st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=30).map(str.strip).filter(bool)
)
quarter = st.integers(0, 400).map(lambda n: n / 4)


@st.composite
def activity_data(draw):  # type: ignore[no-untyped-def]
    fmt = draw(st.sampled_from(FORMATS))
    start = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 1000 if fmt == "Enduring Material" else 360)))
    monetary = draw(
        st.lists(
            st.fixed_dictionaries({"source": words, "amount": st.integers(0, 10**6), "currency": st.just("USD")}),
            max_size=2,
        )
    )
    return {
        **empty_data(),
        "title": draw(words),
        "description": draw(st.text(max_size=50).map(str.strip)),
        "format": fmt,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "location": draw(
            st.none()
            | st.fixed_dictionaries({"city": words, "state": st.sampled_from(["TN", "CA"]), "country": st.just("USA")})
        ),
        "delivery_methods": sorted(draw(st.sets(st.sampled_from(DELIVERY_METHODS)))),
        "credits": draw(st.none() | quarter),
        "sponsorship": draw(st.sampled_from([None, "direct", "joint"])),
        "joint_providers": draw(st.lists(words, max_size=2)),
        "commercial_support": draw(st.none() | st.booleans()),
        "monetary_support": monetary,
        "in_kind_support": draw(st.lists(st.fixed_dictionaries({"source": words}), max_size=2)),
        "learners": draw(st.dictionaries(st.sampled_from(["physician", "nurse", "other"]), st.integers(0, 10**5))),
        "outcomes": sorted(
            draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "outcome": st.sampled_from(OUTCOMES),
                            "measurement_types": st.sets(st.sampled_from(["Objective", "Subjective"])).map(sorted),
                        }
                    ),
                    max_size=3,
                    unique_by=lambda o: o["outcome"],
                )
            ),
            key=lambda o: OUTCOMES.index(o["outcome"]),
        ),
        "commendation_tags": sorted(draw(st.sets(words, max_size=2))),
        "for_public_list": draw(st.none() | st.booleans()),
        "mips": draw(st.none() | st.booleans()),
        "fee": draw(st.sampled_from([None, "Yes", "Variable"])),
        "registration": draw(st.sampled_from([None, "Open to all", "Limited"])),
        "moc": sorted(
            draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "board": st.sampled_from(BOARDS),
                            "points": st.none() | quarter,
                            "credit_types": st.lists(words, max_size=2),
                            "claim_date": st.none() | st.just(end.isoformat()),
                        }
                    ),
                    max_size=2,
                    unique_by=lambda r: r["board"],
                )
            ),
            key=lambda r: BOARDS.index(r["board"]),
        ),
        "rems": draw(
            st.none() | st.fixed_dictionaries({"type": st.just("Mycophenolate"), "identifier": st.none() | words})
        ),
        "interprofessional": draw(st.none() | st.booleans()),
        "state_content_tags": draw(st.lists(st.fixed_dictionaries({"domain": words, "topic": words}), max_size=2)),
    }


@given(activity_data(), st.booleans())
def test_parse_of_an_exported_item_gives_back_the_same_data(data, closed):
    try:
        check_rules(data)
    except ValueError:
        return  # e.g. ABPMR before 2025 is refused before it could ever be exported
    parsed = parse_item(to_item("123456789", "PID-1", data, "0001234", closed))
    assert parsed.data == data
    assert parsed.close is closed and parsed.provider_activity_id == "PID-1" and parsed.activity_number == "123456789"


def test_the_trailing_space_spelling_is_accepted_and_not_emitted():
    parsed = parse_item(item(**{XI + "isInterprofessional ": True}))
    assert parsed.data["interprofessional"] is True
    out = to_item("123456789", "A", parsed.data, "0001234", False)
    assert out["XtensibleInfo"]["isInterprofessional"] is True and "isInterprofessional " not in out["XtensibleInfo"]


def test_participation_metrics_in_either_spelling():
    raw = item()
    raw["participationMetrics"] = raw.pop("ParticipationMetrics")
    assert parse_item(raw).data["learners"] == {"physician": 120, "other": 30}


@pytest.mark.parametrize(
    "over,loc",
    [
        ({"Lom__general__identifier": []}, ["Lom", "general", "identifier"]),
        ({"Lom__general__title": None}, ["Lom", "general", "title"]),
        ({HE + "startDateTime": "March 1st"}, ["healthcareMetadata", "healthcareEducation", "startDateTime"]),
        ({HE + "activitySponsorship": "both"}, ["healthcareMetadata", "healthcareEducation", "activitySponsorship"]),
        ({HE + "activityFormat": "Webinar"}, ["healthcareMetadata", "healthcareEducation", "activityFormat"]),
        ({XI + "activityRecordAction": "Upsert"}, ["XtensibleInfo", "activityRecordAction"]),
        (
            {"Lom__general__identifier": [{"catalog": "ACCME Activity ID", "entry": "12"}]},
            ["Lom", "general", "identifier", 0, "entry"],
        ),
    ],
)
def test_violations_name_their_json_path(over, loc):
    with pytest.raises(ItemError) as err:
        parse_item(item(**over))
    assert err.value.errors[0]["loc"] == loc


def test_fixed_answers_are_refused_in_pars_words_and_the_straight_apostrophe_is_read():
    from adapters.formats.accme.activity_reading import ItemError, parse_item
    from tests.activities.helpers import XI, item

    with pytest.raises(ItemError) as bad:
        parse_item(item("F-1", **{XI + "FeeForParticipation": "No"}))
    assert bad.value.errors == [
        {
            "loc": ["XtensibleInfo", "FeeForParticipation"],
            "msg": "the fee for participation is one of: Yes; No, it’s free; Variable (got 'No')",
        }
    ]
    assert parse_item(item("F-1", **{XI + "FeeForParticipation": "No, it's free"})).data["fee"] == "No, it’s free"


def test_learner_categories_are_the_schemas_and_non_physician_is_other():
    from adapters.formats.accme.activity_reading import ItemError, parse_item
    from tests.activities.helpers import item

    def learners(*categories: tuple[str, int]) -> dict:
        return {
            "ParticipationMetrics": {
                "participantsByCategory": [{"category": c, "numberOfParticipants": n} for c, n in categories]
            }
        }

    assert parse_item(item("L", **learners(("Physician", 5), ("non-physician", 3), ("Nurse", 2)))).data["learners"] == {
        "physician": 5,
        "other": 3,
        "nurse": 2,
    }
    with pytest.raises(ItemError) as bad:  # once stored, "physicians" was counted as other learners
        parse_item(item("L", **learners(("Physicians", 5))))
    assert bad.value.errors[0]["loc"] == ["ParticipationMetrics", "participantsByCategory", 0, "category"]
    assert "got 'Physicians'" in bad.value.errors[0]["msg"]


@pytest.mark.parametrize("value", ["2025-03-01x", "2025-03-01 garbage", "2025-03-01T25:00"])
def test_a_date_with_trailing_text_is_refused_not_cut_to_fit(value):
    from adapters.formats.accme.activity_reading import ItemError, parse_item
    from tests.activities.helpers import item

    with pytest.raises(ItemError) as bad:
        parse_item(item("D", **{HE + "startDateTime": value}))
    assert bad.value.errors[0]["loc"] == ["healthcareMetadata", "healthcareEducation", "startDateTime"]
    assert (
        parse_item(item("D", **{HE + "startDateTime": "2025-03-01T10:30:00-06:00"})).data["start_date"] == "2025-03-01"
    )


def test_a_known_key_misspelt_is_refused_naming_it_not_silently_dropped():
    from adapters.formats.accme.activity_reading import ItemError, parse_item
    from tests.activities.helpers import item

    sent = item("K")
    sent["healthcareMetadata"]["healthcareEducation"]["commercialsupport"] = True  # the answer would be lost
    with pytest.raises(ItemError) as bad:
        parse_item(sent)
    assert bad.value.errors == [
        {
            "loc": ["healthcareMetadata", "healthcareEducation", "commercialsupport"],
            "msg": "'commercialsupport' is not a key of this object; did you mean 'commercialSupport'?",
        }
    ]
    spelled = item("K")  # the draft's own spellings still pass: "isInterprofessional " and participationMetrics
    spelled["XtensibleInfo"]["isInterprofessional "] = True
    spelled["participationMetrics"] = spelled.pop("ParticipationMetrics")
    assert parse_item(spelled).data["interprofessional"] is True


def test_the_credit_type_is_one_of_the_schemas_whatever_its_case():
    from adapters.formats.accme.activity_reading import ItemError, parse_item
    from tests.activities.helpers import item

    def credit(kind: str) -> dict:
        return item("C", **{HE + "credits": {"activityCertification": kind, "numberOfCredits": 2}})

    assert parse_item(credit("ama pra  category 1")).data["certification"] == "AMA PRA Category 1"
    with pytest.raises(ItemError) as bad:  # stored as typed, it was reported beside AMA PRA Category 1 credit
        parse_item(credit("AMA PRA Cat 1"))
    assert bad.value.errors[0]["loc"] == [
        "healthcareMetadata",
        "healthcareEducation",
        "credits",
        "activityCertification",
    ]
    assert bad.value.errors[0]["msg"].startswith("the credit type is one of: AMA PRA Category 1; IPCE")
