"""Credentials secured as JWTs (W3C VC-JOSE-COSE): the credential is the JWT payload, signed ES256.

Signing and the signature check are joserfc's; this module only decides what is signed and refuses,
before any check, what is not the canonical form of a compact JWS (three base64url segments without
padding whose unused low bits are zero), so a changed character never decodes to the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry

from adapters.credentials.keys import IssuerKeys

MEDIA_TYPE = "application/vc+jwt"
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]*$")


class _Registry(JWSRegistry):
    # joserfc refuses payloads over 128 KB by default; a CLR bundles one signed credential per completion
    # (about 2.5 KB each), so a physician's transcript of thousands of completions is several MB.
    max_payload_length = 32_000_000


def registry() -> JWSRegistry:
    """ES256 only, whatever the header asks for."""
    return _Registry(algorithms=["ES256"])


def sign(keys: IssuerKeys, credential: dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    """The credential as a compact JWS: header `alg` ES256, `typ` vc+jwt, `cty` vc, `kid` the signing key."""
    header = {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": keys.signing_kid}
    payload = json.dumps({**credential, **(claims or {})}, separators=(",", ":"), ensure_ascii=False).encode()
    return jws.serialize_compact(header, payload, keys.signing, registry=registry())


def _b64(segment: str) -> bytes:
    if not _SEGMENT.match(segment):
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != segment:
        raise ValueError("not the canonical base64url of its bytes")
    return raw


@dataclass(frozen=True)
class Opened:
    """What a compact JWS says, before or after its signature is checked."""

    header: dict[str, Any]
    payload: dict[str, Any]


class Unreadable(ValueError):
    """Raised when the text is shaped like a JWS but a part no longer decodes (its bytes were changed)."""


def looks_like_jws(text: str) -> bool:
    return text.count(".") == 2 and " " not in text


def open_jws(token: str) -> Opened:
    """The header and payload, decoded and not yet trusted; `Unreadable` when a part does not decode."""
    parts = token.split(".")
    try:
        header = json.loads(_b64(parts[0]))
        payload = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise Unreadable(str(error)) from None
    if not isinstance(header, dict) or not isinstance(payload, dict) or len(signature) != 64:
        raise Unreadable("the header, payload or signature is not of a signed credential")
    return Opened(header, payload)


def signature_holds(keys: IssuerKeys, token: str, opened: Opened) -> bool:
    """Whether the issuer's key that `kid` names signed exactly these bytes, with ES256."""
    if opened.header.get("alg") != "ES256":
        return False
    key = keys.public_key(str(opened.header.get("kid") or ""))
    if key is None:
        return False
    try:
        jws.deserialize_compact(token, key, registry=registry())
    except (JoseError, ValueError):
        return False
    return True


def enveloped(token: str) -> dict[str, Any]:
    """A signed credential inside another (VC 2.0 `EnvelopedVerifiableCredential`, a `data:` URL)."""
    return {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": f"data:{MEDIA_TYPE},{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def token_of(envelope: Any) -> str | None:
    """The compact JWS an `EnvelopedVerifiableCredential` carries, or None."""
    if not isinstance(envelope, dict):
        return None
    prefix = f"data:{MEDIA_TYPE},"
    value = envelope.get("id")
    return value[len(prefix) :] if isinstance(value, str) and value.startswith(prefix) else None
