"""`pars admin backup` and `pars admin restore` on SQLite and PostgreSQL: the restored store passes
`pars audit verify`, every read model is at the head, and its data (learners' sealed personal data,
passwords, tokens) reads back; a non-empty store or a backup of the other kind is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.scratch import scratch_postgres
from commands.accounts import SignIn
from commands.providers import AssignContact, ContactDetails, RegisterProvider
from commands.tokens import IssueToken
from domain.base import Acting, Channel
from tests.conftest import PG_ADMIN_URL, make_system
from tests.learners.helpers import register
from tests.web.helpers import PASSWORD, activate

PARS = str(Path(sys.executable).with_name("pars"))
CLI = Acting("cli:tester", Channel.CLI)


def pars(cwd: Path, url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PARS_DATABASE_URL": url,
        "PARS_SECRET_KEY": "test-secret-key",
        "PARS_FAST_PASSWORD_HASHING": "1",
    }
    done = subprocess.run([PARS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if ok:
        assert done.returncode == 0, f"pars {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, fresh store of the same kind to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'pars.sqlite'}"
        return
    with scratch_postgres(PG_ADMIN_URL, "pars_test") as url:
        yield url


def fill(url: str, mail_dir: Path) -> dict[str, str]:
    """A store with providers, contacts, a learner, a web account and tokens; read models left behind the
    head on purpose (the last events are not projected), as a backup of a busy store can be."""
    system = make_system(url)
    try:
        for accme_id, name in (("0001234", "Acme CME"), ("0007777", "Rival CME")):
            system.providers.register(
                RegisterProvider(
                    accme_id=accme_id,
                    name=name,
                    accreditor="TN",
                    primary=ContactDetails(name="Ann Lee", email=f"ann@{accme_id}.org"),
                ),
                CLI,
            )
        learner_id = system.learners.register_many(
            [register("Ana", "García-López", "03-07", licences={"TN": "MD12345"})], CLI
        )[0].learner_id
        issued = system.tokens.handle(IssueToken(role="provider", provider="0001234", label="LMS"), CLI)
        system.projections.catch_up()
        system.accounts.mailer.directory = mail_dir  # the invitation link is read from there
        activate(system, mail_dir, "bo@acme.org", "provider", provider="0001234")
        system.providers.handle(
            AssignContact(
                accme_id="0001234", role="billing", contact=ContactDetails(name="Bill", email="bill@acme.org")
            ),
            CLI,
        )
        return {"learner_id": str(learner_id), "token_id": issued.token_id, "head": str(system.store.head())}
    finally:
        system.close()


def test_a_backup_restores_into_a_fresh_store_that_verifies_and_is_at_the_head(
    database_url: str, second_url: str, tmp_path: Path
) -> None:
    made = fill(database_url, tmp_path / "mail")
    file = tmp_path / "backups" / "pars.backup"
    taken = json.loads(pars(tmp_path, database_url, "admin", "backup", str(file)).stdout)
    assert taken["bytes"] == file.stat().st_size > 0 and not list(file.parent.glob(".*partial"))

    restored = json.loads(pars(tmp_path, second_url, "admin", "restore", str(file)).stdout)
    assert restored["events"] == int(made["head"])
    assert all(p["position"] == p["head"] == int(made["head"]) and p["lag"] == 0 for p in restored["projections"])
    verified = json.loads(pars(tmp_path, second_url, "audit", "verify").stdout)
    assert verified["ok"] is True and verified["events"] == int(made["head"])
    status = [json.loads(line) for line in pars(tmp_path, second_url, "projections", "status").stdout.splitlines()]
    assert status and all(s["lag"] == 0 and s["position"] == int(made["head"]) for s in status)

    system = make_system(second_url)
    try:
        profile = system.reads.profiles.get_profile("0001234")
        assert profile is not None and profile["contacts"]["billing"]["email"] == "bill@acme.org"
        learner = system.learners.get(made["learner_id"])  # sealed personal data: its key came back too
        assert learner.last_name == "García-López"
        assert (
            system.accounts.handle(SignIn(email="bo@acme.org", password=PASSWORD, client="192.0.2.1")).email
            == "bo@acme.org"
        )
        assert system.tokens.get(made["token_id"])["label"] == "LMS"
    finally:
        system.close()

    # Restoring over a store that holds events needs --replace; then it is the backup again.
    refused = pars(tmp_path, second_url, "admin", "restore", str(file), ok=False)
    assert refused.returncode == 1 and "--replace" in refused.stderr and "Traceback" not in refused.stderr
    assert json.loads(pars(tmp_path, second_url, "admin", "restore", str(file), "--replace").stdout)["events"] == int(
        made["head"]
    )
    assert json.loads(pars(tmp_path, second_url, "audit", "verify").stdout)["ok"] is True


def test_restore_refuses_a_file_that_is_no_backup_of_this_kind_and_changes_nothing(
    database_url: str, second_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP not really" if database_url.startswith("sqlite") else b"SQLite format 3\x00 not really")
    for file in (other, tmp_path / "missing.backup"):
        refused = pars(tmp_path, second_url, "admin", "restore", str(file), ok=False)
        assert refused.returncode == 1 and str(file.name) in refused.stderr and "Traceback" not in refused.stderr
    nothing = pars(tmp_path, second_url, "admin", "backup", str(tmp_path / "x.backup"), ok=False)
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr and not (tmp_path / "x.backup").exists()
