"""The Passport page's credential downloads, the transcript PDF's QR code, and the public verify page."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from tests.completions.helpers import envelope, report, setup
from tests.credentials.conftest import settings
from tests.web.helpers import activate, csrf_of, post_form, sign_in


@pytest.fixture
def web(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[System, TestClient, Path]]:
    base = settings(sqlite_url, tmp_path / "keys")
    system = bootstrap(base.model_copy(update={"mail": f"file:{tmp_path / 'mail'}"}))
    with TestClient(create_app(system), raise_server_exceptions=False, follow_redirects=False) as client:
        yield system, client, tmp_path / "mail"
    system.close()


def _links(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]


def test_the_passport_page_hands_out_credentials_and_a_pdf_whose_qr_code_verifies(
    web: tuple[System, TestClient, Path],
    token,  # type: ignore[no-untyped-def]
) -> None:
    system, pages, mail = web
    ids = setup(system, running=True)
    answer = pages.post(
        "/accme/learner-activities",
        json=envelope(report(ids["activity"]), report(ids["activity"], credit_id="ccid:0004444:c9")),
        headers=token("provider", provider="0004444"),
    )
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())
    activate(system, mail, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    page = pages.get("/passport").text
    assert "/passport/credential.json?credit_id=ccid%3A0004444%3Ac1" in page and "/passport/clr.json" in page

    one = pages.get("/passport/credential.json?credit_id=ccid:0004444:c1")
    assert one.status_code == 200 and "cme-credential-ccid" in one.headers["content-disposition"]
    assert one.json()["credential"]["type"][1] == "OpenBadgeCredential"
    assert pages.get("/passport/credential.json?credit_id=nope").status_code == 404
    clr = pages.get("/passport/clr.json?start=2025-01-01&end=2025-12-31")
    assert clr.status_code == 200 and clr.json()["credential"]["type"][1] == "ClrCredential"

    pdf = pages.get("/passport/transcript.pdf?start=2025-01-01&end=2025-12-31")
    assert pdf.status_code == 200
    [url] = {u for u in _links(pdf.content) if "/verify/transcript/" in u}  # the code and its caption
    assert url.startswith("https://pars.example.org/verify/transcript/")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages[0].images) == 1  # the QR code
    path = url.split("pars.example.org", 1)[1]
    scanned = pages.get(path)
    assert scanned.status_code == 200 and '<h2 id="h-result">Valid</h2>' in scanned.text
    assert "Ana García-López" in scanned.text and "2 completions" in scanned.text

    # Anyone may paste the downloaded file's text, or upload it, on the verify page (no sign-in).
    post_form(pages, "/passport", "/sign-out", {})
    form = pages.get("/verify")
    assert form.status_code == 200
    pasted = pages.post("/verify", data={"csrf_token": csrf_of(form.text), "credential": one.text})
    assert pasted.status_code == 200 and '<h2 id="h-result">Valid</h2>' in pasted.text
    assert "Cardiology update A-1" in pasted.text and "CME 0004444" in pasted.text
    uploaded = pages.post(
        "/verify",
        files=[
            ("csrf_token", (None, csrf_of(form.text))),
            ("file", ("clr.json", clr.content, "application/json")),
        ],
    )
    assert uploaded.status_code == 200 and "Transcript (CLR 2.0)" in uploaded.text and ">valid</td>" in uploaded.text
    # A CLR is larger than a form: the verify page reads up to 16 MB (a 200-completion CLR's JSON is about 2 MB).
    big = pages.post(
        "/verify",
        files=[("csrf_token", (None, csrf_of(form.text))), ("file", ("clr.json", b"x" * 3_000_000, "text/plain"))],
    )
    assert big.status_code == 422, big.status_code
    empty = pages.post("/verify", data={"csrf_token": csrf_of(form.text), "credential": "not a credential"})
    assert empty.status_code == 422 and "not a signed credential" in empty.text
    forged = one.json()["jwt"][:-3] + "AAA"
    assert "Tampered" in pages.post("/verify", data={"csrf_token": csrf_of(form.text), "credential": forged}).text

    # The provider deletes one of the completions: the scanned PDF now says revoked.
    me = token("provider", provider="0004444")
    assert pages.delete("/api/v1/providers/0004444/completions/ccid:0004444:c1", headers=me).status_code == 204
    system.projections.wait(system.store.head())
    again = pages.get(path).text
    assert '<h2 id="h-result">Revoked</h2>' in again and "1 of its 2 completions" in again
    assert json.loads(one.text)["jwt"]  # the download was the API's JSON answer
