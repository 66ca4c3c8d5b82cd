"""The Passport page's licence section (no JavaScript): track a license, see its cycle and what is missing,
the transcript for the cycle, and stop tracking it; errors beside the field; other users get no page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from adapters.formats.accme.learner_reports import report_completions
from adapters.tokens import issue_token
from commands.licences import SendGapAlerts, TrackLicence
from tests.activities.helpers import ACCME_ID
from tests.completions.helpers import report, setup
from tests.licences.helpers import seed, tagged_activity
from tests.web.helpers import BY, activate, mails, post_form, sign_in
from tests.web.test_sign_in_pages import errors_beside


def test_a_physician_tracks_a_license_on_the_passport_page(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    seed(web_system)
    tagged = tagged_activity(web_system)
    web_system.completions.handle(
        report_completions(ACCME_ID, [report(ids["activity"]), report(tagged, credit_id="ccid:0004444:t1")]), BY
    )
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    assert "No license tracked yet." in pages.get("/passport").text
    bad = post_form(pages, "/passport", "/passport/licences", {"state": "TN", "licence_type": "MD", "number": "MD 12!"})
    assert bad.status_code == 422 and "license number" in errors_beside(bad.text)["number"]
    bad_date = post_form(
        pages,
        "/passport",
        "/passport/licences",
        {"state": "TN", "licence_type": "MD", "number": "MD12345", "issued_on": "soon"},
    )
    assert bad_date.status_code == 422 and errors_beside(bad_date.text) == {"issued_on": "enter the date as YYYY-MM-DD"}
    done = post_form(
        pages,
        "/passport",
        "/passport/licences",
        {"state": "TN", "licence_type": "MD", "number": "MD12345", "issued_on": "2001-07-01"},
    )
    assert done.status_code == 303
    page = pages.get("/passport").text
    assert "TN MD license MD12345" in page and "Current cycle 2024-04-01 to 2026-03-31" in page
    assert "303 days left" in page and "28 hours missing" in page and "⚠ not confirmed" in page
    assert 'href="/passport?start=2024-04-01&amp;end=2026-03-31"' in page and "TN3 (2022-03-17)" in page
    assert "Met" in page  # the opioid-tagged course meets the controlled-substance topic
    assert post_form(pages, "/passport", "/passport/licences/TN/remove", {}).status_code == 303
    assert "No license tracked yet." in pages.get("/passport").text
    post_form(pages, "/passport", "/sign-out", {})
    activate(web_system, mail_dir, "pat@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "pat@cme.org")
    refused = post_form(
        pages, f"/provider/{ACCME_ID}", "/passport/licences", {"state": "TN", "licence_type": "MD", "number": "X1"}
    )
    assert refused.status_code == 404


def test_gap_alerts_are_mailed_90_and_30_days_before_an_unmet_cycle_ends_once_each(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    seed(web_system)
    web_system.completions.handle(report_completions(ACCME_ID, [report(ids["activity"])]), BY)
    web_system.licences.handle(
        TrackLicence(
            learner_id=ids["ana"], state="TN", licence_type="MD", number="MD12345", issued_on=date(2001, 7, 1)
        ),
        BY,
    )
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    web_system.projections.wait(web_system.store.head())

    def send_on(day: date) -> list[Any]:
        web_system.activities.today = lambda: day
        before = len(mails(mail_dir))
        outcome = web_system.licences.handle(SendGapAlerts(), BY)
        web_system.projections.wait(web_system.store.head())
        sent = [m for m in mails(mail_dir)[before:] if m["To"] == "ana@doc.org"]
        assert outcome.value == len(sent)
        return sent

    assert send_on(date(2026, 1, 1)) == []  # not opted in
    sign_in(pages, "ana@doc.org")
    assert post_form(pages, "/passport", "/passport/gap-alerts", {"on": "yes"}).status_code == 303
    assert 'name="on" value="yes" checked' in pages.get("/passport").text
    assert send_on(date(2025, 12, 30)) == []  # 91 days left: not yet
    [first] = send_on(date(2025, 12, 31))  # 90 days left
    assert first["Subject"] == "CME Passport: your TN license cycle ends in 90 days"
    assert "Total CME credit: 34 hours missing (counted 6 of 40)" in first.get_content()
    assert "2024-04-01 to 2026-03-31" in first.get_content()
    assert send_on(date(2026, 1, 2)) == []  # once per threshold
    [second] = send_on(date(2026, 3, 1))  # 30 days left
    assert "ends in 30 days" in second["Subject"]
    assert send_on(date(2026, 3, 20)) == []
    # the next cycle, opted out: nothing
    assert post_form(pages, "/passport", "/passport/gap-alerts", {}).status_code == 303
    assert send_on(date(2028, 1, 15)) == []
    api = {"Authorization": f"Bearer {issue_token(web_system.secret, 'learner', learner=ids['ana'])}"}
    assert pages.put("/api/v1/passport/gap-alerts", json={"on": True}, headers=api).json() == {"on": True}
    assert len(send_on(date(2028, 1, 15))) == 1  # the next cycle's 90-day alert
    assert pages.put("/api/v1/passport/gap-alerts", json={"on": True}).status_code == 401
    board = {"Authorization": f"Bearer {issue_token(web_system.secret, 'board', state='TN')}"}
    assert pages.put("/api/v1/passport/gap-alerts", json={"on": True}, headers=board).status_code == 403
    assert pages.put("/api/v1/passport/gap-alerts", json={"on": "maybe"}, headers=api).status_code == 422
