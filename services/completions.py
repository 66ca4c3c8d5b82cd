"""CompletionRegistry: learner completions reported as ACCME learner-reports items (web service,
and later every batch format) or through the web form; add and delete, idempotent.

Each `ActivityReport` is one learner's completion of one activity; its `CreditCertificate`s are
grouped by `CreditID`, one Completion per (learner, activity, credit ID). A certificate whose
`activityCertification` names a certifying board (e.g. "ABIM MOC") is MOC credit for that board,
any other certification is CME credit. Learners are matched in one batched pass; valid records
are saved `SAVE_CHUNK_SIZE` aggregates per transaction; each report gets its own result with
errors as (loc within the report, msg).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.activity import Activity
from domain.base import Acting
from domain.completion import MAX_CREDITS, ActivityOfAnotherProviderError, Completion, CompletionNotFoundError, is_quarter_steps, require_credit_id
from domain.errors import DomainError, InvalidValueError, NotFoundError
from domain.learner import CERTIFYING_BOARDS
from services.activities import ActivityRegistry
from services.learner_matching import LearnerMatcher, MatchQuery
from services.store import ParsStore

SAVE_CHUNK_SIZE = 1000
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class CompletionResult:
    """One report's outcome: added, deleted, unchanged or rejected (errors: [{loc, msg}] within the report)."""

    index: int
    action: str
    credit_ids: list[str] = field(default_factory=list)
    learner_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None

    @property
    def ok(self) -> bool:
        return self.action != "rejected"


@dataclass
class ParsedReport:
    action: str
    activity_id: str
    completion_date: date
    query: MatchQuery
    credits: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]  # credit_id -> (cme, moc)


class ReportError(Exception):
    def __init__(self, loc: list[Any], msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text(obj: Any, *path: str) -> str:
    value = _get(obj, *path)
    if not isinstance(value, str) or not value.strip():
        raise ReportError(list(path), "a non-empty string is required")
    return value.strip()


def board_of(certification: str) -> str | None:
    """The certifying board a credit type names ("ABIM MOC" -> ABIM), or None for CME credit."""
    first = (certification or "").strip().upper().replace("-", " ").split(" ")[0]
    return first if first in CERTIFYING_BOARDS else None


def parse_report(report: Any) -> ParsedReport:
    if not isinstance(report, dict):
        raise ReportError([], "an ActivityReport is an object")
    action = _get(report, "XtensibleInfo", "LearnerRecordAction")
    if action not in ("add", "delete"):
        raise ReportError(["XtensibleInfo", "LearnerRecordAction"], "LearnerRecordAction is add or delete")
    module = ("Activity", "Module")
    activity_id = _text(report, *module, "ModuleName", "moduleID")
    if not (len(activity_id) == 9 and activity_id.isdigit()):
        raise ReportError([*module, "ModuleName", "moduleID"], "the moduleID is a 9-digit ACCME activity ID")
    if _get(report, *module, "Status") != "Completed":
        raise ReportError([*module, "Status"], "Status is 'Completed'")
    raw_date = _text(report, *module, "CompletedDateTime")
    try:
        completion_date = date.fromisoformat(raw_date[:10])
    except ValueError:
        raise ReportError([*module, "CompletedDateTime"], f"{raw_date!r} is not a YYYY-MM-DD date") from None
    first = _text(report, "Member", "Name", "GivenName")
    last = _text(report, "Member", "Name", "FamilyName")
    birth = _get(report, "Member", "PersonalInfo", "BirthDate")
    if birth is not None and not isinstance(birth, str):
        raise ReportError(["Member", "PersonalInfo", "BirthDate"], "BirthDate is YYYY-MM-DD")
    certificates = _get(report, *module, "CreditCertificate")
    if not isinstance(certificates, list) or not certificates:
        raise ReportError([*module, "CreditCertificate"], "at least one CreditCertificate is required")
    unique_ids: list[dict[str, str]] = []
    credits: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for i, cert in enumerate(certificates):
        loc = [*module, "CreditCertificate", i]
        ids = _get(cert, "UniqueID")
        if isinstance(ids, dict):
            ids = [ids]
        if not isinstance(ids, list) or not all(isinstance(u, dict) and _is_text(u.get("value")) and _is_text(u.get("domain")) for u in ids):
            raise ReportError([*loc, "UniqueID"], "UniqueID is a list of {value, domain}, each a text")
        unique_ids += ids
        try:
            credit_id = require_credit_id(_get(cert, "CreditID") if isinstance(_get(cert, "CreditID"), str) else "")
        except InvalidValueError as exc:
            raise ReportError([*loc, "CreditID"], exc.message) from None
        received = _get(cert, "CreditReceived")
        certification = _get(received, "activityCertification")
        if not isinstance(certification, str) or not certification.strip():
            raise ReportError([*loc, "CreditReceived", "activityCertification"], "the credit type is required")
        if _get(received, "creditUnit") != "Point":
            raise ReportError([*loc, "CreditReceived", "creditUnit"], "creditUnit is 'Point'")
        number = _get(received, "numberOfCredits")
        if not is_quarter_steps(number):
            raise ReportError([*loc, "CreditReceived", "numberOfCredits"], f"numberOfCredits is a number from 0 to {MAX_CREDITS:g} in steps of 0.25")
        cme, moc = credits.setdefault(credit_id, ([], []))
        board = board_of(certification)
        if board:
            moc.append({"board": board, "type": certification.strip(), "credits": float(number)})
        else:
            cme.append({"type": certification.strip(), "credits": float(number)})
    query = MatchQuery.from_unique_ids(first, last, birth, unique_ids)
    try:
        query.validate()
    except InvalidValueError as exc:
        field_ = exc.loc[-1] if exc.loc else ""
        where = ["Member", "PersonalInfo", "BirthDate"] if field_ == "birth_date" else [*module, "CreditCertificate", 0, "UniqueID"]
        raise ReportError(where, exc.message) from None
    return ParsedReport(action, activity_id, completion_date, query, credits)


def parse_provider_report(accme_id: str, report: Any) -> ParsedReport | ReportError:
    """One ACCME ActivityReport read for the provider reporting it, or why it cannot be."""
    try:
        parsed = parse_report(report)
        org = _get(report, "Activity", "ProviderOrganization")
        if org not in (None, "", accme_id):
            raise ReportError(["Activity", "ProviderOrganization"], f"ProviderOrganization is not {accme_id}, the provider reporting")
        # A report naming another web-service provider is refused, never filed under the one reporting.
        if _get(report, "XtensibleInfo", "ProviderID") not in (None, "", accme_id):
            raise ReportError(["XtensibleInfo", "ProviderID"], f"ProviderID is not {accme_id}, the provider reporting")
        return parsed
    except ReportError as exc:
        return exc


class CompletionRegistry:
    def __init__(
        self, store: ParsStore, activities: ActivityRegistry, matcher: LearnerMatcher, today: Callable[[], date] = date.today
    ) -> None:
        self.store = store
        self.activities = activities
        self.matcher = matcher
        self.today = today

    # --- reads ------------------------------------------------------------------------------

    def get(self, learner_id: str, activity_id: str, credit_id: str) -> Completion | None:
        try:
            return self.store.repository.get(Completion.create_id(learner_id, activity_id, credit_id))
        except AggregateNotFoundError:
            return None

    def _activity(self, cache: dict[str, Activity | None], number: str) -> Activity | None:
        if number not in cache:
            try:
                cache[number] = self.activities.get_by_number(number)
            except NotFoundError:
                cache[number] = None
        return cache[number]

    # --- ACCME learner reports --------------------------------------------------------------

    def submit_learner_reports(
        self, accme_id: str, reports: list[dict[str, Any]], by: Acting, *, chunk_size: int = SAVE_CHUNK_SIZE
    ) -> list[CompletionResult]:
        """One result per report, in order; valid ones saved `chunk_size` aggregates per transaction."""
        return self.submit_parsed(accme_id, [parse_provider_report(accme_id, r) for r in reports], by, chunk_size=chunk_size)

    def submit_parsed(
        self, accme_id: str, parsed: list[ParsedReport | ReportError], by: Acting, *, chunk_size: int = SAVE_CHUNK_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> list[CompletionResult]:
        """Reports already read (by `parse_report`, or a batch file's rows): one result each, in order.
        `progress(n)` is called after each saved chunk with the number of reports it held."""
        today = self.today()
        activities: dict[str, Activity | None] = {}  # one load per activity for the whole submission
        valid = [(i, p) for i, p in enumerate(parsed) if isinstance(p, ParsedReport)]
        matches = dict(zip([i for i, _ in valid], self.matcher.match_many([p.query for _, p in valid]), strict=True))
        results: list[CompletionResult | None] = [None] * len(parsed)
        for i, p in enumerate(parsed):
            if isinstance(p, ReportError):
                results[i] = CompletionResult(i, "rejected", errors=[{"loc": p.loc, "msg": p.msg}])
        for start in range(0, len(valid), chunk_size):
            chunk = valid[start : start + chunk_size]
            for attempt in range(MAX_ATTEMPTS):
                stored = self._stored(chunk, matches)
                staged: list[tuple[int, CompletionResult, list[Completion]]] = []
                for i, p in chunk:
                    result, aggs = self._decide(accme_id, i, p, matches[i], activities, stored, today, by)
                    staged.append((i, result, aggs))
                aggs = [a for _, _, agg_list in staged for a in agg_list]
                try:
                    recordings = self.store.save(*aggs) if aggs else []
                except IntegrityError:
                    time.sleep(random.uniform(0, min(0.2, 0.01 * 2**attempt)))
                    continue
                position = recordings[-1].notification.id if recordings else None
                for i, result, _ in staged:
                    results[i] = result if not result.ok else CompletionResult(
                        result.index, result.action, result.credit_ids, result.learner_id, result.errors, position
                    )
                if progress:
                    progress(len(chunk))
                break
            else:
                raise IntegrityError("completions are being changed concurrently; try again")
        return [r for r in results if r is not None]

    def _stored(self, chunk: list[tuple[int, ParsedReport]], matches: dict[int, Any]) -> dict[tuple[str, str, str], Completion]:
        """The chunk's completions that are already stored, by (learner, activity, credit ID): which ones
        in one query per 500 ids (most of a fresh batch is new), then a load only for those."""
        keys = {
            Completion.create_id(matches[i].learner_id, p.activity_id, credit_id): (matches[i].learner_id, p.activity_id, credit_id)
            for i, p in chunk
            if matches[i].matched
            for credit_id in p.credits
        }
        found = self.store.existing(keys) if keys else set()
        return {keys[agg_id]: self.store.repository.get(agg_id) for agg_id in found}

    def _decide(
        self, accme_id: str, index: int, p: ParsedReport, match: Any, activities: dict[str, Activity | None],
        stored: dict[tuple[str, str, str], Completion], today: date, by: Acting,
    ) -> tuple[CompletionResult, list[Completion]]:
        credit_ids = list(p.credits)
        if not match.matched:
            where = ["Member"]
            return CompletionResult(index, "rejected", credit_ids, errors=[{"loc": where, "msg": f"learner not matched ({match.status.value}): {match.msg}"}]), []
        learner_id = match.learner_id
        activity = self._activity(activities, p.activity_id)
        mod = ["Activity", "Module", "ModuleName", "moduleID"]
        if activity is None:
            return CompletionResult(index, "rejected", credit_ids, learner_id, [{"loc": mod, "msg": f"no activity {p.activity_id}"}]), []
        try:
            if activity.accme_id != accme_id:
                raise ActivityOfAnotherProviderError(f"activity {activity.number} is not an activity of provider {accme_id}", loc=("activity_id",))
            if p.action == "delete":
                return self._delete(index, accme_id, learner_id, p, stored, by)
            aggs: list[Completion] = []
            for credit_id, (cme, moc) in p.credits.items():
                existing = stored.get((learner_id, p.activity_id, credit_id))
                if existing is None:
                    created = Completion.record(
                        accme_id=accme_id, learner_id=learner_id, activity=activity, completion_date=p.completion_date,
                        cme=cme, moc=moc, credit_id=credit_id, today=today, by=by,
                    )
                    stored[(learner_id, p.activity_id, credit_id)] = created  # the same completion twice in one batch: the second is unchanged
                    aggs.append(created)
                elif existing.resubmit(activity, p.completion_date, cme, moc, today, by):
                    aggs.append(existing)
        except DomainError as error:
            return CompletionResult(index, "rejected", credit_ids, learner_id, [{"loc": _report_loc(error.loc), "msg": error.message}]), []
        return CompletionResult(index, "added" if aggs else "unchanged", credit_ids, learner_id), aggs

    def _delete(
        self, index: int, accme_id: str, learner_id: str, p: ParsedReport, stored: dict[tuple[str, str, str], Completion], by: Acting
    ) -> tuple[CompletionResult, list[Completion]]:
        aggs: list[Completion] = []
        for credit_id in p.credits:
            existing = stored.get((learner_id, p.activity_id, credit_id))
            if existing is None or existing.accme_id != accme_id:
                raise CompletionNotFoundError(f"no completion {credit_id} of this learner for activity {p.activity_id}", loc=("credit_id",))
            if existing.delete(by):
                aggs.append(existing)
        return CompletionResult(index, "deleted" if aggs else "unchanged", list(p.credits), learner_id), aggs

    # --- web form ---------------------------------------------------------------------------

    def record_one(
        self, accme_id: str, learner_id: str, activity_id: str, completion_date: date,
        cme: list[dict[str, Any]], moc: list[dict[str, Any]], credit_id: str, by: Acting,
    ) -> tuple[str, int | None]:
        """Records one completion for a matched learner: ("added" | "unchanged", position)."""
        activity = self._activity({}, activity_id)
        if activity is None:
            raise NotFoundError(f"no activity {activity_id}", loc=("body", "activity_id"))
        if activity.accme_id != accme_id:
            raise ActivityOfAnotherProviderError(f"activity {activity.number} is not an activity of provider {accme_id}", loc=("body", "activity_id"))
        credit_id = require_credit_id(credit_id, ("body", "credit_id"))
        for attempt in range(MAX_ATTEMPTS):
            existing = self.get(learner_id, activity_id, credit_id)
            if existing is None:
                agg = Completion.record(
                    accme_id=accme_id, learner_id=learner_id, activity=activity, completion_date=completion_date,
                    cme=cme, moc=moc, credit_id=credit_id, today=self.today(), by=by,
                )
            elif existing.resubmit(activity, completion_date, cme, moc, self.today(), by):
                agg = existing
            else:
                return "unchanged", None
            try:
                recordings = self.store.save(agg)
            except IntegrityError:
                # Another request saved this completion first (a double-clicked form): decide again on what
                # it stored, so the same facts answer "unchanged" and different ones the usual conflict.
                time.sleep(random.uniform(0, min(0.2, 0.01 * 2**attempt)))
                continue
            return "added", recordings[-1].notification.id
        raise IntegrityError("this completion is being changed concurrently; try again")

    def delete_one(self, completion: Completion, by: Acting) -> int | None:
        if not completion.delete(by):
            return None
        return self.store.save(completion)[-1].notification.id

    def delete_all(self, keys: list[str], by: Acting) -> int | None:
        """Deletes these completions (aggregate ids) in one save, a `Deleted` event each; the position, or
        None when all were deleted already. A concurrent writer makes it load and decide again."""
        for attempt in range(MAX_ATTEMPTS):
            completions = [self.store.repository.get(uuid.UUID(key)) for key in keys]
            deleted = [c for c in completions if c.delete(by)]
            if not deleted:
                return None
            try:
                return self.store.save(*deleted)[-1].notification.id
            except IntegrityError:
                time.sleep(random.uniform(0, min(0.2, 0.01 * 2**attempt)))
        raise IntegrityError("these completions are being changed concurrently; try again")


def _report_loc(loc: tuple[str, ...]) -> list[Any]:
    """A domain error's field, as a path within the ActivityReport."""
    module = ["Activity", "Module"]
    head = loc[0] if loc else ""
    if head == "completion_date":
        return [*module, "CompletedDateTime"]
    if head == "activity_id":
        return [*module, "ModuleName", "moduleID"]
    if head in ("cme", "moc", "credit_id"):
        return [*module, "CreditCertificate"]
    if head == "learner":
        return ["Member"]
    return list(loc)
