"""The anonymised research extract of a year: one row per activity that ended in it, providers replaced by
pseudonyms, no learner rows, no titles or other free text, every count cell under 11 suppressed, with secondary
suppression so no total gives a hidden cell away. Rows are produced one at a time (flat memory at any size).

**Pseudonyms.** A provider's pseudonym is `P-` and the first 16 hex digits of HMAC-SHA256 under the year's key of
the provider's ACCME ID. The year's key is HMAC-SHA256 under the deployment's secret of `pars research extract
<year>` (`year_key`): the same provider has the same pseudonym in every extract of one year and unrelated ones in
different years, and nobody without the secret can compute (or test a guess of) a pseudonym.

**Suppression.** The count cells are each activity's physician learners, other learners and their sum, and the
totals row's sums of each column.
1. Primary: a count under 11 (0 included) is released as `<11`.
2. Secondary, rows: an activity's total learners is suppressed whenever one of its parts is (else total minus
   the released part would give the hidden one).
3. Secondary, columns: the totals row gives a column's true total only when the column's hidden cells cannot be
   told from it: at least two are hidden, and their sum (the total minus the released cells) is neither 0 nor
   10 × their number (all hidden cells 0, or all 10). Otherwise the column total is suppressed. The total learners
   column's total is released only when both parts' totals are (it is then their sum, and tells nothing more).
   A released total under 11 is suppressed too (rule 1)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from typing import Any

from domain.annual_report import require_year
from projections.activity_summary import ActivitySummaryView

THRESHOLD = 11  # a count cell under this is not released
HIDDEN = "<11"
PARTS = ("physician_learners", "other_learners")
COUNTS = (*PARTS, "total_learners")

#: (heading, key) of each column, in order.
COLUMNS = (
    ("Provider Pseudonym", "provider"),
    ("Accreditor Type", "accreditor_type"),
    ("Activity Format", "format"),
    ("Year Ended", "year"),
    ("Quarter Ended", "quarter"),
    ("AMA PRA Category 1 Credits", "credits"),
    ("Closed", "closed"),
    ("MOC Registered", "moc"),
    ("REMS", "rems"),
    ("MIPS", "mips"),
    ("Commercial Support", "commercial_support"),
    ("Physician Learners", "physician_learners"),
    ("Other Learners", "other_learners"),
    ("Total Learners", "total_learners"),
)
TOTALS_LABEL = "All activities"


def year_key(secret: str, year: int) -> bytes:
    """The year's pseudonym key, derived from the deployment's secret (PARS_SECRET_KEY)."""
    return hmac.new(secret.encode(), f"pars research extract {year}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, accme_id: str) -> str:
    return "P-" + hmac.new(key, accme_id.encode(), hashlib.sha256).hexdigest()[:16]


def accreditor_type(code: str | None) -> str:
    if code == "ACCME":
        return "ACCME"
    if code == "JA":
        return "Joint Accreditation"
    return "State accreditor" if code else ""


def suppress_row(counts: dict[str, int]) -> dict[str, int | str]:
    """One activity's count cells as released (rules 1 and 2)."""
    out: dict[str, int | str] = {k: (HIDDEN if counts[k] < THRESHOLD else counts[k]) for k in PARTS}
    total = sum(counts[k] for k in PARTS)
    hidden_part = any(out[k] == HIDDEN for k in PARTS)
    out["total_learners"] = HIDDEN if hidden_part or total < THRESHOLD else total
    return out


class ColumnTotals:
    """The totals row, kept as rows go by: each part column's true total, the released cells' sum and how many
    are hidden (rule 3)."""

    def __init__(self) -> None:
        self.true = dict.fromkeys(PARTS, 0)
        self.released = dict.fromkeys(PARTS, 0)
        self.hidden = dict.fromkeys(PARTS, 0)

    def add(self, counts: dict[str, int], shown: dict[str, int | str]) -> None:
        for k in PARTS:
            self.true[k] += counts[k]
            if shown[k] == HIDDEN:
                self.hidden[k] += 1
            else:
                self.released[k] += counts[k]

    def row(self) -> dict[str, int | str]:
        out: dict[str, int | str] = {}
        for k in PARTS:
            hidden_sum, n = self.true[k] - self.released[k], self.hidden[k]
            safe = n == 0 or (n >= 2 and 0 < hidden_sum < (THRESHOLD - 1) * n)
            out[k] = self.true[k] if safe and self.true[k] >= THRESHOLD else HIDDEN
        both = all(out[k] != HIDDEN for k in PARTS)
        grand = sum(self.true[k] for k in PARTS)
        out["total_learners"] = grand if both and grand >= THRESHOLD else HIDDEN
        return out


def _counts(summary: dict[str, Any]) -> dict[str, int]:
    return {"physician_learners": int(summary["physician_learners"]), "other_learners": int(summary["other_learners"])}


def research_rows(
    year: int, summaries: Iterator[dict[str, Any]], key: bytes, accreditors: Callable[[str], str | None]
) -> Iterator[dict[str, Any]]:
    """The extract's rows from the year's activity summaries, one at a time, then the totals row."""
    totals = ColumnTotals()
    support = {True: "Yes", False: "No"}
    names: dict[str, tuple[str, str]] = {}  # pseudonym and accreditor type of each provider met: 1,600 at most
    for s in summaries:
        counts = _counts(s)
        shown = suppress_row(counts)
        totals.add(counts, shown)
        end = s["end_date"] or ""
        known = names.get(s["accme_id"])
        if known is None:
            known = names[s["accme_id"]] = (
                pseudonym(key, s["accme_id"]),
                accreditor_type(accreditors(s["accme_id"])),
            )
        yield {
            "provider": known[0],
            "accreditor_type": known[1],
            "format": s["format"] or "",
            "year": end[:4],
            "quarter": f"Q{(int(end[5:7]) - 1) // 3 + 1}" if len(end) >= 7 else "",
            "credits": s["credits"],
            "closed": "Yes" if s["closed"] else "No",
            "moc": "Yes" if s["moc"] else "No",
            "rems": "Yes" if s["rems"] else "No",
            "mips": "Yes" if s["mips"] else "No",
            "commercial_support": support.get(s["commercial_support"], "")
            if s.get("commercial_support") is not None
            else "",
            **shown,
        }
    yield {
        **{k: "" for _, k in COLUMNS},
        "provider": TOTALS_LABEL,
        "year": str(year),
        **totals.row(),
    }


class ResearchExtract:
    """The year's extract from the activity summaries and the providers' accreditors (ACCME staff only: the route
    decides who asks)."""

    def __init__(self, activities: ActivitySummaryView, accreditor_of: Callable[[], dict[str, str]]) -> None:
        self.activities = activities
        self.accreditor_of = accreditor_of

    def rows(self, year: int, key: bytes) -> Iterator[dict[str, Any]]:
        require_year(year)
        accreditors = self.accreditor_of()  # one entry per provider: 1,600 at ACCME's size
        return research_rows(year, self.activities.ended_in(year), key, accreditors.get)
