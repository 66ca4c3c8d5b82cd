"""The research extract's suppression (services/queries/research_extract.py), checked against an attacker who
knows the rules: for every table of counts, every released count is at least 11 and true, and no hidden cell can
be worked out from the released cells, the row totals and the column totals (each hidden cell keeps at least two
values consistent with everything released; found by exhaustive search, not by the rules' own reasoning)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.queries.research_extract import HIDDEN, PARTS, research_rows

KEY = b"k" * 32


def _summary(n: int, physicians: int, others: int) -> dict[str, Any]:
    return {
        "accme_id": f"{n % 3:07d}",
        "end_date": "2025-05-01",
        "format": "Course",
        "credits": 1.0,
        "closed": True,
        "moc": False,
        "rems": False,
        "mips": False,
        "commercial_support": False,
        "physician_learners": physicians,
        "other_learners": others,
    }


def _released(table: list[tuple[int, int]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = list(research_rows(2025, iter(_summary(i, p, o) for i, (p, o) in enumerate(table)), KEY, lambda _: "ACCME"))
    return rows[:-1], rows[-1]


def _feasible(rows: list[dict[str, Any]], totals: dict[str, Any]) -> list[dict[str, set[int]]]:
    """For each row and part, every value the cell can take in some table consistent with what is released
    (a hidden part is 0..10: only counts under 11 are hidden), by searching all such tables."""
    options = []
    for r in rows:
        ps = [r["physician_learners"]] if r["physician_learners"] != HIDDEN else range(11)
        os_ = [r["other_learners"]] if r["other_learners"] != HIDDEN else range(11)
        pairs = [(p, o) for p in ps for o in os_ if r["total_learners"] == HIDDEN or p + o == r["total_learners"]]
        options.append(pairs)

    def ok(sp: int, so: int) -> bool:
        want = [totals[k] for k in (*PARTS, "total_learners")]
        return (
            (want[0] == HIDDEN or sp == want[0])
            and (want[1] == HIDDEN or so == want[1])
            and (want[2] == HIDDEN or sp + so == want[2])
        )

    # suffix[i]: the column sums rows i.. can make
    suffix: list[set[tuple[int, int]]] = [set() for _ in range(len(rows) + 1)]
    suffix[len(rows)] = {(0, 0)}
    for i in range(len(rows) - 1, -1, -1):
        suffix[i] = {(p + a, o + b) for p, o in options[i] for a, b in suffix[i + 1]}
    found = [{"physician_learners": set(), "other_learners": set()} for _ in rows]
    prefix: set[tuple[int, int]] = {(0, 0)}
    for i in range(len(rows)):
        for p, o in options[i]:
            if any(ok(a + p + c, b + o + d) for a, b in prefix for c, d in suffix[i + 1]):
                found[i]["physician_learners"].add(p)
                found[i]["other_learners"].add(o)
        prefix = {(a + p, b + o) for a, b in prefix for p, o in options[i]}
    return found


COUNT = st.one_of(st.integers(0, 12), st.integers(0, 40))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(COUNT, COUNT), min_size=1, max_size=4))
def test_no_hidden_cell_can_be_worked_out_from_what_is_released(table: list[tuple[int, int]]) -> None:
    rows, totals = _released(table)
    for (p, o), r in zip(table, rows, strict=True):
        for true, shown in ((p, r["physician_learners"]), (o, r["other_learners"]), (p + o, r["total_learners"])):
            assert shown == HIDDEN or (shown == true and true >= 11)
    true_totals = (sum(p for p, _ in table), sum(o for _, o in table))
    for k, true in zip((*PARTS, "total_learners"), (*true_totals, sum(true_totals)), strict=True):
        assert totals[k] == HIDDEN or (totals[k] == true and true >= 11)
    for r, possible in zip(rows, _feasible(rows, totals), strict=True):
        for k in PARTS:
            if r[k] == HIDDEN:
                assert len(possible[k]) >= 2, (table, rows, totals, k, possible)


def test_the_rules_hide_what_they_must():
    rows, totals = _released([(5, 200), (40, 30)])
    assert [r["physician_learners"] for r in rows] == [HIDDEN, 40]
    assert rows[0]["total_learners"] == HIDDEN  # 205 - 200 would show the 5
    assert totals["physician_learners"] == HIDDEN  # one hidden cell: 45 - 40 would show it
    assert totals["other_learners"] == 230 and totals["total_learners"] == HIDDEN
    rows, totals = _released([(5, 20), (7, 20), (30, 30)])
    assert totals["physician_learners"] == 42 and totals["total_learners"] == 112  # two hidden, 12 between them
    _, totals = _released([(10, 20), (10, 20), (30, 30)])
    assert totals["physician_learners"] == HIDDEN  # 20 between two hidden cells: both must be 10
    _, totals = _released([(0, 20), (0, 20), (30, 30)])
    assert totals["physician_learners"] == HIDDEN  # 0 between them: both 0
