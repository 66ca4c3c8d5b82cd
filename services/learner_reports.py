"""A learner's reports from one provider, found by a `Member.UniqueID` value (the learner web service's
`GET`/`DELETE /learner-activities/{learnerId}`), and written back as an ACCME learner-reports document.

The identifier is resolved like learner status resolves it (`LearnerMatcher.holders`: an NPI, a board
ID or a state licence number, bare or `DOMAIN:value`); of the learners holding it, only those with
standing completions from the provider count, so another provider's learners stay invisible and a
bare value is ambiguous only when two of the provider's own learners hold it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.errors import InvalidValueError, NotFoundError
from domain.rems_learner import participant_of
from projections.learner_directory import LearnerDirectoryView
from projections.provider_profile import ProviderProfileView
from projections.transcripts import TranscriptView
from services.learner_matching import LearnerMatcher, UniqueId


@dataclass(frozen=True)
class LearnerReports:
    """One learner's standing completions from one provider, and the identifier they were found by."""

    accme_id: str
    learner_id: str
    held: UniqueId  # the identifier as the learner holds it (a bare value's domain resolved)
    rows: list[dict[str, Any]]  # transcript rows, oldest first


class LearnerReportQueries:
    def __init__(
        self,
        matcher: LearnerMatcher,
        directory: LearnerDirectoryView,
        transcripts: TranscriptView,
        profiles: ProviderProfileView,
    ) -> None:
        self.matcher = matcher
        self.directory = directory
        self.transcripts = transcripts
        self.profiles = profiles

    def find(self, accme_id: str, uid: UniqueId, loc: tuple[str, ...] = ("learnerId",)) -> LearnerReports:
        """NotFoundError when no learner of the provider's reports holds the identifier; InvalidValueError
        when several do (then the identifier must name its domain)."""
        found: dict[str, LearnerReports] = {}
        for held, entry in self.matcher.holders(uid):
            if entry["learner_id"] in found:
                continue
            rows = [
                r for r in self.transcripts.for_learner(entry["learner_id"], None, None) if r["accme_id"] == accme_id
            ]
            if rows:
                found[entry["learner_id"]] = LearnerReports(accme_id, entry["learner_id"], held, rows)
        if not found:
            raise NotFoundError(
                f"provider {accme_id} has reported no completion of a learner with {uid.describe()}", loc=loc
            )
        if len(found) > 1:
            raise InvalidValueError(
                f"{len(found)} learners of this provider's reports have {uid.describe()}; give it as NPI:number, BOARD:id or STATE:number",
                loc=loc,
            )
        return next(iter(found.values()))

    def document(self, reports: LearnerReports, now: datetime | None = None) -> dict[str, Any]:
        """The reports as `ACCMELearnerReports` (accme-pars-learner-reports v0_5): one `ActivityReport` per
        completion, as the provider would send it again ("add"), so posting it back changes nothing."""
        entry = self.directory.get_learner(reports.learner_id) or {}
        doc = entry.get("doc") or {}
        board_ids = {b["board"]: b["id"] for b in doc.get("board_ids") or []}
        provider = (self.profiles.get_profile(reports.accme_id) or {}).get("name", "")
        held = {"value": reports.held.value, "domain": reports.held.domain}

        def certificate(row: dict[str, Any], credit: dict[str, Any], board: str | None) -> dict[str, Any]:
            # MOC credit is identified to its board by the learner's ID with that board; CME by the identifier asked for.
            unique_id = {"value": board_ids[board], "domain": board} if board and board in board_ids else held
            received = {
                "activityCertification": credit["type"],
                "creditUnit": "Point",
                "numberOfCredits": credit["credits"],
            }
            return {"UniqueID": [unique_id], "CreditReceived": received, "CreditID": row["credit_id"]}

        items = [
            {
                "ReportingOrganization": provider,
                "Member": {"Name": {"GivenName": doc.get("first_name", ""), "FamilyName": doc.get("last_name", "")}},
                "Activity": {
                    "ProviderOrganization": reports.accme_id,
                    "Module": {
                        "ModuleName": {"value": row["doc"]["activity_title"], "moduleID": row["activity_id"]},
                        "Status": "Completed",
                        "CompletedDateTime": f"{row['completion_date']}T00:00:00",
                        "CreditCertificate": [
                            *(certificate(row, c, None) for c in row["doc"]["cme"]),
                            *(certificate(row, m, m["board"]) for m in row["doc"]["moc"]),
                        ],
                    },
                },
                "XtensibleInfo": {"ProviderID": reports.accme_id, "LearnerRecordAction": "add"},
                **rems_part(row),
            }
            for row in reports.rows
        ]
        created = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"ACCMELearnerReports": {"ActivityReports": {"DateTimeCreated": created, "ActivityReport": items}}}


def rems_part(row: dict[str, Any]) -> dict[str, Any]:
    """The completion's REMS learner fields as the report's `Participants` (nothing when it has none)."""
    participant = participant_of(row["doc"].get("rems"))
    return {"Participants": {"Participant": participant}} if participant else {}
