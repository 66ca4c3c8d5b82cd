"""Commands of the learner directory."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from commands.base import Command


class Licence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    state: str
    number: str


class BoardId(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    board: str
    id: str


class RegisterLearner(Command):
    """Adds a physician to the learner directory (a no-op when the same physician is already there)."""

    first_name: str
    last_name: str
    birth_month_day: str  # MM-DD
    birth_year: int | None = None
    licences: tuple[Licence, ...] = ()
    npi: str | None = None
    board_ids: tuple[BoardId, ...] = ()


class EraseLearner(Command):
    """Erases a learner's personal data (names, birth date, licences, NPI, board IDs) for good."""

    learner_id: str
