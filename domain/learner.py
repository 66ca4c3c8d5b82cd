"""A learner (physician) of the directory that completions are matched against.

A learner belongs to no provider, so its events carry no `accme_id` (like `ReportingDeadline`):
the history projection copies only events with an `accme_id` into a provider's history, and a
learner's names, birth date and licence numbers must never be copied there. Events carry the
actor and channel as every PARS event does.

Names, birth date, licences, NPI and board IDs are personal data. The event classes list them
in `personal_fields` (field -> value after erasure); the store seals those fields with the
learner's own key (services/personal_data.py), so erasing the key erases them from every
stored event without rewriting one.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event

from domain.base import Acting
from domain.errors import ConflictError, InvalidValueError
from domain.geography import US_STATES

CERTIFYING_BOARDS = ("ABA", "ABIM", "ABOHNS", "ABOS", "ABP", "ABPATH", "ABPMR", "ABS", "ABTS")

#: What an erased personal field reads back as.
ERASED = "[erased]"

MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
NPI_PATTERN = re.compile(r"^\d{10}$")
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{0,39}$")
MAX_NAME = 100


class LearnerErasedError(ConflictError):
    """Raised when changing or erasing a learner whose personal data was already erased."""


def npi_is_valid(npi: str) -> bool:
    """Luhn check over the NPI prefixed with 80840, as the NPI standard (45 CFR 162.406) defines it."""
    if not NPI_PATTERN.match(npi):
        return False
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def require_month_day(value: str, loc: tuple[str, ...]) -> str:
    """An `MM-DD` that some year has (02-29 included)."""
    match = MONTH_DAY.match(value or "")
    if not match:
        raise InvalidValueError(f"month and day of birth must be MM-DD (got {value!r})", loc=loc)
    try:
        date(2000, int(match[1]), int(match[2]))  # 2000 is a leap year
    except ValueError:
        raise InvalidValueError(f"{value} is not a day of the year", loc=loc) from None
    return value


def _name(value: str, loc: tuple[str, ...]) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidValueError("a name is required", loc=loc)
    if len(value) > MAX_NAME:
        raise InvalidValueError(f"a name has at most {MAX_NAME} characters", loc=loc)
    if not any(ch.isalpha() for ch in value):
        raise InvalidValueError(f"{value!r} is not a name", loc=loc)
    return value


def _identifier(value: str, what: str, loc: tuple[str, ...]) -> str:
    value = (value or "").strip()
    if not IDENTIFIER_PATTERN.match(value):
        raise InvalidValueError(
            f"{what} must be 1-40 letters, digits, spaces, '.', '-' or '/' (got {value!r})", loc=loc
        )
    return value


def validate_identity(
    first_name: str,
    last_name: str,
    birth_month_day: str,
    birth_year: int | None,
    licences: list[dict[str, str]],
    npi: str | None,
    board_ids: list[dict[str, str]],
    today: date,
) -> dict[str, Any]:
    """The identity, cleaned; InvalidValueError (with loc) at the first invalid field."""
    clean_licences: list[dict[str, str]] = []
    for i, lic in enumerate(licences):
        state = (lic.get("state") or "").strip().upper()
        if state not in US_STATES:
            raise InvalidValueError(f"{state!r} is not a US state or territory code", loc=("licences", str(i), "state"))
        if any(seen["state"] == state for seen in clean_licences):
            raise InvalidValueError(f"two licences in {state}", loc=("licences", str(i), "state"))
        number = _identifier(lic.get("number", ""), "a licence number", ("licences", str(i), "number"))
        clean_licences.append({"state": state, "number": number})
    clean_boards: list[dict[str, str]] = []
    for i, bid in enumerate(board_ids):
        board = (bid.get("board") or "").strip().upper()
        if board not in CERTIFYING_BOARDS:
            raise InvalidValueError(
                f"{board!r} is not a certifying board ({', '.join(CERTIFYING_BOARDS)})",
                loc=("board_ids", str(i), "board"),
            )
        if any(seen["board"] == board for seen in clean_boards):
            raise InvalidValueError(f"two {board} IDs", loc=("board_ids", str(i), "board"))
        clean_boards.append(
            {"board": board, "id": _identifier(bid.get("id", ""), "a board ID", ("board_ids", str(i), "id"))}
        )
    if npi is not None:
        npi = npi.strip()
        if not npi_is_valid(npi):
            raise InvalidValueError(f"{npi!r} is not a valid NPI (10 digits passing the NPI check digit)", loc=("npi",))
    if birth_year is not None:
        if not 1900 <= birth_year <= today.year:
            raise InvalidValueError(f"birth year {birth_year} is not plausible", loc=("birth_year",))
        month, day = (int(p) for p in birth_month_day.split("-")) if MONTH_DAY.match(birth_month_day or "") else (1, 1)
        try:
            date(birth_year, month, day)
        except ValueError:
            raise InvalidValueError(f"{birth_year}-{birth_month_day} is not a date", loc=("birth_date",)) from None
    identity = {
        "first_name": _name(first_name, ("first_name",)),
        "last_name": _name(last_name, ("last_name",)),
        "birth_month_day": require_month_day(birth_month_day, ("birth_date",)),
        "birth_year": birth_year,
        "licences": clean_licences,
        "npi": npi or None,
        "board_ids": clean_boards,
    }
    if not (clean_licences or npi or clean_boards):
        raise InvalidValueError(
            "a learner needs a state licence, an NPI or a board ID to be matched", loc=("licences",)
        )
    return identity


class Learner(Aggregate):
    """A physician in the learner directory; its stream id is random (see create_id)."""

    class Registered(Aggregate.Created):
        first_name: str
        last_name: str
        birth_month_day: str
        birth_year: int | None
        licences: list[dict[str, str]]
        npi: str | None
        board_ids: list[dict[str, str]]
        actor: str
        channel: str

        personal_fields: ClassVar[dict[str, Any]] = {
            "first_name": ERASED,
            "last_name": ERASED,
            "birth_month_day": ERASED,
            "birth_year": None,
            "licences": [],
            "npi": None,
            "board_ids": [],
        }

    class Erased(Aggregate.Event):
        """The learner's key was destroyed: their personal data is gone from every stored event."""

        actor: str
        channel: str

        erases_personal_data = True

    class LicenceTracked(Aggregate.Event):
        """The physician asked PARS to track a state licence's CME requirements (one per state; a second replaces it)."""

        state: str
        licence_type: str  # MD or DO: picks the state's rule
        number: str
        issued_on: str | None  # YYYY-MM-DD
        birth_month: int | None  # copied from the record: cycles anchored on the birth month need it
        birth_year: int | None
        actor: str
        channel: str

        personal_fields: ClassVar[dict[str, Any]] = {
            "number": ERASED,
            "issued_on": None,
            "birth_month": None,
            "birth_year": None,
        }

    class LicenceUntracked(Aggregate.Event):
        state: str
        actor: str
        channel: str

    class GapAlertsChosen(Aggregate.Event):
        """The physician chose (or stopped) a mail 90 and 30 days before a tracked licence's cycle ends unmet."""

        on: bool
        actor: str
        channel: str

    class GapAlertSent(Aggregate.Event):
        """A gap alert was mailed for one licence, cycle and threshold (so it is never mailed twice)."""

        state: str
        cycle_end: str
        days: int
        actor: str
        channel: str

    @staticmethod
    def create_id() -> uuid.UUID:
        # Random, not uuid5(NPI): an id derived from the NPI would let anyone recover the NPI
        # (a billion candidates) from the stream id, which outlives erasure.
        return uuid.uuid4()

    @classmethod
    def register(
        cls,
        *,
        first_name: str,
        last_name: str,
        birth_month_day: str,
        birth_year: int | None = None,
        licences: list[dict[str, str]] | None = None,
        npi: str | None = None,
        board_ids: list[dict[str, str]] | None = None,
        by: Acting,
        today: date | None = None,
        learner_id: uuid.UUID | None = None,
    ) -> Learner:
        identity = validate_identity(
            first_name,
            last_name,
            birth_month_day,
            birth_year,
            licences or [],
            npi,
            board_ids or [],
            today or date.today(),
        )
        return cls._create(
            cls.Registered,
            id=learner_id or cls.create_id(),
            actor=by.actor,
            channel=str(by.channel),
            **identity,
        )

    @event(Registered)
    def __init__(
        self,
        first_name: str,
        last_name: str,
        birth_month_day: str,
        birth_year: int | None,
        licences: list[dict[str, str]],
        npi: str | None,
        board_ids: list[dict[str, str]],
        actor: str,
        channel: str,
    ) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.birth_month_day = birth_month_day
        self.birth_year = birth_year
        self.licences = list(licences)
        self.npi = npi
        self.board_ids = list(board_ids)
        self.erased = False

    @property
    def learner_id(self) -> str:
        return str(self.id)

    @property
    def tracked(self) -> dict[str, dict[str, Any]]:
        """The licences tracked for CME requirements, by state."""
        return dict(getattr(self, "_tracked", {}))

    def track_licence(self, state: str, licence_type: str, number: str, issued_on: date | None, by: Acting) -> bool:
        """Tracks a state licence (False when it is tracked already as given)."""
        if self.erased:
            raise LearnerErasedError(f"learner {self.id}'s personal data was erased", loc=("learner_id",))
        state = (state or "").strip().upper()
        if state not in US_STATES:
            raise InvalidValueError(f"{state!r} is not a US state or territory code", loc=("state",))
        if licence_type not in ("MD", "DO"):
            raise InvalidValueError(f"the licence type must be MD or DO (got {licence_type!r})", loc=("licence_type",))
        number = _identifier(number, "a licence number", ("number",))
        if issued_on is not None and issued_on.year < 1900:
            raise InvalidValueError(f"{issued_on} is not a plausible issue date", loc=("issued_on",))
        month = int(self.birth_month_day[:2]) if MONTH_DAY.match(self.birth_month_day or "") else None
        issued = issued_on.isoformat() if issued_on else None
        fields: dict[str, Any] = {
            "state": state,
            "licence_type": licence_type,
            "number": number,
            "issued_on": issued,
            "birth_month": month,
            "birth_year": self.birth_year,
        }
        if self.tracked.get(state) == fields:
            return False
        self._track(state, licence_type, number, issued, month, self.birth_year, by.actor, str(by.channel))
        return True

    @event(LicenceTracked)
    def _track(
        self,
        state: str,
        licence_type: str,
        number: str,
        issued_on: str | None,
        birth_month: int | None,
        birth_year: int | None,
        actor: str,
        channel: str,
    ) -> None:
        tracked = self.tracked
        tracked[state] = {
            "state": state,
            "licence_type": licence_type,
            "number": number,
            "issued_on": issued_on,
            "birth_month": birth_month,
            "birth_year": birth_year,
        }
        self._tracked = tracked

    @property
    def gap_alerts(self) -> bool:
        return bool(getattr(self, "_gap_alerts", False))

    def alert_sent(self, state: str, cycle_end: str, days: int) -> bool:
        return f"{state}:{cycle_end}:{days}" in getattr(self, "_alerts_sent", [])

    def choose_gap_alerts(self, on: bool, by: Acting) -> bool:
        if self.erased:
            raise LearnerErasedError(f"learner {self.id}'s personal data was erased", loc=("learner_id",))
        if on == self.gap_alerts:
            return False
        self._choose_alerts(on=on, actor=by.actor, channel=str(by.channel))
        return True

    @event(GapAlertsChosen)
    def _choose_alerts(self, on: bool, actor: str, channel: str) -> None:
        self._gap_alerts = on

    def record_alert(self, state: str, cycle_end: str, days: int, by: Acting) -> None:
        self._record_alert(state=state, cycle_end=cycle_end, days=days, actor=by.actor, channel=str(by.channel))

    @event(GapAlertSent)
    def _record_alert(self, state: str, cycle_end: str, days: int, actor: str, channel: str) -> None:
        self._alerts_sent = [*getattr(self, "_alerts_sent", []), f"{state}:{cycle_end}:{days}"]

    def untrack_licence(self, state: str, by: Acting) -> bool:
        state = (state or "").strip().upper()
        if state not in self.tracked:
            return False
        self._untrack(state=state, actor=by.actor, channel=str(by.channel))
        return True

    @event(LicenceUntracked)
    def _untrack(self, state: str, actor: str, channel: str) -> None:
        tracked = self.tracked
        tracked.pop(state, None)
        self._tracked = tracked

    def erase(self, by: Acting) -> None:
        if self.erased:
            raise LearnerErasedError(f"learner {self.id}'s personal data was already erased", loc=("learner_id",))
        self._erase(actor=by.actor, channel=str(by.channel))

    @event(Erased)
    def _erase(self, actor: str, channel: str) -> None:
        for name, value in Learner.Registered.personal_fields.items():
            setattr(self, name, value.copy() if isinstance(value, (list, dict)) else value)
        self.erased = True
        self._tracked = {}
        self._gap_alerts = False

    def public(self) -> dict[str, Any]:
        """The learner as the learner themself (or an accreditor) sees it."""
        birth_date = (
            f"{self.birth_year:04d}-{self.birth_month_day}"
            if self.birth_year and not self.erased
            else self.birth_month_day
        )
        return {
            "learner_id": self.learner_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": birth_date,
            "npi": self.npi,
            "licences": self.licences,
            "board_ids": self.board_ids,
            "erased": self.erased,
        }


_NOT_LOWER_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=1 << 16)  # a batch folds the same first names over and over
def fold_name(value: str) -> str:
    """A name as matching compares it: case, accents, hyphens, apostrophes and spacing left out.

    NFKD splits "é" into "e" + a combining accent, which is dropped; every other character
    that is not a letter or digit (spaces, hyphens, apostrophes, periods) is dropped too.
    Letters themselves are never changed or dropped, so different spellings stay different.
    """
    if value and value.isascii():  # NFKD leaves ASCII as it is: the same result without a pass per character
        return _NOT_LOWER_ALNUM.sub("", value.lower())
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def name_key(first_name: str, last_name: str) -> str:
    return f"{fold_name(first_name)}|{fold_name(last_name)}"


_NOT_UPPER_ALNUM = re.compile(r"[^A-Z0-9]")


def identifier_key(value: str) -> str:
    """A licence number or board ID as matching compares it: case, spaces, '-', '.', '/' left out."""
    if value and value.isascii():  # the same result in one regex pass, not a pass per character (matching's hot path)
        return _NOT_UPPER_ALNUM.sub("", value.upper())
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def month_day_key(month_day: str) -> str:
    """ "03-07" -> "0307"."""
    return month_day.replace("-", "")
