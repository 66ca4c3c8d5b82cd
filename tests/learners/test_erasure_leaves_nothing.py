"""After `DELETE /api/v1/learners/{id}/personal-data`, none of the learner's identifiers is left in any table
(SQLite and PostgreSQL) nor, on SQLite, in the bytes of the database and WAL files; the totals stay.

The learner has completions (one reported through the web service with the provider's credit ID, one from
a batch row without one), feed items on a board and a state feed, transcript reads by a board, an
accreditor and an auditor. A second learner, left alone, is the control: the same search finds theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from adapters.app import create_app
from adapters.batch.completion_importer import import_completion_file
from adapters.bootstrap import System
from adapters.db.learner_directory_tables import PERSONAL_TABLES
from adapters.formats.accme.activities import submit_items
from adapters.tokens import issue_token
from tests.activities.helpers import ACCME_ID, XI, item
from tests.activities.helpers import register as register_provider
from tests.conftest import make_system
from tests.learners.helpers import BY, npi_with_check_digit
from tests.learners.helpers import register as learner

TODAY = date(2025, 6, 1)
ZOFIA_NPI, BEN_NPI = npi_with_check_digit("731904852"), npi_with_check_digit("604418273")
ZOFIA = {
    "first": "Zofia",
    "last": "Wiśniewska-Quist",
    "md": "02-29",
    "year": 1968,
    "licence": "QX-77731",
    "board": "K7-884411",
}
MOC = {XI + "MOCRegistrations": {"MOCRegistration": [{"boardName": "ABIM", "mocPoints": 6, "MOCCreditType": ["MK"]}]}}
FEEDS = ("/api/v1/feeds/boards/ABIM", "/api/v1/feeds/states/TN", "/api/v1/feeds/states/NC")


def needles(first: str, last: str, md: str, year: int, licence: str, board: str, npi: str) -> list[str]:
    """Every form an identifier is stored in: as given, JSON-escaped (SQLite's JSON is ASCII), folded for matching."""
    folded_last = "".join(ch for ch in last.lower().replace("ś", "s") if ch.isalnum())
    forms = [
        first,
        last,
        json.dumps(last)[1:-1],
        folded_last,
        f"{first.lower()}|{folded_last}",
        f"{year}-{md}",
        md,
        npi,
        licence,
        licence.replace("-", ""),
        board,
        board.replace("-", ""),
    ]
    return list(dict.fromkeys(forms))


ZOFIA_NEEDLES = needles(
    ZOFIA["first"], ZOFIA["last"], ZOFIA["md"], ZOFIA["year"], ZOFIA["licence"], ZOFIA["board"], ZOFIA_NPI
)
BEN_NEEDLES = [BEN_NPI, "Okonkwo-Brandt", "NC-55120"]


def report(activity_id: str, credit_id: str) -> dict[str, Any]:
    return {
        "ReportingOrganization": f"CME {ACCME_ID}",
        "Member": {
            "Name": {"GivenName": ZOFIA["first"], "FamilyName": ZOFIA["last"]},
            "PersonalInfo": {"BirthDate": f"{ZOFIA['year']}-{ZOFIA['md']}"},
        },
        "Activity": {
            "ProviderOrganization": ACCME_ID,
            "Module": {
                "ModuleName": {"value": "Cardiology update", "moduleID": activity_id},
                "Status": "Completed",
                "CompletedDateTime": "2025-03-02",
                "CreditCertificate": [
                    {
                        "UniqueID": [{"value": ZOFIA_NPI, "domain": "NPI"}],
                        "CreditID": credit_id,
                        "CreditReceived": {
                            "activityCertification": "AMA PRA Category 1",
                            "creditUnit": "Point",
                            "numberOfCredits": 6,
                        },
                    },
                    {
                        "UniqueID": [{"value": ZOFIA["board"], "domain": "ABIM"}],
                        "CreditID": credit_id,
                        "CreditReceived": {
                            "activityCertification": "ABIM MOC",
                            "creditUnit": "Point",
                            "numberOfCredits": 6,
                        },
                    },
                ],
            },
        },
        "XtensibleInfo": {"LearnerRecordAction": "add", "LearnerConsent": True},  # so the boards get it
    }


@pytest.fixture
def app(database_url: str) -> Iterator[tuple[System, TestClient]]:
    system = make_system(database_url)
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        yield system, client
    system.close()


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


def table_text(system: System) -> dict[str, str]:
    """Every table of the database (event store included), each row as text, bytes decoded both ways."""
    metadata = MetaData()
    metadata.reflect(system.db.engine)
    out: dict[str, str] = {}
    with system.db.engine.connect() as conn:
        for name, table in metadata.tables.items():
            parts: list[str] = []
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        parts += [bytes(value).decode("utf-8", "replace"), bytes(value).decode("latin-1")]
                    else:
                        parts.append(
                            json.dumps(value, default=str, ensure_ascii=False)
                            if isinstance(value, (dict, list))
                            else str(value)
                        )
            out[name] = "\n".join(parts)
    return out


def found(texts: dict[str, str], forms: list[str]) -> dict[str, list[str]]:
    return {name: hits for name, text in texts.items() if (hits := [f for f in forms if f in text])}


def totals(system: System, client: TestClient) -> dict[str, Any]:
    system.projections.wait(system.store.head())
    feeds = {
        path: len(client.get(path, params={"limit": 1000}, headers=auth(system, "accreditor")).json()["items"])
        for path in FEEDS
    }
    return {
        "completions": system.reads.completions.count(ACCME_ID),
        "feeds": feeds,
        "learners": system.learners.counts()["registered"],
    }


def test_erasure_leaves_no_identifier_in_any_table_or_file_and_keeps_the_totals(app: tuple[System, TestClient]) -> None:
    system, client = app
    system.activities.today = lambda: TODAY
    system.completions.today = lambda: TODAY
    register_provider(system)
    activity = submit_items(system.activities, ACCME_ID, [item("A-1", **MOC)], BY)[0].activity_id
    zofia, _ben = (
        o.learner_id
        for o in system.learners.register_many(
            [
                learner(
                    ZOFIA["first"],
                    ZOFIA["last"],
                    ZOFIA["md"],
                    year=ZOFIA["year"],
                    licences={"TN": ZOFIA["licence"]},
                    npi=ZOFIA_NPI,
                    boards={"ABIM": ZOFIA["board"]},
                ),
                learner("Benedikt", "Okonkwo-Brandt", "11-03", licences={"NC": "NC-55120"}, npi=BEN_NPI),
            ],
            BY,
        )
    )
    system.projections.wait(system.store.head())
    provider = auth(system, "provider", provider=ACCME_ID)
    answer = client.post(
        "/accme/learner-activities",
        headers=provider,
        json={
            "ACCMELearnerReports": {
                "ActivityReports": {
                    "DateTimeCreated": "2025-03-05T10:00:00",
                    "ActivityReport": [report(activity, "ccid:0004444:z1")],
                }
            }
        },
    )
    assert answer.status_code == 201, answer.text
    rows = (
        f"Activity ID\tFirst Name\tLast Name\tBirth Month\tBirth Day\tState of Licensure\tLicense Number\tNPI\tCompletion Date\tCME Credits\tLearner Consent\n"
        f"{activity}\tZofia\tWiśniewska-Quist\t2\t29\tTN\t{ZOFIA['licence']}\t{ZOFIA_NPI}\t03/01/2025\t2\tyes\n"
        f"{activity}\tBenedikt\tOkonkwo-Brandt\t11\t3\tNC\t\t{BEN_NPI}\t03/01/2025\t1\tyes\n"
    )
    batch = import_completion_file(system.completions, ACCME_ID, rows.encode(), "rows.txt", BY)
    assert batch.counts["recorded"] == 2, batch.errors
    system.projections.wait(system.store.head())
    # Feeds and transcripts read by boards, ACCME staff and an auditor (each auditor read is an event).
    assert ZOFIA["last"] in client.get(FEEDS[0], headers=auth(system, "board", board="ABIM")).text
    assert ZOFIA_NPI in client.get(FEEDS[1], headers=auth(system, "board", state="TN")).text
    by_licence = {
        "firstName": ZOFIA["first"],
        "lastName": ZOFIA["last"],
        "stateOfLicensure": "TN",
        "stateMedicalLicenseID": ZOFIA["licence"],
    }
    for who in (auth(system, "board", state="TN"), auth(system, "auditor")):
        assert client.get("/accme/GetLearnerTranscriptbyLearner", params=by_licence, headers=who).status_code == 200
    for path in ("/accme/GetLearnerTranscriptbyLearner", "/accme/GetLearnerTranscriptbyLearnerPDF"):
        for who in (auth(system, "accreditor"), auth(system, "auditor")):
            assert client.get(path, params={"npi": ZOFIA_NPI}, headers=who).status_code == 200
    before = totals(system, client)
    assert before["completions"] == 3 and all(before["feeds"].values())
    assert found(table_text(system), ZOFIA_NEEDLES)  # the search finds her before erasure

    assert (
        client.delete(f"/api/v1/learners/{zofia}/personal-data", headers=auth(system, "accreditor")).status_code == 204
    )

    assert totals(system, client) == before
    erased = [
        i for i in client.get(FEEDS[0], headers=auth(system, "accreditor")).json()["items"] if i["learner"]["erased"]
    ]
    assert erased, "her feed items stay, identifying no one"
    texts = table_text(system)
    assert found(texts, ZOFIA_NEEDLES) == {}
    assert set(found(texts, BEN_NEEDLES).get("learner_directory", [])) == set(BEN_NEEDLES)  # the control is still found
    if system.db.url.is_sqlite:
        path = Path(system.db.url.sqlite_path)
        files = {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()}
        raw_hits = {name: [n for n in ZOFIA_NEEDLES if n.encode() in data] for name, data in files.items()}
        assert all(not hits for hits in raw_hits.values()), raw_hits
        assert BEN_NPI.encode() in b"".join(files.values())
    else:
        pages = raw_pages(system, PERSONAL_TABLES)
        assert {
            name: hits for name, data in pages.items() if (hits := [n for n in ZOFIA_NEEDLES if n.encode() in data])
        } == {}
        assert BEN_NPI.encode() in b"".join(pages.values())


def raw_pages(system: System, tables: tuple[str, ...]) -> dict[str, bytes]:
    """PostgreSQL: the bytes of every page of these tables and their indexes (pageinspect), dead tuples' space included."""
    with system.db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
    out: dict[str, bytes] = {}
    with system.db.engine.connect() as conn:
        relations = (
            conn.exec_driver_sql(
                "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%(t)s) UNION "
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid WHERE c.relname = ANY(%(t)s)",
                {"t": list(tables)},
            )
            .scalars()
            .all()
        )
        for rel in relations:
            blocks = conn.exec_driver_sql(
                "SELECT pg_relation_size(%(r)s) / current_setting('block_size')::int", {"r": rel}
            ).scalar_one()
            out[rel] = b"".join(
                bytes(conn.exec_driver_sql("SELECT get_raw_page(%(r)s, %(b)s)", {"r": rel, "b": b}).scalar_one())
                for b in range(blocks)
            )
    return out


@pytest.mark.postgres
def test_a_long_reader_makes_the_purge_fall_back_to_vacuum_without_blocking_or_failing(postgres_url: str) -> None:
    """VACUUM FULL waits at most FULL_VACUUM_LOCK_TIMEOUT for its lock, then vacuums only and says so;
    the pooled connection's lock_timeout is reset."""
    system = make_system(postgres_url)
    try:
        with system.db.engine.connect() as reader:  # its transaction holds ACCESS SHARE on the table until it ends
            reader.exec_driver_sql("SELECT count(*) FROM learner_directory").scalar_one()
            assert system.db.purge_deleted(("learner_directory",)) is False
            reader.rollback()
        assert system.db.purge_deleted(PERSONAL_TABLES) is True
        with system.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "0"
    finally:
        system.close()
