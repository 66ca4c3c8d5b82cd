"""Commands about learners' completions: reports of completions (ACCME learner reports, batch rows), one completion
from the web form, and deletions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commands.base import Command
from commands.learners import MatchQuery
from domain.activity import Activity
from domain.credit_types import UnclassifiedCreditError, classify, registered_types


@dataclass(frozen=True)
class PendingCredit:
    """A certificate reported to one board whose credit type only the activity's registration can classify."""

    credit_id: str
    certification: str
    credits: float
    board: str
    loc: list[Any]  # the certificate's activityCertification, within the report


@dataclass(frozen=True)
class ReportCompletion:
    """One learner's completion of one activity as a learner report gives it (add, or delete its credit IDs):
    read at the edge from an ACCME ActivityReport, a batch file's row or the demo's data."""

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
    #: The provider attests the learner consented to sharing this record with boards (without it: not sent).
    consent: bool = False
    #: The learner's REMS fields (domain/rems_learner.py: profession, state of primary practice, DEA registration,
    #: practice area, surgical procedures, time in practice), for a REMS-registered activity.
    rems: dict[str, Any] | None = None

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
    """Raised (or handed over in a report's place) when a report cannot be read: `loc` is the path within the report."""

    def __init__(self, loc: list[Any], msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


class ReportCompletions(Command):
    """A provider's reports of completions, each read already (or the ReportError that refused it), in order."""

    accme_id: str
    reports: list[Any]  # ReportCompletion | ReportError: plain dataclasses, handed over as they are


class RecordCompletion(Command):
    """One completion of a matched learner, from the web form (CME and MOC credit entries as the form gives them)."""

    accme_id: str
    learner_id: str
    activity_id: str
    completion_date: date
    cme: list[dict[str, Any]]
    moc: list[dict[str, Any]]
    credit_id: str
    #: The learner's NPI, licence numbers and board IDs (MatchResult.identifiers), which the credit ID must not hold.
    identifiers: tuple[str, ...] = ()
    #: The provider attests the learner consented to sharing with boards (without it the record goes to none).
    consent: bool = False
    #: The learner's REMS fields (domain.rems_learner.rems_participant), for a REMS-registered activity only.
    rems: dict[str, Any] | None = None


class DeleteCompletions(Command):
    """Deletes these completions (their aggregate ids), a `Deleted` event each, in one save."""

    keys: list[str]


class CorrectCompletion(Command):
    """Corrects a standing completion (its aggregate id): deleted and resubmitted with these facts in one save
    (CME and MOC credit entries as the web form gives them)."""

    accme_id: str
    key: str
    completion_date: date
    cme: list[dict[str, Any]]
    moc: list[dict[str, Any]]
    #: None keeps the record's consent attestation as it was.
    consent: bool | None = None


class AttestActivityConsent(Command):
    """The provider attests (or withdraws) that every learner of the activity consented to sharing with boards:
    each record of it reported from then on carries the attestation."""

    accme_id: str
    activity_id: str
    attested: bool = True


@dataclass(frozen=True)
class Acknowledgement:
    """A board's answer to one item of its feed, by the item's `id` (read at the edge, not yet checked)."""

    item_id: str
    status: str
    reason_code: str = ""
    reason: str = ""


class AcknowledgeItems(Command):
    """A board's answers to items of its feed (`kind` board or state, `code` ABIM or TN), each read already
    (or the ReportError that refused it), in order."""

    kind: str
    code: str
    answers: list[Any]  # Acknowledgement | ReportError: plain dataclasses, handed over as they are


class SetRecordDigest(Command):
    """The provider asks for (or stops) the digest of its MOC records at risk and late, mailed to the contacts of
    these roles (none: no digest)."""

    accme_id: str
    roles: list[str]


class SendRecordDigests(Command):
    """Mail each provider that asked for it (or those named) its records at risk and late, unless it has none or
    was sent one within the day (`force` sends all the same); each digest sent is recorded on its history."""

    providers: tuple[str, ...] | None = None
    force: bool = False
    base_url: str  # where the mailed link points (PARS_PUBLIC_URL)


DigestCommand = SetRecordDigest | SendRecordDigests

CompletionCommand = (
    ReportCompletions
    | RecordCompletion
    | DeleteCompletions
    | CorrectCompletion
    | AttestActivityConsent
    | AcknowledgeItems
)
