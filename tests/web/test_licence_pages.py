"""The Passport page's licence section (no JavaScript): track a license, see its cycle and what is missing,
the transcript for the cycle, and stop tracking it; errors beside the field; other users get no page."""

from __future__ import annotations

from pathlib import Path

from adapters.formats.accme.learner_reports import report_completions
from tests.activities.helpers import ACCME_ID
from tests.completions.helpers import report, setup
from tests.licences.helpers import seed, tagged_activity
from tests.web.helpers import BY, activate, post_form, sign_in
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
