"""The provider's completion form takes the learner's REMS fields (profession, state of primary practice, DEA
registration, practice area, surgical procedures, time in practice) for a REMS-registered activity: recorded as
typed, in their canonical spelling, counted by the REMS report; a bad one is said beside its field, and they are
refused for an activity not registered for REMS."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.formats.accme.activities import submit_items
from tests.activities.helpers import ACCME_ID, XI, item
from tests.activities.test_rems import OA
from tests.completions.helpers import BY, NPI
from tests.web.helpers import post_form
from tests.web.test_provider_pages import P, provider_pages  # noqa: F401  (the signed-in provider's client)
from tests.web.test_sign_in_pages import errors_beside

FORM = f"{P}/completions/new"
REMS = {
    "rems_profession": "Advanced practice nurse",
    "rems_state": "TN",
    "rems_dea": "Individual",
    "rems_practice_area": "Pain",
    "rems_surgical": "no",
    "rems_time_in_practice": "6-10 years",
}


@pytest.fixture
def opioid(provider_pages, web_system) -> str:  # type: ignore[no-untyped-def]  # noqa: F811
    [made] = submit_items(web_system.activities, ACCME_ID, [item("R-1", **{XI + "REMS": OA})], BY)
    web_system.projections.wait(web_system.store.head())
    return str(made.activity_id)


def fields(activity_id: str, credit_id: str = "ccid:0004444:rf1", **over: str) -> dict[str, str]:
    return {
        "npi": NPI,
        "activity_id": activity_id,
        "completion_date": "2025-03-02",
        "credits": "1",
        "credit_id": credit_id,
        **over,
    }


def test_the_form_offers_the_rems_fields(provider_pages, opioid) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = provider_pages.get(FORM).text
    assert "REMS learner fields" in page and 'name="rems_profession"' in page and 'name="rems_surgical"' in page
    assert ">Advanced practice nurse<" in page and ">Hospice and/or Palliative Care<" in page


def test_the_rems_fields_are_recorded_and_counted(provider_pages, web_system, opioid) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    answer = post_form(provider_pages, FORM, FORM, fields(opioid, **REMS))
    assert answer.status_code == 303, errors_beside(answer.text)
    completion = web_system.completions.get(provider_pages.ids["ana"], opioid, "ccid:0004444:rf1")
    assert completion.rems == {
        "local_id": None,
        "profession": "Advanced practice nurse",
        "state": "Tennessee",
        "dea": "Individual",
        "practice_area": "Pain",
        "surgical": False,
        "time_in_practice": "6-10 years",
    }
    web_system.projections.wait(web_system.store.head())
    report: dict[str, Any] = web_system.queries.oversight.rems(2025, None, provider=ACCME_ID)
    [row] = [a for a in report["activities"] if a["activity_id"] == opioid]
    assert row["participants"]["by_profession"] == {"Advanced practice nurse": 1}
    assert row["participants"]["registered_prescribers"] == 1
    assert row["participants"]["by_practice_type"] == {"Pain specialist": 1}


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"rems_dea": "Individual"}, "rems_profession", "profession is required"),
        ({**REMS, "rems_state": "Atlantis"}, "rems_state", "US state or territory"),
        ({**REMS, "rems_surgical": "maybe"}, "rems_surgical", "true or false"),
    ],
)
def test_a_bad_rems_field_is_said_beside_it(provider_pages, web_system, opioid, over, field, words) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    head = web_system.store.head()
    answer = post_form(provider_pages, FORM, FORM, fields(opioid, **over))
    assert answer.status_code == 422 and words in errors_beside(answer.text)[field], errors_beside(answer.text)
    assert web_system.store.head() == head


def test_the_rems_fields_are_refused_for_an_activity_not_registered_for_rems(provider_pages, web_system) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    head = web_system.store.head()
    answer = post_form(provider_pages, FORM, FORM, fields(provider_pages.ids["activity"], **REMS))
    assert answer.status_code in (409, 422)
    assert "not registered for REMS" in errors_beside(answer.text)["rems_profession"], errors_beside(answer.text)
    assert web_system.store.head() == head
