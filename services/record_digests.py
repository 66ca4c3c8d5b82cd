"""The digest of a provider's MOC records at risk and late (domain/credit_deadlines.py), mailed to the contacts it
chose (domain/record_digest.py). `pars admin send-record-digests` sends the day's digests (run it daily, e.g. from
cron: a digest is not repeated within 20 hours); the provider opts in and out through the API.

The mail names records by activity, credit ID, board and date, never by the learner: names stay on the pages
behind sign-in, and the mail links to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.completions import DigestCommand, SendRecordDigests, SetRecordDigest
from domain.base import Acting
from domain.credit_deadlines import AT_RISK, LATE
from domain.record_digest import DigestSentRecentlyError, RecordDigest
from services.accounts import Mailer
from services.providers import ConcurrentChangeError, Outcome
from services.queries.records import RecordStatusQueries
from services.retries import attempts
from services.store import ParsStore

#: Records listed one by one in a digest (late ones first); beyond this the mail says how many more there are.
LISTED = 50


class Profiles(Protocol):
    def get_profile(self, accme_id: str) -> dict[str, Any] | None: ...


class RecordDigests:
    def __init__(
        self,
        store: ParsStore,
        records: RecordStatusQueries,
        profiles: Profiles,
        mailer: Mailer | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.records = records
        self.profiles = profiles
        self.mailer = mailer
        self.clock = clock

    def handle(self, cmd: DigestCommand, by: Acting) -> Outcome:
        """Hands the command to its handler below."""
        match cmd:
            case SetRecordDigest():
                return self.set_roles(cmd, by)
            case SendRecordDigests():
                return self.send(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a digest command")

    def load(self, accme_id: str) -> RecordDigest | None:
        try:
            return self.store.repository.get(RecordDigest.create_id(accme_id))
        except AggregateNotFoundError:
            return None

    def roles(self, accme_id: str) -> list[str]:
        """The contact roles the provider's digest goes to (none: it has not asked for one)."""
        digest = self.load(accme_id)
        return list(digest.roles) if digest else []

    def set_roles(self, cmd: SetRecordDigest, by: Acting) -> Outcome:
        for _ in attempts():
            digest = self.load(cmd.accme_id)
            if digest is None:
                if not cmd.roles:
                    return Outcome([], None)
                digest = RecordDigest.start(cmd.accme_id, cmd.roles, by)
            elif not digest.set_roles(cmd.roles, by):
                return Outcome(digest.roles, None)
            try:
                recordings = self.store.save(digest)
            except IntegrityError:
                continue
            return Outcome(digest.roles, recordings[-1].notification.id)
        raise ConcurrentChangeError(f"the digest of provider {cmd.accme_id} is being changed by others; try again")

    def send(self, cmd: SendRecordDigests, by: Acting) -> Outcome:
        """One result per provider: sent, nothing_due, not_asked (no digest asked for), sent_recently, not_found,
        or mail_failed (recorded, the mail refused: send again with force)."""
        targets = list(dict.fromkeys(cmd.providers)) if cmd.providers is not None else self.records.providers_at_risk()
        results: list[dict[str, Any]] = []
        position: int | None = None
        for accme_id in targets:
            profile = self.profiles.get_profile(accme_id)
            digest = self.load(accme_id)
            if profile is None:
                results.append({"accme_id": accme_id, "status": "not_found", "msg": "no provider has this ACCME ID"})
                continue
            if digest is None or not digest.roles:
                if cmd.providers is not None:
                    results.append({"accme_id": accme_id, "status": "not_asked", "msg": "no digest was asked for"})
                continue
            counts = self.records.deadline_counts(accme_id)
            late = sum(n["late"] for n in counts.values())
            at_risk = sum(n["at_risk"] for n in counts.values())
            if not late and not at_risk:
                results.append({"accme_id": accme_id, "status": "nothing_due", "msg": "no record at risk or late"})
                continue
            to = [c["email"] for r in digest.roles if (c := profile["contacts"].get(r)) and c.get("email")]
            try:
                position = self._record(accme_id, to, at_risk, late, cmd.force, by)
            except DigestSentRecentlyError as recent:
                results.append(
                    {
                        "accme_id": accme_id,
                        "status": "sent_recently",
                        "msg": recent.message,
                        "last_sent": recent.last.isoformat(),
                    }
                )
                continue
            result: dict[str, Any] = {
                "accme_id": accme_id,
                "status": "sent",
                "to": to,
                "at_risk": at_risk,
                "late": late,
            }
            subject, body = self.mail(profile, counts, cmd.base_url)
            try:
                if self.mailer is None:
                    raise OSError("no mailer is configured")
                for address in to:
                    self.mailer.send(address, subject, body)
            except OSError as refused:
                result.update(
                    status="mail_failed",
                    msg=f"the digest is recorded but the mail was not sent ({type(refused).__name__}); "
                    "send it again with force",
                )
            results.append(result)
        return Outcome({"results": results}, position)

    def _record(self, accme_id: str, to: list[str], at_risk: int, late: int, force: bool, by: Acting) -> int:
        for _ in attempts():
            digest = self.load(accme_id)
            assert digest is not None
            digest.sent(self.clock(), to, at_risk, late, force, by)
            try:
                recordings = self.store.save(digest)
            except IntegrityError:
                continue
            return recordings[-1].notification.id
        raise ConcurrentChangeError(f"the digest of provider {accme_id} is being sent by others; try again")

    def mail(self, profile: dict[str, Any], counts: dict[str, dict[str, int]], base_url: str) -> tuple[str, str]:
        """The digest's subject and text: the counts per board, then the records late and at risk, each with its
        activity, credit ID, board, status and date (no learner's name), and the link to the provider's records."""
        accme_id = profile["accme_id"]
        late = sum(n["late"] for n in counts.values())
        at_risk = sum(n["at_risk"] for n in counts.values())
        subject = f"PARS: {late} MOC record{'s' if late != 1 else ''} late, {at_risk} at risk — {profile['name']}"
        lines = [
            (
                f"MOC records of {profile['name']} (ACCME ID {accme_id}) that a board has not accepted, by the date "
                "that "
                "decides whether the learner's credit is lost: the activity's credit-claim date, ABP's 1 December, "
                "ABIM's 31 December or PARS's 30 days after completion, whichever comes first. Credit missed at claim "
                "time is lost for good: correct rejected records and report missing ones now."
            ),
            "",
            *(f"{board}: {n['late']} late, {n['at_risk']} at risk (due within 14 days)" for board, n in counts.items()),
        ]
        for standing, title in ((LATE, "Late (past their date)"), (AT_RISK, "At risk (due within 14 days)")):
            page = self.records.roster(accme_id, None, status=standing, page_size=LISTED)
            if not page["count"]:
                continue
            lines += ["", f"{title}:"]
            for r in page["data"]:
                for b in r["boards"]:
                    if b["standing"] != standing:
                        continue
                    why = f" ({b['reason_code'] or b['reason']})" if b["status"] == "rejected" else ""
                    lines.append(
                        f"- {b['board']} due {b['due']}: {b['status']}{why} — credit {r['credit_id']}, activity "
                        f"{r['activity_id']} {r['activity_title']}, completed {r['completion_date']}"
                    )
            if page["count"] > LISTED:
                lines.append(f"  … and {page['count'] - LISTED} more")
        base = base_url.rstrip("/")
        lines += [
            "",
            f"Late records: {base}/provider/{accme_id}/records?status=late",
            f"At risk: {base}/provider/{accme_id}/records?status=at_risk",
            "",
            (
                "You get this digest because your organisation asked for it in PARS; it can stop it there "
                f"(PUT /api/v1/providers/{accme_id}/record-digest with no roles)."
            ),
        ]
        return subject, "\n".join(lines) + "\n"
