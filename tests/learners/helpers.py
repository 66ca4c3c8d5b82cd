"""Shared helpers for the learner tests: valid NPIs, commands, and raw stored rows."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import text

from adapters.bootstrap import System
from commands.learners import BoardId, Licence, RegisterLearner
from domain.base import Acting, Channel

BY = Acting("cli:test", Channel.CLI)


def npi_with_check_digit(first_nine: str) -> str:
    """A valid NPI from 9 digits: the Luhn check digit over 80840 + the nine."""
    digits = [int(d) for d in "80840" + first_nine]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return first_nine + str((10 - total % 10) % 10)


#: Ana's NPI, as the learner reports name her.
NPI = npi_with_check_digit("123456789")


def ana_and_ben() -> list[RegisterLearner]:
    """Ana (TN licence, NPI, ABIM ID: the learner `report` names) and Ben (NC licence)."""
    return [
        register(
            "Ana",
            "García-López",
            "03-07",
            licences={"TN": "MD12345"},
            npi=NPI,
            boards={"ABIM": "123456"},
            year=1972,
        ),
        register("Ben", "Okafor", "11-03", licences={"NC": "2009-01234"}),
    ]


def register(
    first: str,
    last: str,
    md: str,
    *,
    licences: dict[str, str] | None = None,
    npi: str | None = None,
    boards: dict[str, str] | None = None,
    year: int | None = None,
) -> RegisterLearner:
    return RegisterLearner(
        first_name=first,
        last_name=last,
        birth_month_day=md,
        birth_year=year,
        licences=tuple(Licence(state=s, number=n) for s, n in (licences or {}).items()),
        npi=npi,
        board_ids=tuple(BoardId(board=b, id=i) for b, i in (boards or {}).items()),
    )


def raw_events(system: System) -> list[dict[str, Any]]:
    """Every stored event row as the database holds it (no mapper, no decryption)."""
    table = "stored_events" if system.db.url.is_sqlite else "pars_events"
    with system.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT originator_id, originator_version, topic, state FROM {table} ORDER BY originator_id, originator_version"
            )
        )
        return [
            {
                "id": str(UUID(str(r.originator_id))),
                "version": r.originator_version,
                "topic": r.topic,
                "state": bytes(r.state),
            }
            for r in rows
        ]
