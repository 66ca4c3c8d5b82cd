"""The pages in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a real uvicorn server.

Screenshots of the pages go to docs/screenshots/ (the README shows them) when PARS_SCREENSHOTS=docs."""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from adapters.web.routes.provider import reporting_year
from commands.completions import RecordCompletion
from commands.providers import ContactDetails, RegisterProvider
from tests.learners.helpers import npi_with_check_digit
from tests.learners.helpers import register as learner
from tests.web.conftest import make_web_system
from tests.web.helpers import BY, PASSWORD, activate, last_link

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
# The README's screenshots are refreshed on request (PARS_SCREENSHOTS=docs ./dev test tests/web);
# otherwise they go to a scratch folder, so a test run leaves the checkout clean.
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = DOCS_SHOTS if os.environ.get("PARS_SCREENSHOTS") == "docs" else Path(tempfile.gettempdir()) / "pars-screenshots"
ACME, OTHER = "0004444", "0005555"
NPI = npi_with_check_digit("123456789")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A running PARS (uvicorn in a thread) with its system and mail folder."""

    def __init__(self, system: System, url: str, mail_dir: Path) -> None:
        self.system, self.url, self.mail_dir = system, url, mail_dir
        self.learners: dict[str, str] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn

    root = tmp_path_factory.mktemp("browser")
    system = make_web_system(f"sqlite:///{root / 'pars.sqlite'}", root / "mail")
    for accme_id, name in ((ACME, "Acme Heart Institute"), (OTHER, "Other CME Group")):
        system.providers.register(
            RegisterProvider(
                accme_id=accme_id,
                name=name,
                accreditor="ACCME",
                primary=ContactDetails(name="Pat Primary", email=f"primary@{accme_id}.org"),
            ),
            BY,
        )
    outcomes = system.learners.register_many(
        [
            learner("Ana", "Garcia", "03-07", licences={"TN": "MD12345"}, npi=NPI, year=1972),
            learner("Ben", "Okafor", "11-03", licences={"NC": "2009-01234"}),
        ],
        BY,
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(system), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    running = Site(system, f"http://127.0.0.1:{port}", root / "mail")
    running.learners = {"ana": outcomes[0].learner_id, "ben": outcomes[1].learner_id}
    system.projections.wait(system.store.head(), timeout=20)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    system.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium: apt-get install chromium chromium-driver"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url, viewport={"width": 1200, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in$"))


def _completions_file(path: Path, activity_id: str, year: int) -> Path:
    def one(credit: str, first: str, birth: str) -> dict[str, Any]:
        return {
            "Member": {"Name": {"GivenName": first, "FamilyName": "Garcia"}, "PersonalInfo": {"BirthDate": birth}},
            "Activity": {
                "ProviderOrganization": ACME,
                "Module": {
                    "ModuleName": {"value": "Heart failure today", "moduleID": activity_id},
                    "Status": "Completed",
                    "CompletedDateTime": f"{year}-03-02T00:00:00",
                    "CreditCertificate": [
                        {
                            "UniqueID": [{"value": "MD12345", "domain": "TN"}],
                            "CreditReceived": {
                                "activityCertification": "AMA PRA Category 1",
                                "creditUnit": "Point",
                                "numberOfCredits": 6,
                            },
                            "CreditID": credit,
                        }
                    ],
                },
            },
            "XtensibleInfo": {"LearnerRecordAction": "add"},
        }

    body = {
        "ACCMELearnerReports": {
            "ActivityReports": {
                "ActivityReport": [
                    one(f"ccid:{ACME}:1", "Ana", "1972-03-07"),
                    one(f"ccid:{ACME}:2", "Ana", "1972-09-09"),
                ]
            }
        }
    }
    path.write_text(json.dumps(body))
    return path


def test_the_year_end_journey(page: Any, site: Site, tmp_path: Path) -> None:
    # The report at hand (last year's until the end of March): its March is always past, so the course can close.
    year = reporting_year(site.system.annual.today())
    activate(site.system, site.mail_dir, "ada@accme.org")
    # The accreditor invites a provider user.
    sign_in(page, "ada@accme.org")
    page.wait_for_url(re.compile(r"/accreditor$"))
    page.get_by_role("link", name=ACME).click()
    page.get_by_label("Name").last.fill("Pia Provider")
    page.get_by_label("Email address").fill("pia@acme.org")
    page.get_by_role("button", name="Invite to PARS").click()
    page.get_by_text("An invitation was sent to pia@acme.org.").wait_for()
    shot(page, "accreditor-provider")
    sign_out(page)
    # The invitee sets a password from the mail's link, then signs in.
    page.goto(last_link(site.mail_dir, "pia@acme.org"))
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    shot(page, "set-password")
    page.get_by_role("button", name="Save my password").click()
    page.get_by_text("Your password is saved.").wait_for()
    sign_in(page, "pia@acme.org")
    page.wait_for_url(re.compile(rf"/provider/{ACME}$"))
    # Add an activity with the keyboard-labelled form, then close it.
    page.get_by_role("link", name="Activities").first.click()
    page.get_by_role("link", name="Add an activity").click()
    form = {
        "Your activity ID (Provider Activity ID)": "HF-1",
        "Title": "Heart failure today",
        "Description (at most 2,500 characters)": "Guideline update.",
        "Start date": f"{year}-03-01",
        "End date": f"{year}-03-02",
        "City": "Nashville",
        "State": "TN",
        "Country": "USA",
        "AMA PRA Category 1 credits": "6.25",
        "Physician learners": "40",
        "Other learners": "12",
    }
    for label, value in form.items():
        page.get_by_label(_starts(label)).fill(value)
    for label, value in {
        "Activity format": "Course",
        "Delivery method": "In-Person",
        "Providership": "direct",
        "Did it receive commercial support?": "no",
        "Outcome measured": "Learner Competence",
        "How it was measured": "Objective",
        "List it in CME Passport?": "no",
    }.items():
        page.get_by_label(_starts(label)).select_option(value)
    shot(page, "activity-form")
    page.get_by_role("button", name="Save the activity").click()
    page.get_by_text("is saved.").wait_for()
    activity_id = page.url.rsplit("/", 1)[1]
    page.get_by_role("button", name="Close the activity").click()
    page.get_by_text("The activity is closed.").wait_for()
    expect(page.locator(".status-closed")).to_have_count(1)
    # Upload completions with one bad row: the row's error is shown in place (upload with progress).
    page.get_by_role("link", name="Batch upload").click()
    page.get_by_label("Choose the learner completions file").set_input_files(
        str(_completions_file(tmp_path / "learners.json", activity_id, year))
    )
    page.locator('form[action$="/uploads/completions"] button').click()
    table = page.locator(".row-errors")
    table.wait_for()
    assert table.locator("tbody tr").count() == 1
    assert table.locator("tbody tr td").first.inner_text() == "2"
    expect(page.locator(".counts").last).to_contain_text("1 recorded")
    shot(page, "upload-completions")
    # Learner completion entry: the match is checked as the provider types.
    page.get_by_role("link", name="Learner completion").click()
    page.get_by_label("NPI").fill(NPI)
    page.get_by_text("✓ Matched").wait_for()
    shot(page, "completion-entry")
    # The annual report: agreement, program summary, contact review, attestation.
    page.get_by_role("link", name="Annual report").click()
    page.get_by_role("button", name=f"Accept the {year} agreement").click()
    page.get_by_text("The annual agreement is accepted.").wait_for()
    page.get_by_label("Registration fees (incl. subscriptions) ($)").fill("12,500")
    for label in (
        "Advertising and exhibit income ($)",
        "Government monetary grants ($)",
        "Private monetary donations ($)",
    ):
        page.get_by_label(label).fill("0")
    page.get_by_role("button", name="Submit the program summary").click()
    page.get_by_text("The program summary is saved.").wait_for()
    page.get_by_role("button", name="My contacts are up to date").click()
    page.get_by_text("Your contacts are marked as reviewed.").wait_for()
    page.get_by_label(re.compile("I attest that")).check()
    page.get_by_role("button", name="Attest", exact=True).click()
    page.get_by_text("The annual report is attested.").wait_for()
    expect(page.locator("main")).to_contain_text("the report is complete")
    expect(page.locator(".checklist li.missing")).to_have_count(0)
    shot(page, "annual-report")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("main")).to_contain_text("Complete.")
    shot(page, "provider-dashboard")
    page.get_by_role("link", name="History").click()
    expect(page.locator("main")).to_contain_text("AnnualReport.Attested")
    # The accreditor's year-end table now shows the provider complete.
    sign_out(page)
    sign_in(page, "ada@accme.org")
    page.get_by_role("link", name="Year-end", exact=True).click()
    page.get_by_label("Year").select_option(str(year))
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.year-end tbody tr")).to_have_count(1)
    expect(page.locator("table.year-end")).to_contain_text("Acme Heart Institute")
    shot(page, "accreditor-year-end")


def test_a_physician_signs_in_and_reads_the_transcript(page: Any, site: Site) -> None:
    # A course that ended three weeks ago (inside any completion window), completed on its last day.
    end = site.system.completions.today() - timedelta(days=21)
    activity = submit_items(site.system.activities, ACME, [_course("PP-1", end - timedelta(days=1), end)], BY)[0]
    site.system.completions.handle(
        RecordCompletion(
            accme_id=ACME,
            learner_id=site.learners["ana"],
            activity_id=activity.activity_id,
            completion_date=end,
            cme=[{"type": "AMA PRA Category 1", "credits": 4.0}],
            moc=[],
            credit_id=f"ccid:{ACME}:pp1",
        ),
        BY,
    )
    site.system.projections.wait(site.system.store.head(), timeout=20)
    activate(site.system, site.mail_dir, "ana@doc.org", "learner", learner=site.learners["ana"])
    sign_in(page, "ana@doc.org")
    page.wait_for_url(re.compile(r"/passport$"))
    main = page.locator("main").inner_text()
    assert "CME transcript of Ana Garcia" in main and "Passport course PP-1" in main
    page.get_by_label("From", exact=True).fill((end + timedelta(days=1)).isoformat())
    page.get_by_label("To", exact=True).fill(
        (end + timedelta(days=2)).isoformat()
    )  # the journey may have given Ana other completions
    page.get_by_role("button", name="Show").click()
    page.get_by_text("No completions in this range.").wait_for()
    page.goto("/passport")
    shot(page, "passport-transcript")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    # The public catalog needs no sign-in.
    sign_out(page)
    page.get_by_role("link", name="CME Passport catalog").click()
    page.get_by_label("Include activities that have ended").check()
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("Passport course PP-1")
    shot(page, "passport-catalog")


def test_a_provider_user_cannot_open_another_providers_pages(page: Any, site: Site) -> None:
    activate(site.system, site.mail_dir, "oli@other.org", "provider", provider=OTHER)
    sign_in(page, "oli@other.org")
    page.wait_for_url(re.compile(rf"/provider/{OTHER}$"))
    for path in ("", "/activities", "/year", "/contacts"):
        response = page.goto(f"/provider/{ACME}{path}")
        assert response.status == 404
        text = page.locator("main").inner_text()
        assert "Page not found" in text and "Acme Heart" not in page.content()
    shot(page, "tenant-isolation")


def test_a_form_with_a_forged_csrf_token_is_refused(page: Any, site: Site) -> None:
    activate(site.system, site.mail_dir, "cal@acme.org", "provider", provider=ACME)
    sign_in(page, "cal@acme.org")
    page.goto("/profile")
    page.eval_on_selector('main form input[name="csrf_token"]', "el => el.value = 'forged'")
    page.get_by_label("Title").fill("Changed by another site")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("This form has expired")
    page.goto("/profile")
    assert page.get_by_label("Title").input_value() == ""


def test_five_wrong_passwords_lock_the_account(page: Any, site: Site) -> None:
    activate(site.system, site.mail_dir, "dot@acme.org", "provider", provider=ACME)
    for _ in range(4):
        sign_in(page, "dot@acme.org", "not my password")
        page.locator("#e-password").wait_for()
    sign_in(page, "dot@acme.org", "not my password")
    expect(page.locator("#e-password")).to_contain_text("locked for 15 more minutes")
    sign_in(page, "dot@acme.org")  # the right password, too early
    expect(page.locator("#e-password")).to_contain_text("locked")
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    shot(page, "lock-out")


def test_a_reset_link_works_once(page: Any, site: Site) -> None:
    activate(site.system, site.mail_dir, "eve@acme.org", "provider", provider=ACME)
    page.goto("/sign-in")
    page.get_by_role("link", name="Can't log in or forgot your password?").click()
    page.get_by_label("Email address").fill("eve@acme.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_text("we have sent it a link").wait_for()
    link = last_link(site.mail_dir, "eve@acme.org")
    page.goto(link)
    page.get_by_label("New password").fill("a whole new passphrase")
    page.get_by_label("The same password again").fill("a whole new passphrase")
    page.get_by_role("button", name="Save my password").click()
    page.get_by_text("Your password is saved.").wait_for()
    response = page.goto(link)
    assert response.status == 410 and "already been used" in page.locator("main").inner_text()
    sign_in(page, "eve@acme.org", "a whole new passphrase")
    page.wait_for_url(re.compile(rf"/provider/{ACME}$"))


def _starts(label: str) -> re.Pattern[str]:
    """A label by its words; a required field's label also holds a visual `*` (hidden from screen readers)."""
    return re.compile(rf"^{re.escape(label)}( \*)?$")


def _course(pid: str, start: date, end: date) -> dict[str, Any]:
    from tests.activities.helpers import item

    first, last = start.isoformat(), end.isoformat()
    return item(
        pid,
        Lom__general__title=f"Passport course {pid}",
        ReportDescription={"ReportingStartDate": first, "ReportingEndDate": last},
        healthcareMetadata__healthcareEducation__startDateTime=first,
        healthcareMetadata__healthcareEducation__endDateTime=last,
    )


def test_sign_in_by_keyboard_alone(page: Any, site: Site) -> None:
    activate(site.system, site.mail_dir, "kim@acme.org", "provider", provider=ACME)
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")  # the skip link moves focus past the navigation, to the page's content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-email"
    page.keyboard.type("kim@acme.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/provider/{ACME}$"))
