"""Importing completion files into the store: valid rows stored, invalid rows named, re-uploads change nothing."""

from __future__ import annotations

import json

import pytest

from adapters.batch.completion_files import render
from adapters.batch.completion_importer import import_completion_file
from adapters.batch.records import BatchFormatError
from adapters.bootstrap import System
from adapters.formats.accme.learner_reports import parse_report
from commands.learners import EraseLearner
from tests.completions.helpers import BY, envelope, report, setup

HEADER = "Activity ID\tFirst Name\tLast Name\tBirth Month\tBirth Day\tState of Licensure\tCompletion Date\tCME Credits\tABIM MOC Points\tAction\n"


def tab_file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_tab_file_stores_valid_rows_names_invalid_ones_and_is_idempotent(any_system: System) -> None:
    ids = setup(any_system)
    act = ids["activity"]
    data = tab_file(
        f"{act}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t2.5\t\tAdd",
        f"{act}\tBEN\tokafor\t11\t4\tNC\t03/02/2025\t2\t\tAdd",  # birth date differs
        f"{act}\tAna\tGarcía López\t3\t7\tTN\t03/02/2025\t6\t6\t",
        f"{ids['other_activity']}\tAna\tGarcia-Lopez\t3\t7\tTN\t03/02/2025\t1\t\t",  # another provider's activity
        f"{act}\tAna\t\t3\t7\tTN\t2025-02-30\t1.1\t\tUpdate",  # four errors in one row
    )
    report_ = import_completion_file(any_system.completions, "0004444", data, "completions.txt", BY)
    assert report_.format == "tab" and report_.total == 5
    assert report_.counts == {"recorded": 2, "unchanged": 0, "deleted": 0, "rejected": 3}
    errors = [(e["row"], e["loc"], e["msg"]) for e in report_.errors]
    assert errors[0][:2] == (3, ["Last Name"]) and "no_match" in errors[0][2]  # which identifier differs is not said
    assert errors[1][:2] == (5, ["Activity ID"]) and "not an activity of provider 0004444" in errors[1][2]
    assert {(row, loc[0]) for row, loc, _ in errors[2:]} == {
        (6, "Action"),
        (6, "Last Name"),
        (6, "Completion Date"),
        (6, "CME Credits"),
    }
    assert any_system.reads.completions.count("0004444") == 0  # not projected yet; the store has them:
    any_system.projections.catch_up(["transcripts"])
    assert any_system.reads.completions.count("0004444") == 2
    head = any_system.store.head()
    again = import_completion_file(any_system.completions, "0004444", data, "completions.txt", BY)
    assert again.counts == {"recorded": 0, "unchanged": 2, "deleted": 0, "rejected": 3}
    assert any_system.store.head() == head


def test_a_learner_erased_during_an_import_is_not_matched_from_the_next_chunk_on(any_system: System) -> None:
    ids = setup(any_system)
    row = f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/0{{}}/2025\t1\t\tAdd"
    data = tab_file(row.format(1), row.format(2), row.format(2))  # two chunks of one record, then a third

    def erase_after_the_first_chunk(done: int, total: int) -> None:
        if done == 1:
            any_system.learners.handle(EraseLearner(learner_id=ids["ben"]), BY)
            any_system.projections.catch_up(["learner_directory"])

    report_ = import_completion_file(
        any_system.completions, "0004444", data, None, BY, progress=erase_after_the_first_chunk, chunk_size=1
    )
    assert report_.counts == {"recorded": 1, "unchanged": 0, "deleted": 0, "rejected": 2}
    assert [(e["row"], "no_match" in e["msg"]) for e in report_.errors] == [(3, True), (4, True)]


def test_a_delete_row_deletes_and_the_same_row_again_changes_nothing(system: System) -> None:
    ids = setup(system)
    add = tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t2.5\t\tAdd")
    delete = tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t\t\tDelete")
    assert import_completion_file(system.completions, "0004444", add, None, BY).counts["recorded"] == 1
    assert import_completion_file(system.completions, "0004444", delete, None, BY).counts["deleted"] == 1
    assert import_completion_file(system.completions, "0004444", delete, None, BY).counts["unchanged"] == 1
    assert (
        import_completion_file(system.completions, "0004444", add, None, BY).counts["recorded"] == 1
    )  # resubmitted after deletion


def test_json_and_excel_files_are_imported_and_name_json_paths(system: System) -> None:
    ids = setup(system)
    good = report(ids["activity"])
    bad = report(ids["activity"], credit_id="ccid:0004444:c2", Activity__Module__CompletedDateTime="2025-04-09")
    data = json.dumps(envelope(good, bad)).encode()
    result = import_completion_file(system.completions, "0004444", data, "learners.json", BY)
    assert result.format == "json" and result.counts["recorded"] == 1 and result.counts["rejected"] == 1
    [error] = result.errors
    assert error["row"] == 2 and error["loc"] == [
        "ACCMELearnerReports",
        "ActivityReports",
        "ActivityReport",
        1,
        "Activity",
        "Module",
        "CompletedDateTime",
    ]
    # The same completion as an Excel row is the same record: unchanged.
    xlsx = render("xlsx", [parse_report(good)], "0004444")
    assert import_completion_file(system.completions, "0004444", xlsx, "c.xlsx", BY).counts == {
        "recorded": 0,
        "unchanged": 1,
        "deleted": 0,
        "rejected": 0,
    }


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", None, "empty"),
        (b'{"ACCMEActivities": {"MedicalEducationMetrics": []}}', "a.json", "activity file"),
        (b"{not json", None, "not well-formed"),
        (b'{"something": 1}', None, "not ACCME learner reports"),
        (b"Activity ID,First Name\n1,2\n", None, "comma-separated"),
        (b"<ACCMELearnerReports/>", None, "XML"),
        (HEADER.encode(), "c.xlsx", "named as an Excel workbook"),
        (b"Provider Activity ID\tActivity Title\tFirst Name\n", None, "activity file"),
        (b"PK\x03\x04broken", None, "damaged"),
        (b"Activity ID\tFirst Name\tLast Name\n", None, "Completion Date"),
    ],
)
def test_a_file_that_is_not_a_completion_file_is_refused_whole(
    system: System, data: bytes, name: str | None, words: str
) -> None:
    with pytest.raises(BatchFormatError) as caught:
        import_completion_file(system.completions, "0004444", data, name, BY)
    assert words in caught.value.message or any(words in e["msg"] for e in caught.value.errors)
