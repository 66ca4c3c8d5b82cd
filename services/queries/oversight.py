"""Accreditor oversight across providers: the REMS report (REMS-registered activities and their participants) and
the MIPS report (activities registered as MIPS improvement activities and their completions by physician), read
from the rows kept for them (projections/oversight_counts.py). The lists are paged; the totals are aggregates over
every row the filter takes, never a sum of the page; the CSV downloads read every row a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.activity import REMS_TYPES
from domain.annual_report import require_year
from domain.errors import InvalidValueError
from projections.oversight_counts import OversightReads, ReportFilter, participants

PAGE_SIZE = 50


def _filter(accreditors: list[str] | None, provider: str | None = None, rems_type: str | None = None) -> ReportFilter:
    return ReportFilter(None if accreditors is None else tuple(accreditors), provider, rems_type)


def _rems_row(a: dict[str, Any], kept: dict[tuple[str, str], int]) -> dict[str, Any]:
    row = {k: v for k, v in a.items() if k != "credits"}
    row["participants"] = participants(kept, full=False)
    return row


def _mips_row(a: dict[str, Any], kept: dict[tuple[str, str], int]) -> dict[str, Any]:
    return {
        **{k: a[k] for k in ("accme_id", "provider", "activity_id", "title", "format", "start_date", "end_date")},
        "credits": a["credits"],
        "physician_learners": a["physician_learners"],
        "completions": kept.get(("completions", ""), 0),
    }


class OversightQueries:
    def __init__(self, reads: OversightReads) -> None:
        self.reads = reads

    def _rems_filter(
        self, year: int, accreditors: list[str] | None, rems_type: str | None, provider: str | None
    ) -> ReportFilter:
        require_year(year)
        if rems_type is not None and rems_type not in REMS_TYPES:
            raise InvalidValueError(f"the REMS type is one of: {'; '.join(REMS_TYPES)}", loc=("rems_type",))
        return _filter(accreditors, provider, rems_type)

    def rems(
        self,
        year: int,
        accreditors: list[str] | None,
        *,
        rems_type: str | None = None,
        provider: str | None = None,
        page: int = 1,
    ) -> dict[str, Any]:
        """A page of the REMS report of the year across the providers the accreditors oversee (None: all),
        filtered by REMS type and provider: the REMS-registered activities that ended in the year with their
        participants as the learners' REMS fields give them — by profession, registered prescribers (a DEA
        registration), by practice type and area — and the totals over every activity the filter takes."""
        f = self._rems_filter(year, accreditors, rems_type, provider)
        found = self.reads.activities("rems", year, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        counts = self.reads.counts_of([a["activity_id"] for a in found]) if found else {}
        totals, counts_summed = self.reads.rems_totals(year, f)
        totals["participants"] = participants(counts_summed, full=True)
        return {
            "year": year,
            "rems_type": rems_type,
            "activities": [_rems_row(a, counts.get(a["activity_id"], {})) for a in found],
            "totals": totals,
            "page": page,
            "page_size": PAGE_SIZE,
        }

    def rems_rows(
        self, year: int, accreditors: list[str] | None, *, rems_type: str | None = None, provider: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every activity of the REMS report with its participants, in the report's order, read a page at a time."""
        f = self._rems_filter(year, accreditors, rems_type, provider)
        return self._rems_rows(year, f)

    def _rems_rows(self, year: int, f: ReportFilter) -> Iterator[dict[str, Any]]:
        for found in self.reads.every_activity("rems", year, f):
            counts = self.reads.counts_of([a["activity_id"] for a in found])
            for a in found:
                yield _rems_row(a, counts.get(a["activity_id"], {}))

    def mips(
        self,
        year: int,
        accreditors: list[str] | None,
        *,
        provider: str | None = None,
        page: int = 1,
        activities_page: int = 1,
    ) -> dict[str, Any]:
        """The MIPS report of the year across the providers the accreditors oversee (None: all), or one of them: a
        page of the activities registered as MIPS improvement activities that ended in the year (`activities_page`),
        a page of the physicians who completed them with their completions (`page`; name and NPI from the learner
        directory, an erased physician named by no one), and the totals over all of them."""
        require_year(year)
        f = _filter(accreditors, provider)
        found = self.reads.activities("mips", year, f, PAGE_SIZE, (activities_page - 1) * PAGE_SIZE)
        counts = self.reads.counts_of([a["activity_id"] for a in found]) if found else {}
        physicians = self.reads.physicians(year, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        for p in physicians:
            p["credits"] = sum(c["credits"] for c in p["completions"])
        activities = self.reads.activity_totals("mips", year, f)
        return {
            "year": year,
            "provider": provider,
            "activities": [_mips_row(a, counts.get(a["activity_id"], {})) for a in found],
            "physicians": physicians,
            "totals": {
                "activities": activities["activities"],
                "providers": activities["providers"],
                **self.reads.line_totals(year, f),
            },
            "page": page,
            "activities_page": activities_page,
            "page_size": PAGE_SIZE,
        }

    def mips_rows(
        self, year: int, accreditors: list[str] | None, *, provider: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every activity of the MIPS report in the report's order, each with its completions (`lines`: date,
        credits, the physician's names and NPI, `erased`), read a page of activities at a time."""
        require_year(year)
        return self._mips_rows(year, _filter(accreditors, provider))

    def _mips_rows(self, year: int, f: ReportFilter) -> Iterator[dict[str, Any]]:
        for found in self.reads.every_activity("mips", year, f):
            lines: dict[str, list[dict[str, Any]]] = {}
            for line in self.reads.lines_with_names([a["activity_id"] for a in found]):
                lines.setdefault(line["activity_id"], []).append(line)
            for a in found:
                done = lines.get(a["activity_id"], [])
                yield {**_mips_row(a, {("completions", ""): len(done)}), "lines": done}
