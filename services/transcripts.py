"""Transcript queries: whose transcript a principal may read, found by name + state + licence or NPI.

A learner reads only their own transcript: the parameters, when given, must describe them. Boards
and accreditors (and auditors, who read everything) name a physician by first and last name,
state of licensure and state licence ID, or by NPI; anything but exactly one learner answers
404 with the reason. A state board reads only physicians licensed in its state, a certifying
board only its diplomates (a board ID at that board on record). Providers read no transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import DomainError, InvalidValueError, NotFoundError
from domain.learner import identifier_key, name_key
from projections.learner_directory import LearnerDirectoryView
from projections.provider_profile import ProviderProfileView
from projections.transcripts import TranscriptView, credit_totals, transcript_lines
from services.access import Principal, Role
from services.learners import LearnerDirectory


class TranscriptForbiddenError(DomainError):
    """Raised when the principal's role reads no transcripts, or a learner asks for someone else's."""


class TranscriptLearnerNotFoundError(NotFoundError):
    """Raised when the parameters name no single learner the principal may read."""


@dataclass(frozen=True)
class TranscriptQuery:
    """The ACCME transcript API's parameters."""

    first_name: str | None = None
    last_name: str | None = None
    state: str | None = None
    licence_id: str | None = None
    npi: str | None = None
    start: date | None = None
    end: date | None = None

    @property
    def names_someone(self) -> bool:
        return any((self.first_name, self.last_name, self.state, self.licence_id, self.npi))


@dataclass(frozen=True)
class Transcript:
    learner: dict[str, Any]  # the learner directory doc: names, licences, NPI, board IDs
    rows: list[dict[str, Any]]  # transcript rows (projections/transcripts.py), each with provider_name
    totals: dict[str, float]
    start: date | None
    end: date | None

    @property
    def lines(self) -> list[dict[str, Any]]:
        """One per completion (learner, activity, date), however many credit IDs it was reported under."""
        return transcript_lines(self.rows)


def describes(doc: dict[str, Any], q: TranscriptQuery) -> bool:
    """Whether every identifier given in the query is the learner's own."""
    if (q.first_name or q.last_name) and name_key(q.first_name or "", q.last_name or "") != name_key(
        doc["first_name"], doc["last_name"]
    ):
        return False
    licences = {(lic["state"], identifier_key(lic["number"])) for lic in doc.get("licences") or []}
    if q.state and q.state not in {s for s, _ in licences}:
        return False
    if q.licence_id and (q.state or "", identifier_key(q.licence_id)) not in licences:
        return False
    return not (q.npi and q.npi != doc.get("npi"))


class TranscriptQueries:
    def __init__(
        self,
        learners: LearnerDirectory,
        directory: LearnerDirectoryView,
        transcripts: TranscriptView,
        profiles: ProviderProfileView,
    ) -> None:
        self.learners = learners
        self.directory = directory
        self.transcripts = transcripts
        self.profiles = profiles

    def for_principal(self, principal: Principal, q: TranscriptQuery) -> Transcript:
        """The transcript the query names, as this principal may read it."""
        if q.start and q.end and q.end < q.start:
            raise InvalidValueError(
                "completionDateRangeEnd is before completionDateRangeStart", loc=("completionDateRangeEnd",)
            )
        if principal.role is Role.LEARNER:
            entry = self._own(principal, q)
        elif principal.role in (Role.BOARD, Role.ACCREDITOR, Role.AUDITOR):
            try:
                entry = self.find(q)
                self._may_read(principal, entry)
            except TranscriptLearnerNotFoundError:
                if principal.role is Role.BOARD:
                    # One answer whether nobody matches or someone not the board's own does: a board cannot
                    # probe the directory for physicians who are not its licensees or diplomates.
                    raise TranscriptLearnerNotFoundError(self._not_the_boards(principal)) from None
                raise
        else:
            raise TranscriptForbiddenError("providers read no transcripts; a learner, board or accreditor token does")
        return self.transcript(entry["doc"], q.start, q.end)

    def completion(self, principal: Principal, credit_id: str, accme_id: str | None) -> Transcript:
        """A standing completion's rows reported under this credit ID, read under the transcript's rules: a
        learner reads their own; a board, accreditor or auditor names the provider that reported it, and gets
        the same 404 for a credit ID nobody reported as for one of a physician who is not theirs to read."""
        missing = TranscriptLearnerNotFoundError(
            f"no standing completion with credit ID {credit_id} that this token may read", loc=("credit_id",)
        )
        if principal.role is Role.LEARNER:
            learner = self._own(principal, TranscriptQuery())["doc"]
            rows = [
                r
                for r in self.transcripts.for_learner(learner["learner_id"], None, None)
                if r["credit_id"] == credit_id and (accme_id is None or r["accme_id"] == accme_id)
            ]
        elif principal.role in (Role.BOARD, Role.ACCREDITOR, Role.AUDITOR):
            if not accme_id:
                raise InvalidValueError(
                    "name the provider that reported the credit ID (its 7-digit ACCME ID)", loc=("provider",)
                )
            rows = self.transcripts.by_credit_id(accme_id, credit_id)
            entry = self.directory.get_learner(rows[0]["learner_id"]) if rows else None
            if entry is None:
                raise missing
            try:
                self._may_read(principal, entry)
            except TranscriptLearnerNotFoundError:
                raise missing from None
            learner = entry["doc"]
        else:
            raise TranscriptForbiddenError("providers read no transcripts; a learner, board or accreditor token does")
        if not rows:
            raise missing
        return self._named(learner, rows, None, None)

    def transcript(self, learner: dict[str, Any], start: date | None, end: date | None) -> Transcript:
        return self._named(learner, self.transcripts.for_learner(learner["learner_id"], start, end), start, end)

    def _named(
        self, learner: dict[str, Any], rows: list[dict[str, Any]], start: date | None, end: date | None
    ) -> Transcript:
        names: dict[str, str] = {}
        for r in rows:
            if r["accme_id"] not in names:
                names[r["accme_id"]] = (self.profiles.get_profile(r["accme_id"]) or {}).get("name", "")
            r["provider_name"] = names[r["accme_id"]]
        return Transcript(learner, rows, credit_totals(rows), start, end)

    def _own(self, principal: Principal, q: TranscriptQuery) -> dict[str, Any]:
        learner_id = self.learners.resolve(principal.learner or "")
        entry = self.directory.get_learner(learner_id) if learner_id else None
        if entry is None:
            raise TranscriptLearnerNotFoundError("this learner is not in the learner directory", loc=("learner",))
        if q.names_someone and not describes(entry["doc"], q):
            # Same answer whether or not the named person exists: a learner learns nothing of others.
            raise TranscriptForbiddenError(
                "a learner token reads only its own transcript, and these parameters do not describe its learner"
            )
        return entry

    def find(self, q: TranscriptQuery) -> dict[str, Any]:
        """Exactly one learner named by NPI, or by first + last name + state + licence ID; else why not."""
        if q.npi:
            found = [e for e in self.directory.by_npis([q.npi]) if describes(e["doc"], q)]
            what = f"NPI {q.npi}"
        elif q.first_name and q.last_name and q.state and q.licence_id:
            key = name_key(q.first_name, q.last_name)
            found = [e for e in self.directory.by_name_keys([key]) if describes(e["doc"], q)]
            what = f"{q.first_name} {q.last_name} with licence {q.licence_id} in {q.state}"
        else:
            missing = [
                n
                for n, v in (
                    ("firstName", q.first_name),
                    ("lastName", q.last_name),
                    ("stateOfLicensure", q.state),
                    ("stateMedicalLicenseID", q.licence_id),
                )
                if not v
            ]
            raise InvalidValueError(
                "name a physician by npi, or by firstName, lastName, stateOfLicensure and stateMedicalLicenseID",
                loc=(missing[0],),
            )
        if not found:
            raise TranscriptLearnerNotFoundError(
                f"no learner in the directory matches {what} (with every other parameter given)"
            )
        if len(found) > 1:
            raise TranscriptLearnerNotFoundError(f"{len(found)} learners match {what}; give the NPI")
        return found[0]

    @staticmethod
    def _not_the_boards(principal: Principal) -> str:
        return (
            f"no {principal.board} diplomate matches these parameters"
            if principal.board
            else f"no learner licensed in {principal.state} matches these parameters"
        )

    @classmethod
    def _may_read(cls, principal: Principal, entry: dict[str, Any]) -> None:
        doc = entry["doc"]
        if (
            principal.role is Role.BOARD
            and principal.state
            and principal.state not in {lic["state"] for lic in doc.get("licences") or []}
        ):
            raise TranscriptLearnerNotFoundError(cls._not_the_boards(principal))
        if (
            principal.role is Role.BOARD
            and principal.board
            and principal.board not in {b["board"] for b in doc.get("board_ids") or []}
        ):
            raise TranscriptLearnerNotFoundError(cls._not_the_boards(principal))


def accme_transcript(t: Transcript) -> dict[str, Any]:
    """The transcript as ACCME transcript JSON (`accme-pars-learner-transcript.schema_v0_1.json`)."""
    doc = t.learner
    info: dict[str, Any] = {
        "Licensure": [
            {"StateOfLicensure": lic["state"], "StateMedicalLicenseID": lic["number"]}
            for lic in doc.get("licences") or []
        ],
        "Certification": [
            {"CertifyingBoard": b["board"], "CertifyingBoardID": b["id"]} for b in doc.get("board_ids") or []
        ],
    }
    if doc.get("npi"):
        info["NPI"] = doc["npi"]
    activities = [
        {
            "Activity": {
                "ProviderOrganization": r["accme_id"],
                "ReportingOrganization": r.get("provider_name") or "",
                "Module": {
                    "ModuleName": {"value": r["activity_title"], "moduleID": r["activity_id"]},
                    "Status": "Completed",
                    "CompletedDateTime": f"{r['completion_date']}T00:00:00",
                    "CreditCertificate": [
                        {
                            "CreditID": c["credit_id"],
                            "CreditReceived": {
                                "activityCertification": c["type"],
                                "creditUnit": "Point",
                                "numberOfCredits": c["credits"],
                            },
                        }
                        for c in r["certificates"]
                    ],
                },
            }
        }
        for r in t.lines
    ]
    member = {"Name": {"GivenName": doc["first_name"], "FamilyName": doc["last_name"]}, "PersonalInfo": info}
    return {"ACCMETranscripts": [{"Member": member, "ActivityTranscript": activities}]}


def credits_by_date(t: Transcript) -> dict[str, Any]:
    """Credit totals by credit type for the range; `totalCredits` is the CME credit (MOC points apart), where a
    completion reported with MOC points only counts its points as CME (MOC counts as CME for state boards)."""
    lines = t.lines
    cme = sum(line["cme_credits"] for line in lines)
    return {
        "learner": {"GivenName": t.learner["first_name"], "FamilyName": t.learner["last_name"]},
        "completionDateRangeStart": t.start.isoformat() if t.start else None,
        "completionDateRangeEnd": t.end.isoformat() if t.end else None,
        "totalCredits": cme,
        "unit": "Point",
        "creditsByType": t.totals,
        "completions": len(lines),
    }
