"""What the API and the pages share about credentials: the issuer dependency and the verification input."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from adapters.credentials.issuer import CredentialIssuer, CredentialNotReadyError, CredentialRevokedError
from adapters.credentials.jwt_vc import MEDIA_TYPE, looks_like_jws, open_jws, token_of
from services.transcripts import Transcript


def credential_issuer(request: Request) -> CredentialIssuer:
    return request.app.state.system.credentials


CredentialsDep = Annotated[CredentialIssuer, Depends(credential_issuer)]


def signed_answer(token: str) -> dict[str, Any]:
    """How a credential is handed out (API and download alike): the JWT, and what it says, readable."""
    return {"media_type": MEDIA_TYPE, "jwt": token, "credential": open_jws(token).payload}


def token_from(pasted: Any) -> str | None:
    """The compact JWS in what someone pasted or uploaded: the JWS itself, a `data:application/vc+jwt,` URL,
    an `EnvelopedVerifiableCredential`, or the JSON this API answers a credential with (`jwt`); else None."""
    if isinstance(pasted, dict):
        if isinstance(pasted.get("jwt"), str):
            return token_from(pasted["jwt"])
        return token_of(pasted)
    if not isinstance(pasted, str):
        return None
    text = pasted.strip()
    if text.startswith(("{", '"')):
        try:
            return token_from(json.loads(text))
        except ValueError:
            return None
    if text.startswith("data:"):
        return token_of({"id": text})
    if "/verify/transcript/" in text:  # the address a QR code printed on a transcript carries
        text = text.rsplit("/verify/transcript/", 1)[1]
    return text if looks_like_jws(text) else None


def verification_url(credentials: CredentialIssuer, t: Transcript) -> str | None:
    """Where the transcript PDF's QR code leads: its signed reference, checked on the verify page. None while
    the credential status read model has not reached one of its completions (the PDF is then printed without)."""
    try:
        return credentials.reference_url(credentials.reference(t))
    except (CredentialNotReadyError, CredentialRevokedError):
        return None
