"""`pars admin issue-token --json`, `list-tokens` and `revoke-token` through the real console script."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.tokens import read_token
from tests.cli.test_cli import CREATE, SECRET, pars, url  # noqa: F401 - url is a fixture
from tests.conftest import make_system


def test_issue_token_json_list_tokens_and_revoke_token_of_any_role(tmp_path, url):  # noqa: F811
    pars(tmp_path, url, *CREATE)
    plain = pars(tmp_path, url, "admin", "issue-token", "--role", "auditor").stdout
    assert len(plain.splitlines()) == 1 and plain.startswith("pars_")  # the token alone, as before
    made = {}
    for role, args in [
        ("provider", ["--provider", "0001234"]),
        ("board", ["--board", "abim"]),
        ("accreditor", ["--state", "TN", "--days", "7"]),
    ]:
        out = pars(tmp_path, url, "admin", "issue-token", "--role", role, *args, "--json").stdout
        made[role] = json.loads(out)
        assert set(made[role]) == {"token", "id", "role", "scope", "expires_at"} and made[role]["role"] == role
        assert read_token(SECRET, made[role]["token"]).token_id == made[role]["id"]
    assert made["board"]["scope"] == "board:ABIM" and made["provider"]["scope"] == "provider:0001234"
    week = datetime.fromisoformat(made["accreditor"]["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=6) < week <= timedelta(days=7)

    listed = pars(tmp_path, url, "admin", "list-tokens").stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert [r["role"] for r in rows] == ["auditor", "provider", "board", "accreditor"]
    assert all({"id", "role", "scope", "issued", "expires", "revoked"} <= set(r) for r in rows)
    assert all(m["token"] not in listed for m in made.values()) and plain.strip() not in listed  # never the secrets
    only = [
        json.loads(line)["id"]
        for line in pars(tmp_path, url, "admin", "list-tokens", "--provider", "0001234").stdout.splitlines()
    ]
    assert only == [made["provider"]["id"]]
    boards = [
        json.loads(line)["id"]
        for line in pars(tmp_path, url, "admin", "list-tokens", "--role", "board").stdout.splitlines()
    ]
    assert boards == [made["board"]["id"]]

    system = make_system(url)
    system.secret = SECRET
    try:
        # This process runs no projections: it sees the revocations the CLI made in the database.
        with TestClient(create_app(system, run_projections=False), raise_server_exceptions=False) as client:
            state = {"Authorization": f"Bearer {made['accreditor']['token']}"}
            assert client.get("/api/v1/providers/0001234", headers=state).status_code == 200
            for role in ("accreditor", "provider"):
                done = pars(tmp_path, url, "admin", "revoke-token", made[role]["id"])
                assert made[role]["id"] in done.stdout
            for role in ("accreditor", "provider"):
                refused = client.get(
                    "/api/v1/providers/0001234", headers={"Authorization": f"Bearer {made[role]['token']}"}
                )
                assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
            board = client.get(
                "/api/v1/feeds/boards/ABIM", headers={"Authorization": f"Bearer {made['board']['token']}"}
            )
            assert board.status_code == 200
    finally:
        system.close()
    rows = {
        json.loads(line)["id"]: json.loads(line)
        for line in pars(tmp_path, url, "admin", "list-tokens").stdout.splitlines()
    }
    assert (
        rows[made["accreditor"]["id"]]["revoked"]
        and rows[made["provider"]["id"]]["revoked"]
        and not rows[made["board"]["id"]]["revoked"]
    )
    unknown = pars(tmp_path, url, "admin", "revoke-token", "feedfacecafe", ok=False)
    assert unknown.returncode == 1 and "feedfacecafe" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = pars(tmp_path, url, "admin", "issue-token", "--role", "auditor", "--days", "0", ok=False)
    assert bad.returncode == 1 and "days" in bad.stderr and bad.stdout == ""
