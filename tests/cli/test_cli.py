"""The real `pars` console script, run as a subprocess against a temporary store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.tokens import read_token
from services.access import Role

PARS = str(Path(sys.executable).with_name("pars"))
SECRET = "cli-test-secret"
CREATE = [
    "admin",
    "create-provider",
    "--accme-id",
    "0001234",
    "--name",
    "Acme CME",
    "--accreditor",
    "tn",
    "--primary-name",
    "Ann Lee",
    "--primary-email",
    "Ann@Acme.org",
]


def pars(cwd: Path, url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARS_DATABASE_URL": url, "PARS_SECRET_KEY": SECRET, "COLUMNS": "200"}
    result = subprocess.run([PARS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert result.returncode == 0, (
            f"pars {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def test_create_provider_prints_it_as_json_and_a_second_time_exits_1_with_a_message(tmp_path, url):
    created = pars(tmp_path, url, *CREATE)
    profile = json.loads(created.stdout)
    assert profile["accme_id"] == "0001234" and profile["accreditor"] == "TN"
    assert profile["contacts"]["primary"] == {"name": "Ann Lee", "email": "ann@acme.org", "title": "", "phone": ""}
    again = pars(tmp_path, url, *CREATE, ok=False)
    assert again.returncode == 1
    assert "0001234" in again.stderr and "exists" in again.stderr
    assert again.stdout == ""
    history = pars(tmp_path, url, "history", "--provider", "0001234").stdout.splitlines()
    assert len(history) == 1  # the refused second registration recorded nothing


@pytest.mark.parametrize(
    "change, needle",
    [(["--accme-id", "1234"], "7 digits"), (["--primary-email", "not-an-email"], "email")],
)
def test_create_provider_with_bad_input_exits_nonzero_with_a_message_and_no_traceback(tmp_path, url, change, needle):
    args = list(CREATE)
    for i in range(0, len(change), 2):
        args[args.index(change[i]) + 1] = change[i + 1]
    result = pars(tmp_path, url, *args, ok=False)
    assert result.returncode in (1, 2)
    assert needle in result.stderr.lower() and "Traceback" not in result.stderr


def test_issue_token_prints_one_token_line_that_reads_back_with_the_key(tmp_path, url):
    pars(tmp_path, url, *CREATE)
    for args, role in [
        (["--role", "provider", "--provider", "0001234"], Role.PROVIDER),
        (["--role", "board", "--board", "abim"], Role.BOARD),
        (["--role", "auditor"], Role.AUDITOR),
    ]:
        out = pars(tmp_path, url, "admin", "issue-token", *args).stdout
        lines = out.splitlines()
        assert len(lines) == 1 and out.endswith("\n") and lines[0].strip() == lines[0]
        principal = read_token(SECRET, lines[0])
        assert principal.role is role
    refused = pars(tmp_path, url, "admin", "issue-token", "--role", "provider", ok=False)
    assert refused.returncode != 0 and refused.stdout == "" and "--provider" in refused.stderr


def test_an_issued_provider_token_is_accepted_by_the_api(tmp_path, url):
    pars(tmp_path, url, *CREATE)
    token = pars(tmp_path, url, "admin", "issue-token", "--role", "provider", "--provider", "0001234").stdout.strip()
    from fastapi.testclient import TestClient

    from adapters.app import create_app
    from tests.conftest import make_system

    system = make_system(url)
    system.secret = SECRET
    try:
        with TestClient(create_app(system), raise_server_exceptions=False) as client:
            system.projections.wait(system.store.head(), timeout=10, names=["provider_profile"])
            r = client.get("/api/v1/providers/0001234", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            assert r.json()["name"] == "Acme CME"
            other = client.get("/api/v1/providers/0009999", headers={"Authorization": f"Bearer {token}"})
            assert other.status_code == 404
    finally:
        system.close()


def test_history_prints_one_json_object_a_line_in_order_and_as_of_cuts_later_events(tmp_path, url):
    pars(tmp_path, url, *CREATE)
    time.sleep(1.1)  # --as-of takes whole seconds
    pars(tmp_path, url, "admin", "issue-token", "--role", "provider", "--provider", "0001234")
    lines = pars(tmp_path, url, "history", "--provider", "0001234").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["type"] for e in events] == ["Provider.Registered", "Provider.ApiTokenIssued"]
    assert all(e["accme_id"] == "0001234" and e["channel"] == "cli" and e["actor"].startswith("cli:") for e in events)
    assert events[0]["position"] < events[1]["position"]
    first = datetime.fromisoformat(events[0]["time"])
    second = datetime.fromisoformat(events[1]["time"])
    assert second - first >= timedelta(seconds=1)
    cut = (first + timedelta(seconds=1)).replace(microsecond=0)
    assert first < cut <= second
    for as_of in (cut.strftime("%Y-%m-%dT%H:%M:%S%z"),):
        only_first = pars(tmp_path, url, "history", "--provider", "0001234", "--as-of", as_of).stdout.splitlines()
        assert [json.loads(line)["type"] for line in only_first] == ["Provider.Registered"], as_of
    unknown = pars(tmp_path, url, "history", "--provider", "0009999", ok=False)
    assert unknown.returncode == 1 and "0009999" in unknown.stderr


def test_projections_rebuild_and_status(tmp_path, url):
    pars(tmp_path, url, *CREATE)
    rebuilt = pars(tmp_path, url, "projections", "rebuild")
    assert "Traceback" not in rebuilt.stderr
    statuses = [json.loads(line) for line in pars(tmp_path, url, "projections", "status").stdout.splitlines()]
    by_name = {s["projection"]: s for s in statuses}
    assert {"provider_profile", "directory", "history"} <= set(by_name)
    for name in ("provider_profile", "directory", "history"):
        assert by_name[name]["lag"] == 0 and by_name[name]["position"] == by_name[name]["head"] == 1
    unknown = pars(tmp_path, url, "projections", "rebuild", "nosuch", ok=False)
    assert unknown.returncode == 1 and "nosuch" in unknown.stderr


@pytest.mark.postgres
def test_the_cli_works_against_postgresql(tmp_path, postgres_url):
    profile = json.loads(pars(tmp_path, postgres_url, *CREATE).stdout)
    assert profile["accme_id"] == "0001234"
    assert pars(tmp_path, postgres_url, *CREATE, ok=False).returncode == 1
    pars(tmp_path, postgres_url, "projections", "rebuild")
    lines = pars(tmp_path, postgres_url, "history", "--provider", "0001234").stdout.splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["Provider.Registered"]


def test_a_learner_token_issued_by_npi_carries_the_learner_id_never_the_npi(tmp_path, url):
    csv = tmp_path / "physicians.csv"
    csv.write_text(
        "first_name,last_name,birth_date,npi,licenses,board_ids\nAnn,Lee,1970-04-05,1234567893,TN:MD12345,ABIM:123456\n"
    )
    loaded = json.loads(pars(tmp_path, url, "import", "learners", str(csv)).stdout.splitlines()[0])
    token = pars(tmp_path, url, "admin", "issue-token", "--role", "learner", "--learner", "1234567893").stdout.strip()
    principal = read_token(SECRET, token)
    assert principal.learner == loaded["learner_id"] and "1234567893" not in principal.actor
    unknown = pars(tmp_path, url, "admin", "issue-token", "--role", "learner", "--learner", "1245319599", ok=False)
    assert unknown.returncode == 1 and "no learner" in unknown.stderr and unknown.stdout == ""
