"""`pars import learners FILE.csv` on both backends: one JSON object per learner, row errors, no duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import adapters.cli.main as cli
import adapters.cli.system as cli_system
from tests.conftest import make_system
from tests.learners.helpers import npi_with_check_digit

HEADER = "first_name,last_name,birth_date,npi,licenses,board_ids\n"


@pytest.fixture
def url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(cli_system, "bootstrap", lambda *_: make_system(database_url))
    return database_url


def run(path: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli.app, ["import", "learners", str(path)])


def lines(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_loads_reports_bad_rows_and_reimports_without_duplicates(tmp_path: Path, url: str) -> None:
    npi = npi_with_check_digit("123456789")
    path = tmp_path / "learners.csv"
    path.write_text(
        HEADER
        + f"Ana,García,1972-02-29,{npi},TN:MD12345;NC:2009-01234,ABIM:123456;ABP:998877\n"
        + "Ben,O'Neil,11-03,,CA:A100,\n"
        + "Bad,Npi,01-01,1234567890,TN:X1,\n"
        + "Bad,Date,1971-02-29,,TN:X2,\n"
        + "Bad,Licence,01-02,,TN,\n"
        + "Bad,Board,01-02,,,XYZ:1\n"
        + f"ana,GARCIA,02-29,{npi},,\n",
        encoding="utf-8",
    )
    first = run(path)
    assert first.exit_code == 1, first.output
    out = lines(first.stdout)
    assert [(o["row"], o["status"]) for o in out] == [(2, "created"), (3, "created"), (8, "existing")]
    assert out[2]["learner_id"] == out[0]["learner_id"]
    assert "row 4, npi:" in first.stderr and "row 5, birth_date:" in first.stderr
    assert "row 6, licenses:" in first.stderr and "row 7, board_ids:" in first.stderr

    again = run(path)
    assert [(o["row"], o["status"], o["learner_id"]) for o in lines(again.stdout)] == [
        (2, "existing", out[0]["learner_id"]),
        (3, "existing", out[1]["learner_id"]),
        (8, "existing", out[0]["learner_id"]),
    ]
    system = make_system(url)
    try:
        system.projections.catch_up()
        assert system.learners.counts()["listed"] == 2
    finally:
        system.close()


def test_missing_columns_exit_1(tmp_path: Path, url: str) -> None:
    path = tmp_path / "learners.csv"
    path.write_text("first_name,last_name\nAna,García\n", encoding="utf-8")
    result = run(path)
    assert result.exit_code == 1 and "missing column(s) birth_date" in result.stderr


def test_thousands_of_learners_in_chunks_then_matched(tmp_path: Path, url: str) -> None:
    rows = [
        f"First{i},Last{i},{1 + i % 12:02d}-{1 + i % 28:02d},{npi_with_check_digit(f'{100000000 + i}')},TN:T{i},ABIM:{500000 + i}"
        for i in range(1200)
    ]
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = run(path)
    assert result.exit_code == 0, result.stderr
    ids = [o["learner_id"] for o in lines(result.stdout)]
    assert len(ids) == len(set(ids)) == 1200
    system = make_system(url)
    try:
        system.projections.catch_up()
        from commands.learners import MatchQuery

        results = system.matcher.match_many(
            [
                MatchQuery(
                    first_name=f"first{i}",
                    last_name=f"LAST {i}",
                    birth_date=f"{1 + i % 12:02d}-{1 + i % 28:02d}",
                    state="TN",
                )
                for i in range(1200)
            ]
            + [MatchQuery(board="ABIM", board_id=str(500007))]
        )
        assert [r.learner_id for r in results] == ids + [ids[7]]
    finally:
        system.close()
