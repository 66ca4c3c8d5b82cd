"""Verify a credential (no sign-in): a board pastes or uploads a credential of this PARS, or scans the QR code
of a transcript PDF, and sees whether it is valid, revoked or tampered, who issued it and for what."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adapters.http.credentials import CredentialsDep, token_from
from adapters.web.render import render

router = APIRouter()


@router.get("/verify")
def verify_page(request: Request) -> Response:
    return render(request, "verify.html", result=None, pasted="", errors={})


@router.post("/verify")
async def verify_posted(request: Request, credentials: CredentialsDep) -> Response:
    form = await request.form(max_files=1)
    pasted = form.get("credential")
    text = pasted.strip() if isinstance(pasted, str) else ""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        text = (await upload.read()).decode("utf-8", "replace").strip() or text
    token = token_from(text)
    if token is None:
        message = (
            "paste the credential, or choose its file"
            if not text
            else "this is not a signed credential: paste the credential's JWT (three parts separated by dots)"
        )
        return render(request, "verify.html", 422, result=None, pasted=text[:2000], errors={"credential": message})
    return render(request, "verify.html", result=credentials.verify(token).as_json(), pasted="", errors={})


@router.get("/verify/transcript/{token}")
def verify_transcript(request: Request, token: str, credentials: CredentialsDep) -> Response:
    """Where the QR code of a transcript PDF leads: the transcript's reference, checked now."""
    found = token_from(token)
    result = credentials.verify(found).as_json() if found else {"verdict": "tampered", "reason": "not a reference"}
    return render(request, "verify.html", result=result, pasted="", errors={})
