"""The ACCME web services take any JSON (their bodies are ACCME's, checked by PARS field by field), so
schemathesis cannot generate the envelopes that reach their parsers. Here a valid activity or learner report
has one part replaced by arbitrary JSON: the answer is a 2xx or a 4xx problem, never a 5xx (`.strip()` on a
number in a UniqueID was one). Bounded like the contract run: derandomized, a fixed number of examples."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.tokens import issue_token
from tests.activities.helpers import item
from tests.completions.helpers import envelope, report, setup
from tests.conftest import make_system

EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], dict[str, Any]]]:
    system: System = make_system(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'pars.sqlite'}")
    ids = setup(system)
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {issue_token(system.secret, 'provider', provider='0004444')}"}, ids
    system.close()


def parts(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document, the document itself included."""
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from parts(child, (*path, key))


def replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return changed


def assert_answered(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"], response.text  # the part at fault is named


@FUZZ
@given(data=st.data())
def test_an_activity_with_any_part_replaced_is_answered_without_a_5xx(api, data) -> None:  # type: ignore[no-untyped-def]
    client, provider, _ = api
    valid = {"ACCMEActivities": {"MedicalEducationMetrics": [item("FZ-1")]}}
    path = data.draw(st.sampled_from(list(parts(valid))))
    assert_answered(client.post("/accme/activities", json=replaced(valid, path, data.draw(JSON)), headers=provider))


@FUZZ
@given(data=st.data())
def test_a_learner_report_with_any_part_replaced_is_answered_without_a_5xx(api, data) -> None:  # type: ignore[no-untyped-def]
    client, provider, ids = api
    valid = envelope(report(ids["activity"]))
    path = data.draw(st.sampled_from(list(parts(valid))))
    assert_answered(
        client.post("/accme/learner-activities", json=replaced(valid, path, data.draw(JSON)), headers=provider)
    )
