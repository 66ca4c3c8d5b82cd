# ruff: noqa: F811  (the public_system fixture imported from test_public_links.py is a parameter of a test)
"""A physician's own CME Passport account: /passport/sign-up matches the directory, mails a confirmation link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from adapters.app import create_app
from commands.accounts import InviteAccount
from commands.learners import Licence, RegisterLearner
from domain.account import Account
from tests.web.helpers import BY, PASSWORD, activate, csrf_of, last_link, mails, sign_in
from tests.web.test_public_links import FORGED, PUBLIC, links_to, public_system  # noqa: F401  (a fixture)

ANA = {
    "first_name": "Ana",
    "last_name": "García-López",
    "birth_month": "3",
    "birth_day": "14",
    "state": "TN",
    "licence_number": "MD44120",
    "npi": "",
    "email": "ana@doc.org",
}


def register_ana(system: Any) -> str:
    outcome = system.learners.handle(
        RegisterLearner(
            first_name="Ana",
            last_name="García-López",
            birth_month_day="03-14",
            licences=(Licence(state="TN", number="MD44120"),),
            npi="1234567893",
        ),
        BY,
    )
    system.projections.catch_up(["learner_directory"])
    return str(outcome.learner_id)


def post_sign_up(pages: Any, **changes: str) -> Any:
    page = pages.get("/passport/sign-up")
    assert page.status_code == 200
    return pages.post(
        "/passport/sign-up", data={**ANA, **changes, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


def test_the_sign_in_page_links_to_sign_up_and_the_page_is_public(pages):  # type: ignore[no-untyped-def]
    assert 'href="/passport/sign-up"' in pages.get("/sign-in").text
    page = pages.get("/passport/sign-up")
    assert page.status_code == 200 and "Open your CME Passport account" in page.text


def test_a_match_mails_a_link_that_confirms_the_account(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    learner_id = register_ana(web_system)
    answer = post_sign_up(pages, first_name=" ana ", last_name="garcia lopez")  # folded as providers' names are
    assert answer.status_code == 200, answer.text
    assert "We have sent a message to <strong>ana@doc.org</strong>" in answer.text
    account = web_system.accounts.find("ana@doc.org")
    assert account.tenant == f"learner:{learner_id}" and not account.active
    events = list(web_system.store.events.get(account.id))
    assert [type(e).__name__ for e in events] == ["SignedUp"]
    assert events[0].actor == f"user:{account.id}" and events[0].channel == "web"
    [message] = mails(mail_dir)
    assert message["Subject"] == "PARS: confirm your CME Passport account"
    assert f"{web_system.settings.public_base()}/set-password?token=" in message.get_content()  # PARS_PUBLIC_URL
    # Following the link and choosing a password confirms the account; the physician signs in to the Passport.
    link = last_link(mail_dir, "ana@doc.org")
    page = pages.get(link)
    assert page.status_code == 200 and "ana@doc.org" in page.text
    token = link.split("token=", 1)[1]
    saved = pages.post(
        "/set-password",
        data={"token": token, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert saved.status_code == 303
    assert [type(e).__name__ for e in web_system.store.events.get(account.id)] == ["SignedUp", "PasswordSet"]
    assert sign_in(pages, "ana@doc.org").headers["location"] == "/passport"


def test_by_npi_instead_of_a_licence(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    answer = post_sign_up(pages, state="", licence_number="", npi="1234567893")
    assert answer.status_code == 200 and web_system.accounts.find("ana@doc.org") is not None


def test_no_match_says_the_same_whichever_detail_differs(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    answers = [
        post_sign_up(pages, first_name="Anna"),
        post_sign_up(pages, birth_day="15"),
        post_sign_up(pages, licence_number="MD44121"),
        post_sign_up(pages, state="", licence_number="", npi="1234567894"),
    ]
    assert {a.status_code for a in answers} == {422}
    assert all(a.content == answers[0].content for a in answers), "the answers tell the failing fields apart"
    assert "could not match these details" in answers[0].text and "There is a problem" in answers[0].text
    assert "Anna" not in answers[0].text and "MD44121" not in answers[0].text  # nothing typed comes back
    assert web_system.accounts.find("ana@doc.org") is None and mails(mail_dir) == []


def test_malformed_details_are_said_beside_their_fields(pages, web_system):  # type: ignore[no-untyped-def]
    answer = post_sign_up(pages, first_name="", birth_month="2", birth_day="30", state="", licence_number="", email="x")
    assert answer.status_code == 422
    for words in (
        "First name: enter your first name",
        "Day: February has no day 30",
        "NPI: enter your NPI",
        "Email address: enter an email",
    ):
        assert words in answer.text, words
    assert 'href="#f-first_name"' in answer.text  # the error summary links to the field


def test_an_already_linked_learner_gets_no_second_account(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    first = post_sign_up(pages)
    # Another address (at once: before the accounts read model holds the first; the claim collides) for the same physician: the page answers as for a match, the mail says why nothing opened.
    second = post_sign_up(pages, email="ana.other@doc.org")
    assert second.status_code == 200
    assert second.text.replace("ana.other@doc.org", "ana@doc.org") == first.text
    assert web_system.accounts.find("ana.other@doc.org") is None
    message = mails(mail_dir)[-1]
    assert message["To"] == "ana.other@doc.org"
    assert "already has a CME Passport account under another email address" in message.get_content()
    assert "ana@doc.org" not in message.get_content()  # the other address is not told
    # An address that already has a PARS account (a provider's user): told by mail, never on the page.
    web_system.accounts.handle(
        InviteAccount(
            email="staff@provider.org",
            name="Staff",
            role="provider",
            tenant=Account.tenant_of("provider", provider="0001234"),
            base_url="http://testserver",
        ),
        BY,
    )
    third = post_sign_up(pages, email="staff@provider.org")
    assert third.status_code == 200
    assert third.text.replace("staff@provider.org", "ana@doc.org") == first.text
    assert "this address already has an account" in mails(mail_dir)[-1]["Subject"]
    assert web_system.accounts.find("staff@provider.org").role == "provider"


def test_an_expired_link_is_refused_and_signing_up_again_sends_a_new_one(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    post_sign_up(pages)
    old = last_link(mail_dir, "ana@doc.org")
    later = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    web_system.accounts.now = lambda: later
    page = pages.get(old)
    assert page.status_code == 410 and "this link has expired" in page.text
    post_sign_up(pages)  # the same details again: a fresh link replaces the expired one
    new = last_link(mail_dir, "ana@doc.org")
    assert new != old and pages.get(new).status_code == 200
    account = web_system.accounts.find("ana@doc.org")
    assert [type(e).__name__ for e in web_system.store.events.get(account.id)] == ["SignedUp", "ResetRequested"]


def test_refused_attempts_pause_sign_up_from_the_address(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    for n in range(4):
        assert post_sign_up(pages, birth_day=str(n + 1), email=f"guess{n}@x.org").status_code == 422
    fifth = post_sign_up(pages, birth_day="5", email="guess5@x.org")
    assert fifth.status_code == 429 and "paused" in fifth.text
    # Even the right details wait now (from this address), and nothing is mailed.
    assert post_sign_up(pages).status_code == 429
    assert mails(mail_dir) == [] and web_system.accounts.find("ana@doc.org") is None


def test_accme_staff_see_the_accounts_physicians_open_and_a_state_accreditor_does_not(  # type: ignore[no-untyped-def]
    pages, web_system, mail_dir: Path
):
    register_ana(web_system)
    post_sign_up(pages)
    activate(web_system, mail_dir, "ada@accme.org")
    activate(web_system, mail_dir, "tess@tn.org", state="TN")
    web_system.projections.catch_up(["accounts"])
    sign_in(pages, "ada@accme.org")
    assert "ana@doc.org" in pages.get("/accreditor/users").text
    sign_in(pages, "tess@tn.org")
    listed = pages.get("/accreditor/users")
    assert listed.status_code == 200 and "ana@doc.org" not in listed.text


class _Counting:
    """Passes every call through to `inner` and notes the method's name: the work an answer took."""

    def __init__(self, inner: Any, calls: list[str]) -> None:
        self._inner, self._calls = inner, calls

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls.append(name)
            return attr(*args, **kwargs)

        return counted


def test_every_miss_does_the_same_work_whichever_detail_differs(pages, web_system):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    calls: list[str] = []
    web_system.accounts.matcher.view = _Counting(web_system.accounts.matcher.view, calls)
    web_system.accounts.throttle = _Counting(web_system.accounts.throttle, calls)
    by_licence = [{"first_name": "Anna"}, {"birth_day": "15"}, {"licence_number": "MD44121"}, {"state": "NC"}]
    by_npi = [{"npi": "1234567894"}, {"first_name": "Anna"}, {"birth_month": "4"}]
    for shape, misses in (({}, by_licence), ({"state": "", "licence_number": "", "npi": "1234567893"}, by_npi)):
        work = []
        for n, miss in enumerate(misses):
            calls.clear()
            answer = post_sign_up(pages, **{**shape, **miss, "email": f"miss{len(work)}{n}@x.org"})
            assert answer.status_code == 422 and "could not match" in answer.text
            work.append(list(calls))
        assert all(w == work[0] for w in work), work
        assert work[0].count("failed") == 2  # the client address and the email each counted once
        web_system.accounts.throttle._inner.clear(web_system.accounts._sign_up_key("client\ntestclient"))


def test_a_physician_staff_invited_gets_no_second_account_of_their_own(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    learner_id = register_ana(web_system)
    activate(web_system, mail_dir, "ana@hospital.org", "learner", learner=learner_id)
    web_system.projections.catch_up(["accounts"])
    assert post_sign_up(pages).status_code == 200
    assert web_system.accounts.find("ana@doc.org") is None
    message = mails(mail_dir)[-1]
    assert message["To"] == "ana@doc.org" and "under another email address" in message.get_content()
    assert "ana@hospital.org" not in message.get_content()


def test_any_one_detail_wrong_gets_the_one_answer(pages, web_system):  # type: ignore[no-untyped-def]
    """Property: whichever single detail differs, and however, the page is the same bytes as for any other miss."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from domain.learner import fold_name, identifier_key

    register_ana(web_system)
    accounts = web_system.accounts
    baseline = post_sign_up(pages, first_name="Zed").content
    letters = st.text(st.characters(min_codepoint=65, max_codepoint=122, categories=["L"]), min_size=1, max_size=12)
    misses = st.one_of(
        letters.filter(lambda v: fold_name(v) != fold_name("Ana")).map(lambda v: {"first_name": v}),
        letters.filter(lambda v: fold_name(v) != fold_name("García-López")).map(lambda v: {"last_name": v}),
        st.integers(1, 31).filter(lambda d: d != 14).map(lambda d: {"birth_day": str(d)}),
        st.sampled_from([m for m in range(1, 13) if m != 3]).map(lambda m: {"birth_month": str(m)}),
        st.text("ABCDMX0123456789-", min_size=1, max_size=10)
        .filter(lambda v: identifier_key(v) not in ("", "MD44120"))
        .map(lambda v: {"licence_number": v}),
        st.sampled_from(["NC", "CA", "NY", "TX"]).map(lambda s: {"state": s}),
    )

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(miss=misses, email=st.sampled_from(["ana@doc.org", "other@x.org"]))
    def one(miss: dict[str, str], email: str) -> None:
        accounts.throttle.clear(accounts._sign_up_key("client\ntestclient"))
        accounts.throttle.clear(accounts._sign_up_key(f"email\n{email}"))
        answer = post_sign_up(pages, **miss, email=email)
        assert answer.status_code == 422 and answer.content == baseline, miss

    one()
    assert accounts.find("ana@doc.org") is None


def test_the_confirmation_link_starts_at_the_public_url_whatever_the_host(public_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    register_ana(public_system)
    with TestClient(create_app(public_system), follow_redirects=False) as client:
        page = client.get("/passport/sign-up", headers=FORGED)
        sent = client.post("/passport/sign-up", data={**ANA, "csrf_token": csrf_of(page.text)}, headers=FORGED)
    assert sent.status_code == 200
    links = links_to(mail_dir, "ana@doc.org")
    assert links and all(u.startswith(PUBLIC + "/") for u in links), links


def test_a_licence_and_an_npi_given_must_both_agree(pages, web_system):  # type: ignore[no-untyped-def]
    register_ana(web_system)
    refused = post_sign_up(pages, licence_number="MD44121", npi="1234567893")  # the NPI is hers, the licence is not
    assert refused.status_code == 422 and "could not match" in refused.text
    assert post_sign_up(pages, npi="1234567893").status_code == 200  # both hers


def test_every_control_of_the_sign_up_page_has_a_label(pages, web_system):  # type: ignore[no-untyped-def]
    from tests.web.test_labels import unlabelled

    assert unlabelled(pages.get("/passport/sign-up").text) == []
    assert unlabelled(post_sign_up(pages, birth_day="40").text) == []  # with its errors shown
