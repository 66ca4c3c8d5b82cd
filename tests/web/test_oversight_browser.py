# ruff: noqa: F811  (pytest fixtures imported from test_browser.py are parameters of these tests)
"""The accreditor's oversight pages in headless Chromium (issue 18): the REMS and MIPS reports, the data report
with its charts (and as printed), the deadlines and reminders page, and the MIPS mark on a physician's transcript;
at a desk's width and a phone's, with no page scrolling sideways. One server for the module."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.formats.accme.activities import submit_items
from adapters.formats.accme.learner_reports import report_completions
from tests.activities.test_rems import OA
from tests.completions.helpers import report
from tests.web.helpers import BY
from tests.web.test_browser import ACME, Site, _course, browser, shot, sign_in, site  # noqa: F401  (module fixtures)
from tests.web.test_browser_pages import DESK, PHONE, _context, _sideways, activate_once

pytestmark = pytest.mark.browser


def _seed(site: Site) -> int:
    """A MIPS course and a REMS course that ended three weeks ago, Ana's completion of each (her REMS fields
    given); answers the year they count in."""
    if "oversight" not in site.learners:
        end = site.system.completions.today() - timedelta(days=21)
        mips = _course("MIPS-1", end - timedelta(days=1), end)
        mips["XtensibleInfo"]["IsMeritBasedIncentivePaymentSystem"] = True
        rems = _course("REMS-1", end - timedelta(days=1), end)
        rems["XtensibleInfo"]["REMS"] = OA
        done = submit_items(site.system.activities, ACME, [mips, rems], BY)
        reports = []
        for n, activity in enumerate(done):
            r = report(
                activity.activity_id, f"ccid:{ACME}:ov{n}", Member__Name={"GivenName": "Ana", "FamilyName": "Garcia"}
            )
            r["Activity"]["ProviderOrganization"] = ACME
            r["Activity"]["Module"]["CompletedDateTime"] = f"{end.isoformat()}T00:00:00"
            r["Activity"]["Module"]["CreditCertificate"] = r["Activity"]["Module"]["CreditCertificate"][:1]
            if n == 1:
                r["Participants"] = {"Participant": {"Profession": "Pharmacist", "DEARegistration": "Individual"}}
            reports.append(r)
        results = site.system.completions.handle(report_completions(ACME, reports), BY)
        assert [r.action for r in results] == ["added", "added"], results
        site.system.projections.wait(site.system.store.head(), timeout=20)
        site.learners["oversight"] = str(end.year)
    return int(site.learners["oversight"])


@pytest.fixture(params=[DESK, PHONE], ids=["1366px", "390px"])
def tab(request: Any, browser: Any, site: Site) -> Any:
    context = _context(browser, site, request.param, accept_downloads=True)
    yield context.new_page()
    context.close()


def test_the_accreditors_reports_read_and_print(tab: Any, site: Site) -> None:
    year = _seed(site)
    activate_once(site, "ada@accme.org", "accreditor")
    sign_in(tab, "ada@accme.org")
    wide = tab.viewport_size["width"] > 1000
    tab.goto(f"/accreditor/mips?year={year}")
    assert tab.get_by_role("heading", name=f"MIPS improvement activities {year}").is_visible()
    assert tab.get_by_text("Passport course MIPS-1").first.is_visible() and tab.get_by_text("Garcia, Ana").is_visible()
    if wide:
        shot(tab, "accreditor-mips")
    tab.goto(f"/accreditor/rems?year={year}")
    assert tab.get_by_text("Participants reported with their REMS information: 1").is_visible()
    assert tab.get_by_text("Profession: Pharmacist").is_visible()
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download CSV").click()
    assert "Registered Prescribers" in open(download.value.path(), encoding="utf-8").readline()  # noqa: SIM115
    tab.goto(f"/accreditor/data-report?year={year}")
    assert tab.locator("svg.chart").count() == 5
    assert tab.get_by_role("button", name="Print").is_visible()  # the script shows it
    if wide:
        shot(tab, "accreditor-data-report")
    tab.emulate_media(media="print")
    assert not tab.locator("header.top").is_visible() and not tab.get_by_role("button", name="Print").is_visible()
    assert tab.locator("svg.chart").first.is_visible()
    tab.emulate_media(media="screen")
    for path in ("/accreditor/mips", "/accreditor/rems", "/accreditor/data-report", "/accreditor/deadlines"):
        tab.goto(f"{path}?year={year}")
        assert _sideways(tab) == [], path


def test_staff_set_a_deadline_and_the_schedule_in_the_browser(tab: Any, site: Site) -> None:
    year = _seed(site)
    activate_once(site, "ada@accme.org", "accreditor")
    sign_in(tab, "ada@accme.org")
    tab.goto("/accreditor/deadlines?accreditor=JA")
    assert tab.get_by_role("heading", name="Year-end deadlines and reminders of JA").is_visible()
    tab.get_by_label("Reporting year").select_option(str(year))
    tab.locator("#f-deadline").fill(f"{year + 1}-03-20")
    tab.get_by_role("button", name="Save the deadline").click()
    assert tab.get_by_text(f"The {year} deadline of JA is March 20, {year + 1}.").is_visible()
    tab.get_by_label("Send scheduled reminders").check()
    tab.get_by_label("Days before the deadline").fill("21")
    tab.get_by_role("button", name="Save the schedule").click()
    assert tab.locator("#h-sched + p").inner_text().startswith("On: 21 days before the deadline")
    tab.get_by_role("button", name="Send me a copy of every reminder").click()
    assert tab.get_by_role("button", name="Stop sending me copies").is_visible()
    tab.get_by_role("button", name="Stop sending me copies").click()
    if tab.viewport_size["width"] > 1000:
        shot(tab, "accreditor-deadlines")


def test_the_physician_sees_mips_completions_marked(tab: Any, site: Site) -> None:
    _seed(site)
    activate_once(site, "ana@doc.org", "learner", learner=site.learners["ana"])
    sign_in(tab, "ana@doc.org")
    tab.goto("/passport")
    assert tab.get_by_text("1 completion of activities registered as MIPS improvement activities").is_visible()
    assert tab.locator('span.tag[title="MIPS improvement activity"]').count() == 1
