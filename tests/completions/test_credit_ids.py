"""Credit IDs never carry personal identifiers: made from the learner_id when a row gives none, and refused
when a provider's own credit ID holds the learner's NPI, licence number or board ID."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from adapters.batch.completion_importer import import_completion_file
from adapters.batch.completion_rows import legacy_row_credit_id
from adapters.bootstrap import System
from commands.completions import ReportCompletion, ReportCompletions
from commands.learners import MatchQuery
from domain.completion import credit_id_discloses, learner_credit_id, require_credit_id
from tests.completions.helpers import BY, NPI, envelope, report, setup

HEADER = "Activity ID\tFirst Name\tLast Name\tBirth Month\tBirth Day\tState of Licensure\tNPI\tCompletion Date\tCME Credits\tCredit ID\n"
URL = "/accme/learner-activities"


def tab_file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def stored_credit_ids(system: System, learner_id: str) -> list[str]:
    system.projections.catch_up(["transcripts"])
    return sorted(r["credit_id"] for r in system.reads.completions.for_learner(learner_id, None, None))


def test_a_row_without_a_credit_id_gets_one_from_the_learner_id_and_a_reupload_changes_nothing(
    any_system: System,
) -> None:
    """Before: `ccid:…:row-<sha256 of name, birth day, NPI>`, which trying every NPI reverses."""
    ids = setup(any_system)
    act = ids["activity"]
    data = tab_file(
        f"{act}\tAna\tGarcía López\t3\t7\tTN\t{NPI}\t03/02/2025\t6\t",
        f"{act}\tBen\tOkafor\t11\t3\tNC\t\t03/01/2025\t2\t",
    )
    first = import_completion_file(any_system.completions, "0004444", data, "c.txt", BY)
    assert first.counts["recorded"] == 2, first.errors
    ana = stored_credit_ids(any_system, ids["ana"])
    assert ana == [learner_credit_id("0004444", act, ids["ana"], date(2025, 3, 2))]
    assert stored_credit_ids(any_system, ids["ben"]) == [
        learner_credit_id("0004444", act, ids["ben"], date(2025, 3, 1))
    ]
    assert NPI not in ana[0] and "row-" not in ana[0]
    again = import_completion_file(any_system.completions, "0004444", data, "c.txt", BY)
    assert again.counts == {"recorded": 0, "unchanged": 2, "deleted": 0, "rejected": 0}


def test_a_file_stored_with_the_old_derived_ids_is_still_recognised(any_system: System) -> None:
    """Completions a file made before keep their (old) credit IDs: uploading it again adds no second completion."""
    ids = setup(any_system)
    act = ids["activity"]
    query = MatchQuery(first_name="Ana", last_name="García López", birth_date="03-07", state="TN", npi=NPI)
    old_id = legacy_row_credit_id("0004444", act, query, date(2025, 3, 2))
    cme = [{"type": "AMA PRA Category 1", "credits": 6.0}]
    [stored] = any_system.completions.handle(
        ReportCompletions(
            accme_id="0004444", reports=[ReportCompletion("add", act, date(2025, 3, 2), query, {old_id: (cme, [])})]
        ),
        BY,
    )
    assert stored.action == "added"
    again = import_completion_file(
        any_system.completions,
        "0004444",
        tab_file(f"{act}\tAna\tGarcía López\t3\t7\tTN\t{NPI}\t03/02/2025\t6\t"),
        "c.txt",
        BY,
    )
    assert again.counts == {"recorded": 0, "unchanged": 1, "deleted": 0, "rejected": 0}, again.errors
    assert stored_credit_ids(any_system, ids["ana"]) == [old_id]


def test_a_credit_id_holding_the_learners_npi_licence_or_board_id_is_refused_naming_credit_id(
    client: TestClient,
    token,
    system: System,  # type: ignore[no-untyped-def]
) -> None:
    ids = setup(system, running=True)
    me = token("provider", provider="0004444")
    bad = [f"ccid:0004444:{ids['activity']}-{NPI}", "ccid:0004444:md-12345-2025", "ccid:0004444:abim.123456"]
    answer = client.post(URL, json=envelope(*(report(ids["activity"], credit_id=c) for c in bad)), headers=me)
    assert answer.status_code == 422
    assert [r["action"] for r in answer.json()["reports"]] == ["rejected"] * 3
    for error in answer.json()["errors"]:
        assert error["loc"][-1] == "CreditID" and "must not contain the learner's NPI" in error["msg"]
    assert stored_credit_ids(system, ids["ana"]) == []
    # The same numbers in another learner's credit IDs are nobody's identifiers there.
    assert (
        client.post(URL, json=envelope(report(ids["activity"], credit_id="ccid:0004444:c1")), headers=me).status_code
        == 201
    )
    # The web form (JSON) and a batch row are refused the same way.
    form = {
        "learner": {"npi": NPI},
        "activity_id": ids["activity"],
        "completion_date": "2025-03-01",
        "credit_id": f"ccid:0004444:{NPI}",
        "cme": [{"credits": 1}],
    }
    refused = client.post("/api/v1/providers/0004444/completions", json=form, headers=me)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", "credit_id"]
    row = f"{ids['activity']}\tAna\tGarcía López\t3\t7\tTN\t\t03/02/2025\t6\tccid:0004444:TN-MD12345"
    batch = import_completion_file(system.completions, "0004444", tab_file(row), "c.txt", BY)
    assert batch.counts["rejected"] == 1 and batch.errors[0]["loc"] == ["Credit ID"]


NPIS = st.from_regex(r"[0-9]{10}", fullmatch=True)
SEPARATORS = st.text(alphabet="-._: /", max_size=2)


@given(
    npi=NPIS,
    prefix=st.from_regex(r"[a-z0-9]{0,8}", fullmatch=True),
    seps=st.lists(SEPARATORS, min_size=10, max_size=10),
    upper=st.booleans(),
)
def test_an_identifier_is_found_however_it_is_spelt_inside_a_credit_id(
    npi: str, prefix: str, seps: list[str], upper: bool
) -> None:
    spelt = "".join(d + s for d, s in zip(npi, seps, strict=True))
    licence = "md" + npi[:6]
    for identifier in (npi, licence):
        inside = f"ccid:0004444:{prefix}-{''.join(c + s for c, s in zip(identifier, seps, strict=False)) if identifier == licence else spelt}"
        assert credit_id_discloses(inside.upper() if upper else inside, [identifier])


@given(
    learner=st.uuids(),
    activity=st.from_regex(r"[0-9]{9}", fullmatch=True),
    day=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_a_credit_id_made_from_the_learner_id_is_valid_and_stable(learner, activity: str, day: date) -> None:  # type: ignore[no-untyped-def]
    made = learner_credit_id("0004444", activity, str(learner), day)
    assert require_credit_id(made) == made == learner_credit_id("0004444", activity, str(learner), day)
    assert str(learner) not in made and learner.hex not in made  # not even the learner_id in clear
    assert made != learner_credit_id("0004444", activity, str(learner), date.fromordinal(day.toordinal() + 1))
