"""Commands of the learner directory, and the identifiers by which a command names a learner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from commands.base import Command
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS, require_month_day


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


LearnerCommand = RegisterLearner | EraseLearner


@dataclass(frozen=True)
class MatchQuery:
    """The identifiers a provider has for one learner (any complete set of them)."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: str | None = None  # MM-DD or YYYY-MM-DD (only month and day are compared)
    state: str | None = None
    licence_number: str | None = None
    npi: str | None = None
    board: str | None = None
    board_id: str | None = None

    def month_day(self, loc: tuple[str, ...] = ("birth_date",)) -> str | None:
        if not self.birth_date:
            return None
        value = self.birth_date.strip()
        return require_month_day(value[5:] if len(value) == 10 else value, loc)

    def validate(self, loc: tuple[str, ...] = ()) -> None:
        """InvalidValueError unless the record has NPI, board + board ID, or name + birth date + state."""
        self.month_day(loc + ("birth_date",))
        if self.state and self.state.upper() not in US_STATES:
            raise InvalidValueError(f"{self.state!r} is not a US state or territory code", loc=loc + ("state",))
        if self.board and self.board.upper() not in CERTIFYING_BOARDS:
            raise InvalidValueError(
                f"{self.board!r} is not a certifying board ({', '.join(CERTIFYING_BOARDS)})", loc=loc + ("board",)
            )
        if self.licence_number and not self.state:
            raise InvalidValueError("a licence number needs its state", loc=loc + ("state",))
        if not (self.npi or (self.board and self.board_id) or self.has_identity):
            raise InvalidValueError(
                "give an NPI, a board and board ID, or first name, last name, birth date (MM-DD) and state of licensure",
                loc=loc,
            )

    @classmethod
    def from_unique_ids(
        cls, first_name: str | None, last_name: str | None, birth_date: str | None, unique_ids: Sequence[dict[str, str]]
    ) -> MatchQuery:
        """A query from ACCME learner-reports identifiers: `UniqueID{value, domain}` where domain is
        NPI, a board code (ABIM, ABA, ...) or a state code (licence number in that state)."""
        fields: dict[str, str] = {}
        for uid in unique_ids:
            domain, value = (uid.get("domain") or "").strip().upper(), (uid.get("value") or "").strip()
            if domain == "NPI":
                fields.setdefault("npi", value)
            elif domain in CERTIFYING_BOARDS:
                fields.setdefault("board", domain)
                fields.setdefault("board_id", value)
            elif domain in US_STATES:
                fields.setdefault("state", domain)
                fields.setdefault("licence_number", value)
        return cls(first_name=first_name, last_name=last_name, birth_date=birth_date, **fields)

    def given(self) -> str:
        """The kinds of identifier given ("name, birth date and NPI"): all a reply may say about the query."""
        kinds = [
            label
            for label, present in (
                ("name", self.first_name or self.last_name),
                ("birth date", self.birth_date),
                ("state of licensure", self.state),
                ("licence number", self.licence_number),
                ("NPI", self.npi),
                ("board ID", self.board or self.board_id),
            )
            if present
        ]
        return ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else (kinds[0] if kinds else "identifiers")

    @property
    def has_name(self) -> bool:
        return bool(self.first_name and self.last_name)

    @property
    def has_identity(self) -> bool:
        return bool(self.has_name and self.birth_date and self.state)
