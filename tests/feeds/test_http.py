"""Feed routes over HTTP: who reads which feed, bad codes and cursors, and paging that resumes from any
cursor with no gaps and no repeats, while the feed grows (hypothesis)."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.bootstrap import System
from tests.feeds.helpers import delete, record, setup

BOARD = "/api/v1/feeds/boards"
STATE = "/api/v1/feeds/states"


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    ids = setup(system, running=True)
    record(system, ids, 3)
    delete(system, ids, "ccid:0004444:c1")
    record(system, ids, 1, learner="ben", moc=False, prefix="b")
    system.projections.wait(system.store.head())
    return ids


def test_a_board_reads_its_own_feed(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"{BOARD}/ABIM", headers=token("board", board="ABIM"))
    assert page.status_code == 200, page.text
    body = page.json()
    assert [(i["seq"], i["type"], i["credit_id"]) for i in body["items"]] == [
        (1, "completion", "ccid:0004444:c0"),
        (2, "completion", "ccid:0004444:c1"),
        (3, "completion", "ccid:0004444:c2"),
        (4, "deletion", "ccid:0004444:c1"),
    ]
    first = body["items"][0]
    assert first["learner"]["board_id"] == "123456" and first["points"] == 2.0 and first["credit_types"] == ["MK"]
    assert body["next"] == body["items"][-1]["cursor"]
    # Caught up: an empty page hands back the same cursor to poll with.
    again = client.get(f"{BOARD}/ABIM", params={"after": body["next"]}, headers=token("board", board="ABIM")).json()
    assert again == {"items": [], "next": body["next"]}
    assert client.get(f"{BOARD}/abim", headers=token("board", board="ABIM")).json()["items"] == body["items"]


def test_a_state_board_reads_its_states_licensees(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    tn = client.get(f"{STATE}/TN", headers=token("board", state="TN")).json()["items"]
    assert [i["type"] for i in tn] == ["completion", "completion", "completion", "deletion"]
    assert {i["learner"]["licence_number"] for i in tn} == {"MD12345"}
    nc = client.get(f"{STATE}/NC", headers=token("board", state="NC")).json()["items"]
    assert [(i["learner"]["last_name"], i["credit_id"]) for i in nc] == [("Okafor", "ccid:0004444:b0")]
    assert "García" not in str(nc)  # nothing of another state's licensee


@pytest.mark.parametrize(
    ("path", "role", "scope", "status"),
    [
        (f"{BOARD}/ABP", "board", {"board": "ABIM"}, 403),  # another board
        (f"{BOARD}/ABIM", "board", {"state": "TN"}, 403),  # a state board reads no board feed
        (f"{STATE}/NC", "board", {"state": "TN"}, 403),  # another state
        (f"{STATE}/TN", "board", {"board": "ABIM"}, 403),
        (f"{BOARD}/ABIM", "provider", {"provider": "0004444"}, 403),
        (f"{STATE}/TN", "accreditor", {"state": "TN"}, 403),  # a state accreditor oversees providers, not licensees
        (f"{BOARD}/ABIM", "accreditor", {}, 200),  # ACCME staff read every feed
        (f"{STATE}/NC", "auditor", {}, 200),
    ],
)
def test_who_reads_which_feed(
    client: TestClient, token, ids, path: str, role: str, scope: dict[str, str], status: int
) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(path, headers=token(role, **scope))
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "García" not in answer.text and "Okafor" not in answer.text and "items" not in answer.json()


def test_no_token_or_a_forged_one_is_401(client: TestClient, ids) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"{BOARD}/ABIM").status_code == 401
    assert client.get(f"{BOARD}/ABIM", headers={"Authorization": "Bearer pars_x.y"}).status_code == 401


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        (f"{BOARD}/ABX", ["path", "board"]),
        (f"{STATE}/ZZ", ["path", "state"]),
        (f"{STATE}/Tennessee", ["path", "state"]),
    ],
)
def test_unknown_codes_are_404_naming_the_code(client: TestClient, token, ids, path: str, loc: list[str]) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(path, headers=token("accreditor"))
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == loc and path.rsplit("/", 1)[1] in answer.json()["detail"]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"after": "not a cursor!"}, ["query", "after"]),
        ({"after": _b64("state:TN:1")}, ["query", "after"]),  # a cursor of another feed
        ({"after": _b64("board:ABIM:99")}, ["query", "after"]),  # beyond the end
        ({"after": _b64("board:ABIM:-1")}, ["query", "after"]),
        ({"after": "x" * 201}, ["query", "after"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 1001}, ["query", "limit"]),
        ({"limit": "ten"}, ["query", "limit"]),
    ],
)
def test_bad_cursors_and_limits_are_422_naming_the_parameter(
    client: TestClient, token, ids, params: dict[str, Any], loc: list[str]
) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"{BOARD}/ABIM", params=params, headers=token("board", board="ABIM"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["loc"] == loc


_credit_ids = itertools.count()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(min_value=0, max_value=1_000),
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=7)), min_size=1, max_size=6
    ),
    feed=st.sampled_from([f"{BOARD}/ABIM", f"{STATE}/TN"]),
)
def test_paging_resumes_from_any_cursor_without_gaps_or_repeats(
    client: TestClient,
    token,
    ids,
    system: System,
    start: int,
    steps: list[tuple[int, int]],
    feed: str,  # type: ignore[no-untyped-def]
) -> None:
    """Start from any cursor, read pages of random sizes while completions keep arriving, then drain:
    exactly the items after the cursor, once each, in order."""
    headers = token("accreditor")
    everything = client.get(feed, params={"limit": 1000}, headers=headers).json()["items"]
    start %= len(everything) + 1
    after = everything[start - 1]["cursor"] if start else None
    seen: list[dict[str, Any]] = []
    for appended, limit in steps:
        for _ in range(appended):
            n = next(_credit_ids)
            record(system, ids, 1, prefix=f"h{n}-")
            if n % 4 == 3:  # now and then a deletion too
                delete(system, ids, f"ccid:0004444:h{n}-0")
        system.projections.wait(system.store.head())
        page = client.get(feed, params={"limit": limit, **({"after": after} if after else {})}, headers=headers).json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        after = page["next"]
    while page := client.get(feed, params={"after": after, "limit": 1000}, headers=headers).json():
        if not page["items"]:
            break
        seen += page["items"]
        after = page["next"]
    full = client.get(feed, params={"limit": 1000}, headers=headers).json()["items"]
    assert [i["seq"] for i in seen] == list(range(start + 1, len(full) + 1))
    assert seen == full[start:]
    assert len({i["id"] for i in full}) == len(full)
