"""Completions: a provider's completions by credit ID, a learner's by date, the year's count, and the
learner's own CME Passport transcript (the transcripts read model)."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.activity_summary import ActivitySummaryView
from projections.transcripts import TranscriptView, credit_totals, transcript_lines
from services.queries.providers import ProviderQueries


class CompletionQueries:
    def __init__(self, view: TranscriptView, providers: ProviderQueries, activities: ActivitySummaryView) -> None:
        self.view = view
        self.providers = providers
        self.activities = activities  # which activities are registered as MIPS improvement activities

    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        return self.view.by_credit_id(accme_id, credit_id)

    def for_learner(self, learner_id: str, start: date | None, end: date | None) -> list[dict[str, Any]]:
        return self.view.for_learner(learner_id, start, end)

    def count(self, accme_id: str | None = None, year: int | None = None) -> int:
        """Standing (not deleted) completions, of a provider and a year when given."""
        return self.view.count(accme_id, year)

    def passport(self, learner_id: str, start: date | None, end: date | None) -> dict[str, Any]:
        """The learner's completions (provider, activity, date, credits; `mips`: the activity is registered as a
        MIPS improvement activity) in the range, with totals by credit type."""
        rows = self.view.for_learner(learner_id, start, end)
        names = self.providers.names(r["accme_id"] for r in rows)
        mips = self.activities.mips_activity_ids([r["activity_id"] for r in rows]) if rows else set()
        completions = [  # one per completion (learner, activity, date), however many credit IDs it was reported under
            {
                "provider": {"accme_id": line["accme_id"], "name": names[line["accme_id"]]},
                "activity": {"activity_id": line["activity_id"], "title": line["activity_title"]},
                "completion_date": line["completion_date"],
                "credit_ids": line["credit_ids"],
                "credits": [*line["cme"], *({"type": m["type"], "credits": m["credits"]} for m in line["moc"])],
                "cme": line["cme"],
                "moc": line["moc"],
                "cme_credits": line["cme_credits"],
                "mips": line["activity_id"] in mips,
            }
            for line in transcript_lines(rows)
        ]
        return {
            "learner_id": learner_id,
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "completions": completions,
            "totals": credit_totals(rows),
        }
