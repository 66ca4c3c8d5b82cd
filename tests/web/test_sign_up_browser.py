# ruff: noqa: F811  (pytest fixtures imported from test_browser.py are parameters of these tests)
"""A physician opens their own CME Passport account in a browser and confirms it through the mailed link:
at 1366 px with JavaScript, at 390 px without (the page needs none)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.learners.helpers import register as learner
from tests.web.helpers import BY, PASSWORD, last_link
from tests.web.test_browser import Site, browser, shot, sign_in, site  # noqa: F401  (module fixtures)
from tests.web.test_browser_pages import DESK, PHONE, _axe, _context, _sideways

pytestmark = pytest.mark.browser


@pytest.fixture(params=[DESK, PHONE], ids=["1366px", "390px"])
def tab(request: Any, browser: Any, site: Site) -> Any:
    # The phone runs without JavaScript: the form, its errors and the link work on plain HTML.
    context = _context(browser, site, request.param, java_script_enabled=request.param is DESK)
    yield context.new_page()
    context.close()


def test_a_physician_signs_up_and_confirms_through_the_mailed_link(tab: Any, site: Site) -> None:
    wide = tab.viewport_size["width"] > 1000
    first, licence, email = ("Dana", "MD70001", "dana@doc.org") if wide else ("Eli", "MD70002", "eli@doc.org")
    [outcome] = site.system.learners.register_many([learner(first, "Signup", "06-21", licences={"TN": licence})], BY)
    site.system.projections.wait(site.system.store.head(), timeout=20)

    tab.goto("/sign-in")
    tab.get_by_role("link", name="Open your CME Passport account").click()
    expect(tab).to_have_url(re.compile(r"/passport/sign-up$"))
    tab.get_by_label("First name").fill(first)
    tab.get_by_label("Last name").fill("Signup")
    tab.get_by_label("Month").select_option("6")
    tab.get_by_label("Day").fill("22")  # a wrong day first: the answer names no field
    tab.get_by_label("State of licensure").select_option("TN")
    tab.get_by_label("License number").fill(licence)
    tab.get_by_label("Email address").fill(email)
    tab.get_by_role("button", name="Open my account").click()
    expect(tab.locator("#error-summary")).to_contain_text("could not match these details")
    assert _sideways(tab) == []
    shot(tab, f"sign-up-refused-{'desk' if wide else 'phone'}")
    if wide:  # axe-core runs in the page: only where JavaScript is on
        assert _axe(tab) == []

    tab.get_by_label("First name").fill(first)
    tab.get_by_label("Last name").fill("Signup")
    tab.get_by_label("Month").select_option("6")
    tab.get_by_label("Day").fill("21")
    tab.get_by_label("State of licensure").select_option("TN")
    tab.get_by_label("License number").fill(licence)
    tab.get_by_label("Email address").fill(email)
    tab.get_by_role("button", name="Open my account").click()
    expect(tab.get_by_role("status")).to_contain_text(f"We have sent a message to {email}")
    shot(tab, f"sign-up-{'desk' if wide else 'phone'}")

    tab.goto(last_link(site.mail_dir, email))
    tab.get_by_label("New password").fill(PASSWORD)
    tab.get_by_label("The same password again").fill(PASSWORD)
    tab.get_by_role("button", name="Save my password").click()
    expect(tab).to_have_url(re.compile(r"/sign-in$"))
    sign_in(tab, email)
    expect(tab).to_have_url(re.compile(r"/passport$"))
    account = site.system.accounts.find(email)
    assert account is not None and account.active and account.tenant == f"learner:{outcome.learner_id}"
