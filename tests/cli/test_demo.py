"""`pars demo` through the real console script on SQLite: a full data set in seconds, then a refusal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_system

PARS = str(Path(sys.executable).parent / "pars")


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PARS, *args], env=env, capture_output=True, text=True, timeout=300)


def test_demo_fills_an_empty_store_once(tmp_path: Path, sqlite_url: str) -> None:
    env = {
        **os.environ,
        "PARS_DATABASE_URL": sqlite_url,
        "PARS_SECRET_KEY": "test-secret-key",
        "PARS_MAIL": f"file:{tmp_path}/mail",
        "PARS_PUBLIC_URL": "https://pars.example.org",
    }
    first = run(["demo"], env)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    made = {k: int(v) for v, k in re.findall(r"(\d+) (activities|physicians|completions)", out)}
    assert made["activities"] >= 300 and made["physicians"] >= 300 and made["completions"] >= 2000, out
    assert "refused" not in out and "9 providers" in out
    answered = re.search(r"boards' answers: (\d+) accepted, (\d+) rejected", out)
    assert answered and int(answered[1]) > int(answered[2]) > 0, out
    curls = [line for line in out.splitlines() if "curl " in line]
    assert curls and all(
        "curl -s https://pars.example.org/" in c or "curl -s 'https://pars.example.org/" in c for c in curls
    ), curls

    system = make_system(sqlite_url)
    try:
        profiles = [system.reads.profiles.get_profile(f"090000{n}") for n in range(1, 10)]
        assert {p["accreditor"] for p in profiles} >= {"ACCME", "JA", "TN"}
        summaries = system.reads.activities.summaries("0900001", None)
        assert (
            any(s["closed"] for s in summaries)
            and any(s["moc_boards"] for s in summaries)
            and len({s["format"] for s in summaries}) > 5
        )
        assert system.reads.completions.count() == made["completions"]
        # The boards answered: some records accepted, some rejected with a reason, the rest pending or not sent.
        system.projections.catch_up(["record_status"])
        counts = [system.reads.records.board_counts(f"090000{n}", y) for n in range(1, 10) for y in (2025, 2026)]
        statuses = {status for c in counts for board in c.values() for status in board}
        assert statuses >= {"accepted", "rejected", "pending", "not_sent"}, counts
        # Credit IDs are made from learner_ids: no NPI of the directory is inside any (before: ccid:{provider}:{activity}-{NPI}).
        from sqlalchemy import select

        from adapters.db.learner_directory_tables import learner_directory
        from adapters.db.transcripts_tables import transcript_entries

        with system.db.engine.connect() as conn:
            npis = {n for (n,) in conn.execute(select(learner_directory.c.npi)) if n}
            credit_ids = [c for (c,) in conn.execute(select(transcript_entries.c.credit_id))]
        assert (
            npis
            and credit_ids
            and not [c for c in credit_ids if c.rsplit("-", 1)[-1] in npis or any(n in c for n in npis)]
        )
    finally:
        system.close()

    # The printed tokens work: the learner reads a transcript with completions.
    learner = re.search(r"export LEARNER=(\S+)", out).group(1)
    from fastapi.testclient import TestClient

    from adapters.app import create_app

    system = make_system(sqlite_url)
    try:
        with TestClient(create_app(system, run_projections=False)) as client:
            answer = client.get("/api/v1/passport/transcript", headers={"Authorization": f"Bearer {learner}"})
            assert answer.status_code == 200 and answer.json()["completions"], answer.text
    finally:
        system.close()

    again = run(["demo"], env)
    assert again.returncode == 1 and "already holds the demo providers" in again.stderr
