"""The REMS and MIPS reports read a page at a time from their kept rows (adapters/db/oversight_reports.py), on
SQLite and PostgreSQL: every row is on exactly one page, in the report's order; the totals are those of every row
the filters take (not of the page), whichever page is asked for; the CSV rows are every row, in the same order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

import services.queries.oversight as oversight_module
from adapters.bootstrap import System
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.oversight_counts import completion_lines, oversight_activities, oversight_counts, resum_totals
from adapters.db.provider_profile_tables import provider_profiles
from domain.activity import BLUEPRINT_SECTIONS, REMS_COMPLIANCE, REMS_TYPES
from projections.oversight_counts import participants
from tests.conftest import make_system

YEAR = 2025
PROVIDERS = {"0000001": "ACCME", "0000002": "CA", "0000003": "CA", "0000004": "TX"}
NAMES = ["ana", "Ana", "Zoë", "bo", "Émile", "O'Neil", "van Dyk"]  # mixed case and accents: code point order


activity = st.fixed_dictionaries(
    {
        "accme_id": st.sampled_from([*PROVIDERS, "0000009"]),  # 0000009: no profile
        "end_date": st.sampled_from(["2024-12-31", "2025-01-01", "2025-06-30", "2025-12-31", "2026-01-01"]),
        "rems": st.booleans(),
        "mips": st.booleans(),
        "rems_type": st.sampled_from([*REMS_TYPES, None]),
        "compliance": st.sampled_from([*REMS_COMPLIANCE, None]),
        "sections": st.lists(st.sampled_from(BLUEPRINT_SECTIONS), unique=True, max_size=3),
        "rpc_id": st.sampled_from([None, "", "RPC-1"]),
        "physician_learners": st.integers(0, 50),
        "other_learners": st.integers(0, 50),
        "counts": st.dictionaries(
            st.sampled_from(
                [("completions", ""), ("rems", ""), ("prescriber", ""), ("profession", "Nurse"), ("profession", "")]
            ),
            st.integers(1, 9),
            max_size=4,
        ),
        "learners": st.lists(
            st.tuples(st.integers(0, 7), st.sampled_from(["2025-02-01", "2025-03-01"]), st.sampled_from([0.5, 1.0])),
            unique_by=lambda t: (t[0], t[1]),
            max_size=4,
        ),
    }
)


def _load(system: System, activities: list[dict[str, Any]], erased: set[int]) -> None:
    with system.db.engine.begin() as conn:
        for table in (oversight_activities, oversight_counts, completion_lines, learner_directory, provider_profiles):
            conn.execute(delete(table))
        conn.execute(
            insert(provider_profiles),
            [{"accme_id": a, "accreditor": c, "name": f"Provider {a}", "doc": {}} for a, c in PROVIDERS.items()],
        )
        rows, counts, lines = [], [], []
        for n, a in enumerate(activities):
            number = f"{100000000 + n}"
            rows.append(
                {
                    "key": f"key-{n:04d}",
                    "accme_id": a["accme_id"],
                    "activity_id": number,
                    "title": f"Activity {n}",
                    "format": "Course",
                    "start_date": a["end_date"],
                    "end_date": a["end_date"],
                    "credits": 1.0,
                    "physician_learners": a["physician_learners"],
                    "other_learners": a["other_learners"],
                    "rems": a["rems"],
                    "mips": a["mips"],
                    "rems_type": a["rems_type"],
                    "compliance": a["compliance"],
                    "blueprint_sections": "\n".join(a["sections"]),
                    "rpc_id": a["rpc_id"],
                }
            )
            counts += [{"activity_id": number, "measure": m, "value": v, "n": k} for (m, v), k in a["counts"].items()]
            lines += [
                {"activity_id": number, "learner_id": f"learner-{w}", "completion_date": d, "accme_id": a["accme_id"],
                 "credits": c}
                for w, d, c in a["learners"]
            ]  # fmt: skip
        for table, part in ((oversight_activities, rows), (oversight_counts, counts), (completion_lines, lines)):
            if part:
                conn.execute(insert(table), part)
        conn.execute(
            insert(learner_directory),
            [
                {
                    "learner_id": f"learner-{w}",
                    "name_key": "x",
                    "birth_md": "0101",
                    "npi": None,
                    "doc": {"first_name": NAMES[(w * 3) % len(NAMES)], "last_name": NAMES[w % len(NAMES)], "npi": None},
                }
                for w in range(8)
                if w not in erased
            ],
        )
    resum_totals(system.db)  # rows seeded beside the projections: their REMS totals summed as start-up does


def _taken(a: dict[str, Any], flag: str, accreditors: list[str] | None, provider: str | None) -> bool:
    return (
        a[flag]
        and "2025-01-01" <= a["end_date"] <= "2025-12-31"
        and (provider is None or a["accme_id"] == provider)
        and (accreditors is None or PROVIDERS.get(a["accme_id"]) in accreditors)
    )


def _every_page(read: Any, key: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page's list until an empty one, and each page's answer."""
    pages, items = [], []
    for page in range(1, 100):
        answer = read(page)
        pages.append(answer)
        if not answer[key]:
            return items, pages
        assert len(answer[key]) <= oversight_module.PAGE_SIZE
        items += answer[key]
    raise AssertionError("never an empty page")


def check_pages(system: System, activities: list[dict[str, Any]], erased: set[int]) -> None:
    numbered = [{**a, "activity_id": f"{100000000 + n}"} for n, a in enumerate(activities)]
    for accreditors, provider in ((None, None), (["CA"], None), (None, "0000002"), (["CA"], "0000001")):
        check_scope(system, numbered, erased, accreditors, provider)
    for accreditors, provider in ((None, None), (["CA"], None), (None, "0000002")):  # the REMS report by type
        check_scope(system, numbered, erased, accreditors, provider, REMS_TYPES[0])


def check_scope(
    system: System,
    numbered: list[dict[str, Any]],
    erased: set[int],
    accreditors: list[str] | None,
    provider: str | None,
    rems_type: str | None = None,
) -> None:
    oversight = system.queries.oversight
    # REMS: every taken activity on exactly one page, by provider and activity; the totals every page's
    want = sorted(
        (a for a in numbered if _taken(a, "rems", accreditors, provider) and rems_type in (None, a["rems_type"])),
        key=lambda a: (a["accme_id"], a["activity_id"]),
    )
    got, pages = _every_page(
        lambda p: oversight.rems(YEAR, accreditors, provider=provider, rems_type=rems_type, page=p), "activities"
    )
    assert [a["activity_id"] for a in got] == [a["activity_id"] for a in want]
    assert all(p["totals"] == pages[0]["totals"] for p in pages)
    totals = pages[0]["totals"]
    assert totals["activities"] == len(want) == len(got)
    assert totals["providers"] == len({a["accme_id"] for a in got})
    assert totals["physician_learners"] == sum(a["physician_learners"] for a in got)
    assert totals["other_learners"] == sum(a["other_learners"] for a in got)
    assert totals["rpc_funded"] == sum(1 for a in got if a["rpc_id"])
    assert totals["by_type"] == {t: sum(1 for a in got if a["rems_type"] == t) for t in REMS_TYPES}
    assert totals["by_compliance"] == {
        **{c: sum(1 for a in got if a["compliance"] == c) for c in REMS_COMPLIANCE},
        "Not stated": sum(1 for a in got if a["compliance"] is None),
    }
    assert totals["blueprint_coverage"] == {
        s: sum(1 for a in got if s in a["blueprint_sections"]) for s in BLUEPRINT_SECTIONS
    }
    summed: dict[tuple[str, str], int] = {}
    for a in want:
        for k, n in a["counts"].items():
            summed[k] = summed.get(k, 0) + n
    assert totals["participants"] == participants(summed, full=True)
    assert [r["participants"] for r in got] == [participants(a["counts"], full=False) for a in want]
    assert list(oversight.rems_rows(YEAR, accreditors, provider=provider, rems_type=rems_type)) == got  # the CSV's
    if rems_type is not None:  # the MIPS report has no REMS type
        return

    # MIPS: activities and physicians each on exactly one page; totals over all of them
    mips = [a for a in numbered if _taken(a, "mips", accreditors, provider)]
    got, pages = _every_page(
        lambda p: oversight.mips(YEAR, accreditors, provider=provider, activities_page=p), "activities"
    )
    assert [a["activity_id"] for a in got] == sorted(
        (a["activity_id"] for a in mips), key=lambda n: (numbered[int(n) - 100000000]["accme_id"], n)
    )
    assert [a["completions"] for a in got] == [
        numbered[int(a["activity_id"]) - 100000000]["counts"].get(("completions", ""), 0) for a in got
    ]
    lines = [(w, d, c, a["activity_id"]) for a in mips for w, d, c in a["learners"]]
    people, pages = _every_page(lambda p: oversight.mips(YEAR, accreditors, provider=provider, page=p), "physicians")
    assert all(p["totals"] == pages[0]["totals"] for p in pages)
    totals = pages[0]["totals"]
    assert totals["activities"] == len(mips) and totals["providers"] == len({a["accme_id"] for a in mips})
    assert totals["completions"] == len(lines) == sum(len(p["completions"]) for p in people)
    assert totals["physicians"] == len({w for w, *_ in lines}) == len(people)
    assert totals["credits"] == pytest.approx(sum(p["credits"] for p in people))

    def order(w: int) -> tuple[bool, str, str, str]:
        gone = w in erased
        return (
            gone,
            "" if gone else NAMES[w % len(NAMES)],
            "" if gone else NAMES[(w * 3) % len(NAMES)],
            f"learner-{w}",
        )

    assert [p["learner_id"] for p in people] == [f"learner-{w}" for w in sorted({w for w, *_ in lines}, key=order)]
    for p in people:
        w = int(p["learner_id"].split("-")[1])
        assert p["erased"] == (w in erased) and (p["last_name"] is None) == (w in erased)
        assert [(c["completion_date"], c["activity_id"]) for c in p["completions"]] == sorted(
            (d, n) for v, d, _, n in lines if v == w
        )
    every = list(oversight.mips_rows(YEAR, accreditors, provider=provider))
    assert [a["activity_id"] for a in every] == [a["activity_id"] for a in got]
    assert sum(len(a["lines"]) for a in every) == len(lines)


def test_every_row_is_on_one_page_and_the_totals_are_every_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oversight_module, "PAGE_SIZE", 3)  # pages of 3, so a few activities fill several
    system = make_system(database_url)
    try:

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(activity, max_size=14), st.sets(st.integers(0, 7), max_size=3))
        def pages_hold_every_row(activities: list[dict[str, Any]], erased: set[int]) -> None:
            _load(system, activities, erased)
            check_pages(system, activities, erased)

        pages_hold_every_row()
    finally:
        system.close()
