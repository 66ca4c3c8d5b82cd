"""The REMS and MIPS reports' counts per activity and the completions' lines, kept by the transcripts read model as completions arrive, equal
counting the completion rows at read time: live, after deletions, after a rebuild, and when filled at start-up in
a database made before them; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.db.activity_summary_tables import activity_summaries
from adapters.db.oversight_counts import (
    completion_lines,
    oversight_activities,
    oversight_count_totals,
    oversight_counts,
)
from adapters.db.provider_profile_tables import provider_profiles
from adapters.db.transcripts_tables import transcript_entries
from adapters.formats.accme.activities import submit_items
from adapters.tokens import issue_token
from commands.completions import DeleteCompletions
from domain.rems_learner import practice_type
from projections.transcripts import transcript_lines
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item
from tests.activities.test_rems import MYCO, OA
from tests.completions.helpers import BY, MOC, envelope, report, setup
from tests.conftest import make_system

T = transcript_entries.c
A = oversight_activities.c
Q = oversight_count_totals.c
NURSE = {"Profession": "Advanced practice nurse", "DEARegistration": "Individual", "PracticeArea": "Pain"}
DOCTOR = {"Profession": "Physician", "DEARegistration": "None", "PracticeArea": "Family Medicine"}
PHARMACIST = {"Profession": "Pharmacist", "DEARegistration": "Institutional"}


def kept(system: System) -> tuple[dict[tuple[str, str, str], int], set[tuple[str, str, str, str, float]]]:
    with system.db.engine.connect() as conn:
        counts = {(r.activity_id, r.measure, r.value): r.n for r in conn.execute(select(oversight_counts))}
        lines = {
            (r.activity_id, r.learner_id, r.completion_date, r.accme_id, r.credits)
            for r in conn.execute(select(completion_lines))
        }
    return counts, lines


def lines_at_read_time(system: System) -> set[tuple[str, str, str, str, float]]:
    """The transcripts' lines of the standing rows, as a learner's transcript makes them."""
    with system.db.engine.connect() as conn:
        rows = conn.execute(
            select(transcript_entries).where(T.deleted.is_(False)).order_by(T.learner_id, T.completion_date)
        ).all()
    lines = transcript_lines([dict(r._mapping) for r in rows])
    return {(x["activity_id"], x["learner_id"], x["completion_date"], x["accme_id"], x["cme_credits"]) for x in lines}


def counted(system: System) -> tuple[dict[tuple[str, str, str], int], set[tuple[str, str, str, str, float]]]:
    return counted_at_read_time(system), lines_at_read_time(system)


def kept_activities(system: System) -> set[tuple[Any, ...]]:
    with system.db.engine.connect() as conn:
        rows = conn.execute(select(oversight_activities)).all()
    return {(r.activity_id, r.title, r.rems, r.mips, r.rems_type, r.blueprint_sections) for r in rows}


def kept_totals(system: System) -> dict[tuple[Any, ...], int]:
    with system.db.engine.connect() as conn:
        return {(r.year, r.accme_id, r.rems_type, r.measure, r.value): r.n for r in conn.execute(select(Q))}


def summed_totals(system: System) -> dict[tuple[Any, ...], int]:
    """The kept counts and the activity rows' figures summed over every REMS activity row by its year, provider and
    REMS type (and over every provider, and over its provider's accreditor's providers)."""
    with system.db.engine.connect() as conn:
        activities = conn.execute(select(oversight_activities).where(A.rems.is_(True))).all()
        accreditors = {r.accme_id: r.accreditor for r in conn.execute(select(provider_profiles))}
    counts = kept(system)[0]
    totals: dict[tuple[Any, ...], int] = {}
    for a in activities:
        found = [((m, v), n) for (activity, m, v), n in counts.items() if activity == a.activity_id]
        found += [
            (("a:activities", ""), 1),
            (("a:physician_learners", ""), a.physician_learners),
            (("a:other_learners", ""), a.other_learners),
            (("a:rpc_funded", ""), 1 if a.rpc_id else 0),
            (("a:compliance", a.compliance or ""), 1),
            *((("a:section", section), 1) for section in set(a.blueprint_sections.split("\n")) if section),
        ]
        for (measure, value), n in found:
            overseen = [f"@{accreditors[a.accme_id]}"] if a.accme_id in accreditors else []
            for provider in (a.accme_id, "", *overseen):  # "": the sum over every provider
                key = (int(a.end_date[:4]), provider, a.rems_type or "", measure, value)
                totals[key] = totals.get(key, 0) + n
    return {k: n for k, n in totals.items() if n}


def registered_summaries(system: System) -> set[tuple[Any, ...]]:
    """The standing REMS- or MIPS-registered activities, from their summaries' documents."""
    with system.db.engine.connect() as conn:
        docs = conn.execute(select(activity_summaries.c.doc)).scalars().all()
    return {
        (
            d["activity_id"],
            d["title"],
            d["rems"],
            d["mips"],
            (d["rems_registration"] or {}).get("type"),
            "\n".join((d["rems_registration"] or {}).get("blueprint_sections") or []),
        )
        for d in docs
        if not d["deleted"] and (d["rems"] or d["mips"])
    }


def counted_at_read_time(system: System) -> dict[tuple[str, str, str], int]:
    """Counted from the standing rows: one completion per learner, activity and date; its REMS fields those of
    its first row by key that has them."""
    with system.db.engine.connect() as conn:
        rows = conn.execute(select(transcript_entries).where(T.deleted.is_(False)).order_by(T.key)).all()
    fields: dict[tuple[str, str, str], Any] = {}
    for r in rows:
        completion = (r.learner_id, r.activity_id, r.completion_date)
        if fields.get(completion) is None:
            fields[completion] = r.doc.get("rems") or None
    counts: dict[tuple[str, str, str], int] = {}
    for (_, activity, _), rems in fields.items():
        found = [("completions", "")]
        if rems is not None:
            found += [
                ("rems", ""),
                ("profession", rems.get("profession") or ""),
                ("practice_type", practice_type(rems.get("practice_area"))),
                ("practice_area", rems.get("practice_area") or ""),
            ]
            if rems.get("dea") in ("Individual", "Institutional"):
                found.append(("prescriber", ""))
        for measure, value in found:
            counts[(activity, measure, value)] = counts.get((activity, measure, value), 0) + 1
    return counts


def _with(activity: str, credit_id: str, participant: dict[str, Any] | None, **over: Any) -> dict[str, Any]:
    r = report(activity, credit_id, **over)
    if participant is not None:
        r["Participants"] = {"Participant": participant}
    return r


def _load(system: System) -> None:
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        ids = setup(system, running=True)
        [opioid] = submit_items(system.activities, ACCME_ID, [item("R-1", **MOC, **{XI + "REMS": OA})], BY)
        [myco] = submit_items(system.activities, OTHER_ID, [item("R-2", **MOC, **{XI + "REMS": MYCO})], BY)
        system.projections.wait(system.store.head())
        ben = {"Name": {"GivenName": "Ben", "FamilyName": "Okafor"}, "PersonalInfo": {"BirthDate": "1980-11-03"}}
        doctor = _with(opioid.activity_id, "ccid:0004444:r4", DOCTOR, Member=ben)
        doctor["Activity"]["Module"]["CreditCertificate"] = [
            {
                **doctor["Activity"]["Module"]["CreditCertificate"][0],
                "UniqueID": [{"value": "2009-01234", "domain": "NC"}],
            }
        ]
        ours = [
            _with(opioid.activity_id, "ccid:0004444:r1", NURSE),
            _with(opioid.activity_id, "ccid:0004444:r2", NURSE),  # the same completion under a second credit ID
            doctor,
            _with(ids["activity"], "ccid:0004444:m1", None),  # no REMS fields: counts as a completion only
        ]
        mine = {"Authorization": f"Bearer {issue_token(system.secret, 'provider', provider=ACCME_ID)}"}
        answer = client.post("/accme/learner-activities", json=envelope(*ours), headers=mine)
        assert answer.status_code == 201, answer.text
        theirs = _with(myco.activity_id, "ccid:0005555:r5", PHARMACIST)
        theirs["Activity"]["ProviderOrganization"] = OTHER_ID
        other = {"Authorization": f"Bearer {issue_token(system.secret, 'provider', provider=OTHER_ID)}"}
        answer = client.post("/accme/learner-activities", json=envelope(theirs), headers=other)
        assert answer.status_code == 201, answer.text
        system.projections.wait(system.store.head())


def test_kept_oversight_counts_equal_counting_at_read_time(database_url: str) -> None:
    system = make_system(database_url)
    try:
        _load(system)
        live = kept(system)
        assert live == counted(system)
        registered = kept_activities(system)
        assert registered == registered_summaries(system) and len(registered) == 2  # the two REMS activities
        assert sum(n for (_, m, _), n in live[0].items() if m == "rems") == 3  # nurse once, doctor, pharmacist
        assert sum(n for (_, m, _), n in live[0].items() if m == "completions") == len(live[1]) == 4
        totals = kept_totals(system)
        assert (
            totals == summed_totals(system)
            and sum(n for k, n in totals.items() if k[3] == "rems" and k[1].isdigit()) == 3
        )

        with system.db.engine.connect() as conn:  # the nurse's first credit ID: her second still counts her
            [first] = conn.execute(select(T.key).where(T.credit_id == "ccid:0004444:r1")).scalars()
            [pharmacist] = conn.execute(select(T.key).where(T.credit_id == "ccid:0005555:r5")).scalars()
        system.completions.handle(DeleteCompletions(keys=[first]), BY)
        system.projections.catch_up()
        now = kept(system)
        assert now == counted(system) and now[0] == live[0] and now[1] != live[1]  # her line's credit is one ID's
        system.completions.handle(DeleteCompletions(keys=[pharmacist]), BY)
        system.projections.catch_up()
        after = kept(system)
        assert after == counted(system) and after != live and len(after[1]) == 3
        assert ("profession", "Pharmacist") not in {(m, v) for _, m, v in after[0]}  # a row at zero goes
        assert kept_totals(system) == summed_totals(system) and kept_totals(system) != totals
        assert all(n for n in kept_totals(system).values())  # a total at zero goes

        # an activity whose REMS type changes: its counts move to the other type's total
        submit_items(system.activities, ACCME_ID, [item("R-1", **MOC, **{XI + "REMS": MYCO})], BY)
        system.projections.catch_up()
        moved = kept_totals(system)
        assert moved == summed_totals(system) and {k[2] for k in moved} == {MYCO["REMSType"]}
        after = kept(system)
        registered = kept_activities(system)

        system.projections.rebuild(["transcripts", "activity_summary"])
        assert kept(system) == after and kept_activities(system) == registered
        assert kept_totals(system) == moved == summed_totals(system)
        system.projections.rebuild(["activity_summary"])  # one alone: the totals summed again from both
        assert kept_totals(system) == moved
    finally:
        system.close()

    # a database made before the counts were kept: filled once at start-up
    system = make_system(database_url)
    with system.db.engine.begin() as conn:
        conn.execute(delete(oversight_counts))
        conn.execute(delete(completion_lines))
        conn.execute(delete(oversight_activities))
        conn.execute(delete(oversight_count_totals))
    system.close()
    system = make_system(database_url)
    try:
        assert kept(system) == after == counted(system)
        assert kept_activities(system) == registered
        assert kept_totals(system) == moved
        with system.db.engine.begin() as conn:  # made before the activity figures were kept beside the counts
            conn.execute(delete(oversight_count_totals).where(Q.measure.like("a:%")))
    finally:
        system.close()
    system = make_system(database_url)
    try:
        assert kept_totals(system) == moved
    finally:
        system.close()
