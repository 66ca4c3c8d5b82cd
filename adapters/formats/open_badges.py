"""Open Badges 3.0 and CLR 2.0 documents (W3C Verifiable Credentials 2.0), and the Bitstring Status List.

A completion becomes an `OpenBadgeCredential`: the activity is the achievement (created by its provider),
the CME credit and each board's MOC points are its results, the provider is the subject's `source`, and
the deployment (its `did:web`) is the issuer. A transcript for a date range is a `ClrCredential` whose
subject holds each completion's signed credential as an `EnvelopedVerifiableCredential`. These functions
build the documents only; `adapters/credentials/` signs and checks them.
"""

from __future__ import annotations

import base64
import gzip
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from projections.credential_status import LIST_SIZE

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ISSUER_NAME = "PARS (Program and Activity Reporting System), CME Passport"
_IDS = uuid.UUID("6f1f0a53-6c1e-4d0e-9a0f-50a2c3d1e7b4")  # namespace of credential ids


def instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_profile(did: str, public_url: str) -> dict[str, Any]:
    return {"id": did, "type": ["Profile"], "name": ISSUER_NAME, "url": public_url}


def status_list_url(public_url: str, list_number: int) -> str:
    return f"{public_url}/api/v1/credentials/status/{list_number}"


def status_entry(public_url: str, index: int) -> dict[str, Any]:
    """The credential's `BitstringStatusListEntry`: which list, which bit, what a set bit means."""
    url = status_list_url(public_url, index // LIST_SIZE)
    return {
        "id": f"{url}#{index % LIST_SIZE}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index % LIST_SIZE),
        "statusListCredential": url,
    }


def learner_identifiers(learner: dict[str, Any]) -> list[dict[str, Any]]:
    """Who the credential is about, as the transcript PDF names them: the name and, when on record, the NPI."""
    name = f"{learner.get('first_name', '')} {learner.get('last_name', '')}".strip()
    ids = [{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name}]
    if learner.get("npi"):
        ids.append(
            {"type": "IdentityObject", "identityType": "identifier", "hashed": False, "identityHash": learner["npi"]}
        )
    return ids


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def provider_profile(accme_id: str, name: str) -> dict[str, Any]:
    return {
        "id": f"urn:accme:provider:{accme_id}",
        "type": ["Profile"],
        "name": name or f"ACCME provider {accme_id}",
        "otherIdentifier": [{"type": "IdentifierEntry", "identifier": accme_id, "identifierType": "identifier"}],
    }


def credential_id(subject: str, index: int) -> str:
    """One id per completion and status index: the same completion issued twice is the same credential."""
    return f"urn:uuid:{uuid.uuid5(_IDS, f'{subject}:{index}')}"


def completion_credential(
    *,
    did: str,
    public_url: str,
    learner: dict[str, Any],
    row: dict[str, Any],
    provider_name: str,
    index: int,
    issued: datetime,
) -> dict[str, Any]:
    """One completion (a transcript row: activity, date, CME credit, MOC points, credit ID) as an
    `OpenBadgeCredential`."""
    doc = row["doc"]
    provider = provider_profile(row["accme_id"], provider_name)
    results = []
    descriptions = []
    for c in doc["cme"]:
        rid = f"urn:pars:result:cme:{_slug(c['type'])}"
        descriptions.append(
            {"id": rid, "type": ["ResultDescription"], "name": c["type"], "resultType": "ext:CMECredit"}
        )
        results.append({"type": ["Result"], "resultDescription": rid, "value": f"{float(c['credits']):g}"})
    for m in doc["moc"]:
        rid = f"urn:pars:result:moc:{_slug(m['board'])}:{_slug(m['type'])}"
        descriptions.append(
            {
                "id": rid,
                "type": ["ResultDescription"],
                "name": f"{m['board']} MOC points ({m['type']})",
                "resultType": "ext:MOCPoints",
            }
        )
        results.append({"type": ["Result"], "resultDescription": rid, "value": f"{float(m['credits']):g}"})
    cme = sum(float(c["credits"]) for c in doc["cme"])
    title = doc["activity_title"]
    achievement = {
        "id": f"urn:accme:activity:{row['activity_id']}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": title,
        "description": f"Accredited continuing medical education activity {row['activity_id']} of {provider['name']}.",
        "criteria": {"narrative": "Completed the activity, as its accredited provider reported to PARS."},
        "creator": provider,
        "resultDescription": descriptions,
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": row["activity_id"], "identifierType": "identifier"}
        ],
    }
    subject: dict[str, Any] = {
        "id": f"urn:uuid:{row['learner_id']}",
        "type": ["AchievementSubject"],
        "identifier": learner_identifiers(learner),
        "achievement": achievement,
        "activityEndDate": f"{row['completion_date']}T00:00:00Z",
        "result": results,
        "source": provider,
    }
    if doc["cme"]:
        subject["creditsEarned"] = cme
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(row["key"], index),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"CME completion: {title}",
        "issuer": issuer_profile(did, public_url),
        "validFrom": instant(issued),
        "credentialSubject": subject,
        "evidence": [
            {
                "type": ["Evidence"],
                "name": f"Learner record {row['credit_id']}",
                "narrative": (
                    f"Reported by {provider['name']} (ACCME ID {row['accme_id']}) under credit ID "
                    f"{row['credit_id']}; completed {row['completion_date']}."
                ),
            }
        ],
        "credentialStatus": status_entry(public_url, index),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"through {end.isoformat()}"
    return "all reported completions"


def clr_credential(
    *,
    did: str,
    public_url: str,
    learner: dict[str, Any],
    learner_id: str,
    envelopes: list[dict[str, Any]],
    start: date | None,
    end: date | None,
    index: int,
    issued: datetime,
) -> dict[str, Any]:
    """A transcript for a date range as a CLR 2.0 `ClrCredential` bundling each completion's credential."""
    name = f"{learner.get('first_name', '')} {learner.get('last_name', '')}".strip()
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, CLR_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"CME transcript of {name}, {_period(start, end)}",
        "description": f"{len(envelopes)} completions reported to PARS by ACCME-accredited providers.",
        "issuer": issuer_profile(did, public_url),
        "validFrom": instant(issued),
        "credentialSubject": {
            "id": f"urn:uuid:{learner_id}",
            "type": ["ClrSubject"],
            "identifier": learner_identifiers(learner),
            "verifiableCredential": envelopes,
        },
        "credentialStatus": status_entry(public_url, index),
    }


def encode_list(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """`encodedList`: the bitstring (index 0 the first byte's highest bit), GZIP, then multibase base64url."""
    bits = bytearray(size // 8)
    for i in revoked:
        bits[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_set(bits: bytes, index: int) -> bool:
    return index // 8 < len(bits) and bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *, did: str, public_url: str, list_number: int, revoked: Iterable[int], issued: datetime, valid_until: datetime
) -> dict[str, Any]:
    """One revocation status list as a `BitstringStatusListCredential` (indexes relative to the list)."""
    url = status_list_url(public_url, list_number)
    start = list_number * LIST_SIZE
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": instant(issued),
        "validUntil": instant(valid_until),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(i - start for i in revoked),
        },
    }
