"""The dashboard's counts, kept by the read models as events arrive, equal counting the rows at read time:
live, after deletions, after a rebuild, and when filled at start-up in a database made before them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from adapters.db.dashboard_counts import activity_counts as activity_counts_table
from adapters.db.dashboard_counts import transcript_counts
from adapters.db.transcripts_tables import transcript_entries
from adapters.demo import DemoDataSet
from commands.completions import DeleteCompletions
from domain.base import Acting, Channel
from projections.activity_summary import ActivitySummaryProjection
from tests.activities.counting import activity_counts
from tests.conftest import make_system

TODAY = date(2026, 6, 30)
BY = Acting("cli:test", Channel.BATCH)
T = transcript_entries.c


def counted_at_read_time(system, accme_id: str, year: int) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    rows = system.reads.activities.summaries(accme_id, year)
    distinct = (
        select(T.learner_id, T.activity_id, T.completion_date)
        .where(T.deleted.is_(False), T.accme_id == accme_id, T.completion_date.like(f"{year:04d}-%"))
        .distinct()
        .subquery()
    )
    with system.db.engine.connect() as conn:
        completions = conn.execute(select(func.count()).select_from(distinct)).scalar_one()
    return activity_counts(rows, TODAY), completions


def kept(system, accme_id: str, year: int) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    figures = system.projections.get(ActivitySummaryProjection).view.dashboard_figures(accme_id, year, TODAY)
    return figures, system.reads.completions.count(accme_id, year)


def assert_kept_equals_counted(system) -> None:  # type: ignore[no-untyped-def]
    with system.db.engine.connect() as conn:
        pairs = set(conn.execute(select(T.accme_id, func.substr(T.completion_date, 1, 4))).all())
    providers = {a for a, _ in pairs}
    years = range(TODAY.year - 6, TODAY.year + 3)
    assert pairs, "the demo made completions"
    for accme_id in providers:
        for year in years:
            assert kept(system, accme_id, year) == counted_at_read_time(system, accme_id, year), (accme_id, year)


def test_kept_dashboard_counts_equal_counting_at_read_time(database_url: str) -> None:
    system = make_system(database_url)
    try:
        system.activities.today = lambda: TODAY
        DemoDataSet(system, today=TODAY).load()
        system.projections.catch_up()
        assert_kept_equals_counted(system)

        # deletions: a completion stops counting; one of two credit IDs of one completion still counts it
        with system.db.engine.connect() as conn:
            keys = list(conn.execute(select(T.key).where(T.deleted.is_(False)).limit(5)).scalars())
        system.completions.handle(DeleteCompletions(keys=keys), BY)
        system.projections.catch_up()
        assert_kept_equals_counted(system)

        system.projections.rebuild(["activity_summary", "transcripts"])
        assert_kept_equals_counted(system)
    finally:
        system.close()

    # a database made before the counts were kept: filled once at start-up
    system = make_system(database_url)
    with system.db.engine.begin() as conn:
        conn.execute(delete(activity_counts_table))
        conn.execute(delete(transcript_counts))
    system.close()
    system = make_system(database_url)
    try:
        system.activities.today = lambda: TODAY
        assert_kept_equals_counted(system)
    finally:
        system.close()


def test_an_unknown_provider_has_nothing_counted(system) -> None:  # type: ignore[no-untyped-def]
    figures, completions = kept(system, "0000000", 2026)
    assert completions == 0 and figures["activities"]["total"] == 0 and figures["learners"]["physicians"] == 0
