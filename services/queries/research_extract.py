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


def released(physicians: int, others: int) -> tuple[int | str, int | str, int | str]:
    """One activity's count cells as released (rules 1 and 2): physician learners, other learners, their total."""
    shown_physicians: int | str = HIDDEN if physicians < THRESHOLD else physicians
    shown_others: int | str = HIDDEN if others < THRESHOLD else others
    total = physicians + others
    hidden_part = physicians < THRESHOLD or others < THRESHOLD
    return shown_physicians, shown_others, HIDDEN if hidden_part or total < THRESHOLD else total


class ColumnTotals:
    """The totals row, kept as rows go by: each part column's true total, and the sum and number of its hidden
    cells (rule 3)."""

    def __init__(self) -> None:
        self.true = dict.fromkeys(PARTS, 0)
        self.hidden_sum = dict.fromkeys(PARTS, 0)
        self.hidden = dict.fromkeys(PARTS, 0)

    def add(self, part: str, counts: list[int]) -> None:
        """A column's cells (a page of them at a time: the sums are taken in C, not a row at a time)."""
        small = [n for n in counts if n < THRESHOLD]
        self.true[part] += sum(counts)
        self.hidden_sum[part] += sum(small)
        self.hidden[part] += len(small)

    def row(self) -> dict[str, int | str]:
        out: dict[str, int | str] = {}
        for k in PARTS:
            hidden_sum, n = self.hidden_sum[k], self.hidden[k]
            safe = n == 0 or (n >= 2 and 0 < hidden_sum < (THRESHOLD - 1) * n)
            out[k] = self.true[k] if safe and self.true[k] >= THRESHOLD else HIDDEN
        both = all(out[k] != HIDDEN for k in PARTS)
        grand = sum(self.true[k] for k in PARTS)
        out["total_learners"] = grand if both and grand >= THRESHOLD else HIDDEN
        return out


QUARTERS = {f"{m:02d}": f"Q{(m - 1) // 3 + 1}" for m in range(1, 13)}  # by the end date's month
YES_NO = ("No", "Yes")
SUPPORT = {True: "Yes", False: "No", None: ""}
TOTALS_EVERY = 2000  # rows whose counts are added to the column totals at once


def research_rows(
    year: int, summaries: Iterator[dict[str, Any]], key: bytes, accreditors: Callable[[str], str | None]
) -> Iterator[dict[str, Any]]:
    """The extract's rows from the year's activity summaries, one at a time, then the totals row. A row's work is
    a few lookups: the provider's pseudonym is worked out once per provider, the totals a page of counts at once."""
    totals = ColumnTotals()
    names: dict[str, tuple[str, str]] = {}  # pseudonym and accreditor type of each provider met: 1,600 at most
    physicians_seen: list[int] = []
    others_seen: list[int] = []
    for s in summaries:
        physicians, others = int(s["physician_learners"]), int(s["other_learners"])
        physicians_seen.append(physicians)
        others_seen.append(others)
        if len(physicians_seen) == TOTALS_EVERY:
            totals.add(PARTS[0], physicians_seen)
            totals.add(PARTS[1], others_seen)
            physicians_seen.clear()
            others_seen.clear()
        shown_physicians, shown_others, shown_total = released(physicians, others)
        accme_id = s["accme_id"]
        known = names.get(accme_id)
        if known is None:
            known = names[accme_id] = (pseudonym(key, accme_id), accreditor_type(accreditors(accme_id)))
        end = s["end_date"] or ""
        yield {
            "provider": known[0],
            "accreditor_type": known[1],
            "format": s["format"] or "",
            "year": end[:4],
            "quarter": QUARTERS.get(end[5:7], ""),
            "credits": s["credits"],
            "closed": YES_NO[bool(s["closed"])],
            "moc": YES_NO[bool(s["moc"])],
            "rems": YES_NO[bool(s["rems"])],
            "mips": YES_NO[bool(s["mips"])],
            "commercial_support": SUPPORT.get(s.get("commercial_support"), ""),
            "physician_learners": shown_physicians,
            "other_learners": shown_others,
            "total_learners": shown_total,
        }
    totals.add(PARTS[0], physicians_seen)
    totals.add(PARTS[1], others_seen)
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
