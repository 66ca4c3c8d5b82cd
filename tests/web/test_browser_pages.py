# ruff: noqa: F811  (pytest fixtures imported from test_browser.py are parameters of these tests)
"""Issue 20's page improvements in headless Chromium, at a desk's width (1366 px) and a phone's (390 px).

One server for the module: the `site` and `browser` fixtures of tests/web/test_browser.py, imported here so
pytest starts them once for this module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.formats.accme.activities import submit_items
from adapters.web.routes.provider import reporting_year
from commands.completions import RecordCompletion
from tests.web.helpers import BY, activate
from tests.web.test_browser import ACME, OTHER, SHOTS, Site, _course, browser, shot, sign_in, site  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.browser
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _context(browser: Any, site: Site, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(base_url=site.url, viewport=viewport, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def offline(browser: Any, site: Site) -> Iterator[Any]:
    """A tab that reaches PARS and nothing else: any other address is refused, as on a machine with no internet."""
    context = _context(browser, site, DESK)
    outside: list[str] = []

    def only_pars(route: Any) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_pars)
    tab = context.new_page()
    tab.outside = outside
    yield tab
    context.close()


def test_the_api_docs_render_their_operations_with_no_network(offline: Any) -> None:
    failed: list[str] = []
    offline.on("requestfailed", lambda request: failed.append(request.url))
    offline.goto("/docs")
    offline.locator(".opblock").first.wait_for()
    assert offline.locator(".opblock").count() > 20
    assert offline.get_by_text("/api/v1/providers/{accme_id}", exact=True).first.is_visible()
    assert offline.outside == [] and failed == []


@pytest.fixture(params=[DESK, PHONE], ids=["1366px", "390px"])
def tab(request: Any, browser: Any, site: Site) -> Iterator[Any]:
    """A tab at a desk's width and at a phone's."""
    context = _context(browser, site, request.param)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_script(browser: Any, site: Site) -> Iterator[Any]:
    context = _context(browser, site, DESK, java_script_enabled=False)
    yield context.new_page()
    context.close()


def activate_once(site: Site, email: str, role: str, **scope: str) -> None:
    if email not in site.learners:  # one account per module
        activate(site.system, site.mail_dir, email, role, **scope)
        site.learners[email] = email


def _provider_user(site: Site, email: str) -> None:
    activate_once(site, email, "provider", provider=ACME)


def _focused_id(tab: Any) -> str:
    return tab.evaluate("document.activeElement && document.activeElement.id")


def _summary(tab: Any) -> Any:
    summary = tab.locator("#error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    return summary


def test_a_failed_save_shows_the_error_summary_on_top_with_focus_and_keeps_what_was_typed(tab: Any, site: Site) -> None:
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/contacts")
    tab.get_by_text("Add the billing contact").click()
    tab.locator("#f-billing-name").fill("Bo Chen")
    tab.locator("#f-billing-email").fill("not an address")
    tab.get_by_role("button", name="Save the billing contact").click()
    summary = _summary(tab)
    assert _focused_id(tab) == "error-summary"
    box = summary.bounding_box()
    assert box is not None and box["y"] < tab.viewport_size["height"]  # on screen, not below the fold
    link = summary.get_by_role("link", name=re.compile("^Email"))
    assert tab.locator("#f-billing-name").input_value() == "Bo Chen"
    assert tab.locator("#f-billing-email").input_value() == "not an address"
    if tab.viewport_size["width"] == DESK["width"]:
        shot(tab, "error-summary")
    link.click()
    assert _focused_id(tab) == "f-billing-email"


def test_a_refused_primary_contact_removal_keeps_the_primary_contact_in_its_form(tab: Any, site: Site) -> None:
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/contacts")
    # No page offers it; a forged or stale form may still send it.
    tab.evaluate(
        """accme => {
        const form = document.createElement("form");
        form.method = "post"; form.action = `/provider/${accme}/contacts/primary/remove`;
        form.appendChild(document.querySelector('input[name="csrf_token"]').cloneNode());
        document.body.appendChild(form); form.submit();
    }""",
        ACME,
    )
    summary = _summary(tab)
    assert "primary" in summary.inner_text().lower()
    assert _focused_id(tab) == "error-summary"
    assert tab.locator("#f-primary-name").input_value() == "Pat Primary"
    assert tab.locator("#f-primary-email").input_value() == f"primary@{ACME}.org"


def test_the_activity_form_lists_every_error_on_top_and_keeps_the_typing(tab: Any, site: Site) -> None:
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/activities/new")
    tab.get_by_label(re.compile("^Your activity ID")).fill("HALF-1")
    tab.get_by_label(re.compile("^Title")).fill("Half-typed activity")
    tab.get_by_label(re.compile("^AMA PRA Category 1 credits")).fill("6.1")
    tab.get_by_role("button", name="Save the activity").click()
    summary = _summary(tab)
    links = summary.get_by_role("link")
    assert links.count() >= 3
    texts = links.all_inner_texts()
    assert any(t.startswith("Start date") for t in texts) and any(t.startswith("Activity format") for t in texts)
    assert tab.get_by_label(re.compile("^Title")).input_value() == "Half-typed activity"
    assert _focused_id(tab) == "error-summary"


def test_the_error_summary_takes_focus_without_javascript(no_script: Any, site: Site) -> None:
    _provider_user(site, "sue@acme.org")
    sign_in(no_script, "sue@acme.org")
    no_script.goto(f"/provider/{ACME}/contacts")
    no_script.get_by_text("Add a staff contact").click()
    no_script.locator("#f-staff-email").fill("nobody")
    no_script.get_by_role("button", name="Add the staff contact").click()
    summary = _summary(no_script)
    assert summary.get_by_role("link").count() >= 1
    assert _focused_id(no_script) == "error-summary"


# Words that are ours, not PARS's: a snake_case name, or a validator's phrasing.
OUR_WORDS = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|String should|Input should|should have at (?:least|most)|Field required"
    r"|Value error|validation error|got ''|\bLicence\b|\blicence\b|\bceo\b|\baccme website\b"
)
SKIP = re.compile(
    r"\.(csv|pdf|xlsx|json|xml|txt)(\?|$)|[?&]format=(csv|xlsx|pdf)|^/(api|accme|docs|static|set-password)|/sign-out"
)


def _seed(site: Site) -> str:
    """A course that ended three weeks ago with one completion; answers the course's ACCME activity ID."""
    if "course" not in site.learners:
        end = site.system.completions.today() - timedelta(days=21)
        course = _course("WALK-1", end - timedelta(days=1), end)
        activity = submit_items(site.system.activities, ACME, [course], BY)[0]
        site.system.completions.handle(
            RecordCompletion(
                accme_id=ACME,
                learner_id=site.learners["ana"],
                activity_id=activity.activity_id,
                completion_date=end,
                cme=[{"type": "AMA PRA Category 1", "credits": 4.0}],
                moc=[],
                credit_id=f"ccid:{ACME}:walk1",
            ),
            BY,
        )
        site.system.projections.wait(site.system.store.head(), timeout=20)
        site.learners["course"] = activity.activity_id
    return site.learners["course"]


def _our_words(tab: Any) -> list[str]:
    return sorted(set(OUR_WORDS.findall(tab.locator("body").inner_text())))


def _walk(tab: Any, start: str, check: Any = _our_words, limit: int = 40) -> dict[str, list[str]]:
    """Every page reachable by links from `start` (GET, this site's pages), and what `check` finds wrong on each."""
    seen: set[str] = set()
    queue, found = [start], {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        tab.goto(path)
        bad = check(tab)
        if bad:
            found[path] = bad
        for href in tab.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))"):
            href = href.split("#", 1)[0]
            if href and not SKIP.search(href) and href not in seen:
                queue.append(href)
    assert len(seen) > 3, seen
    return found


def test_every_page_speaks_pars_words(tab: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    found: dict[str, list[str]] = {}
    sign_in(tab, "sue@acme.org")
    found |= _walk(tab, f"/provider/{ACME}")
    # Failed saves: the messages beside the fields and in the summary.
    for path, button in (
        (f"/provider/{ACME}/activities/new", "Save the activity"),
        (f"/provider/{ACME}/completions/new", "Record the completion"),
        (f"/provider/{ACME}/users", "Send the invitation"),
        (f"/provider/{ACME}/year", "Submit the program summary"),
    ):
        tab.goto(path)
        tab.locator("main form[novalidate] input[type=text]").first.fill("x")
        tab.get_by_role("button", name=button).click()
        tab.locator("#error-summary").wait_for()
        bad = OUR_WORDS.findall(tab.locator("body").inner_text())
        if bad:
            found[f"POST {path}"] = sorted(set(bad))
    tab.goto(f"/provider/{ACME}/contacts")
    tab.get_by_text("Add the CEO").click()
    tab.get_by_role("button", name="Save the CEO").click()
    found |= (
        {"POST contacts": OUR_WORDS.findall(tab.locator("body").inner_text())}
        if OUR_WORDS.search(tab.locator("body").inner_text())
        else {}
    )
    tab.get_by_role("button", name="Sign out").click()
    activate_once(site, "ada@accme.org", "accreditor")
    sign_in(tab, "ada@accme.org")
    found |= _walk(tab, "/accreditor")
    tab.goto(f"/accreditor/providers/{ACME}")
    tab.get_by_role("button", name="Record the decision").click()
    found |= (
        {"POST decision": OUR_WORDS.findall(tab.locator("body").inner_text())}
        if OUR_WORDS.search(tab.locator("body").inner_text())
        else {}
    )
    tab.get_by_role("button", name="Sign out").click()
    activate_once(site, "ana@doc.org", "learner", learner=site.learners["ana"])
    sign_in(tab, "ana@doc.org")
    found |= _walk(tab, "/passport")
    assert found == {}, "\n".join(f"{page}: {words}" for page, words in found.items())


def _sideways(tab: Any) -> list[str]:
    """What is wider than the window (the page scrolls sideways), if anything."""
    return tab.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) { return []; }
        return Array.from(document.querySelectorAll("body *"))
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right));
    }"""
    )


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"  # npm's axe-core, see its README.md there


def _axe(tab: Any) -> list[str]:
    """axe-core's violations on the page as it stands (WCAG 2 A and AA, and its best practices), one line each:
    rule, impact, and the first elements concerned. Injected through the browser's own evaluation, which the
    pages' Content-Security-Policy (scripts from 'self' only) does not stop."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))
    found = tab.evaluate(
        """async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => v.id + " (" + v.impact + "): "
            + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
    }"""
    )
    return list(found)


def test_axe_core_is_the_npm_release_it_claims() -> None:
    head = AXE.read_text(encoding="utf-8")[:40]
    assert head.startswith("/*! axe v4.14.1"), head
    assert (AXE.parent / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License, version 2.0")


def test_every_page_passes_axe_core(tab: Any, site: Site) -> None:
    """Every page of each role's walk, the failed saves' pages with their error summary, the activity form
    with a board's MOC part open, and the pages signed out: 0 violations, at 1366 px and at 390 px."""
    _seed(site)
    found: dict[str, list[str]] = {}
    for email, role, scope, start in (
        ("sue@acme.org", "provider", {"provider": ACME}, f"/provider/{ACME}"),
        ("ada@accme.org", "accreditor", {}, "/accreditor"),
        ("ana@doc.org", "learner", {"learner": site.learners["ana"]}, "/passport"),
    ):
        activate_once(site, email, role, **scope)
        sign_in(tab, email)
        found |= {f"{role} {page}": bad for page, bad in _walk(tab, start, _axe).items()}
        if role == "provider":
            for path, button in (
                (f"/provider/{ACME}/activities/new", "Save the activity"),
                (f"/provider/{ACME}/completions/new", "Record the completion"),
                (f"/provider/{ACME}/users", "Send the invitation"),
                (f"/provider/{ACME}/year", "Submit the program summary"),
            ):
                tab.goto(path)
                tab.locator("main form[novalidate] input[type=text]").first.fill("x")
                tab.get_by_role("button", name=button).click()
                tab.locator("#error-summary").wait_for()
                if bad := _axe(tab):
                    found[f"POST {path}"] = bad
            tab.goto(f"/provider/{ACME}/activities/new")
            tab.get_by_role("button", name="Add another instance").click()
            tab.locator("summary", has_text="ABIM MOC").click()
            if bad := _axe(tab):
                found["activity form, MOC open, two instances"] = bad
        if role == "accreditor":
            tab.goto(f"/accreditor/providers/{ACME}")
            tab.get_by_role("button", name="Record the decision").click()
            tab.locator("#error-summary").wait_for()
            if bad := _axe(tab):
                found["POST decision"] = bad
        tab.goto("/profile")
        if tab.locator(".menu-toggle").is_visible():
            tab.locator(".menu-toggle").click()
        tab.get_by_role("button", name="Sign out").click()
    found |= {f"signed out {page}": bad for page, bad in _walk(tab, "/sign-in", _axe).items()}
    assert found == {}, "\n".join(f"{page}: {what}" for page, what in found.items())


def test_no_page_scrolls_sideways(tab: Any, site: Site) -> None:
    _seed(site)
    found: dict[str, list[str]] = {}
    for email, role, scope, start in (
        ("sue@acme.org", "provider", {"provider": ACME}, f"/provider/{ACME}"),
        ("ada@accme.org", "accreditor", {}, "/accreditor"),
        ("ana@doc.org", "learner", {"learner": site.learners["ana"]}, "/passport"),
    ):
        activate_once(site, email, role, **scope)
        sign_in(tab, email)
        found |= _walk(tab, start, _sideways)
        tab.goto("/profile")
        if tab.locator(".menu-toggle").is_visible():
            tab.locator(".menu-toggle").click()
        tab.get_by_role("button", name="Sign out").click()
    found |= _walk(tab, "/sign-in", _sideways)
    assert found == {}, "\n".join(f"{page}: {what}" for page, what in found.items())


def test_on_a_phone_the_menu_folds_and_tables_become_cards(browser: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    context = _context(browser, site, PHONE)
    tab = context.new_page()
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/activities")
    header = tab.locator("header.top").bounding_box()
    assert header is not None and header["height"] < 100  # was 270-460 px of an 844 px screen
    menu = tab.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not tab.get_by_role("link", name="Annual report").is_visible()
    shot(tab, "phone-activities")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert tab.get_by_role("link", name="Annual report").is_visible()
    cell = tab.locator("table tbody tr").first.locator("td").nth(2)
    assert cell.get_attribute("data-label") == "Your ID"
    row = tab.locator("table tbody tr").first.bounding_box()
    assert row is not None and row["width"] <= PHONE["width"]
    context.close()
    # Without the script the menu stays open, and still nothing is wider than the screen.
    context = _context(browser, site, PHONE, java_script_enabled=False)
    tab = context.new_page()
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/activities")
    assert tab.get_by_role("link", name="Annual report").is_visible()
    assert not tab.get_by_role("button", name="Menu").is_visible()
    assert _sideways(tab) == []
    context.close()


def test_the_history_reads_as_sentences_newest_first(tab: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/contacts")
    tab.get_by_text("Change the billing contact").or_(tab.get_by_text("Add the billing contact")).click()
    tab.locator("#f-billing-name").fill("Bo Chen")
    tab.locator("#f-billing-email").fill("bo@acme.org")
    tab.get_by_role("button", name="Save the billing contact").click()
    tab.get_by_text("The billing contact is saved.").wait_for()
    tab.goto(f"/provider/{ACME}/history")
    first = tab.locator("ol.history > li").first
    expect(first.locator("p")).to_have_text(
        re.compile(r"^Sue changed the billing contact to Bo Chen, web form, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d$")
    )
    assert not first.locator("pre").is_visible()  # the data as recorded is behind a disclosure
    first.get_by_text("Recorded data").click()
    expect(first.locator("pre")).to_contain_text('"role": "billing"')
    sentences = tab.locator("ol.history > li > p").all_inner_texts()
    assert any("added activity" in s and "“Passport course WALK-1”" in s for s in sentences)
    assert any(s.startswith("tester registered Acme Heart Institute") for s in sentences)
    # Newest first: the provider's registration, its first event, is last.
    assert sentences[-1].startswith("tester registered Acme Heart Institute")
    if tab.viewport_size["width"] == DESK["width"]:
        shot(tab, "history")
    tab.get_by_label("Who").select_option(label="Sue")
    tab.get_by_role("button", name="Show").click()
    sentences = tab.locator("ol.history > li > p").all_inner_texts()
    assert sentences and all(s.startswith("Sue ") for s in sentences)
    tab.get_by_label("Who").select_option("")
    tab.get_by_label("What").select_option(label="Activities")
    tab.get_by_role("button", name="Show").click()
    sentences = tab.locator("ol.history > li > p").all_inner_texts()
    assert sentences and not any("contact" in s for s in sentences)


def test_the_dashboard_and_annual_report_open_on_an_overdue_year(tab: Any, site: Site) -> None:
    usual = reporting_year(site.system.annual.today())
    overdue = usual - 1  # its report was due by 31 March of `usual`, which has passed
    if "overdue" not in site.learners:
        course = _course("LATE-1", date(overdue, 5, 1), date(overdue, 5, 2))
        submit_items(site.system.activities, OTHER, [course], BY)
        site.system.projections.wait(site.system.store.head(), timeout=20)
        site.learners["overdue"] = "yes"
    activate_once(site, "oli@other.org", "provider", provider=OTHER)
    sign_in(tab, "oli@other.org")
    tab.wait_for_url(re.compile(rf"/provider/{OTHER}$"))
    note = tab.locator(".late-note")
    expect(note).to_contain_text(re.compile(rf"The {overdue} annual report is \d+ days? past its deadline"))
    assert tab.locator("#f-year").input_value() == str(overdue)
    tab.goto(f"/provider/{OTHER}/year")
    tab.wait_for_url(re.compile(rf"/year/{overdue}$"))
    expect(tab.locator(".notice")).to_contain_text(f"The {overdue} annual report is")
    # A provider registered since, with nothing in that year, opens on the usual year, with no note.
    tab.goto("/profile")
    if tab.locator(".menu-toggle").is_visible():
        tab.locator(".menu-toggle").click()
    tab.get_by_role("button", name="Sign out").click()
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.wait_for_url(re.compile(rf"/provider/{ACME}$"))
    assert tab.locator(".late-note").count() == 0 and tab.locator("#f-year").input_value() == str(usual)


def test_the_activity_list_says_what_is_wrong_with_a_filter_and_ticks_all(tab: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.goto(f"/provider/{ACME}/activities?year=20x5&status=open")
    summary = _summary(tab)
    expect(summary.get_by_role("link", name=re.compile("^Year: enter a year of four digits"))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Status: choose one"))).to_be_visible()
    tab.goto(f"/provider/{ACME}/activities")
    tab.get_by_label("Per page").select_option("25")
    tab.get_by_role("button", name="Search").click()
    tab.wait_for_url(re.compile(r"size=25"))
    boxes = tab.locator('tbody input[name="activity_ids"]')
    assert boxes.count() >= 1
    tab.get_by_label("Tick every activity ready to close on this page").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))


def test_dashboard_bars_open_the_matching_list_and_labels_are_whole(tab: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    sign_in(tab, "sue@acme.org")
    tab.wait_for_url(re.compile(rf"/provider/{ACME}$"))
    year = tab.locator("#f-year").input_value()
    tab.locator("svg.chart a").filter(has=tab.locator("title", has_text=re.compile("^Ready to close: "))).click()
    tab.wait_for_url(re.compile(rf"/activities\?year={year}&status=ready_to_close$"))
    assert tab.locator("tbody tr").count() >= 1 and "Passport course WALK-1" in tab.locator("tbody").inner_text()


def test_the_transcript_pdf_is_saved_with_the_accented_name(browser: Any, site: Site) -> None:
    from tests.learners.helpers import register as learner

    if "lopez" not in site.learners:
        outcome = site.system.learners.register_many(
            [learner("Inés", "García López", "05-09", licences={"TN": "MD777"})], BY
        )
        site.learners["lopez"] = outcome[0].learner_id
        activate(site.system, site.mail_dir, "ines@doc.org", "learner", learner=site.learners["lopez"])
    context = _context(browser, site, DESK, accept_downloads=True)
    tab = context.new_page()
    sign_in(tab, "ines@doc.org")
    tab.wait_for_url(re.compile(r"/passport$"))
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "transcript-García-López.pdf"
    context.close()


def test_the_activity_list_sorts_by_a_heading_and_downloads_the_search(browser: Any, site: Site) -> None:
    _seed(site)
    _provider_user(site, "sue@acme.org")
    for viewport in (DESK, PHONE):
        context = _context(browser, site, viewport, accept_downloads=True)
        tab = context.new_page()
        sign_in(tab, "sue@acme.org")
        tab.goto(f"/provider/{ACME}/activities?q=WALK")
        heading = tab.locator("thead th", has_text="Title")
        if viewport is DESK:  # on a phone the headings give way to each card's labels
            heading.get_by_role("link").click()
            tab.wait_for_url(re.compile(r"q=WALK.*sort=title&order=asc"))
            expect(tab.locator("thead th", has_text="Title")).to_have_attribute("aria-sort", "ascending")
        else:  # on a phone the headings give way to each card's labels: the search form's own sort
            tab.get_by_label("Sort by").select_option(label="Title")
            tab.get_by_label("Order").select_option(label="Ascending")
            tab.get_by_role("button", name="Search").click()
            tab.wait_for_url(re.compile(r"q=WALK.*sort=title&order=asc"))
            expect(tab.locator("caption")).to_contain_text("sorted by Title (ascending)")
        row = tab.locator("tbody tr", has_text="Passport course WALK-1")
        expect(row.locator('td[data-label="Completions"]')).to_have_text("1")
        expect(row.locator('td[data-label="Learners"]')).to_be_visible()
        expect(row.locator('td[data-label="MOC"]')).to_be_visible()
        with tab.expect_download() as download:
            tab.get_by_role("link", name="an Excel workbook (.xlsx)").click()
        assert download.value.suggested_filename == f"activities-{ACME}.xlsx"
        assert _sideways(tab) == []
        context.close()


def test_the_accreditors_provider_page_and_an_empty_decision(browser: Any, site: Site) -> None:
    _seed(site)
    activate_once(site, "ada@accme.org", "accreditor")
    for viewport in (DESK, PHONE):
        context = _context(browser, site, viewport)
        tab = context.new_page()
        sign_in(tab, "ada@accme.org")
        tab.goto(f"/accreditor/providers/{ACME}")
        year = tab.locator("#f-year").input_value()
        expect(tab.get_by_role("heading", name=f"Annual report {year}")).to_be_visible()
        expect(tab.locator("#step-agreement")).to_contain_text("Accept the annual agreement")
        expect(tab.get_by_role("heading", name="Contacts")).to_be_visible()
        expect(tab.locator("table", has_text="Primary contact")).to_be_visible()
        expect(
            tab.get_by_role("heading", name=re.compile(rf"^\d+ activit(y|ies) that ended in {year}$"))
        ).to_be_visible()
        assert _sideways(tab) == []
        tab.get_by_role("button", name="Record the decision").click()
        summary = _summary(tab)
        expect(summary.get_by_role("link", name="Decision: choose the accreditation decision")).to_be_visible()
        expect(summary.get_by_role("link", name="Decided on: enter the date of the decision")).to_be_visible()
        assert _focused_id(tab) == "error-summary"
        context.close()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_the_activity_form_registers_moc_and_adds_and_removes_instance_rows(
    browser: Any, site: Site, script: bool
) -> None:
    _provider_user(site, "sue@acme.org")
    for viewport in (DESK, PHONE):
        context = _context(browser, site, viewport, java_script_enabled=script)
        tab = context.new_page()
        sign_in(tab, "sue@acme.org")
        tab.goto(f"/provider/{ACME}/activities/new")
        pid = f"REP-{'s' if script else 'n'}{viewport['width']}"
        tab.get_by_label(re.compile("^Your activity ID")).fill(pid)
        tab.get_by_label(re.compile("^Title")).fill("Grand rounds on tour")
        tab.get_by_label(re.compile("^Activity format")).select_option("Course")
        tab.get_by_label(re.compile("^Start date")).first.fill("2026-03-01")
        tab.get_by_label(re.compile("^End date")).first.fill("2026-03-01")
        # MOC: a board's part opens, its fields are there to fill.
        tab.locator("summary", has_text="ABIM MOC").click()
        tab.get_by_label("Registered for ABIM MOC").check()
        tab.get_by_label("ABIM MOC points").fill("2")
        tab.get_by_label(re.compile("^ABIM MOC credit types")).fill("MK")
        tab.get_by_label("ABIM MOC credit-claim date").fill("2026-04-01")
        tab.get_by_label(re.compile("^ABIM practice areas")).fill("Cardiovascular Disease")
        # Repeat instances: date inputs, a row added and one removed, what was typed kept.
        assert tab.get_by_label("Instance 1 start date").get_attribute("type") == "date"
        tab.get_by_label("Instance 1 start date").fill("2026-03-01")
        tab.get_by_label("Instance 1 end date").fill("2026-03-01")
        tab.get_by_label("Instance 1 city").fill("Memphis")
        tab.get_by_role("button", name="Add another instance").click()
        tab.get_by_label("Instance 2 start date").fill("2026-04-01")
        tab.get_by_label("Instance 2 end date").fill("2026-04-01")
        tab.get_by_role("button", name="Add another instance").click()
        tab.get_by_label("Instance 3 start date").fill("2026-05-01")
        tab.get_by_label("Instance 3 end date").fill("2026-05-01")
        tab.get_by_role("button", name="Remove instance 2").click()
        expect(tab.get_by_label("Instance 2 start date")).to_have_value("2026-05-01")
        expect(tab.get_by_label("Instance 3 start date")).to_have_count(0)
        expect(tab.get_by_label("Instance 1 city")).to_have_value("Memphis")
        expect(tab.get_by_label("ABIM MOC points")).to_have_value("2")
        assert _sideways(tab) == []
        if viewport is DESK and script:
            shot(tab, "activity-form-moc")
        # Enter in a field saves (the form's first button is the save, not Add or Remove).
        tab.get_by_label(re.compile("^Title")).press("Enter")
        tab.wait_for_url(re.compile(rf"/activities\?q={pid}$"))
        expect(tab.locator("tbody tr")).to_have_count(2)
        expect(tab.locator("tbody")).to_contain_text(f"{pid}-2")
        expect(tab.locator("tbody").first).to_contain_text("ABIM")
        context.close()


def test_the_passport_presets_and_the_catalog_search(browser: Any, site: Site) -> None:
    _seed(site)
    activate_once(site, "ana@doc.org", "learner", learner=site.learners["ana"])
    for viewport in (DESK, PHONE):
        context = _context(browser, site, viewport)
        tab = context.new_page()
        # The public catalog finds an activity by its description and shows what a physician decides by.
        tab.goto("/passport/catalog")
        tab.get_by_label(re.compile("^Words of the title, description")).fill("heart failure")
        tab.get_by_label("Include activities that have ended").check()
        tab.get_by_role("button", name="Search").click()
        card = tab.locator("li.activity-card", has_text="Passport course WALK-1")
        expect(card).to_contain_text("An update on heart failure therapy.")
        expect(card).to_contain_text("Nashville, TN, USA")
        expect(card.get_by_role("link", name="Passport course WALK-1")).to_have_attribute(
            "href", "https://cme.example.org/WALK-1"
        )
        assert _sideways(tab) == []
        # The physician's transcript: a licence cycle in one click, MOC points beside CME credit.
        sign_in(tab, "ana@doc.org")
        tab.wait_for_url(re.compile(r"/passport$"))
        tab.get_by_role("link", name="Last 2 years (a two-year license cycle)").click()
        tab.wait_for_url(re.compile(r"/passport\?start=\d{4}-\d\d-\d\d&end=\d{4}-\d\d-\d\d$"))
        expect(tab.get_by_role("link", name="Last 2 years (a two-year license cycle)")).to_have_attribute(
            "aria-current", "true"
        )
        expect(tab.locator("table caption")).to_contain_text("newest first")
        expect(tab.get_by_role("heading", name="MOC points")).to_be_visible()
        row = tab.locator("tbody tr", has_text="Passport course WALK-1")
        expect(row.locator('td[data-label="CME credit"]')).to_contain_text("4 AMA PRA Category 1")
        assert _sideways(tab) == []
        context.close()
