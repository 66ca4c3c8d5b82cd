"""The provider dashboard: one year's activities, learners, commercial support, completions and checklist,
from whichever read models it is given (live, or replayed to an instant)."""

from __future__ import annotations

from typing import Any

from services.queries.read_models import ReadModels


def dashboard_body(reads: ReadModels, accme_id: str, profile: dict[str, Any], year: int | None) -> dict[str, Any]:
    """The dashboard from these read models: the live ones, or the ones replayed to an instant."""
    today = reads.today()
    year = year or today.year
    body: dict[str, Any] = {"accme_id": accme_id, "name": profile["name"], "year": year}
    body.update(reads.activities.counts(accme_id, year))
    # Standing (not deleted) completions of the year, from the transcripts read model.
    body["completions_reported"] = reads.completions.count(accme_id, year)
    # Records with MOC points of the year, per board and status (pending, accepted, rejected, not_sent).
    body["board_records"] = reads.records.board_counts(accme_id, year)
    # Records of any year a board has not accepted, due within 14 days (at_risk) or past due (late), per board.
    body["records_due"] = reads.records.deadline_counts(accme_id)
    try:
        body["checklist"] = reads.annual.checklist_summary(accme_id, year, profile.get("accreditor"))
    except Exception:  # noqa: BLE001 - the annual-reporting issue owns the checklist; the dashboard still answers
        body["checklist"] = None
    return body
