"""A learner's completion of an activity: the credit one provider reports for one physician.

One aggregate per (learner, activity, credit ID); its id is uuid5 of the three, so resubmitting
the same completion finds the same stream (a no-op when nothing differs). Records are never
edited: a provider deletes a completion and resubmits it (`Deleted`, then `Resubmitted`).

Completion events carry no personal data: the learner is named by `learner_id` only (names,
birth dates and licences live in the Learner's sealed events), so erasing a learner leaves
their completions countable but identifying no one.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import event

from domain.activity import Activity
from domain.base import Acting, ParsAggregate, require_accme_id
from domain.credit_types import CME_CERTIFICATION  # noqa: F401  (where the completion's users have found it)
from domain.errors import ConflictError, InvalidValueError, NotFoundError

COMPLETION_NAMESPACE = uuid.UUID("3c1e9b5a-7f42-4c0d-a8e6-51d2b9e0c7f4")
CREDIT_ID_MAX = 300
#: Completions reported more than this many days after the completion date are flagged late.
LATE_AFTER_DAYS = 30


class CompletionRuleError(InvalidValueError):
    """Base of the rules a reported completion must obey."""


class CompletionOutsideWindowError(CompletionRuleError):
    """The completion date is outside the reporting window (this year; last year until 31 March)."""


class CompletionOutsideActivityError(CompletionRuleError):
    """The completion date is before the activity's start or after its end."""


class CreditsAboveActivityError(CompletionRuleError):
    """More credit than the activity offers, or credit not in steps of 0.25."""


class MocBoardNotRegisteredError(CompletionRuleError):
    """MOC credit for a board the activity is not registered with."""


class ActivityOfAnotherProviderError(CompletionRuleError):
    """The activity belongs to another provider than the one reporting."""


class LearnerNotMatchedError(CompletionRuleError):
    """The learner was not matched to exactly one physician of the directory."""


class CompletionAlreadyRecordedError(ConflictError):
    """The credit ID is already recorded with other facts: delete it, then resubmit."""


class CompletionNotFoundError(NotFoundError):
    """No (undeleted) completion has that credit ID."""


#: What a board may answer an item of its feed with: certifying boards accept or reject a record,
#: state boards say they received it or reject it.
ACKNOWLEDGEMENT_STATUSES = {"board": ("accepted", "rejected"), "state": ("received", "rejected")}
REASON_MAX = 1000
REASON_CODE_MAX = 100


class ItemNotAnswerableError(ConflictError):
    """The item named is not the completion's current record in that feed (deleted, or replaced since)."""


def check_acknowledgement(kind: str, status: str, reason_code: str, reason: str) -> None:
    """A board's answer: a status its kind of board gives, and a reason when it rejects (free text: the
    boards' own codes are not published)."""
    allowed = ACKNOWLEDGEMENT_STATUSES[kind]
    if status not in allowed:
        raise InvalidValueError(f"status is {' or '.join(allowed)} (got {status!r})", loc=("status",))
    if len(reason_code) > REASON_CODE_MAX:
        raise InvalidValueError(f"a reason code has at most {REASON_CODE_MAX} characters", loc=("reason_code",))
    if len(reason) > REASON_MAX:
        raise InvalidValueError(f"a reason has at most {REASON_MAX} characters", loc=("reason",))
    if status == "rejected" and not (reason.strip() or reason_code.strip()):
        raise InvalidValueError(
            "a rejection gives its reason (reason or reason_code), so the provider can correct the record",
            loc=("reason",),
        )


def require_credit_id(value: str, loc: tuple[str, ...] = ("credit_id",)) -> str:
    value = (value or "").strip()
    parts = value.split(":")
    if len(value) > CREDIT_ID_MAX or len(parts) != 3 or parts[0] != "ccid" or not parts[1] or not parts[2]:
        raise InvalidValueError(
            f"a credit ID is a URN ccid:x:y of at most {CREDIT_ID_MAX} characters (got {value!r})", loc=loc
        )
    return value


#: Stands for "derive the credit ID from the matched learner" (a batch row that gives none) until the
#: registry has matched the learner; never stored.
DERIVED_CREDIT_ID = "ccid:derived:from-learner"
#: Licence numbers and board IDs shorter than this (normalised) are not looked for inside credit IDs:
#: a 3-digit number turns up in any counter. NPIs are always 10 digits.
MIN_IDENTIFIER_IN_CREDIT_ID = 5


def learner_credit_id(accme_id: str, activity_id: str, learner_id: str, completion_date: date) -> str:
    """The credit ID of a completion reported without one: from the learner_id (random, so it identifies no
    one after erasure), the activity and the date, so a re-upload names the same completion. Never from a
    name, birth date, NPI or licence: even hashed, those are recovered by trying every NPI."""
    digest = uuid.uuid5(COMPLETION_NAMESPACE, f"credit:{learner_id}:{activity_id}:{completion_date.isoformat()}")
    return f"ccid:{accme_id}:{activity_id}-{digest.hex[:24]}"


def _alnum(value: str) -> str:
    if value and value.isascii():  # the common case, without a pass per character
        if value.isalnum():  # an NPI, licence number or board ID as the directory keeps it: nothing to drop
            return value.upper()
        return _NOT_ASCII_ALNUM.sub("", value.upper())
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


_NOT_ASCII_ALNUM = re.compile(r"[^A-Z0-9]")


def credit_id_discloses(credit_id: str, identifiers: list[str] | tuple[str, ...]) -> bool:
    """Whether the credit ID holds one of the learner's NPI, licence numbers or board IDs (case, spaces and
    punctuation ignored): credit IDs travel to boards and stay in the log after the learner is erased."""
    folded = _alnum(credit_id)
    return any(len(key) >= MIN_IDENTIFIER_IN_CREDIT_ID and key in folded for key in (_alnum(i) for i in identifiers))


def require_private_credit_id(
    credit_id: str, identifiers: list[str] | tuple[str, ...], loc: tuple[str, ...] = ("credit_id",)
) -> None:
    if credit_id_discloses(credit_id, identifiers):
        raise InvalidValueError(
            "a credit ID must not contain the learner's NPI, licence number or board ID (it is sent to boards and kept "
            "after the learner's personal data is erased); number credits without personal identifiers",
            loc=loc,
        )


def reporting_window(today: date) -> tuple[date, date]:
    """The first and last completion dates accepted today: from 1 January of last year until
    31 March, from 1 January of this year after; never after today."""
    first_year = today.year - 1 if today <= date(today.year, 3, 31) else today.year
    return date(first_year, 1, 1), today


#: No activity offers more; larger numbers are typing errors (and would overflow the step check).
MAX_CREDITS = 1000.0


def is_quarter_steps(value: Any) -> bool:
    """A number of credits: at least 0, at most MAX_CREDITS, in steps of 0.25 (bools, NaN, infinities are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        number = float(value)
    except OverflowError:
        return False
    return math.isfinite(number) and 0 <= number <= MAX_CREDITS and round(number * 4) == number * 4


def _quarter_steps(value: Any, loc: tuple[str, ...]) -> float:
    if not is_quarter_steps(value):
        raise CreditsAboveActivityError(
            f"credits are a number from 0 to {MAX_CREDITS:g} in steps of 0.25 (got {value!r})", loc=loc
        )
    return float(value)


def check_credits(cme: list[dict[str, Any]], moc: list[dict[str, Any]], activity: Activity) -> None:
    """CME credit no more than the activity's, MOC only for the boards the activity is registered with."""
    limit = activity.data.get("credits")
    total = 0.0
    for i, c in enumerate(cme):
        total += _quarter_steps(c["credits"], ("cme", str(i), "credits"))
    if limit is not None and total > float(limit):
        raise CreditsAboveActivityError(
            f"{total:g} credits is more than activity {activity.number} offers ({float(limit):g})", loc=("cme",)
        )
    boards = {r["board"]: r for r in activity.data.get("moc") or []}
    points_by_board: dict[str, float] = {}
    for i, m in enumerate(moc):
        points = _quarter_steps(m["credits"], ("moc", str(i), "credits"))
        reg = boards.get(m["board"])
        if reg is None:
            raise MocBoardNotRegisteredError(
                f"activity {activity.number} is not registered for {m['board']} MOC", loc=("moc", str(i), "board")
            )
        # A board's points are counted together: two entries of one board cannot pass its limit between them.
        points = points_by_board[m["board"]] = points_by_board.get(m["board"], 0.0) + points
        if reg.get("points") is not None and points > float(reg["points"]):
            raise CreditsAboveActivityError(
                f"{points:g} {m['board']} MOC points is more than the activity offers ({float(reg['points']):g})",
                loc=("moc", str(i), "credits"),
            )
    if not cme and not moc:
        raise CreditsAboveActivityError("a completion carries CME or MOC credit", loc=("cme",))


def check_completion(
    accme_id: str, learner_id: str | None, activity: Activity, completion_date: date, today: date
) -> str:
    """The rules about who, what and when (credits are checked by check_credits); returns the matched learner."""
    if not learner_id:
        raise LearnerNotMatchedError("the learner was not matched to a physician of the directory", loc=("learner",))
    if activity.accme_id != accme_id or activity.deleted:
        raise ActivityOfAnotherProviderError(
            f"activity {activity.number} is not an activity of provider {accme_id}", loc=("activity_id",)
        )
    first, last = reporting_window(today)
    if not first <= completion_date <= last:
        raise CompletionOutsideWindowError(
            f"completion date {completion_date} is outside the reporting window {first} to {last}",
            loc=("completion_date",),
        )
    start, end = date.fromisoformat(activity.data["start_date"]), date.fromisoformat(activity.data["end_date"])
    if not start <= completion_date <= end:
        raise CompletionOutsideActivityError(
            f"completion date {completion_date} is outside activity {activity.number}'s dates ({start} to {end})",
            loc=("completion_date",),
        )
    return learner_id


def check_rems(rems: dict[str, Any] | None, activity: Activity) -> None:
    """The REMS learner fields are for activities registered for REMS."""
    if rems and not activity.data.get("rems"):
        raise InvalidValueError(
            f"the REMS learner fields are for REMS activities; activity {activity.number} is not registered for REMS",
            loc=("rems",),
        )


class Completion(ParsAggregate):
    """One physician's credit for one activity under one credit ID."""

    class Recorded(ParsAggregate.Created):
        learner_id: str
        activity_id: str  # the 9-digit ACCME activity ID
        activity_title: str  # as reported at the time (the transcript shows it)
        completion_date: date
        cme: list[dict[str, Any]]  # [{"type": "AMA PRA Category 1", "credits": 1.5}]
        moc: list[dict[str, Any]]  # [{"board": "ABIM", "type": "ABIM MOC", "credits": 1.5}]
        credit_id: str
        late: bool
        #: The provider attests the learner consented to sharing with boards (DOMAIN-FACTS 2.1); without it the
        #: record is kept and counts on the transcript but goes to no board's feed.
        consent: bool
        #: The learner's REMS fields (domain/rems_learner.py), for a REMS-registered activity; None when not given.
        rems: dict[str, Any] | None

        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["consent"] = True  # recorded before consent was asked for: already sent to the boards

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["rems"] = None  # recorded before completions carried the REMS learner fields

    class Deleted(ParsAggregate.Event):
        pass

    class Resubmitted(ParsAggregate.Event):
        """The same credit ID reported again after its deletion (records are deleted and resubmitted)."""

        activity_title: str
        completion_date: date
        cme: list[dict[str, Any]]
        moc: list[dict[str, Any]]
        late: bool
        consent: bool
        rems: dict[str, Any] | None

        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["consent"] = True

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["rems"] = None

    class Acknowledged(ParsAggregate.Event):
        """A board's answer to this completion's item in its feed (`feed` board:ABIM or state:TN, `board` the
        code): accepted or rejected (certifying boards), received or rejected (state boards), with its reason.
        The same answer again records nothing; a changed answer is a new event."""

        feed: str
        board: str
        item_id: str
        status: str
        reason_code: str
        reason: str

    @staticmethod
    def create_id(learner_id: str, activity_id: str, credit_id: str) -> uuid.UUID:
        return uuid.uuid5(COMPLETION_NAMESPACE, f"completion:{learner_id}:{activity_id}:{credit_id}")

    @classmethod
    def record(
        cls,
        *,
        accme_id: str,
        learner_id: str | None,
        activity: Activity,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        credit_id: str,
        today: date,
        by: Acting,
        consent: bool = False,
        rems: dict[str, Any] | None = None,
    ) -> Completion:
        require_accme_id(accme_id)
        credit_id = require_credit_id(credit_id)
        learner_id = check_completion(accme_id, learner_id, activity, completion_date, today)
        check_credits(cme, moc, activity)
        check_rems(rems, activity)
        # `_create` as `cls(...)` would call it, without re-reading every argument against `__init__`'s signature
        # first (a tenth of building a completion; these are all its arguments, by name).
        return cls._create(
            cls.Recorded,
            id=cls.create_id(learner_id, activity.number, credit_id),
            accme_id=accme_id,
            learner_id=learner_id,
            activity_id=activity.number,
            activity_title=activity.data.get("title") or "",
            completion_date=completion_date,
            cme=cme,
            moc=moc,
            credit_id=credit_id,
            late=(today - completion_date).days > LATE_AFTER_DAYS,
            consent=consent,
            rems=rems,
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Recorded)
    def __init__(
        self,
        accme_id: str,
        learner_id: str,
        activity_id: str,
        activity_title: str,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        credit_id: str,
        late: bool,
        actor: str,
        channel: str,
        consent: bool = True,
        rems: dict[str, Any] | None = None,
    ) -> None:
        self.accme_id = accme_id
        self.learner_id = learner_id
        self.activity_id = activity_id
        self.activity_title = activity_title
        self.completion_date = completion_date
        self.cme = cme
        self.moc = moc
        self.credit_id = credit_id
        self.late = late
        self.consent = consent
        self.rems = rems
        self.deleted = False
        # The version of the event whose items the boards answer: Recorded, or the last Resubmitted.
        self.sent_version = 1
        self.answers: dict[str, dict[str, str]] = {}

    def same_facts(
        self,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        rems: dict[str, Any] | None = None,
    ) -> bool:
        return (self.completion_date, self.cme, self.moc, self.rems) == (completion_date, cme, moc, rems)

    def resubmit(
        self,
        activity: Activity,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        today: date,
        by: Acting,
        consent: bool | None = None,
        rems: dict[str, Any] | None = None,
    ) -> bool:
        """Reports the credit ID again: a no-op if it stands with the same facts; refused if it stands with others."""
        if activity.accme_id != self.accme_id or activity.number != self.activity_id:
            raise ActivityOfAnotherProviderError(
                f"activity {activity.number} is not an activity of provider {self.accme_id}", loc=("activity_id",)
            )
        if not self.deleted:
            if self.same_facts(completion_date, cme, moc, rems):
                return False
            raise CompletionAlreadyRecordedError(
                f"credit {self.credit_id} is already recorded with other facts; records are not edited: delete it, then resubmit",
                loc=("credit_id",),
            )
        check_completion(self.accme_id, self.learner_id, activity, completion_date, today)
        check_credits(cme, moc, activity)
        check_rems(rems, activity)
        self._resubmit(
            activity_title=activity.data.get("title") or "",
            completion_date=completion_date,
            cme=cme,
            moc=moc,
            late=(today - completion_date).days > LATE_AFTER_DAYS,
            consent=self.consent if consent is None else consent,
            rems=rems,
            **self._meta(by),
        )
        return True

    def delete(self, by: Acting) -> bool:
        if self.deleted:
            return False
        self._delete(**self._meta(by))
        return True

    def correct(
        self,
        activity: Activity,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        today: date,
        by: Acting,
        consent: bool | None = None,
        rems: dict[str, Any] | None = None,
    ) -> None:
        """Corrects a standing record the one way records change: deleted, then resubmitted with these facts (two
        events, saved together), so the boards' feeds carry the deletion and the new record, which they answer anew.
        The same facts again resend the record (a board ID fixed in the learner directory, say)."""
        if self.deleted:
            raise CompletionNotFoundError(
                f"credit {self.credit_id} was deleted: report it again instead of correcting it", loc=("credit_id",)
            )
        self._delete(**self._meta(by))
        self.resubmit(activity, completion_date, cme, moc, today, by, consent, rems)

    def acknowledge(
        self, feed: str, item_id: str, version: int, status: str, reason_code: str, reason: str, by: Acting
    ) -> bool:
        """A board's answer to the item `item_id` (this stream at `version`) of its feed: False when it gave the
        same answer before; refused when the item is not the completion's current record."""
        kind, _, board = feed.partition(":")
        check_acknowledgement(kind, status, reason_code, reason)
        if self.deleted or version != self.sent_version:
            why = "the record was deleted since" if self.deleted else "the record was resubmitted since"
            current = "" if self.deleted else f"; answer item {self.id}:{self.sent_version}"
            raise ItemNotAnswerableError(f"item {item_id} is no longer the current record: {why}{current}", loc=("id",))
        answer = {"item_id": item_id, "status": status, "reason_code": reason_code, "reason": reason}
        if self.answers.get(feed) == answer:
            return False
        self._acknowledge(
            feed=feed,
            board=board,
            item_id=item_id,
            status=status,
            reason_code=reason_code,
            reason=reason,
            **self._meta(by),
        )
        return True

    @event(Acknowledged)
    def _acknowledge(
        self,
        feed: str,
        board: str,
        item_id: str,
        status: str,
        reason_code: str,
        reason: str,
        accme_id: str,
        actor: str,
        channel: str,
    ) -> None:
        self.answers = {
            **self.answers,
            feed: {"item_id": item_id, "status": status, "reason_code": reason_code, "reason": reason},
        }

    @event(Resubmitted)
    def _resubmit(
        self,
        activity_title: str,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        late: bool,
        accme_id: str,
        actor: str,
        channel: str,
        consent: bool = True,
        rems: dict[str, Any] | None = None,
    ) -> None:
        self.activity_title = activity_title
        self.completion_date = completion_date
        self.cme = cme
        self.moc = moc
        self.late = late
        self.consent = consent
        self.rems = rems
        self.deleted = False
        self.sent_version = self.version + 1  # this event's own version (applied before the version moves)
        self.answers = {}

    @event(Deleted)
    def _delete(self, accme_id: str, actor: str, channel: str) -> None:
        self.deleted = True

    def public(self) -> dict[str, Any]:
        return {
            "credit_id": self.credit_id,
            "learner_id": self.learner_id,
            "activity_id": self.activity_id,
            "completion_date": self.completion_date.isoformat(),
            "cme": self.cme,
            "moc": self.moc,
            "late": self.late,
            "consent": self.consent,
            "rems": self.rems,
            "deleted": self.deleted,
        }
