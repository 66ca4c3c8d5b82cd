"""A provider's pages over HTTP: tenant isolation, the activity form, close and correct, uploads, completions, annual report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.activities.helpers import ACCME_ID, OTHER_ID, item
from tests.completions.helpers import NPI, TODAY, envelope, report, setup
from tests.web.helpers import activate, csrf_of, mails, post_form, sign_in
from tests.web.test_sign_in_pages import errors_beside

P = f"/provider/{ACCME_ID}"
FULL = {
    "provider_activity_id": "W-1",
    "title": "Heart failure today",
    "description": "What changed in 2025.",
    "format": "Course",
    "start_date": "2025-03-10",
    "end_date": "2025-03-11",
    "delivery": "In-Person",
    "city": "Nashville",
    "state": "TN",
    "country": "USA",
    "credits": "6.25",
    "sponsorship": "direct",
    "commercial_support": "yes",
    "support_source": "Pharma Inc",
    "support_amount": "2500",
    "physicians": "40",
    "others": "12",
    "outcome": "Learner Competence",
    "outcome_type": "Objective",
    "passport": "no",
}


@pytest.fixture
def provider_pages(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    web_system.annual.today = lambda: TODAY  # the year-end deadline counts from the same day as the activities
    activate(web_system, mail_dir, "ann@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "ann@cme.org")
    pages.ids = ids
    return pages


def test_another_providers_pages_are_not_found_and_name_nothing_of_it(provider_pages):  # type: ignore[no-untyped-def]
    other = f"/provider/{OTHER_ID}"
    for path in (
        "",
        "/contacts",
        "/activities",
        "/activities/new",
        "/uploads",
        "/completions/new",
        "/year/2025",
        "/history",
        "/users",
        f"/activities/{provider_pages.ids['other_activity']}",
    ):
        answer = provider_pages.get(other + path)
        assert answer.status_code == 404, path
        assert OTHER_ID not in answer.text and "CME 0005555" not in answer.text
    assert (
        provider_pages.get(f"{P}/activities/{provider_pages.ids['other_activity']}").status_code == 404
    )  # theirs, under our ID
    token = csrf_of(provider_pages.get(P).text)
    for path in ("/contacts/billing", "/activities/new", "/year/2025/agreement", "/users"):
        assert (
            provider_pages.post(other + path, data={"csrf_token": token, "name": "X", "email": "x@x.org"}).status_code
            == 404
        )
    assert provider_pages.get("/accreditor").status_code == 404 and provider_pages.get("/passport").status_code == 404
    assert provider_pages.get("/provider/nonsense").status_code == 404


def test_the_dashboard_draws_its_figures(provider_pages):  # type: ignore[no-untyped-def]
    page = provider_pages.get(f"{P}?year=2025").text
    assert page.count('<svg class="chart"') == 3 and '<svg class="ring"' in page
    assert "days</strong> to the deadline (2026-03-31)" in page
    assert re.search(r"<dt>Physicians</dt><dd>120</dd>", page)


def test_the_activity_form_puts_each_error_beside_its_field(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    no_id = post_form(provider_pages, new, new, {**FULL, "provider_activity_id": ""})
    assert no_id.status_code == 422 and "Provider Activity ID" in errors_beside(no_id.text)["provider_activity_id"]
    words = post_form(provider_pages, new, new, {**FULL, "credits": "six"})
    assert errors_beside(words.text) == {"credits": "enter a number, e.g. 6.25 (got 'six')"}
    assert 'value="Heart failure today"' in words.text  # what was typed stays
    quarter = post_form(provider_pages, new, new, {**FULL, "credits": "1.1"})
    assert quarter.status_code == 422 and "credits" in errors_beside(quarter.text)
    dates = post_form(provider_pages, new, new, {**FULL, "end_date": "2025-03-01"})
    assert "end_date" in errors_beside(dates.text) or "start_date" in errors_beside(dates.text)


def test_add_close_and_correct_an_activity(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    draft = post_form(
        provider_pages,
        new,
        new,
        {
            "provider_activity_id": "D-1",
            "title": "Draft",
            "format": "Course",
            "start_date": "2025-03-10",
            "end_date": "2025-03-11",
        },
    )
    assert draft.status_code == 303
    refused = post_form(provider_pages, draft.headers["location"], draft.headers["location"] + "/close", {})
    assert (
        refused.status_code == 409
        and "The activity cannot be closed yet" in refused.text
        and errors_beside(refused.text)
    )
    saved = post_form(provider_pages, new, new, FULL)
    page = saved.headers["location"]
    assert post_form(provider_pages, page, page + "/close", {}).status_code == 303
    assert "status-closed" in provider_pages.get(page).text
    no_reason = post_form(provider_pages, page, page, {**FULL, "physicians": "41"})
    assert no_reason.status_code == 422 and "reason" in errors_beside(no_reason.text)
    assert (
        post_form(provider_pages, page, page, {**FULL, "physicians": "41", "reason": "late sign-in sheet"}).status_code
        == 303
    )
    listed = provider_pages.get(f"{P}/activities?q=W-1&status=closed").text
    assert "Heart failure today" in listed and "1 activity" in listed
    history = provider_pages.get(f"{P}/history").text
    assert "Activity.Corrected" in history and "late sign-in sheet" in history and "user-" in history


def test_a_repeat_activity_makes_one_activity_per_instance(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    bad = post_form(
        provider_pages,
        new,
        new,
        {**FULL, "provider_activity_id": "R", "instance_start_0": "2025-04-01", "instance_end_0": "April 2"},
    )
    assert bad.status_code == 422
    assert errors_beside(bad.text)["instance_end_0"] == "instance 1: enter its start and end dates"
    ok = post_form(
        provider_pages,
        new,
        new,
        {
            **FULL,
            "provider_activity_id": "R",
            "instance_start_0": "2025-04-01",
            "instance_end_0": "2025-04-01",
            "instance_city_0": "Memphis",
            "instance_state_0": "TN",
            "instance_country_0": "USA",
            "instance_start_1": "",  # an empty row is no instance
            "instance_end_1": "",
            "instance_start_2": "2025-05-01",
            "instance_end_2": "2025-05-01",
            "instance_city_2": "Knoxville",
            "instance_state_2": "TN",
            "instance_country_2": "USA",
        },
    )
    assert ok.status_code == 303
    listed = provider_pages.get(f"{P}/activities?q=R-").text
    assert ">R-1<" in listed and ">R-2<" in listed and ">R-3<" not in listed


def test_instance_rows_are_added_and_removed_without_a_script(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    page = provider_pages.get(new).text
    assert 'id="f-instance_start_0"' in page and 'id="f-instance_start_1"' not in page
    typed = {**FULL, "provider_activity_id": "T", "instance_start_0": "2025-04-01", "instance_end_0": "2025-04-02"}
    added = post_form(provider_pages, new, new, {**typed, "instance_action": "add"})
    assert added.status_code == 200  # nothing saved: the form again, one row more, what was typed kept
    assert 'id="f-instance_start_1"' in added.text and 'value="2025-04-01"' in added.text
    assert 'value="Heart failure today"' in added.text
    removed = post_form(
        provider_pages,
        new,
        new,
        {**typed, "instance_start_1": "2025-06-01", "instance_end_1": "2025-06-02", "instance_action": "remove:0"},
    )
    assert 'id="f-instance_start_1"' not in removed.text and 'value="2025-06-01"' in removed.text
    assert 'value="2025-04-01"' not in removed.text
    assert ">T-1<" not in provider_pages.get(f"{P}/activities?q=T-").text


def test_batch_uploads_report_each_bad_row(provider_pages, web_system):  # type: ignore[no-untyped-def]
    uploads = f"{P}/uploads"
    token = csrf_of(provider_pages.get(uploads).text)
    missing = provider_pages.post(f"{uploads}/activities", data={"csrf_token": token}, files={"file": ("", b"")})
    assert missing.status_code == 422 and errors_beside(missing.text)["activities-file"] == "choose a file to upload"
    activities = json.dumps(
        {"ACCMEActivities": {"MedicalEducationMetrics": [item("U-1"), item("U-2", Lom__general__title="")]}}
    ).encode()
    answer = provider_pages.post(
        f"{uploads}/activities", data={"csrf_token": token}, files={"file": ("activities.json", activities)}
    )
    assert (
        answer.status_code == 200
        and re.search(r"<strong>1</strong> created", answer.text)
        and re.search(r"<strong>1</strong> rejected", answer.text)
    )
    (row,) = re.findall(
        r'<table class="row-errors">.*?<tbody><tr><td>([^<]+)</td><td>([^<]*)</td><td>([^<]+)</td>',
        answer.text,
        re.DOTALL,
    )
    assert row[0] == "ACCMEActivities.MedicalEducationMetrics[1]" and row[1].startswith("Title (") and row[2].strip()
    garbage = provider_pages.post(
        f"{uploads}/activities", data={"csrf_token": token}, files={"file": ("activities.json", b"{not json")}
    )
    assert garbage.status_code == 422 and "activities-file" in errors_beside(garbage.text)
    good = report(provider_pages.ids["activity"], "ccid:0004444:c1")
    wrong = report(provider_pages.ids["activity"], "ccid:0004444:c2", Member__Name__GivenName="Zed")
    body = json.dumps(envelope(good, wrong)).encode()
    answer = provider_pages.post(
        f"{uploads}/completions",
        data={"csrf_token": token},
        files={"file": ("learners.json", body)},
        headers={"X-Requested-With": "pars", "X-Upload-Id": "upload-0001"},
    )
    assert provider_pages.get(f"{uploads}/progress/upload-0001").json() == {"done": 2, "total": 2, "finished": True}
    assert (
        provider_pages.get(f"{uploads}/progress/upload-0001").json()["finished"] is False
    )  # read once, then forgotten
    assert answer.status_code == 200 and "<html" not in answer.text  # the script's fragment
    assert re.search(r"<strong>1</strong> recorded", answer.text) and re.search(
        r"<strong>1</strong> rejected", answer.text
    )
    (row,) = re.findall(
        r'<table class="row-errors">.*?<tbody><tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]+)</td>',
        answer.text,
        re.DOTALL,
    )
    assert row[0] == "2"
    plain = provider_pages.post(
        f"{uploads}/completions", data={"csrf_token": token}, files={"file": ("learners.json", body)}
    )
    assert "<html" in plain.text and re.search(
        r"<strong>1</strong> unchanged", plain.text
    )  # without the script: the whole page
    assert web_system.reads.completions.count(ACCME_ID) == 1


def test_completion_entry_checks_the_match_and_records(provider_pages):  # type: ignore[no-untyped-def]
    form = f"{P}/completions/new"
    token = csrf_of(provider_pages.get(form).text)
    matched = provider_pages.post(f"{P}/match", data={"npi": NPI}, headers={"X-CSRF-Token": token}).json()
    assert matched["status"] == "matched"
    unmatched = provider_pages.post(
        f"{P}/match",
        data={"first_name": "Ana", "last_name": "Garcia-Lopez", "birth_date": "03-08", "state": "TN"},
        headers={"X-CSRF-Token": token},
    ).json()
    assert unmatched["status"] != "matched" and unmatched["msg"]
    assert provider_pages.post(f"{P}/match", data={"npi": NPI}).status_code == 403  # the script sends the token
    fields: dict[str, Any] = {
        "npi": NPI,
        "activity_id": provider_pages.ids["activity"],
        "completion_date": "2025-03-02",
        "credits": "6",
        "credit_id": "ccid:0004444:w1",
    }
    nobody = post_form(
        provider_pages,
        form,
        form,
        {**fields, "npi": "", "first_name": "Zed", "last_name": "Nobody", "birth_date": "01-01", "state": "TN"},
    )
    assert nobody.status_code == 422 and errors_beside(nobody.text)["first_name"].startswith(
        "the learner was not matched"
    )
    assert post_form(provider_pages, form, form, fields).status_code == 303
    assert "The completion is recorded." in provider_pages.get(form).text
    missing = post_form(provider_pages, form, f"{P}/completions/delete", {"delete_credit_id": "ccid:0004444:nope"})
    assert (
        missing.status_code == 404 and "no completion with credit ID" in errors_beside(missing.text)["delete_credit_id"]
    )
    assert (
        post_form(provider_pages, form, f"{P}/completions/delete", {"delete_credit_id": "ccid:0004444:w1"}).status_code
        == 303
    )
    assert "The completion ccid:0004444:w1 is deleted." in provider_pages.get(form).text
    assert post_form(provider_pages, form, form, fields).status_code == 303  # resubmitted after the delete
    theirs = post_form(
        provider_pages,
        form,
        form,
        {**fields, "activity_id": provider_pages.ids["other_activity"], "credit_id": "ccid:0004444:w2"},
    )
    assert theirs.status_code == 422 and "not an activity of provider" in errors_beside(theirs.text)["activity_id"]


def test_contacts_show_every_role_and_its_fallback(provider_pages):  # type: ignore[no-untyped-def]
    page = provider_pages.get(f"{P}/contacts").text
    for label in (
        "Primary contact",
        "Billing contact",
        "CEO",
        "ACCME website contact",
        "Technical contact",
        "Medical director",
        "Staff",
    ):
        assert label in page
    assert "invoices go to the primary contact" in page
    bad = post_form(
        provider_pages, f"{P}/contacts", f"{P}/contacts/billing", {"name": "Bo Chen", "email": "not-an-email"}
    )
    assert bad.status_code == 422 and "not a valid email" in errors_beside(bad.text)["billing-email"]
    assert (
        post_form(
            provider_pages, f"{P}/contacts", f"{P}/contacts/billing", {"name": "Bo Chen", "email": "bo@cme.org"}
        ).status_code
        == 303
    )
    assert "Invoices go to <strong>Bo Chen</strong>" in provider_pages.get(f"{P}/contacts").text
    primary = post_form(provider_pages, f"{P}/contacts", f"{P}/contacts/primary/remove", {})
    assert primary.status_code == 409 and "must always have a primary contact" in primary.text


def test_the_annual_report_steps_and_an_attestation_refused_with_what_is_missing(provider_pages):  # type: ignore[no-untyped-def]
    year = f"{P}/year/2025"
    refused = post_form(provider_pages, year, f"{year}/attest", {"confirm": "yes"})
    assert refused.status_code == 409 and refused.text.count('class="missing blocking"') >= 4
    unticked = post_form(provider_pages, year, f"{year}/attest", {})
    assert errors_beside(unticked.text) == {"confirm": "tick “I attest” to attest the report"}
    assert post_form(provider_pages, year, f"{year}/agreement", {}).status_code == 303
    bad = post_form(provider_pages, year, f"{year}/program-summary", {"registration_fees": "about 2k"})
    assert bad.status_code == 422 and "whole dollars" in errors_beside(bad.text)["registration_fees"]
    assert (
        post_form(
            provider_pages,
            year,
            f"{year}/program-summary",
            {
                "registration_fees": "$2,000",
                "advertising_exhibit_income": "0",
                "government_grants": "0",
                "private_donations": "0",
            },
        ).status_code
        == 303
    )
    assert post_form(provider_pages, year, f"{year}/contacts-reviewed", {}).status_code == 303
    page = provider_pages.get(year).text
    assert (
        "Accept the annual agreement</strong> — done" in page and "Submit the program summary</strong> — done" in page
    )
    assert 'value="2000"' in page


def test_users_invite_their_colleagues(provider_pages, mail_dir: Path):  # type: ignore[no-untyped-def]
    bad = post_form(provider_pages, f"{P}/users", f"{P}/users", {"name": "Cy", "email": "cy-at-cme"})
    assert bad.status_code == 422 and "email" in errors_beside(bad.text)
    assert (
        post_form(provider_pages, f"{P}/users", f"{P}/users", {"name": "Cy Young", "email": "cy@cme.org"}).status_code
        == 303
    )
    assert "cy@cme.org" in provider_pages.get(f"{P}/users").text
    assert (
        mails(mail_dir)[-1]["To"] == "cy@cme.org"
        and "Ann of CME 0004444 has given you access" in mails(mail_dir)[-1].get_content()
    )


def test_staff_contacts_are_added_and_removed(provider_pages):  # type: ignore[no-untyped-def]
    page = f"{P}/contacts"
    assert (
        post_form(
            provider_pages, page, f"{P}/contacts/staff", {"name": "Sam Staff", "email": "sam@cme.org"}
        ).status_code
        == 303
    )
    html = provider_pages.get(page).text
    contact_id = re.search(r'name="contact_id" value="([^"]+)"', html)[1]  # type: ignore[index]
    assert "Sam Staff" in html
    assert post_form(provider_pages, page, f"{P}/contacts/staff/remove", {"contact_id": contact_id}).status_code == 303
    assert "Sam Staff" not in provider_pages.get(page).text
    gone = post_form(provider_pages, page, f"{P}/contacts/staff/remove", {"contact_id": contact_id})
    assert gone.status_code == 409


def test_an_enduring_material_gets_its_yearly_learner_counts(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    saved = post_form(
        provider_pages,
        new,
        new,
        {
            **FULL,
            "provider_activity_id": "EM-1",
            "format": "Enduring Material",
            "delivery": "Online",
            "city": "",
            "state": "",
            "country": "",
            "start_date": "2024-01-15",
            "end_date": "2026-12-31",
        },
    )
    assert saved.status_code == 303
    page = saved.headers["location"]
    assert "Enduring material: learners as of 31 December" in provider_pages.get(page).text
    bad = post_form(
        provider_pages,
        page,
        f"{page}/learner-counts",
        {"count_year": "2024", "count_physicians": "many", "count_others": "3"},
    )
    assert bad.status_code == 422 and "whole numbers" in errors_beside(bad.text)["count_physicians"]
    assert (
        post_form(
            provider_pages,
            page,
            f"{page}/learner-counts",
            {"count_year": "2024", "count_physicians": "310", "count_others": "44"},
        ).status_code
        == 303
    )
    assert "<tr><td>2024</td><td>310</td><td>44</td></tr>" in provider_pages.get(page).text


def test_several_activities_close_at_once(provider_pages):  # type: ignore[no-untyped-def]
    new = f"{P}/activities/new"
    for pid in ("B-1", "B-2"):
        assert post_form(provider_pages, new, new, {**FULL, "provider_activity_id": pid}).status_code == 303
    listing = provider_pages.get(f"{P}/activities?status=ready_to_close").text
    ready = re.findall(r'name="activity_ids" value="(\d{9})"', listing)
    assert (
        len(ready) == 3 and provider_pages.ids["activity"] in ready
    )  # the set-up's MOC activity lacks its MOC attestation
    answer = provider_pages.post(f"{P}/activities/close", data={"activity_ids": ready, "csrf_token": csrf_of(listing)})
    assert answer.status_code == 303
    after = provider_pages.get(answer.headers["location"]).text
    assert "2 closed, 0 already closed, 1 not closed" in after and "MOC attestation" in after
    assert "2 activities" in provider_pages.get(f"{P}/activities?status=closed").text
