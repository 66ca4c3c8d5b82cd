"""An ACCME learner report whose UniqueID value or domain is not text is refused naming the UniqueID, never a
500 (found by fuzzing the learner web service: `.strip()` on a number or a list)."""

from __future__ import annotations

import pytest

from adapters.bootstrap import System
from tests.completions.helpers import envelope, report, setup
from tests.http.helpers import assert_problem

UID = [
    "body",
    "ACCMELearnerReports",
    "ActivityReports",
    "ActivityReport",
    0,
    "Activity",
    "Module",
    "CreditCertificate",
    0,
    "UniqueID",
]


@pytest.mark.parametrize("field", ["domain", "value"])
@pytest.mark.parametrize("value", [5, 11217969204, [True], {"": 1.5}, "   "])
def test_a_unique_id_that_is_not_text_is_refused_by_name(client, token, system: System, field, value) -> None:  # type: ignore[no-untyped-def]
    ids = setup(system, running=True)
    bad = report(ids["activity"])
    bad["Activity"]["Module"]["CreditCertificate"][0]["UniqueID"][0][field] = value
    head = system.store.head()
    r = client.post("/accme/learner-activities", json=envelope(bad), headers=token("provider", provider="0004444"))
    body = assert_problem(r, 422)
    assert body["errors"][0]["loc"] == UID
    assert system.store.head() == head
