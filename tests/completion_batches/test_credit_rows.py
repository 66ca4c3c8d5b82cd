"""Tab-delimited and Excel rows follow the learner reports' credit rules: MOC points that name no board are the
row's Certifying Board's, or refused by column; cells in other scripts' digits are refused, never a crash."""

from __future__ import annotations

import pytest

from adapters.batch.completion_files import parse_rows, read_completion_file
from adapters.batch.completion_rows import COLUMNS, row_to_record

BASE = {
    "Activity ID": "123456789",
    "First Name": "Ana",
    "Last Name": "Garcia",
    "Board ID": "123456",
    "Completion Date": "03/02/2025",
    "Credit ID": "ccid:0004444:r1",
}


def test_moc_points_are_the_rows_certifying_boards() -> None:
    record = row_to_record({**BASE, "Certifying Board": "ABIM", "MOC Points": "1"}, 2, "0004444")
    assert record.ok, record.errors
    assert record.report.credits == {"ccid:0004444:r1": ([], [{"board": "ABIM", "type": "ABIM MOC", "credits": 1.0}])}


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ({"NPI": "1234567893", "Board ID": None, "MOC Points": "1"}, "name no board"),
        ({"Certifying Board": "ABIM", "MOC Points": "1", "ABIM MOC Points": "1"}, "given twice"),
    ],
)
def test_moc_points_without_one_board_are_refused_on_their_column(cells, words) -> None:  # type: ignore[no-untyped-def]
    record = row_to_record({**BASE, **cells}, 2, "0004444")
    assert not record.ok and any(e["loc"] == ["MOC Points"] and words in e["msg"] for e in record.errors), record.errors


def test_a_tab_file_with_a_moc_points_column_is_read_like_the_learner_reports() -> None:
    header = [
        "Activity ID",
        "First Name",
        "Last Name",
        "Certifying Board",
        "Board ID",
        "Completion Date",
        "MOC Points",
        "Credit ID",
    ]
    row = ["123456789", "Ana", "Garcia", "ABIM", "123456", "03/02/2025", "1.5", "ccid:0004444:r1"]
    data = ("\t".join(header) + "\r\n" + "\t".join(row) + "\r\n").encode()
    fmt, [record] = read_completion_file(data, "completions.txt", "0004444")
    assert fmt == "tab" and record.ok, record.errors
    assert record.report.credits["ccid:0004444:r1"][1] == [{"board": "ABIM", "type": "ABIM MOC", "credits": 1.5}]


@pytest.mark.parametrize(
    ("column", "value"), [("Birth Month", "²"), ("Activity ID", "١٢٣٤٥٦٧٨٩"), ("NPI", "١٢٣٤٥٦٧٨٩٣")]
)
def test_digits_of_other_scripts_are_refused_on_their_column(column, value) -> None:  # type: ignore[no-untyped-def]
    record = row_to_record(
        {**BASE, "Certifying Board": "ABIM", "CME Credits": "1", "Birth Month": "3", "Birth Day": "7", column: value},
        2,
        "0004444",
    )
    assert not record.ok and [e["loc"] for e in record.errors] == [[column]], record.errors


def test_the_header_still_lists_each_boards_column() -> None:
    assert "MOC Points" not in COLUMNS  # read, never written: the template names each board
    assert parse_rows([list(COLUMNS)], "0004444") == []


def test_a_json_file_follows_the_learner_reports_credit_rules(any_system) -> None:  # type: ignore[no-untyped-def]
    import json

    from adapters.batch.completion_importer import import_completion_file
    from tests.completions.helpers import BY, envelope, report, setup

    ids = setup(any_system)
    moc = {
        "UniqueID": [{"value": "123456", "domain": "ABIM"}],
        "CreditID": "ccid:0004444:j1",
        "CreditReceived": {"activityCertification": "MOC", "creditUnit": "Point", "numberOfCredits": 2.0},
    }
    unknown = {**moc, "UniqueID": [{"value": "MD12345", "domain": "TN"}], "CreditID": "ccid:0004444:j2"}
    reports = [report(ids["activity"], Activity__Module__CreditCertificate=[c]) for c in (moc, unknown)]
    answer = import_completion_file(
        any_system.completions, "0004444", json.dumps(envelope(*reports)).encode(), "learners.json", BY
    )
    assert answer.counts == {"recorded": 1, "unchanged": 0, "deleted": 0, "rejected": 1}
    [error] = answer.errors
    assert error["row"] == 2 and error["loc"] == [
        "ACCMELearnerReports",
        "ActivityReports",
        "ActivityReport",
        1,
        "Activity",
        "Module",
        "CreditCertificate",
        0,
        "CreditReceived",
        "activityCertification",
    ]
    assert "no certifying board" in error["msg"]
    assert any_system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:j1").moc == [
        {"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}
    ]


def test_the_cli_import_follows_the_same_rules(tmp_path, sqlite_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    import adapters.cli.main as cli
    import adapters.cli.system as cli_system
    from tests.completion_batches.test_cli import _today
    from tests.completions.helpers import setup
    from tests.conftest import make_system

    system = make_system(sqlite_url)
    ids = setup(system)
    system.close()
    monkeypatch.setattr(cli_system, "bootstrap", lambda *_: _today(make_system(sqlite_url)))
    header = [
        "Activity ID",
        "First Name",
        "Last Name",
        "Certifying Board",
        "Board ID",
        "NPI",
        "Completion Date",
        "MOC Points",
        "Credit ID",
    ]
    rows = [
        [ids["activity"], "Ana", "Garcia Lopez", "ABIM", "123456", "", "03/02/2025", "2", "ccid:0004444:k1"],
        [
            ids["activity"],
            "Ana",
            "Garcia Lopez",
            "",
            "",
            "1234567893",
            "03/02/2025",
            "2",
            "ccid:0004444:k2",
        ],  # points of no board
    ]
    path = tmp_path / "completions.txt"
    path.write_text("\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n")
    answer = CliRunner().invoke(cli.app, ["import", "completions", str(path), "--provider", "0004444"])
    assert answer.exit_code == 1, answer.output
    out = json.loads(answer.stdout)
    assert out["counts"]["recorded"] == 1 and out["counts"]["rejected"] == 1
    assert [(e["row"], e["loc"]) for e in out["errors"]] == [(3, ["MOC Points"])] and "name no board" in out["errors"][
        0
    ]["msg"]
    again = make_system(sqlite_url)
    try:
        assert again.completions.get(ids["ana"], ids["activity"], "ccid:0004444:k1").moc == [
            {"board": "ABIM", "type": "ABIM MOC", "credits": 2.0}
        ]
    finally:
        again.close()


@pytest.mark.parametrize(
    ("cell", "ok"),
    [
        ("03/02/2025", True),
        ("03/02/2025 14:30", True),
        ("2025-03-02T00:00:00Z", True),
        ("03/02/2025 2:30 PM", True),
        ("03/02/2025 or 03/09", False),
        ("2025-03-02T", False),
        ("2025-03-02Tnoon", False),
    ],
)
def test_a_date_cell_may_carry_a_time_and_nothing_else(cell, ok) -> None:  # type: ignore[no-untyped-def]
    record = row_to_record(
        {**BASE, "Certifying Board": "ABIM", "CME Credits": "1", "Completion Date": cell}, 2, "0004444"
    )
    assert record.ok is ok, record.errors
    assert ok or [e["loc"] for e in record.errors] == [["Completion Date"]]
