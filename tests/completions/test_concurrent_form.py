"""The same completion submitted at once from several threads (a double-clicked form): one is recorded,
the others answer "unchanged"; nothing fails and nothing is stored twice. Real threads, both backends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.tokens import issue_token
from commands.completions import RecordCompletion
from domain.completion import Completion
from tests.completions.helpers import BY, setup

THREADS = 6


def _submit_at_once(call: Any) -> list[Any]:
    start = threading.Barrier(THREADS)

    def one(_: int) -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_identical_submissions_at_once_record_one_completion(any_system: System) -> None:
    ids = setup(any_system)
    cme = [{"type": "AMA PRA Category 1", "credits": 2.0}]
    outcomes = _submit_at_once(
        lambda: any_system.completions.handle(
            RecordCompletion(
                accme_id="0004444",
                learner_id=ids["ben"],
                activity_id=ids["activity"],
                completion_date=date(2025, 3, 1),
                cme=cme,
                moc=[],
                credit_id="ccid:0004444:w1",
            ),
            BY,
        )
    )
    assert sorted(action for action, _ in outcomes) == ["added"] + ["unchanged"] * (THREADS - 1)
    stored = list(any_system.store.events.get(Completion.create_id(ids["ben"], ids["activity"], "ccid:0004444:w1")))
    assert [type(e).__name__ for e in stored] == ["Recorded"]


def test_identical_form_posts_at_once_answer_201_once_then_200(any_system: System) -> None:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        ids = setup(any_system, running=True)
        me = {"Authorization": f"Bearer {issue_token(any_system.secret, 'provider', provider='0004444')}"}
        body = {
            "learner": {"first_name": "Ben", "last_name": "Okafor", "birth_date": "11-03", "state": "NC"},
            "activity_id": ids["activity"],
            "completion_date": "2025-03-01",
            "credit_id": "ccid:0004444:w2",
            "cme": [{"type": "AMA PRA Category 1", "credits": 2.5}],
        }
        answers = _submit_at_once(lambda: client.post("/api/v1/providers/0004444/completions", json=body, headers=me))
        assert sorted(a.status_code for a in answers) == [200] * (THREADS - 1) + [201], [a.text for a in answers]
        assert {a.json()["action"] for a in answers} == {"added", "unchanged"}
