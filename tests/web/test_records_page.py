"""The provider's MOC records page (/provider/{id}/records): the dashboard's board counts and its records at risk
link to it, filtered by board, status and year; at risk and late records say so with their date; another
provider's user gets the not-found page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.bootstrap import System
from tests.activities.helpers import ACCME_ID, OTHER_ID
from tests.feeds.helpers import record, setup
from tests.web.helpers import activate, post_form, sign_in


@pytest.fixture
def provider_pages(pages, web_system: System, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    web_system.activities.today = lambda: date(2025, 3, 20)
    web_system.completions.today = lambda: date(2025, 3, 20)
    record(web_system, ids, 2)  # completed 2 March: due 1 April, at risk on 20 March
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ann@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "ann@cme.org")
    pages.system = web_system
    pages.activity_id = ids["activity"]
    return pages


def test_the_dashboard_links_its_counts_to_the_filtered_records(provider_pages) -> None:  # type: ignore[no-untyped-def]
    dashboard = provider_pages.get(f"/provider/{ACCME_ID}?year=2025").text
    assert "MOC credit at risk" in dashboard
    assert f'href="/provider/{ACCME_ID}/records?board=ABIM&status=at_risk"' in dashboard
    assert f'href="/provider/{ACCME_ID}/records?board=ABIM&amp;year=2025&amp;status=pending"' in dashboard
    page = provider_pages.get(f"/provider/{ACCME_ID}/records?board=ABIM&status=at_risk")
    assert page.status_code == 200
    assert page.text.count('data-credit-id="ccid:0004444:c') == 2
    assert "at risk</span> due 2025-04-01" in page.text
    provider_pages.system.activities.today = lambda: date(2025, 4, 2)
    late = provider_pages.get(f"/provider/{ACCME_ID}/records?status=late&year=2025").text
    assert late.count('data-credit-id="ccid:0004444:c') == 2 and "late</span> due 2025-04-01" in late
    none = provider_pages.get(f"/provider/{ACCME_ID}/records?status=at_risk").text
    assert "No record matches." in none
    csv = provider_pages.get(f"/provider/{ACCME_ID}/records?status=late&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("2025-04-01 (late)") == 2


def test_the_provider_asks_for_the_digest_from_the_records_page(provider_pages) -> None:  # type: ignore[no-untyped-def]
    page_url = f"/provider/{ACCME_ID}/records"
    answer = post_form(provider_pages, page_url, f"{page_url}/digest", {"role-primary": "yes", "role-technical": "yes"})
    assert answer.status_code == 303
    assert provider_pages.system.digests.roles(ACCME_ID) == ["primary", "technical"]
    page = provider_pages.get(page_url).text
    assert 'id="role-primary" name="role-primary" value="yes" checked' in page
    assert post_form(provider_pages, page_url, f"{page_url}/digest", {}).status_code == 303
    assert provider_pages.system.digests.roles(ACCME_ID) == []


def test_another_providers_records_are_not_found(provider_pages) -> None:  # type: ignore[no-untyped-def]
    answer = provider_pages.get(f"/provider/{OTHER_ID}/records?status=late")
    assert answer.status_code == 404 and "ccid" not in answer.text
    own = f"/provider/{ACCME_ID}/records"
    refused = post_form(provider_pages, own, f"/provider/{OTHER_ID}/records/digest", {"role-primary": "yes"})
    assert refused.status_code == 404


def test_the_filter_form_shows_what_it_filters_by_and_ignores_a_year_it_cannot_read(provider_pages) -> None:  # type: ignore[no-untyped-def]
    url = f"/provider/{ACCME_ID}/records?board=ABIM&status=late&year=2025&sort=learner&order=desc"
    page = provider_pages.get(url).text
    assert 'aria-label="Filter records"' in page and '<label for="f-status">Status</label>' in page
    assert '<option value="ABIM" selected>' in page and '<option value="learner" selected>' in page
    assert 'value="2025"' in page and '<option value="desc" selected>' in page
    assert "records?status=late&amp;board=ABIM&amp;year=2025&amp;sort=learner&amp;order=desc&format=csv" in page
    # A year of other digits than 0-9 (a superscript two) is no filter, as any other year the page cannot read.
    odd = provider_pages.get(f"/provider/{ACCME_ID}/records?year=%C2%B2")
    assert odd.status_code == 200 and odd.text.count('data-credit-id="ccid:0004444:c') == 2
    learners = provider_pages.get(f"/provider/{ACCME_ID}/activities/{provider_pages.activity_id}/learners").text
    assert 'aria-label="Filter learners"' in learners and '<label for="f-status">Board status</label>' in learners
    assert 'id="f-year"' not in learners and '<option value="credit_id">Credit ID</option>' in learners
    assert "learners?status=&amp;board=&amp;sort=completion_date&amp;order=asc&format=csv" in learners
