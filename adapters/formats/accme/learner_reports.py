"""ACCME learner reports (`ActivityReport`s of the learner-reports schema) read into completion commands.

Each report is one learner's completion of one activity; its `CreditCertificate`s are grouped by `CreditID`.
Each certificate is CME credit or MOC credit for one board by `domain/credit_types.py` (its credit type and the
board its `UniqueID.domain` names); one it cannot classify yet waits for the activity's registrations (the
registry classifies it), one it never can is refused naming its JSON path. A report that cannot be read is a
`ReportError` naming the path within the report, handed over in the report's place so results stay in order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from commands.completions import PendingCredit, ReportCompletion, ReportCompletions, ReportError
from commands.learners import MatchQuery
from domain.completion import MAX_CREDITS, is_quarter_steps, require_credit_id
from domain.credit_types import UnclassifiedCreditError, classify
from domain.errors import InvalidValueError
from domain.learner import CERTIFYING_BOARDS
from domain.rems_learner import PARTICIPANT, rems_participant


def _get(obj: Any, *path: str) -> Any:
    try:  # only a dict has .get among decoded JSON values: anything else on the way answers None
        for key in path:
            obj = obj.get(key)
    except AttributeError:
        return None
    return obj


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text(obj: Any, *path: str, within: tuple[str, ...] = ()) -> str:
    """The non-empty text at `path` in `obj` (itself at `within` in the report, for the error's place)."""
    value = _get(obj, *path)
    if type(value) is not str or not (value := value.strip()):
        raise ReportError([*within, *path], "a non-empty string is required")
    return value


def parse_report(report: Any) -> ReportCompletion:
    if not isinstance(report, dict):
        raise ReportError([], "an ActivityReport is an object")
    action = _get(report, "XtensibleInfo", "LearnerRecordAction")
    if action not in ("add", "delete"):
        raise ReportError(["XtensibleInfo", "LearnerRecordAction"], "LearnerRecordAction is add or delete")
    module = ("Activity", "Module")
    mod = _get(report, *module)  # each part of the report walked to once, not once per field read in it
    activity_id = _text(mod, "ModuleName", "moduleID", within=module)
    if not (len(activity_id) == 9 and activity_id.isascii() and activity_id.isdigit()):
        raise ReportError([*module, "ModuleName", "moduleID"], "the moduleID is a 9-digit ACCME activity ID")
    if _get(mod, "Status") != "Completed":
        raise ReportError([*module, "Status"], "Status is 'Completed'")
    raw_date = _text(mod, "CompletedDateTime", within=module)
    try:
        completion_date = date.fromisoformat(raw_date[:10])
    except ValueError:
        raise ReportError([*module, "CompletedDateTime"], f"{raw_date!r} is not a YYYY-MM-DD date") from None
    member = _get(report, "Member")
    name = _get(member, "Name")
    first = _text(name, "GivenName", within=("Member", "Name"))
    last = _text(name, "FamilyName", within=("Member", "Name"))
    birth = _get(member, "PersonalInfo", "BirthDate")
    if birth is not None and not isinstance(birth, str):
        raise ReportError(["Member", "PersonalInfo", "BirthDate"], "BirthDate is YYYY-MM-DD")
    certificates = _get(mod, "CreditCertificate")
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
        given = _get(cert, "CreditID")
        try:
            credit_id = require_credit_id(given if isinstance(given, str) else "")
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
    consent = _get(report, "XtensibleInfo", "LearnerConsent")
    if consent is not None and not isinstance(consent, bool):
        raise ReportError(
            ["XtensibleInfo", "LearnerConsent"],
            "LearnerConsent is true when the learner consented to sharing this record with boards, else false",
        )
    return ReportCompletion(
        action,
        activity_id,
        completion_date,
        query,
        credits,
        pending=pending,
        certificates=where_from,
        consent=bool(consent),
        rems=rems_of(report) if action == "add" else None,
    )


def rems_of(report: dict[str, Any]) -> dict[str, Any] | None:
    """The learner's REMS fields from `Participants.Participant` (None without it); a ReportError naming the member."""
    participant = _get(report, "Participants", "Participant")
    if participant is None:
        return None
    where = ["Participants", "Participant"]
    if not isinstance(participant, dict):
        raise ReportError(where, "Participant is an object of the learner's REMS fields")
    try:
        return rems_participant(**{f: participant.get(member) for f, member in PARTICIPANT.items()})
    except InvalidValueError as exc:
        member = PARTICIPANT.get(str(exc.loc[1]) if len(exc.loc) > 1 else "profession", "Profession")
        raise ReportError([*where, member, *exc.loc[2:]], exc.message) from None


def boards_reported(domains: list[str]) -> list[str]:
    """The certifying boards among a certificate's UniqueID domains."""
    return [d for d in dict.fromkeys(d.strip().upper() for d in domains) if d in CERTIFYING_BOARDS]


def parse_provider_report(accme_id: str, report: Any) -> ReportCompletion | ReportError:
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


def report_completions(accme_id: str, reports: list[Any]) -> ReportCompletions:
    """The command for a provider's learner reports: each one read, or the ReportError that refused it."""
    return ReportCompletions(accme_id=accme_id, reports=[parse_provider_report(accme_id, r) for r in reports])
