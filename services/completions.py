"""CompletionRegistry: learner completions reported as ACCME learner-reports items (web service,
and later every batch format) or through the web form; add and delete, idempotent.

Each `ActivityReport` is one learner's completion of one activity; its `CreditCertificate`s are
grouped by `CreditID`, one Completion per (learner, activity, credit ID). Each certificate is CME
credit or MOC credit for one board by `domain/credit_types.py` (its credit type and the board its
`UniqueID.domain` names); one it cannot classify is refused naming its JSON path, never filed as
CME. Learners are matched in one batched pass; valid records are saved `SAVE_CHUNK_SIZE`
aggregates per transaction; each report gets its own result with errors as (loc within the
report, msg).
"""

from __future__ import annotations

import dataclasses
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
from domain.completion import (
    DERIVED_CREDIT_ID,
    MAX_CREDITS,
    ActivityOfAnotherProviderError,
    Completion,
    CompletionNotFoundError,
    check_credits,
    is_quarter_steps,
    learner_credit_id,
    require_credit_id,
    require_private_credit_id,
)
from domain.credit_types import UnclassifiedCreditError, classify, registered_types
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


@dataclass(frozen=True)
class PendingCredit:
    """A certificate reported to one board whose credit type only the activity's registration can classify."""

    credit_id: str
    certification: str
    credits: float
    board: str
    loc: list[Any]  # the certificate's activityCertification, within the report


@dataclass
class ParsedReport:
    action: str
    activity_id: str
    completion_date: date
    query: MatchQuery
    credits: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]  # credit_id -> (cme, moc)
    # A row without a credit ID is keyed DERIVED_CREDIT_ID (made from the learner_id once matched); this is the
    # ID such rows were given before (a hash of the name, birth day and NPI), looked up only so that a file
    # uploaded back then is still recognised, and never given to a new completion.
    legacy_credit_id: str | None = None
    pending: list[PendingCredit] = field(default_factory=list)
    #: credit_id -> (the certificate index of each cme entry, of each moc entry), so an error names its certificate
    certificates: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict, compare=False)

    def resolved(
        self, activity: Activity
    ) -> tuple[dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]], dict[str, tuple[list[int], list[int]]]]:
        """The credits (and their certificates) with the pending certificates classified by the activity's MOC
        registrations (new dicts: a report is decided again on a retry); ReportError naming the certificate if one cannot be."""
        if not self.pending:
            return self.credits, self.certificates
        credits = {cid: (list(cme), list(moc)) for cid, (cme, moc) in self.credits.items()}
        where = {cid: (list(c), list(m)) for cid, (c, m) in self.certificates.items()}
        registered = registered_types(activity.data.get("moc"))
        for pc in self.pending:
            try:
                kind, credit = classify(pc.certification, pc.credits, [pc.board], registered) or ("", {})
            except UnclassifiedCreditError as exc:
                raise ReportError(pc.loc, exc.message) from None
            credits[pc.credit_id][0 if kind == "cme" else 1].append(credit)
            where.setdefault(pc.credit_id, ([], []))[0 if kind == "cme" else 1].append(pc.loc[3])
        return credits, where


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


def parse_report(report: Any) -> ParsedReport:
    if not isinstance(report, dict):
        raise ReportError([], "an ActivityReport is an object")
    action = _get(report, "XtensibleInfo", "LearnerRecordAction")
    if action not in ("add", "delete"):
        raise ReportError(["XtensibleInfo", "LearnerRecordAction"], "LearnerRecordAction is add or delete")
    module = ("Activity", "Module")
    activity_id = _text(report, *module, "ModuleName", "moduleID")
    if not (len(activity_id) == 9 and activity_id.isascii() and activity_id.isdigit()):
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
    pending: list[PendingCredit] = []
    where_from: dict[str, tuple[list[int], list[int]]] = {}
    for i, cert in enumerate(certificates):
        loc = [*module, "CreditCertificate", i]
        ids = _get(cert, "UniqueID")
        if isinstance(ids, dict):
            ids = [ids]
        if not isinstance(ids, list) or not all(
            isinstance(u, dict) and _is_text(u.get("value")) and _is_text(u.get("domain")) for u in ids
        ):
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
            raise ReportError(
                [*loc, "CreditReceived", "numberOfCredits"],
                f"numberOfCredits is a number from 0 to {MAX_CREDITS:g} in steps of 0.25",
            )
        cme, moc = credits.setdefault(credit_id, ([], []))
        where = [*loc, "CreditReceived", "activityCertification"]
        domains = [u["domain"] for u in ids if isinstance(u["domain"], str)]
        try:
            classified = classify(certification, float(number), domains, None)
        except UnclassifiedCreditError as exc:
            if (
                action == "delete"
            ):  # a deletion names credit IDs; what they carried is stored (and may predate these rules)
                continue
            raise ReportError(where, exc.message) from None
        if classified is None and action == "delete":
            continue
        if classified is None:  # a credit type of the board's registration, perhaps: the activity tells
            pending.append(
                PendingCredit(credit_id, certification.strip(), float(number), boards_reported(domains)[0], where)
            )
        else:
            (cme if classified[0] == "cme" else moc).append(classified[1])
            where_from.setdefault(credit_id, ([], []))[0 if classified[0] == "cme" else 1].append(i)
    query = MatchQuery.from_unique_ids(first, last, birth, unique_ids)
    try:
        query.validate()
    except InvalidValueError as exc:
        field_ = exc.loc[-1] if exc.loc else ""
        where = (
            ["Member", "PersonalInfo", "BirthDate"]
            if field_ == "birth_date"
            else [*module, "CreditCertificate", 0, "UniqueID"]
        )
        raise ReportError(where, exc.message) from None
    return ParsedReport(action, activity_id, completion_date, query, credits, pending=pending, certificates=where_from)


def boards_reported(domains: list[str]) -> list[str]:
    """The certifying boards among a certificate's UniqueID domains."""
    return [d for d in dict.fromkeys(d.strip().upper() for d in domains) if d in CERTIFYING_BOARDS]


def parse_provider_report(accme_id: str, report: Any) -> ParsedReport | ReportError:
    """One ACCME ActivityReport read for the provider reporting it, or why it cannot be."""
    try:
        parsed = parse_report(report)
        org = _get(report, "Activity", "ProviderOrganization")
        if org not in (None, "", accme_id):
            raise ReportError(
                ["Activity", "ProviderOrganization"], f"ProviderOrganization is not {accme_id}, the provider reporting"
            )
        # A report naming another web-service provider is refused, never filed under the one reporting.
        if _get(report, "XtensibleInfo", "ProviderID") not in (None, "", accme_id):
            raise ReportError(["XtensibleInfo", "ProviderID"], f"ProviderID is not {accme_id}, the provider reporting")
        return parsed
    except ReportError as exc:
        return exc


class CompletionRegistry:
    def __init__(
        self,
        store: ParsStore,
        activities: ActivityRegistry,
        matcher: LearnerMatcher,
        today: Callable[[], date] = date.today,
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
        return self.submit_parsed(
            accme_id, [parse_provider_report(accme_id, r) for r in reports], by, chunk_size=chunk_size
        )

    def submit_parsed(
        self,
        accme_id: str,
        parsed: list[ParsedReport | ReportError],
        by: Acting,
        *,
        chunk_size: int = SAVE_CHUNK_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> list[CompletionResult]:
        """Reports already read (by `parse_report`, or a batch file's rows): one result each, in order.
        `progress(n)` is called after each saved chunk with the number of reports it held."""
        today = self.today()
        activities: dict[str, Activity | None] = {}  # one load per activity for the whole submission
        valid = [(i, p) for i, p in enumerate(parsed) if isinstance(p, ParsedReport)]
        matches = dict(zip([i for i, _ in valid], self.matcher.match_many([p.query for _, p in valid]), strict=True))
        valid = self._derive_credit_ids(accme_id, valid, matches)
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
                    results[i] = (
                        result
                        if not result.ok
                        else CompletionResult(
                            result.index, result.action, result.credit_ids, result.learner_id, result.errors, position
                        )
                    )
                if progress:
                    progress(len(chunk))
                break
            else:
                raise IntegrityError("completions are being changed concurrently; try again")
        return [r for r in results if r is not None]

    def _derive_credit_ids(
        self, accme_id: str, valid: list[tuple[int, ParsedReport]], matches: dict[int, Any]
    ) -> list[tuple[int, ParsedReport]]:
        """Reports without a credit ID get one from the matched learner_id (learner_credit_id), or the one a
        pre-existing upload of the same row stored (legacy_credit_id), so re-uploads stay idempotent."""
        derived = {i: p for i, p in valid if DERIVED_CREDIT_ID in p.credits and matches[i].matched}
        legacy = {
            Completion.create_id(matches[i].learner_id, p.activity_id, p.legacy_credit_id): i
            for i, p in derived.items()
            if p.legacy_credit_id
        }
        stored_legacy = {legacy[agg_id] for agg_id in self.store.existing(legacy)} if legacy else set()
        out: list[tuple[int, ParsedReport]] = []
        for i, p in valid:
            if i in derived:
                credit_id = (
                    p.legacy_credit_id
                    if i in stored_legacy and p.legacy_credit_id
                    else learner_credit_id(accme_id, p.activity_id, matches[i].learner_id, p.completion_date)
                )

                def rekey(k: str, credit_id: str = credit_id) -> str:
                    return credit_id if k == DERIVED_CREDIT_ID else k

                p = dataclasses.replace(
                    p,
                    credits={rekey(k): v for k, v in p.credits.items()},
                    certificates={rekey(k): v for k, v in p.certificates.items()},
                    pending=[dataclasses.replace(pc, credit_id=rekey(pc.credit_id)) for pc in p.pending],
                )
            out.append((i, p))
        return out

    def _stored(
        self, chunk: list[tuple[int, ParsedReport]], matches: dict[int, Any]
    ) -> dict[tuple[str, str, str], Completion]:
        """The chunk's completions that are already stored, by (learner, activity, credit ID): which ones
        in one query per 500 ids (most of a fresh batch is new), then a load only for those."""
        keys = {
            Completion.create_id(matches[i].learner_id, p.activity_id, credit_id): (
                matches[i].learner_id,
                p.activity_id,
                credit_id,
            )
            for i, p in chunk
            if matches[i].matched
            for credit_id in p.credits
        }
        found = self.store.existing(keys) if keys else set()
        return {keys[agg_id]: self.store.repository.get(agg_id) for agg_id in found}

    def _decide(
        self,
        accme_id: str,
        index: int,
        p: ParsedReport,
        match: Any,
        activities: dict[str, Activity | None],
        stored: dict[tuple[str, str, str], Completion],
        today: date,
        by: Acting,
    ) -> tuple[CompletionResult, list[Completion]]:
        credit_ids = [c for c in p.credits if c != DERIVED_CREDIT_ID]
        if not match.matched:
            where = ["Member"]
            return CompletionResult(
                index,
                "rejected",
                credit_ids,
                errors=[{"loc": where, "msg": f"learner not matched ({match.status.value}): {match.msg}"}],
            ), []
        learner_id = match.learner_id
        activity = self._activity(activities, p.activity_id)
        mod = ["Activity", "Module", "ModuleName", "moduleID"]
        if activity is None:
            return CompletionResult(
                index, "rejected", credit_ids, learner_id, [{"loc": mod, "msg": f"no activity {p.activity_id}"}]
            ), []
        certificates: dict[str, tuple[list[int], list[int]]] = {}
        deciding = ""  # the credit ID being decided, so a credit error names its certificate
        try:
            if activity.accme_id != accme_id:
                raise ActivityOfAnotherProviderError(
                    f"activity {activity.number} is not an activity of provider {accme_id}", loc=("activity_id",)
                )
            if p.action == "delete":
                return self._delete(index, accme_id, learner_id, p, stored, by)
            for credit_id in p.credits:
                require_private_credit_id(credit_id, match.identifiers, ("CreditID",))
            try:
                credits, certificates = p.resolved(activity)
            except ReportError as exc:
                return CompletionResult(
                    index, "rejected", credit_ids, learner_id, [{"loc": exc.loc, "msg": exc.msg}]
                ), []
            if len(credits) > 1:  # one report is one completion: its credit IDs share the activity's credits and points
                deciding = "*"
                certificates = {
                    **certificates,
                    "*": (
                        [i for c, _ in certificates.values() for i in c],
                        [i for _, m in certificates.values() for i in m],
                    ),
                }
                check_credits(
                    [c for cme, _ in credits.values() for c in cme],
                    [m for _, moc in credits.values() for m in moc],
                    activity,
                )
            aggs: list[Completion] = []
            for credit_id, (cme, moc) in credits.items():
                deciding = credit_id
                existing = stored.get((learner_id, p.activity_id, credit_id))
                if existing is None:
                    created = Completion.record(
                        accme_id=accme_id,
                        learner_id=learner_id,
                        activity=activity,
                        completion_date=p.completion_date,
                        cme=cme,
                        moc=moc,
                        credit_id=credit_id,
                        today=today,
                        by=by,
                    )
                    stored[(learner_id, p.activity_id, credit_id)] = (
                        created  # the same completion twice in one batch: the second is unchanged
                    )
                    aggs.append(created)
                elif existing.resubmit(activity, p.completion_date, cme, moc, today, by):
                    aggs.append(existing)
        except DomainError as error:
            loc = _report_loc(error.loc, certificates.get(deciding))
            return CompletionResult(index, "rejected", credit_ids, learner_id, [{"loc": loc, "msg": error.message}]), []
        return CompletionResult(index, "added" if aggs else "unchanged", credit_ids, learner_id), aggs

    def _delete(
        self,
        index: int,
        accme_id: str,
        learner_id: str,
        p: ParsedReport,
        stored: dict[tuple[str, str, str], Completion],
        by: Acting,
    ) -> tuple[CompletionResult, list[Completion]]:
        aggs: list[Completion] = []
        for credit_id in p.credits:
            existing = stored.get((learner_id, p.activity_id, credit_id))
            if existing is None or existing.accme_id != accme_id:
                raise CompletionNotFoundError(
                    f"no completion {credit_id} of this learner for activity {p.activity_id}", loc=("credit_id",)
                )
            if existing.delete(by):
                aggs.append(existing)
        return CompletionResult(index, "deleted" if aggs else "unchanged", list(p.credits), learner_id), aggs

    # --- web form ---------------------------------------------------------------------------

    def record_one(
        self,
        accme_id: str,
        learner_id: str,
        activity_id: str,
        completion_date: date,
        cme: list[dict[str, Any]],
        moc: list[dict[str, Any]],
        credit_id: str,
        by: Acting,
        identifiers: tuple[str, ...] = (),
    ) -> tuple[str, int | None]:
        """Records one completion for a matched learner: ("added" | "unchanged", position).
        `identifiers`: the learner's NPI, licence numbers and board IDs (MatchResult.identifiers), which the credit ID must not hold."""
        activity = self._activity({}, activity_id)
        if activity is None:
            raise NotFoundError(f"no activity {activity_id}", loc=("body", "activity_id"))
        if activity.accme_id != accme_id:
            raise ActivityOfAnotherProviderError(
                f"activity {activity.number} is not an activity of provider {accme_id}", loc=("body", "activity_id")
            )
        credit_id = require_credit_id(credit_id, ("body", "credit_id"))
        require_private_credit_id(credit_id, identifiers, ("body", "credit_id"))
        cme, moc = form_credits(cme, moc, activity)
        for attempt in range(MAX_ATTEMPTS):
            existing = self.get(learner_id, activity_id, credit_id)
            if existing is None:
                agg = Completion.record(
                    accme_id=accme_id,
                    learner_id=learner_id,
                    activity=activity,
                    completion_date=completion_date,
                    cme=cme,
                    moc=moc,
                    credit_id=credit_id,
                    today=self.today(),
                    by=by,
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
            completions: list[Completion] = [self.store.repository.get(uuid.UUID(key)) for key in keys]
            deleted = [c for c in completions if c.delete(by)]
            if not deleted:
                return None
            try:
                return self.store.save(*deleted)[-1].notification.id
            except IntegrityError:
                time.sleep(random.uniform(0, min(0.2, 0.01 * 2**attempt)))
        raise IntegrityError("these completions are being changed concurrently; try again")


def form_credits(
    cme: list[dict[str, Any]], moc: list[dict[str, Any]], activity: Activity
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The web form's credits by the learner reports' rules: each CME entry a CME credit type, each MOC entry
    MOC credit for its own board (type blank: "{board} MOC"); UnclassifiedCreditError naming the entry if not."""
    registered = registered_types(activity.data.get("moc"))
    out_cme, out_moc = [], []
    for i, c in enumerate(cme):
        loc = ("body", "cme", str(i), "type")
        try:
            kind, credit = classify(c["type"], c["credits"], [], registered) or ("", {})
        except UnclassifiedCreditError:
            kind, credit = "", {}
        if kind != "cme":
            why = (
                f"it is {credit['board']} MOC credit: give it under moc" if kind == "moc" else "give AMA PRA Category 1"
            )
            raise UnclassifiedCreditError(f"credit type {c['type']!r} is not a CME credit type; {why}", loc=loc)
        out_cme.append(credit)
    for i, m in enumerate(moc):
        board, text = m["board"], (m.get("type") or "").strip() or f"{m['board']} MOC"
        if board not in CERTIFYING_BOARDS:
            raise UnclassifiedCreditError(
                f"{board!r} is not a certifying board ({', '.join(CERTIFYING_BOARDS)})",
                loc=("body", "moc", str(i), "board"),
            )
        loc = ("body", "moc", str(i), "type")
        try:
            kind, credit = classify(text, m["credits"], [board], registered, loc) or ("", {})
        except UnclassifiedCreditError as exc:
            raise UnclassifiedCreditError(exc.message, loc=loc) from None
        if kind != "moc" or credit["board"] != board:
            raise UnclassifiedCreditError(f"credit type {text!r} is not {board} MOC credit", loc=loc)
        out_moc.append(credit)
    return out_cme, out_moc


#: A credit entry's field -> where its certificate holds it.
CERTIFICATE_FIELDS = {
    "credits": ["CreditReceived", "numberOfCredits"],
    "board": ["CreditReceived", "activityCertification"],
}


def _report_loc(loc: tuple[str, ...], certificates: tuple[list[int], list[int]] | None = None) -> list[Any]:
    """A domain error's field, as a path within the ActivityReport: a credit entry's error names its certificate
    when `certificates` (the certificate index of each cme and moc entry) says which one."""
    module = ["Activity", "Module"]
    head = loc[0] if loc else ""
    if head == "completion_date":
        return [*module, "CompletedDateTime"]
    if head == "activity_id":
        return [*module, "ModuleName", "moduleID"]
    if head == "CreditID":
        return [*module, "CreditCertificate", "CreditID"]
    if head in ("cme", "moc") and certificates and len(loc) == 3 and loc[1].isdigit() and loc[2] in CERTIFICATE_FIELDS:
        entries = certificates[0 if head == "cme" else 1]
        if int(loc[1]) < len(entries):
            return [*module, "CreditCertificate", entries[int(loc[1])], *CERTIFICATE_FIELDS[loc[2]]]
    if head in ("cme", "moc", "credit_id"):
        return [*module, "CreditCertificate"]
    if head == "learner":
        return ["Member"]
    return list(loc)
