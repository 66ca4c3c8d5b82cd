"""CompletionRegistry: learners' completions, reported (ACCME learner reports, batch rows, each read at the
edge into a `ReportCompletion`) or recorded one at a time from the web form; add and delete, idempotent.

One Completion per (learner, activity, credit ID). Learners are matched in one batched pass; valid records
are saved `SAVE_CHUNK_SIZE` aggregates per transaction; each report gets its own result with errors as (loc
within the report, msg).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.completions import (
    AcknowledgeItems,
    Acknowledgement,
    AttestActivityConsent,
    CompletionCommand,
    CorrectCompletion,
    DeleteCompletions,
    RecordCompletion,
    ReportCompletion,
    ReportCompletions,
    ReportError,
)
from domain.activity import Activity
from domain.base import Acting
from domain.completion import (
    DERIVED_CREDIT_ID,
    ActivityOfAnotherProviderError,
    Completion,
    CompletionNotFoundError,
    check_credits,
    learner_credit_id,
    require_credit_id,
    require_private_credit_id,
)
from domain.consent import ActivityConsent
from domain.credit_types import UnclassifiedCreditError, classify, registered_types
from domain.errors import DomainError, NotFoundError
from domain.learner import CERTIFYING_BOARDS
from services.activities import ActivityRegistry
from services.learner_matching import LearnerMatcher
from services.retries import attempts
from services.store import ParsStore

SAVE_CHUNK_SIZE = 1000
MAX_ACKNOWLEDGEMENTS = 1000


class FeedItemTypes(Protocol):
    """Which ids are items of a feed, and of what type (the feeds read model answers)."""

    def item_types(self, feed: str, item_ids: list[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class AcknowledgementResult:
    """One answer's outcome: recorded (a new or changed answer), unchanged (given before) or refused
    (errors: [{loc, msg}] within the answer)."""

    index: int
    item_id: str | None
    outcome: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None


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


class CompletionRegistry:
    def __init__(
        self,
        store: ParsStore,
        activities: ActivityRegistry,
        matcher: LearnerMatcher,
        today: Callable[[], date] = date.today,
        feed_items: FeedItemTypes | None = None,
    ) -> None:
        self.store = store
        self.activities = activities
        self.matcher = matcher
        self.today = today
        self.feed_items = feed_items

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

    def activity_consented(self, activity_id: str, cache: dict[str, bool] | None = None) -> bool:
        """Whether the provider attests that every learner of the activity consented to sharing with boards."""
        if cache is not None and activity_id in cache:
            return cache[activity_id]
        try:
            consented = bool(self.store.repository.get(ActivityConsent.create_id(activity_id)).attested)
        except AggregateNotFoundError:
            consented = False
        if cache is not None:
            cache[activity_id] = consented
        return consented

    def _consents(self, activity_ids: set[str], cache: dict[str, bool] | None) -> dict[str, bool]:
        """Each activity's consent attestation: which are attested at all in one query, a load only for those
        (most activities have none), each read once per `cache` (a file's submissions share one)."""
        cache = {} if cache is None else cache
        wanted = {ActivityConsent.create_id(a): a for a in activity_ids if a not in cache}
        attested = self.store.existing(wanted) if wanted else set()
        for consent_id, activity_id in wanted.items():
            if consent_id not in attested:
                cache[activity_id] = False
            else:
                self.activity_consented(activity_id, cache)
        return cache

    # --- ACCME learner reports --------------------------------------------------------------

    def handle(self, cmd: CompletionCommand, by: Acting) -> Any:
        """Hands the command to its handler below; what each returns is said there."""
        match cmd:
            case ReportCompletions():
                return self.report(cmd, by)
            case RecordCompletion():
                return self.record(cmd, by)
            case DeleteCompletions():
                return self.delete(cmd, by)
            case CorrectCompletion():
                return self.correct(cmd, by)
            case AttestActivityConsent():
                return self.attest_consent(cmd, by)
            case AcknowledgeItems():
                return self.acknowledge(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a completion command")

    def report(
        self,
        cmd: ReportCompletions,
        by: Acting,
        *,
        chunk_size: int = SAVE_CHUNK_SIZE,
        progress: Callable[[int], None] | None = None,
        activity_cache: dict[str, Activity | None] | None = None,
        consent_cache: dict[str, bool] | None = None,
    ) -> list[CompletionResult]:
        """Reports already read (by `parse_report`, or a batch file's rows): one result each, in order.
        `progress(n)` is called after each saved chunk with the number of reports it held; `activity_cache`
        and `consent_cache` let the submissions of one file share their activity and consent loads."""
        accme_id, parsed = cmd.accme_id, cmd.reports
        today = self.today()
        # one load per activity for the whole submission (or the whole file, with a shared cache)
        activities: dict[str, Activity | None] = {} if activity_cache is None else activity_cache
        valid = [(i, p) for i, p in enumerate(parsed) if isinstance(p, ReportCompletion)]
        matches = dict(zip([i for i, _ in valid], self.matcher.match_many([p.query for _, p in valid]), strict=True))
        valid = self._derive_credit_ids(accme_id, valid, matches)
        consents = self._consents({p.activity_id for _, p in valid if not p.consent}, consent_cache)
        valid = [
            (
                i,
                p if p.consent or not consents[p.activity_id] else dataclasses.replace(p, consent=True),
            )
            for i, p in valid
        ]
        results: list[CompletionResult | None] = [None] * len(parsed)
        for i, p in enumerate(parsed):
            if isinstance(p, ReportError):
                results[i] = CompletionResult(i, "rejected", errors=[{"loc": p.loc, "msg": p.msg}])
        for start in range(0, len(valid), chunk_size):
            chunk = valid[start : start + chunk_size]
            for _ in attempts():
                stored = self._stored(chunk, matches)
                staged: list[tuple[int, CompletionResult, list[Completion]]] = []
                for i, p in chunk:
                    result, aggs = self._decide(accme_id, i, p, matches[i], activities, stored, today, by)
                    staged.append((i, result, aggs))
                aggs = [a for _, _, agg_list in staged for a in agg_list]
                try:
                    recordings = self.store.save(*aggs) if aggs else []
                except IntegrityError:
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
        self, accme_id: str, valid: list[tuple[int, ReportCompletion]], matches: dict[int, Any]
    ) -> list[tuple[int, ReportCompletion]]:
        """Reports without a credit ID get one from the matched learner_id (learner_credit_id), or the one a
        pre-existing upload of the same row stored (legacy_credit_id), so re-uploads stay idempotent."""
        derived = {i: p for i, p in valid if DERIVED_CREDIT_ID in p.credits and matches[i].matched}
        legacy = {
            Completion.create_id(matches[i].learner_id, p.activity_id, p.legacy_credit_id): i
            for i, p in derived.items()
            if p.legacy_credit_id
        }
        stored_legacy = {legacy[agg_id] for agg_id in self.store.existing(legacy)} if legacy else set()
        out: list[tuple[int, ReportCompletion]] = []
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
        self, chunk: list[tuple[int, ReportCompletion]], matches: dict[int, Any]
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
        p: ReportCompletion,
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
                        consent=p.consent,
                        rems=p.rems,
                    )
                    stored[(learner_id, p.activity_id, credit_id)] = (
                        created  # the same completion twice in one batch: the second is unchanged
                    )
                    aggs.append(created)
                elif existing.resubmit(activity, p.completion_date, cme, moc, today, by, p.consent, p.rems):
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
        p: ReportCompletion,
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

    def record(self, cmd: RecordCompletion, by: Acting) -> tuple[str, int | None]:
        """Records one completion for a matched learner: ("added" | "unchanged", position)."""
        accme_id, learner_id, activity_id, completion_date = (
            cmd.accme_id,
            cmd.learner_id,
            cmd.activity_id,
            cmd.completion_date,
        )
        cme, moc, credit_id, identifiers = cmd.cme, cmd.moc, cmd.credit_id, cmd.identifiers
        activity = self._activity({}, activity_id)
        if activity is None:
            raise NotFoundError(f"no activity {activity_id}", loc=("activity_id",))
        if activity.accme_id != accme_id:
            raise ActivityOfAnotherProviderError(
                f"activity {activity.number} is not an activity of provider {accme_id}", loc=("activity_id",)
            )
        credit_id = require_credit_id(credit_id, ("credit_id",))
        require_private_credit_id(credit_id, identifiers, ("credit_id",))
        cme, moc = form_credits(cme, moc, activity)
        consent = cmd.consent or self.activity_consented(activity_id)
        for _ in attempts():
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
                    consent=consent,
                    rems=cmd.rems,
                )
            elif existing.resubmit(activity, completion_date, cme, moc, self.today(), by, consent, cmd.rems):
                agg = existing
            else:
                return "unchanged", None
            try:
                recordings = self.store.save(agg)
            except IntegrityError:
                # Another request saved this completion first (a double-clicked form): decide again on what
                # it stored, so the same facts answer "unchanged" and different ones the usual conflict.
                continue
            return "added", recordings[-1].notification.id
        raise IntegrityError("this completion is being changed concurrently; try again")

    def delete(self, cmd: DeleteCompletions, by: Acting) -> int | None:
        """Deletes these completions (aggregate ids) in one save, a `Deleted` event each; the position, or
        None when all were deleted already. A concurrent writer makes it load and decide again."""
        keys = cmd.keys
        for _ in attempts():
            completions: list[Completion] = [self.store.repository.get(uuid.UUID(key)) for key in keys]
            deleted = [c for c in completions if c.delete(by)]
            if not deleted:
                return None
            try:
                return self.store.save(*deleted)[-1].notification.id
            except IntegrityError:
                continue
        raise IntegrityError("these completions are being changed concurrently; try again")

    def correct(self, cmd: CorrectCompletion, by: Acting) -> int:
        """Deletes the standing completion and records it corrected (`Deleted` then `Resubmitted`, one save);
        the position. A concurrent writer makes it load and decide again."""
        for _ in attempts():
            try:
                completion: Completion = self.store.repository.get(uuid.UUID(cmd.key))
            except (AggregateNotFoundError, ValueError):
                raise CompletionNotFoundError("no such completion", loc=("credit_id",)) from None
            if completion.accme_id != cmd.accme_id:
                raise CompletionNotFoundError("no such completion", loc=("credit_id",))
            activity = self._activity({}, completion.activity_id)
            if activity is None:  # pragma: no cover - an activity's stream is never removed
                raise NotFoundError(f"no activity {completion.activity_id}", loc=("activity_id",))
            cme, moc = form_credits(cmd.cme, cmd.moc, activity)
            consent = cmd.consent
            if consent is None and not completion.consent and self.activity_consented(completion.activity_id):
                consent = True  # attested for the whole activity since: the corrected record carries it
            completion.correct(activity, cmd.completion_date, cme, moc, self.today(), by, consent, completion.rems)
            try:
                return self.store.save(completion)[-1].notification.id
            except IntegrityError:
                continue
        raise IntegrityError("this completion is being changed concurrently; try again")

    def attest_consent(self, cmd: AttestActivityConsent, by: Acting) -> int | None:
        """Records the activity's consent attestation (or its withdrawal); the position, None when it stood so."""
        activity = self._activity({}, cmd.activity_id)
        if activity is None or activity.accme_id != cmd.accme_id:
            raise NotFoundError(f"provider {cmd.accme_id} has no activity {cmd.activity_id}", loc=("activity_id",))
        for _ in attempts():
            try:
                consent: ActivityConsent = self.store.repository.get(ActivityConsent.create_id(cmd.activity_id))
                if not consent.attest(cmd.attested, by):
                    return None
            except AggregateNotFoundError:
                consent = ActivityConsent.start(cmd.accme_id, cmd.activity_id, cmd.attested, by)
            try:
                return self.store.save(consent)[-1].notification.id
            except IntegrityError:
                continue
        raise IntegrityError("this activity's consent is being changed concurrently; try again")

    # --- boards' answers ----------------------------------------------------------------------

    def acknowledge(
        self, cmd: AcknowledgeItems, by: Acting, *, positions: Sequence[Any] = ()
    ) -> list[AcknowledgementResult]:
        """A board's answers to items of its feed, one result each in order; the recorded ones saved together
        (an `Acknowledged` event on each completion's stream). An id that is not an item of this feed (unknown,
        or another feed's) is refused with the same words either way, so no board learns of another's items.
        The completions answered are loaded at once (one query per 500, not two each). `positions` (a Kafka
        consumer's `PositionMove`s) are written in the same transaction as the events, even when none is new."""
        feed = f"{cmd.kind}:{cmd.code}"
        if self.feed_items is None:  # pragma: no cover - bootstrap always gives it
            raise RuntimeError("the registry was built without the feeds read model")
        answers = cmd.answers[:MAX_ACKNOWLEDGEMENTS]
        wanted = [a.item_id for a in answers if isinstance(a, Acknowledgement)]
        types = self.feed_items.item_types(feed, wanted) if wanted else {}
        keys = {uuid.UUID(item.rpartition(":")[0]) for item, kind in types.items() if kind == "completion"}
        for _ in attempts():
            results: list[AcknowledgementResult] = []
            loaded: dict[uuid.UUID, Completion] = self.store.get_many(keys) if keys else {}
            changed: dict[uuid.UUID, Completion] = {}
            for index, answer in enumerate(answers):
                if isinstance(answer, ReportError):
                    results.append(
                        AcknowledgementResult(index, None, "refused", [{"loc": answer.loc, "msg": answer.msg}])
                    )
                    continue
                results.append(self._answer(index, feed, answer, types, loaded, changed, by))
            position = None
            if changed or positions:
                extra = {"consumer_positions": list(positions)} if positions else {}
                try:
                    recordings = self.store.save(*changed.values(), **extra)
                except IntegrityError:
                    continue  # another answer to one of these completions was saved first: decide again
                position = recordings[-1].notification.id if recordings else None
            return [dataclasses.replace(r, position=position) if r.outcome == "recorded" else r for r in results]
        raise IntegrityError("these completions are being answered concurrently; try again")

    def _answer(
        self,
        index: int,
        feed: str,
        answer: Acknowledgement,
        types: dict[str, str],
        loaded: dict[uuid.UUID, Completion],
        changed: dict[uuid.UUID, Completion],
        by: Acting,
    ) -> AcknowledgementResult:
        item_id = answer.item_id

        def refused(msg: str, loc: str = "id") -> AcknowledgementResult:
            return AcknowledgementResult(index, item_id, "refused", [{"loc": [loc], "msg": msg}])

        kind = types.get(item_id)
        if kind is None:
            return refused(f"no item {item_id!r} in the {feed} feed (an item's id, as the feed gives it)")
        if kind != "completion":
            return refused(f"item {item_id} is a deletion: only records are answered")
        stream, _, version = item_id.rpartition(":")
        key = uuid.UUID(stream)
        if key not in loaded:  # pragma: no cover - the feed's items are of stored completions
            loaded[key] = self.store.repository.get(key)
        completion = loaded[key]
        try:
            if not completion.acknowledge(
                feed, item_id, int(version), answer.status, answer.reason_code, answer.reason, by
            ):
                return AcknowledgementResult(index, item_id, "unchanged")
        except DomainError as error:
            return refused(error.message, error.loc[0] if error.loc else "id")
        changed[key] = completion
        return AcknowledgementResult(index, item_id, "recorded")


def form_credits(
    cme: list[dict[str, Any]], moc: list[dict[str, Any]], activity: Activity
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The web form's credits by the learner reports' rules: each CME entry a CME credit type, each MOC entry
    MOC credit for its own board (type blank: "{board} MOC"); UnclassifiedCreditError naming the entry if not."""
    registered = registered_types(activity.data.get("moc"))
    out_cme, out_moc = [], []
    for i, c in enumerate(cme):
        loc = ("cme", str(i), "type")
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
                loc=("moc", str(i), "board"),
            )
        loc = ("moc", str(i), "type")
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
    if head == "rems":  # the REMS learner fields: the report's Participant
        return ["Participants", "Participant"]
    return list(loc)
