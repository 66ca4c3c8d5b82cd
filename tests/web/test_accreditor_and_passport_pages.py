"""Accreditor pages (providers overseen, decisions, invitations, year-end table and CSV) and CME Passport pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from adapters.formats.accme.learner_reports import report_completions
from commands.accounts import SetPassword
from commands.annual import AcceptAgreement
from commands.completions import RecordCompletion
from commands.learners import EraseLearner
from commands.providers import ContactDetails, RegisterProvider
from tests.activities.helpers import ACCME_ID, OTHER_ID
from tests.completions.helpers import TODAY, report, setup
from tests.web.helpers import BY, activate, last_link, mails, post_form, sign_in
from tests.web.test_sign_in_pages import errors_beside


def _tn_provider(system) -> None:  # type: ignore[no-untyped-def]
    system.providers.register(
        RegisterProvider(
            accme_id="0007777",
            name="Tennessee CME",
            accreditor="TN",
            primary=ContactDetails(name="Tom", email="tom@tn.org"),
        ),
        BY,
    )
    system.projections.wait(system.store.head())


def test_accreditor_staff_see_their_providers_decide_and_invite(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    _tn_provider(web_system)
    activate(web_system, mail_dir, "ada@accme.org")
    assert sign_in(pages, "ada@accme.org").headers["location"] == "/accreditor"
    listed = pages.get("/accreditor").text
    assert ACCME_ID in listed and OTHER_ID in listed and "0007777" in listed
    assert "1 provider" in pages.get("/accreditor?q=tennessee").text
    page = f"/accreditor/providers/{ACCME_ID}"
    bad = post_form(pages, page, f"{page}/decisions", {"decision": "Accreditation", "decided_on": "03/01/2025"})
    assert bad.status_code == 422 and errors_beside(bad.text) == {"decided_on": "enter a date as YYYY-MM-DD"}
    assert (
        post_form(
            pages,
            page,
            f"{page}/decisions",
            {"decision": "Accreditation with Commendation", "decided_on": "2025-03-01"},
        ).status_code
        == 303
    )
    assert "<td>Accreditation with Commendation</td><td>2025-03-01</td>" in pages.get(page).text
    assert post_form(pages, page, f"{page}/users", {"name": "Pat Lee", "email": "pat@cme.org"}).status_code == 303
    assert last_link(mail_dir, "pat@cme.org").startswith("/set-password?token=")
    assert "pat@cme.org" in pages.get(page).text
    assert pages.get(f"/provider/{ACCME_ID}").status_code == 200  # accreditors read a provider's pages
    assert pages.get(f"/provider/{ACCME_ID}/uploads").status_code == 404  # but change nothing there


def test_a_state_accreditor_sees_only_its_own_providers(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    _tn_provider(web_system)
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    listed = pages.get("/accreditor").text
    assert "0007777" in listed and ACCME_ID not in listed
    assert pages.get(f"/accreditor/providers/{ACCME_ID}").status_code == 404
    assert pages.get(f"/provider/{ACCME_ID}").status_code == 404
    rows = list(csv.reader(io.StringIO(pages.get("/accreditor/year-end.csv?year=2025").text)))
    assert [r[0] for r in rows[1:]] == ["0007777"]


def test_the_year_end_table_filters_and_downloads(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = pages.get("/accreditor/year-end?year=2025").text
    assert "2 providers" in page and "agreement" in page
    assert "No provider matches." in pages.get("/accreditor/year-end?year=2025&status=complete").text
    download = pages.get("/accreditor/year-end.csv?year=2025&sort=name")
    assert (
        download.headers["content-type"].startswith("text/csv")
        and 'filename="year-end-2025.csv"' in download.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["ACCME ID"] for r in rows] == [ACCME_ID, OTHER_ID] and rows[0]["Annual agreement accepted"] == "Missing"


def test_a_physician_reads_their_own_transcript_only(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    web_system.completions.handle(report_completions(ACCME_ID, [report(ids["activity"])]), BY)
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    activate(web_system, mail_dir, "ben@doc.org", "learner", learner=ids["ben"])
    assert sign_in(pages, "ana@doc.org").headers["location"] == "/passport"
    page = pages.get("/passport").text
    assert (
        "CME transcript of Ana García-López" in page
        and "<dt>AMA PRA Category 1</dt><dd>6</dd>" in page
        and "CME 0004444" in page
    )
    assert "No completions in this range." in pages.get(f"/passport?start={TODAY.isoformat()}").text
    bad = pages.get("/passport?start=2025-05-01&end=2025-01-01")
    assert bad.status_code == 422 and errors_beside(bad.text) == {"end": "the end of the range is before its start"}
    for path in (f"/provider/{ACCME_ID}", "/accreditor", "/accreditor/year-end"):
        assert pages.get(path).status_code == 404
    post_form(pages, "/passport", "/sign-out", {})
    sign_in(pages, "ben@doc.org")
    assert (
        "No completions in this range." in pages.get("/passport").text and "García" not in pages.get("/passport").text
    )


def test_the_transcript_pdf_is_the_physicians_own(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    web_system.completions.handle(report_completions(ACCME_ID, [report(ids["activity"])]), BY)
    web_system.projections.wait(web_system.store.head())
    assert pages.get("/passport/transcript.pdf").status_code == 303  # sign in first
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    pdf = pages.get("/passport/transcript.pdf?start=2025-01-01&end=2025-12-31")
    assert (
        pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    )
    post_form(pages, "/passport", "/sign-out", {})
    activate(web_system, mail_dir, "pat@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "pat@cme.org")
    assert pages.get("/passport/transcript.pdf").status_code == 404


def test_the_catalog_is_public_and_searchable(pages, web_system):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    current = pages.get("/passport/catalog")
    assert (
        current.status_code == 200 and "No listed activity matches." in current.text
    )  # the test activities ended in 2025
    past = pages.get("/passport/catalog?past=yes&q=cardiology").text
    assert "Cardiology update A-1" in past and "CME 0004444" in past and "ABIM" in past
    assert "No listed activity matches." in pages.get("/passport/catalog?past=yes&q=dermatology").text


def test_the_catalog_finds_by_description_specialty_and_provider_and_shows_each_activity(pages, web_system):  # type: ignore[no-untyped-def]
    """Issue 20 item 8: "cardiology" finds what a physician means by it, and each activity shows its dates,
    location, link and description."""
    from adapters.formats.accme.activities import submit_items
    from tests.activities.helpers import HE, item

    setup(web_system, running=True)
    rhythm = item(
        "S-1",
        **{
            "Lom__general__title": "Atrial fibrillation in practice",
            "Lom__general__description": "Rate or rhythm control, anticoagulation, ablation referral.",
            HE + "targetAudience": {"profession": ["Physician"], "specialty": ["Cardiology"]},
        },
    )
    submit_items(web_system.activities, OTHER_ID, [rhythm], BY)
    web_system.projections.wait(web_system.store.head())

    def titles(q: str) -> list[str]:
        page = pages.get(f"/passport/catalog?past=yes&q={q}").text
        return sorted(re.findall(r'<h2><a href="[^"]+" rel="noopener">([^<]+)</a></h2>', page))

    a, b, s = "Cardiology update A-1", "Cardiology update B-1", "Atrial fibrillation in practice"
    assert titles("cardiology") == sorted([a, b, s])  # two by their titles, one by its specialty
    assert titles("heart+failure") == [a, b]  # their description
    assert titles("anticoagulation") == [s]
    assert titles("course") == sorted([a, b, s])  # the format
    assert titles("CME+0005555") == sorted([b, s])  # the provider's name
    assert titles("0005555+fibrillation") == [s]  # every word, each in any of the fields
    assert titles("0004444+fibrillation") == []
    page = pages.get("/passport/catalog?past=yes&q=fibrillation").text
    assert "2025-03-01 – 2025-03-02" in page and "Nashville, TN, USA" in page
    assert '<a href="https://cme.example.org/S-1" rel="noopener">Atrial fibrillation in practice</a>' in page
    assert "Rate or rhythm control, anticoagulation, ablation referral." in page and "Cardiology" in page
    # The API's catalog answers the same activities with the same details.
    body = pages.get("/api/v1/passport/catalog?past=true&q=cardiology").json()
    found = {d["title"]: d for d in body["data"]}
    assert found["Atrial fibrillation in practice"]["specialties"] == ["Cardiology"]
    assert found["Atrial fibrillation in practice"]["location"] == {
        "city": "Nashville",
        "state": "TN",
        "country": "USA",
    }


def test_accreditor_staff_invite_colleagues_and_physicians(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    users = "/accreditor/users"
    assert (
        post_form(pages, users, users, {"role": "accreditor", "name": "Tom Staff", "email": "tom@tn.gov"}).status_code
        == 303
    )
    unknown = post_form(
        pages, users, users, {"role": "learner", "name": "Zed", "email": "zed@doc.org", "learner": "0000000000"}
    )
    assert unknown.status_code == 422 and "no physician" in errors_beside(unknown.text)["learner"]
    web_system.learners.handle(EraseLearner(learner_id=ids["ben"]), BY)  # an erased physician is invited to no account
    erased = post_form(
        pages, users, users, {"role": "learner", "name": "Ben", "email": "ben@doc.org", "learner": ids["ben"]}
    )
    assert erased.status_code == 422 and "no physician" in errors_beside(erased.text)["learner"]
    assert (
        post_form(
            pages, users, users, {"role": "learner", "name": "Ana", "email": "ana@doc.org", "learner": ids["ana"]}
        ).status_code
        == 303
    )
    page = pages.get(users).text
    assert "tom@tn.gov" in page and "ana@doc.org" in page
    token = last_link(mail_dir, "ana@doc.org").split("token=")[1]
    account = web_system.accounts.handle(
        SetPassword(token=token, password="a passphrase long enough", confirm="a passphrase long enough")
    )
    assert (account.role, account.scope) == ("learner", ids["ana"])
    tom = web_system.accounts.find("tom@tn.gov")
    assert tom is not None and tom.tenant == "accreditor:TN"  # a state's staff invite only their own accreditor's staff


def test_the_accreditor_reopens_an_attested_year_with_a_reason(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from commands.activities import CloseActivity
    from commands.annual import (
        AcceptAgreement,
        Attest,
        ReviewContacts,
        SubmitProgramSummary,
    )

    ids = setup(web_system, running=True)
    web_system.annual.today = lambda: TODAY
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = f"/accreditor/providers/{OTHER_ID}"  # its activity (no MOC) can close
    early = post_form(pages, page, f"{page}/reopen", {"reopen_year": "2025", "reason": "late correction"})
    assert early.status_code == 409 and "reopen_year" in errors_beside(early.text)
    assert "reason" in errors_beside(
        post_form(pages, page, f"{page}/reopen", {"reopen_year": "2025", "reason": ""}).text
    )
    web_system.activities.close(CloseActivity(accme_id=OTHER_ID, activity_id=ids["other_activity"]), BY)
    web_system.projections.wait(
        web_system.store.head()
    )  # attestation reads the closed activity from the checklist read model
    for cmd in (
        AcceptAgreement(accme_id=OTHER_ID, year=2025),
        ReviewContacts(accme_id=OTHER_ID, year=2025),
        SubmitProgramSummary(
            accme_id=OTHER_ID,
            year=2025,
            advertising_exhibit_income=0,
            registration_fees=0,
            government_grants=0,
            private_donations=0,
        ),
        Attest(accme_id=OTHER_ID, year=2025),
    ):
        web_system.annual.handle(cmd, BY)
    web_system.projections.wait(web_system.store.head())
    assert (
        post_form(pages, page, f"{page}/reopen", {"reopen_year": "2025", "reason": "late correction"}).status_code
        == 303
    )
    assert "The 2025 annual report is reopened." in pages.get(page).text
    assert "Attest</strong> — missing" in pages.get(f"/provider/{OTHER_ID}/year/2025").text


def test_staff_send_year_end_reminders_from_the_year_end_page(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = "/accreditor/year-end?year=2025"
    html = pages.get(page).text
    assert "Send reminders" in html and f'name="providers" value="{ACCME_ID}"' in html
    before = len(mails(mail_dir))
    chosen = post_form(pages, page, "/accreditor/year-end/reminders", {"year": "2025", "providers": [ACCME_ID]})
    assert chosen.status_code == 303 and chosen.headers["location"] == page
    assert "1 provider reminded." in pages.get(page).text
    sent = mails(mail_dir)[before:]
    assert len(sent) == 1 and "2025 year-end reporting" in sent[0]["Subject"]
    assert "Accept the annual agreement" in sent[0].get_content()
    everyone = post_form(pages, page, "/accreditor/year-end/reminders", {"year": "2025"})
    assert everyone.status_code == 303
    shown = pages.get(page).text
    assert "1 provider reminded" in shown and "1 provider already reminded in the last 7 days" in shown
    again = post_form(pages, page, "/accreditor/year-end/reminders", {"year": "2025", "force": "yes"})
    assert again.status_code == 303 and "2 providers reminded." in pages.get(page).text


def test_the_rems_page_lists_rems_activities_and_downloads(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from tests.activities.helpers import XI, item
    from tests.activities.test_rems import OA

    setup(web_system, running=True)
    web_system.accme_activities.submit_accme_activities(ACCME_ID, [item("R-9", **{XI + "REMS": OA})], BY)
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = pages.get("/accreditor/rems?year=2025").text
    assert "REMS activities 2025" in page and "EG-123456-789" in page and "Cardiology update R-9" in page
    assert "No REMS activity matches." in pages.get("/accreditor/rems?year=2025&type=Mycophenolate").text
    rows = list(csv.DictReader(io.StringIO(pages.get("/accreditor/rems.csv?year=2025").text)))
    assert [r["REMS Compliance"] for r in rows] == ["Compliant"]


def test_the_rems_and_mips_pages_page_their_lists(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from tests.activities.helpers import XI, item
    from tests.activities.test_rems import OA

    setup(web_system, running=True)
    both = {XI + "REMS": OA, XI + "IsMeritBasedIncentivePaymentSystem": True}
    web_system.accme_activities.submit_accme_activities(ACCME_ID, [item(f"R-{i}", **both) for i in range(53)], BY)
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    first = pages.get("/accreditor/rems?year=2025").text
    assert "53 activities, page 1 of 2" in first and first.count("Cardiology update R-") == 50
    assert "page=2" in first and "Previous" not in first
    last = pages.get("/accreditor/rems?year=2025&page=2").text
    assert last.count("Cardiology update R-") == 3 and "Previous" in last and ">Next<" not in last
    assert "No REMS activity matches on this page." in pages.get("/accreditor/rems?year=2025&page=9").text
    rows = list(csv.DictReader(io.StringIO(pages.get("/accreditor/rems.csv?year=2025&page=2").text)))
    assert len(rows) == 53  # the download is every activity
    mips = pages.get("/accreditor/mips?year=2025&activities_page=2").text
    assert "53 activities, page 2 of 2" in mips and "Previous activities" in mips and "Next activities" not in mips
    assert len(list(csv.DictReader(io.StringIO(pages.get("/accreditor/mips.csv?year=2025").text)))) == 53


def test_the_accreditors_provider_page_shows_contacts_activities_and_the_year(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    """Issue 20 item 9: the provider at a glance (contacts, the year's activities by status, its checklist and
    what is late), and an empty decision form names every field it needs."""
    setup(web_system, running=True)
    web_system.annual.today = lambda: TODAY
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = f"/accreditor/providers/{ACCME_ID}"
    text = pages.get(f"{page}?year=2025").text
    # Contacts by role, PARS's names; the roles nobody holds say who stands in.
    assert "<td>Primary contact</td>" in text and "<td>Billing contact</td>" in text
    assert "Nobody: invoices go to the primary contact" in text
    # The activities that ended in 2025 by status, each count linking to the provider's list.
    assert "1 activity that ended in 2025" in text
    assert f'href="/provider/{ACCME_ID}/activities?year=2025&amp;status=ready_to_close">1</a>' in text
    # The year's checklist, each step done or missing.
    assert "Accept the annual agreement</strong> — missing" in text and "Deadline <strong>2026-03-31</strong>" in text
    assert "(overdue)" not in text and "after the deadline" not in text
    # A year past its deadline: each step not done is overdue, each done after it is flagged so.
    web_system.annual.handle(AcceptAgreement(accme_id=ACCME_ID, year=2024), BY)
    web_system.projections.wait(web_system.store.head())
    late = pages.get(f"{page}?year=2024").text
    assert "62 days past the deadline, 3 steps missing" in late
    assert 'Accept the annual agreement</strong> — done <span class="late">(done after the deadline)</span>' in late
    assert late.count('<span class="late">(overdue)</span>') == 3  # summary, contacts, attestation
    # An empty decision form names each field it needs, at once.
    empty = post_form(pages, page, f"{page}/decisions", {"decision": "", "decided_on": "", "term_ends": ""})
    assert empty.status_code == 422
    assert errors_beside(empty.text) == {
        "decision": "choose the accreditation decision",
        "decided_on": "enter the date of the decision",
    }
    assert "Decision: choose the accreditation decision" in empty.text
    assert "Decided on: enter the date of the decision" in empty.text
    # Another accreditor's provider stays out of reach, with nothing of it on the page.
    pages.cookies.clear()
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    hidden = pages.get(f"{page}?year=2025")
    assert hidden.status_code == 404 and "Primary contact" not in hidden.text


def test_the_passport_reads_newest_first_with_moc_beside_cme_and_licence_cycle_presets(
    pages, web_system, mail_dir: Path
):  # type: ignore[no-untyped-def]
    """Issue 20 item 8: the newest completion first, CME credit and MOC points side by side (rows and totals),
    and one click for a licence cycle's range."""
    from datetime import date, timedelta

    from adapters.formats.accme.activities import submit_items
    from tests.activities.helpers import item

    ids = setup(web_system, running=True)
    later = item("A-2", Lom__general__title="Lipids in 2025")
    later["healthcareMetadata"]["healthcareEducation"].update(startDateTime="2025-04-01", endDateTime="2025-04-02")
    later["ReportDescription"] = {"ReportingStartDate": "2025-04-01", "ReportingEndDate": "2025-04-02"}
    second = submit_items(web_system.activities, ACCME_ID, [later], BY)[0].activity_id
    web_system.completions.handle(report_completions(ACCME_ID, [report(ids["activity"])]), BY)  # 6 CME, 6 ABIM MOC
    web_system.completions.handle(
        RecordCompletion(
            accme_id=ACCME_ID,
            learner_id=ids["ana"],
            activity_id=second,
            completion_date=date(2025, 4, 2),
            cme=[{"type": "AMA PRA Category 1", "credits": 2.5}],
            moc=[],
            credit_id="ccid:0004444:lip",
        ),
        BY,
    )
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    page = pages.get("/passport").text
    body = page.split("<tbody>", 1)[1]
    assert body.index("Lipids in 2025") < body.index("Cardiology update A-1")  # 2 April before 2 March
    assert "completions, newest first" in page
    assert re.search(r"<td>2\.5 AMA PRA Category 1</td>\s*<td>—</td>", page)
    assert re.search(r"<td>6 AMA PRA Category 1</td>\s*<td>6 ABIM MOC</td>", page)
    cme, moc = page.split("<h3>CME credit</h3>", 1)[1].split("<h3>MOC points</h3>", 1)
    assert "<dt>AMA PRA Category 1</dt><dd>8.5</dd>" in cme and "ABIM" not in cme
    assert "<dt>ABIM MOC</dt><dd>6</dd>" in moc.split("</section>", 1)[0]
    # The presets: two and three years back from today, this year and last year.
    today = date.today()
    two = (
        today.replace(year=today.year - 2)
        if not (today.month == 2 and today.day == 29)
        else today - timedelta(days=730)
    )
    assert f'href="/passport?start={two.isoformat()}&amp;end={today.isoformat()}"' in page
    assert (
        f'href="/passport?start={today.year - 1}-01-01&amp;end={today.year - 1}-12-31">Last year ({today.year - 1})</a>'
        in page
    )
    chosen = pages.get(f"/passport?start={today.year - 1}-01-01&end={today.year - 1}-12-31").text
    assert 'aria-current="true">Last year' in chosen


def test_the_mips_page_lists_completions_by_physician_and_the_transcript_marks_them(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from adapters.formats.accme.activities import submit_items
    from tests.activities.helpers import XI, item
    from tests.completions.helpers import MOC

    ids = setup(web_system, running=True)
    [mips] = submit_items(
        web_system.activities, ACCME_ID, [item("M-1", **MOC, **{XI + "IsMeritBasedIncentivePaymentSystem": True})], BY
    )
    web_system.projections.wait(web_system.store.head())
    web_system.completions.handle(
        report_completions(ACCME_ID, [report(mips.activity_id, "ccid:0004444:m1"), report(ids["activity"])]), BY
    )
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = pages.get("/accreditor/mips?year=2025").text
    assert "MIPS improvement activities 2025" in page and "Cardiology update M-1" in page
    assert "García-López, Ana" in page and "Completions by physician" in page
    assert "No MIPS improvement activity ended in 2024." in pages.get("/accreditor/mips?year=2024").text
    rows = list(csv.DictReader(io.StringIO(pages.get("/accreditor/mips.csv?year=2025").text)))
    assert [(r["ACCME Activity ID"], r["Physician Last Name"]) for r in rows] == [(mips.activity_id, "García-López")]
    post_form(pages, "/accreditor/mips", "/sign-out", {})
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    transcript = pages.get("/passport").text
    assert "1 completion of activities registered as MIPS improvement activities" in transcript
    assert transcript.count('title="MIPS improvement activity"') == 1
    assert pages.get("/accreditor/mips").status_code == 404


def test_the_data_report_page_draws_its_charts_and_prints(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    setup(web_system, running=True)
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    page = pages.get("/accreditor/data-report?year=2025")
    assert page.status_code == 200
    text = page.text
    assert "Annual data report 2025" in text and "<dt>Activities</dt><dd>2</dd>" in text
    for title in ("Activities by format", "AMA PRA Category 1 credits by format", "Learners", "Income reported"):
        assert f'aria-label="{title}' in text
    assert "<td>Course</td><td>2</td><td>12.5</td>" in text and "data-print" in text
    assert ">12.5</text>" in text  # credits in quarters, not rounded to a whole number
    assert "No activity ended in 2024." in pages.get("/accreditor/data-report?year=2024").text
    post_form(pages, "/accreditor/data-report", "/sign-out", {})
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    assert "<dt>Activities</dt><dd>0</dd>" in pages.get("/accreditor/data-report?year=2025").text


def test_staff_set_deadlines_and_scheduled_reminders_on_a_page(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    setup(web_system, running=True)
    _tn_provider(web_system)
    web_system.annual.clock = lambda: datetime(2026, 2, 1, 12, tzinfo=UTC)
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    page = "/accreditor/deadlines"
    assert "Year-end deadlines and reminders of TN" in pages.get(page).text
    later = post_form(pages, page, page, {"year": "2025", "deadline": "2026-04-15"})
    assert later.status_code == 422
    assert "earlier than ACCME" in errors_beside(later.text)["deadline"]
    assert post_form(pages, page, page, {"year": "2025", "deadline": "2026-03-01"}).status_code == 303
    shown = pages.get(page).text
    assert "The 2025 deadline of TN is March 1, 2026." in shown and "<td>2025</td><td>2026-03-01</td>" in shown
    bad = post_form(pages, page, "/accreditor/reminder-schedule", {"enabled": "yes", "days_before": "200"})
    assert bad.status_code == 422 and "1 to 90" in errors_beside(bad.text)["days_before"]
    assert (
        post_form(pages, page, "/accreditor/reminder-schedule", {"enabled": "yes", "days_before": "10"}).status_code
        == 303
    )
    assert "On: 10 days before the deadline" in pages.get(page).text
    schedule = web_system.annual.reminder_schedule("TN")
    assert schedule.enabled and schedule.days_before == 10
    assert "of TN" in pages.get(f"{page}?accreditor=ACCME").text  # a state's staff see only their own


def test_staff_who_asked_get_a_copy_of_every_reminder(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    setup(web_system, running=True)
    _tn_provider(web_system)
    web_system.annual.clock = lambda: datetime(2026, 2, 1, 12, tzinfo=UTC)
    activate(web_system, mail_dir, "tia@tn.gov", state="TN")
    sign_in(pages, "tia@tn.gov")
    page = "/accreditor/deadlines"
    assert post_form(pages, page, "/accreditor/reminder-copies", {"wanted": "yes"}).status_code == 303
    assert "You get a copy of every reminder" in pages.get(page).text
    before = len(mails(mail_dir))
    sent = post_form(pages, "/accreditor/year-end?year=2025", "/accreditor/year-end/reminders", {"year": "2025"})
    assert sent.status_code == 303
    new = mails(mail_dir)[before:]
    assert sorted(m["To"] for m in new) == ["tia@tn.gov", "tom@tn.org"]
    copy = next(m for m in new if m["To"] == "tia@tn.gov")
    assert copy["Subject"].startswith("Copy: ") and "A copy of the reminder sent to tom@tn.org" in copy.get_content()
    assert post_form(pages, page, "/accreditor/reminder-copies", {"wanted": "no"}).status_code == 303
    assert "You get no copies of the reminders." in pages.get(page).text
