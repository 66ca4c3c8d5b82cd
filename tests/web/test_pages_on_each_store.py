"""The pages' own tables (accounts, sessions, credentials) and a short provider flow, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from adapters.app import create_app
from tests.activities.helpers import ACCME_ID, register
from tests.web.conftest import make_web_system
from tests.web.helpers import activate, post_form, sign_in

P = f"/provider/{ACCME_ID}"


def test_invite_sign_in_add_an_activity_and_see_it(database_url: str, tmp_path: Path):
    system = make_web_system(database_url, tmp_path / "mail")
    try:
        register(system)
        with TestClient(create_app(system), follow_redirects=False) as pages:
            activate(system, tmp_path / "mail", "ann@cme.org", "provider", provider=ACCME_ID)
            assert sign_in(pages, "ann@cme.org").headers["location"] == P
            new = f"{P}/activities/new"
            saved = post_form(
                pages,
                new,
                new,
                {
                    "provider_activity_id": "PG-1",
                    "title": "Lipids",
                    "format": "Course",
                    "start_date": "2025-02-01",
                    "end_date": "2025-02-01",
                },
            )
            assert saved.status_code == 303
            assert "Lipids" in pages.get(f"{P}/activities?q=lipids").text
            # Every column sorts on each store (JSON fields of the summary, the status, the completions).
            for column in ("title", "credits", "learners", "completions", "status", "moc", "provider_activity_id"):
                for order in ("asc", "desc"):
                    page = pages.get(f"{P}/activities?sort={column}&order={order}")
                    assert page.status_code == 200 and ">PG-1<" in page.text, column
            assert (
                post_form(pages, f"{P}/users", f"{P}/users", {"name": "Bo", "email": "bo@cme.org"}).status_code == 303
            )
            users = pages.get(f"{P}/users").text
            assert "ann@cme.org" in users and "bo@cme.org" in users
            assert post_form(pages, P, "/sign-out", {}).status_code == 303
            assert pages.get(P).status_code == 303
    finally:
        system.close()
