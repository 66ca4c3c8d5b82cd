"""The licences read model on SQLite and PostgreSQL: the board's view equals the physician's progress computed
afresh from the transcript, through completions, deletions, rule changes, a rebuild and an erasure."""

from __future__ import annotations

import copy
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.db.licences_tables import LICENCE_TABLES
from adapters.tokens import issue_token
from commands.learners import EraseLearner
from commands.licences import SetLicenceRules, TrackLicence
from tests.completions.helpers import envelope, report, setup
from tests.licences.helpers import STAFF, seed, tagged_activity, tn_rules


def _board_equals_afresh(system: System, learner_id: str, state: str, on: date) -> dict:
    queries = system.queries.licences
    [item] = [i for i in queries.compliance(state, on, None, 100)["items"] if i["learner_id"] == learner_id]
    afresh = queries.requirements(learner_id, system.licences.tracked(learner_id), on)
    [mine] = [x for x in afresh["licences"] if x["state"] == state]
    assert item["progress"] == mine["progress"]
    return item


def test_the_read_model_follows_the_transcript_and_the_rules(any_system: System) -> None:
    system = any_system
    ids = setup(system)
    seed(system)
    tagged = tagged_activity(system)
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        provider = {"Authorization": f"Bearer {issue_token(system.secret, 'provider', provider='0004444')}"}
        reports = envelope(report(ids["activity"]), report(tagged, credit_id="ccid:0004444:t1"))
        assert client.post("/accme/learner-activities", json=reports, headers=provider).status_code == 201
        by = STAFF
        system.licences.handle(
            TrackLicence(
                learner_id=ids["ana"], state="TN", licence_type="MD", number="MD12345", issued_on=date(2001, 7, 1)
            ),
            by,
        )
        system.projections.wait(system.store.head())
        on = date(2025, 6, 1)
        item = _board_equals_afresh(system, ids["ana"], "TN", on)
        assert item["counted_in_cycle"] and item["progress"]["requirements"][0]["counted"] == 12.0
        # a rule change computes every holder again: 10 hours total, Category 1 minimum 10
        rules = copy.deepcopy(tn_rules())
        rules[0]["total_hours"] = 10
        rules[0]["category1_min"] = 10
        system.licences.handle(SetLicenceRules(state="TN", rules=tuple(rules)), by)
        system.projections.wait(system.store.head())
        assert _board_equals_afresh(system, ids["ana"], "TN", on)["progress"]["met"] is True
        assert system.queries.licences.compliance("TN", on, None, 10)["meeting"] == 1
        # the tagged completion deleted: 6 hours left, the opioid topic missing
        deleted = envelope(report(tagged, credit_id="ccid:0004444:t1", action="delete"))
        assert client.post("/accme/learner-activities", json=deleted, headers=provider).status_code == 201
        system.projections.wait(system.store.head())
        item = _board_equals_afresh(system, ids["ana"], "TN", on)
        assert item["progress"]["met"] is False and item["progress"]["requirements"][0]["counted"] == 6.0
        live = system.queries.licences.compliance("TN", on, None, 10)
        system.projections.rebuild("licences")
        assert system.queries.licences.compliance("TN", on, None, 10) == live
        # erasure: every row of the learner goes
        system.learners.handle(EraseLearner(learner_id=ids["ana"]), by)
        system.projections.wait(system.store.head())
        with system.db.engine.connect() as conn:
            for table in LICENCE_TABLES:
                if "learner_id" in table.c:
                    left = conn.execute(select(func.count()).where(table.c.learner_id == ids["ana"])).scalar_one()
                    assert left == 0, table.name
        assert system.queries.licences.compliance("TN", on, None, 10)["licensees"] == 0
