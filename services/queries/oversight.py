"""Accreditor oversight across providers: the MIPS report (activities registered as MIPS improvement activities
and their completions by physician), from the activity summaries, the transcripts and the learner directory."""

from __future__ import annotations

from typing import Any

from domain.activity import REMS_TYPES
from domain.annual_report import require_year
from domain.errors import InvalidValueError
from projections.activity_summary import ActivitySummaryView
from projections.learner_directory import LearnerDirectoryView
from projections.oversight_counts import participants
from projections.transcripts import TranscriptView
from services.queries.activities import rems_report
from services.queries.providers import ProviderQueries


class OversightQueries:
    def __init__(
        self,
        activities: ActivitySummaryView,
        transcripts: TranscriptView,
        learners: LearnerDirectoryView,
        providers: ProviderQueries,
    ) -> None:
        self.activities = activities
        self.transcripts = transcripts
        self.learners = learners
        self.providers = providers

    def _scope(self, accreditors: list[str] | None, provider: str | None) -> tuple[dict[str, str], list[str] | None]:
        """The names of the providers overseen, and the ACCME IDs to read (None: all; [] none)."""
        if provider is not None:  # one provider: its profile alone, not every provider's name
            profile = self.providers.get_profile(provider)
            if profile is None or (accreditors is not None and profile["accreditor"] not in accreditors):
                return {}, []
            return {provider: profile["name"]}, [provider]
        names = {a: name for a, (_, name) in self.providers.accreditors_and_names(accreditors).items()}
        if provider is not None:
            return names, [provider] if provider in names else []
        return names, None if accreditors is None else list(names)

    def rems(
        self, year: int, accreditors: list[str] | None, *, rems_type: str | None = None, provider: str | None = None
    ) -> dict[str, Any]:
        """The REMS report of the year across the providers the accreditors oversee (None: all), filtered by REMS
        type and provider: each REMS-registered activity that ended in the year (`rems_report`) with its
        participants as the learners' REMS fields give them — by profession, registered prescribers (a DEA
        registration), by practice type and area — and the same in total."""
        require_year(year)
        if rems_type is not None and rems_type not in REMS_TYPES:
            raise InvalidValueError(f"the REMS type is one of: {'; '.join(REMS_TYPES)}", loc=("rems_type",))
        names, ids = self._scope(accreditors, provider)
        found = self.activities.rems_activities(year, ids) if ids != [] else []
        report = rems_report(found, names, year, rems_type)
        shown = [a["activity_id"] for a in report["activities"]]
        # kept per activity by the transcripts read model (projections/oversight_counts.py): no completion is read
        counts = self.transcripts.oversight_counts(shown) if shown else {}
        totals: dict[tuple[str, str], int] = {}
        for activity in report["activities"]:
            kept = counts.get(activity["activity_id"], {})
            activity["participants"] = participants(kept, full=False)
            for key, n in kept.items():
                totals[key] = totals.get(key, 0) + n
        report["totals"]["participants"] = participants(totals, full=True)
        return report

    def mips(self, year: int, accreditors: list[str] | None, *, provider: str | None = None) -> dict[str, Any]:
        """The MIPS report of the year across the providers the accreditors oversee (None: all), or one of them:
        each activity registered as a MIPS improvement activity that ended in the year, and its completions by
        physician (name and NPI from the learner directory; an erased physician is named by no one)."""
        require_year(year)
        names, ids = self._scope(accreditors, provider)
        found = self.activities.mips_activities(year, ids) if ids != [] else []
        by_id = {a["activity_id"]: a for a in found}
        # kept by the transcripts read model: one line per completion with its credit, no document decoded
        lines = self.transcripts.completion_lines(list(by_id)) if by_id else []
        lines.sort(key=lambda line: (line["learner_id"], line["completion_date"], line["activity_id"]))
        people = {d["learner_id"]: d for d in self.learners.by_learner_ids({line["learner_id"] for line in lines})}
        counts = self.transcripts.oversight_counts(list(by_id)) if by_id else {}
        physicians: dict[str, dict[str, Any]] = {}
        for line in lines:
            who = physicians.get(line["learner_id"])
            if who is None:
                doc = people.get(line["learner_id"])
                who = physicians[line["learner_id"]] = {
                    "learner_id": line["learner_id"],
                    "first_name": doc["first_name"] if doc else None,
                    "last_name": doc["last_name"] if doc else None,
                    "npi": doc.get("npi") if doc else None,
                    "erased": doc is None,
                    "completions": [],
                    "credits": 0.0,
                }
            activity = by_id[line["activity_id"]]
            who["completions"].append(
                {
                    "accme_id": activity["accme_id"],
                    "provider": names.get(activity["accme_id"], ""),
                    "activity_id": line["activity_id"],
                    "title": activity["title"],
                    "completion_date": line["completion_date"],
                    "credits": line["credits"],
                }
            )
            who["credits"] += line["credits"]
        activities = [
            {
                "accme_id": a["accme_id"],
                "provider": names.get(a["accme_id"], ""),
                "activity_id": a["activity_id"],
                "title": a["title"],
                "format": a["format"],
                "start_date": a["start_date"],
                "end_date": a["end_date"],
                "credits": a.get("credits"),
                "physician_learners": a["physician_learners"],
                "completions": counts.get(a["activity_id"], {}).get(("completions", ""), 0),
            }
            for a in found
        ]
        listed = sorted(
            physicians.values(),
            key=lambda p: (p["erased"], p["last_name"] or "", p["first_name"] or "", p["learner_id"]),
        )
        return {
            "year": year,
            "provider": provider,
            "activities": activities,
            "physicians": listed,
            "totals": {
                "activities": len(activities),
                "providers": len({a["accme_id"] for a in activities}),
                "completions": len(lines),
                "physicians": len(listed),
                "credits": sum(p["credits"] for p in listed),
            },
        }
