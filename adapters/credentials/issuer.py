"""Issuing and verifying the CME Passport's credentials: what the API routes, the web pages and the PDF share.

`CredentialIssuer` turns a `Transcript` (services/transcripts.py, which decides who may read it) into signed
Open Badges 3.0 credentials, one per completion stream (credit ID), and a CLR 2.0 transcript bundling them;
it publishes the revocation status lists from the `credential_status` read model, and verifies what anyone
pastes: its own credentials, CLRs, status lists and the transcript references printed as QR codes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from joserfc import jws

from adapters.credentials.jwt_vc import (
    Opened,
    Unreadable,
    enveloped,
    open_jws,
    registry,
    sign,
    signature_holds,
    token_of,
)
from adapters.credentials.keys import IssuerKeys
from adapters.formats.open_badges import (
    bit_set,
    clr_credential,
    completion_credential,
    decode_list,
    status_list_credential,
    status_list_url,
)
from projections.credential_status import LIST_SIZE, CredentialStatusView, learner_subject
from projections.learner_directory import LearnerDirectoryView
from projections.transcripts import TranscriptView
from services.transcripts import Transcript

#: How long a published status list may be relied on: a copy older than this says nothing (replays of an
#: old list cannot un-revoke a credential for longer).
LIST_LIFETIME = timedelta(hours=1)
REFERENCE_TYPE = "pars-transcript-ref+jwt"


class CredentialNotReadyError(Exception):
    """Raised when a completion has no status index yet (the read model is catching up): try again shortly."""


class CredentialRevokedError(Exception):
    """Raised when asked for a credential whose status is already revoked."""


@dataclass
class Verdict:
    """What a verification found: `valid`, `revoked`, `tampered` or `unknown_issuer`, and what the credential says."""

    verdict: str
    reason: str
    kind: str | None = None
    issuer: dict[str, Any] | None = None
    key: str | None = None
    key_retired: bool = False
    issued: str | None = None
    subject: dict[str, Any] | None = None
    about: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    credentials: list[Verdict] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "credentials"}
        if self.kind == "ClrCredential" or self.credentials:
            out["credentials"] = [c.as_json() for c in self.credentials]
        return out


@dataclass
class _Lists:
    """The status lists of one verification: where they come from, and each one's bits once checked."""

    source: Callable[[str], str | None]
    checked: dict[str, bytes | str] = field(default_factory=dict)


def _digest(indexes: list[int]) -> str:
    raw = hashlib.sha256(",".join(str(i) for i in sorted(indexes)).encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _subject_name(subject: dict[str, Any]) -> str:
    for ident in subject.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("identityType") == "name":
            return str(ident.get("identityHash") or "")
    return ""


class CredentialIssuer:
    def __init__(
        self,
        keys: IssuerKeys,
        public_url: str,
        status: CredentialStatusView,
        transcripts: TranscriptView,
        directory: LearnerDirectoryView,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.keys = keys
        self.public_url = public_url
        self.status = status
        self.transcripts = transcripts
        self.directory = directory
        self.clock = clock

    # --- issuing -------------------------------------------------------------------------------------

    def _indexes(self, subjects: list[str]) -> list[int]:
        """Each subject's current status index, read in one query; refused while one has none or is revoked."""
        found = self.status.current_of(subjects)
        out = []
        for subject in subjects:
            if subject not in found:
                raise CredentialNotReadyError(
                    "this record's credential status is being prepared; try again in a moment"
                )
            index, revoked = found[subject]
            if revoked:
                raise CredentialRevokedError("this record's credentials are revoked")
            out.append(index)
        return out

    def _index(self, subject: str) -> int:
        return self._indexes([subject])[0]

    def _signed_rows(self, t: Transcript, now: datetime) -> list[str]:
        indexes = self._indexes([row["key"] for row in t.rows])
        return [self._sign_row(t.learner, row, index, now) for row, index in zip(t.rows, indexes, strict=True)]

    def _sign_row(self, learner: dict[str, Any], row: dict[str, Any], index: int, now: datetime) -> str:
        credential = completion_credential(
            did=self.keys.did,
            public_url=self.public_url,
            learner=learner,
            row=row,
            provider_name=row.get("provider_name") or "",
            index=index,
            issued=now,
        )
        return sign(self.keys, credential, self._claims(credential, now))

    def _claims(self, credential: dict[str, Any], now: datetime) -> dict[str, Any]:
        return {
            "iss": self.keys.did,
            "sub": credential["credentialSubject"]["id"],
            "jti": credential["id"],
            "nbf": int(now.timestamp()),
        }

    def completions(self, t: Transcript) -> list[str]:
        """Each row of the transcript (one credit ID of one completion) as a signed `OpenBadgeCredential`."""
        return self._signed_rows(t, self.clock())

    def completion(self, t: Transcript) -> str:
        """The first row's credential: what `TranscriptQueries.completion` found for one credit ID."""
        return self._sign_row(t.learner, t.rows[0], self._index(t.rows[0]["key"]), self.clock())

    def clr(self, t: Transcript) -> str:
        """The transcript as a signed CLR 2.0 `ClrCredential` bundling every completion's credential."""
        now = self.clock()
        signed = self._signed_rows(t, now)
        learner_id = t.learner["learner_id"]
        credential = clr_credential(
            did=self.keys.did,
            public_url=self.public_url,
            learner=t.learner,
            learner_id=learner_id,
            envelopes=[enveloped(token) for token in signed],
            start=t.start,
            end=t.end,
            index=self._index(learner_subject(learner_id)),
            issued=now,
        )
        return sign(self.keys, credential, self._claims(credential, now))

    def reference(self, t: Transcript) -> str:
        """A short signed reference to the transcript (what the PDF's QR code carries): who, which dates, and a
        digest of the status indexes of its completions, so a later deletion or erasure shows when it is checked."""
        now = self.clock()
        learner_id = t.learner["learner_id"]
        indexes = self._indexes([row["key"] for row in t.rows])
        claims = {
            "iss": self.keys.did,
            "sub": f"urn:uuid:{learner_id}",
            "iat": int(now.timestamp()),
            "from": t.start.isoformat() if t.start else None,
            "to": t.end.isoformat() if t.end else None,
            "n": len(indexes),
            "upto": max(indexes, default=-1),
            "digest": _digest(indexes),
            "status": self._index(learner_subject(learner_id)),
        }
        header = {"alg": "ES256", "typ": REFERENCE_TYPE, "kid": self.keys.signing_kid}
        payload = json.dumps(claims, separators=(",", ":")).encode()
        return jws.serialize_compact(header, payload, self.keys.signing, registry=registry())

    def reference_url(self, token: str) -> str:
        return f"{self.public_url}/verify/transcript/{token}"

    # --- status lists ---------------------------------------------------------------------------------

    def status_list(self, list_number: int) -> str | None:
        """The signed `BitstringStatusListCredential` of one list, or None for a list not yet in use."""
        if not 0 <= list_number < self.status.lists():
            return None
        now = self.clock()
        credential = status_list_credential(
            did=self.keys.did,
            public_url=self.public_url,
            list_number=list_number,
            revoked=self.status.revoked(list_number),
            issued=now,
            valid_until=now + LIST_LIFETIME,
        )
        claims = {"iss": self.keys.did, "jti": credential["id"], "nbf": int(now.timestamp())}
        return sign(self.keys, credential, claims)

    # --- verifying ------------------------------------------------------------------------------------

    def verify(self, token: str, lists: Callable[[str], str | None] | None = None) -> Verdict:
        """Checks a compact JWS this PARS issued: the signature under the key its `kid` names in the DID
        document, that it names this issuer, and its status in the (signed) status list it names. `lists`
        gives a status list's JWS by its URL (default: the lists this server publishes now); each list is
        asked for once per verification, however many credentials a CLR bundles."""
        return self._verify(token, _Lists(lists or self._own_list))

    def _verify(self, token: str, fetch: _Lists) -> Verdict:
        try:
            opened = open_jws(token)
        except Unreadable as error:
            return Verdict("tampered", f"the credential's bytes were changed: {error}")
        if opened.header.get("typ") == REFERENCE_TYPE:
            return self._verify_reference(token, opened)
        payload = opened.payload
        issuer = payload.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        kid = str(opened.header.get("kid") or "")
        if issuer_id != self.keys.did and not kid.startswith(f"{self.keys.did}#"):
            return Verdict(
                "unknown_issuer",
                f"issued by {str(issuer_id)[:200] if issuer_id else 'no one named'}, not by this PARS "
                f"({self.keys.did}): only its own credentials are checked here",
            )
        if self.keys.public_key(kid) is None:
            return Verdict("tampered", f"signed with a key this issuer never published ({kid[:200]})")
        # Only a payload whose signature holds is read further: what it says is then this PARS's own words.
        if (
            not signature_holds(self.keys, token, opened)
            or issuer_id != self.keys.did
            or payload.get("iss")
            not in (
                None,
                self.keys.did,
            )
        ):
            return Verdict("tampered", "the signature does not match the credential's bytes", key=kid)
        verdict = self._describe(opened)
        verdict.reason = "signed by this PARS and not revoked"
        if verdict.kind == "BitstringStatusListCredential":
            verdict.reason = "a status list signed by this PARS"
            return verdict
        revoked = self._check_status(payload, verdict, fetch)
        if revoked is not None:
            return revoked
        if verdict.kind == "ClrCredential":
            self._verify_members(payload, verdict, fetch)
        return verdict

    def _own_list(self, url: str) -> str | None:
        prefix = status_list_url(self.public_url, 0)[:-1]
        if not url.startswith(prefix) or not url[len(prefix) :].isdigit():
            return None
        return self.status_list(int(url[len(prefix) :]))

    def _describe(self, opened: Opened) -> Verdict:
        payload = opened.payload
        types = payload.get("type") or []
        kind = next((t for t in types if t != "VerifiableCredential"), None) if isinstance(types, list) else None
        issuer = payload.get("issuer")
        kid = str(opened.header.get("kid") or "")
        v = Verdict(
            "valid",
            "",
            kind=kind,
            issuer=issuer if isinstance(issuer, dict) else {"id": issuer},
            key=kid,
            key_retired=kid != self.keys.signing_kid,
            issued=payload.get("validFrom"),
        )
        subject = payload.get("credentialSubject")
        if isinstance(subject, dict) and kind in ("OpenBadgeCredential", "ClrCredential"):
            v.subject = {"id": subject.get("id"), "name": _subject_name(subject)}
        if kind == "OpenBadgeCredential" and isinstance(subject, dict):
            achievement = subject.get("achievement") or {}
            source = subject.get("source") or {}
            names = {d.get("id"): d.get("name") for d in achievement.get("resultDescription") or []}
            v.about = {
                "activity": achievement.get("name"),
                "activity_id": achievement.get("id", "").rsplit(":", 1)[-1],
                "provider": source.get("name"),
                "completed": str(subject.get("activityEndDate") or "")[:10],
                "credits": [
                    {"type": names.get(r.get("resultDescription")), "credits": r.get("value")}
                    for r in subject.get("result") or []
                ],
                "record": (payload.get("evidence") or [{}])[0].get("name"),
            }
        elif kind == "ClrCredential":
            v.about = {"transcript": payload.get("name"), "description": payload.get("description")}
        return v

    def _check_status(self, payload: dict[str, Any], v: Verdict, fetch: _Lists) -> Verdict | None:
        entry = payload.get("credentialStatus")
        if not isinstance(entry, dict):
            v.verdict, v.reason = "tampered", "it names no status list, which every credential of this PARS does"
            return v
        url = str(entry.get("statusListCredential") or "")
        try:
            index = int(entry.get("statusListIndex"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            v.verdict, v.reason = "tampered", "its status list index is not a number"
            return v
        v.status = {"list": url, "index": index, "revoked": False}
        bits = self._list_bits(url, fetch)
        if isinstance(bits, str):
            v.verdict, v.reason = "tampered", bits
            return v
        if index >= len(bits) * 8:
            v.verdict, v.reason = "tampered", f"index {index} is outside the status list {url}"
            return v
        if bit_set(bits, index):
            v.status["revoked"] = True
            v.verdict, v.reason = "revoked", "revoked: the record was deleted or the physician's data erased"
            return v
        return None

    def _list_bits(self, url: str, fetch: _Lists) -> bytes | str:
        """The bits of the status list at `url`, once its signature, its id and its lifetime are checked; else
        why not. Each list is asked for and checked once per verification, however many credentials name it."""
        if url not in fetch.checked:
            fetch.checked[url] = self._checked_list(url, fetch.source(url))
        return fetch.checked[url]

    def _checked_list(self, url: str, listed: str | None) -> bytes | str:
        if listed is None:
            return f"it names a status list this PARS does not publish ({url})"
        try:
            opened = open_jws(listed)
        except Unreadable:
            opened = None
        if opened is None or not signature_holds(self.keys, listed, opened) or opened.payload.get("id") != url:
            return f"the status list {url} was altered: its signature does not hold"
        until = str(opened.payload.get("validUntil") or "")
        if not until or datetime.fromisoformat(until) < self.clock():
            return f"the status list {url} has expired; fetch it again"
        try:
            bits = decode_list(str(opened.payload["credentialSubject"]["encodedList"]))
        except (KeyError, TypeError, ValueError, OSError):
            return f"the status list {url} does not decode"
        if len(bits) * 8 < LIST_SIZE:
            return f"the status list {url} is shorter than a status list"
        return bits

    def _verify_members(self, payload: dict[str, Any], v: Verdict, fetch: _Lists) -> None:
        members = (payload.get("credentialSubject") or {}).get("verifiableCredential") or []
        for envelope in members:
            token = token_of(envelope)
            member = (
                self._verify(token, fetch)
                if token
                else Verdict("tampered", "a bundled credential is not an enveloped JWT of this PARS")
            )
            v.credentials.append(member)
        bad = [m for m in v.credentials if m.verdict != "valid"]
        if any(m.verdict in ("tampered", "unknown_issuer") for m in bad):
            v.verdict, v.reason = "tampered", "a completion bundled in the transcript does not verify"
        elif bad:
            v.verdict = "revoked"
            v.reason = f"{len(bad)} of its {len(v.credentials)} completions were revoked (record deleted)"

    def _verify_reference(self, token: str, opened: Opened) -> Verdict:
        claims = opened.payload
        v = Verdict("valid", "", kind="TranscriptReference", key=str(opened.header.get("kid") or ""))
        v.issuer = {"id": claims.get("iss")}
        if not signature_holds(self.keys, token, opened) or claims.get("iss") != self.keys.did:
            v.verdict, v.reason = "tampered", "the transcript reference's signature does not hold"
            return v
        v.key_retired = v.key != self.keys.signing_kid
        v.issued = datetime.fromtimestamp(int(claims.get("iat") or 0), UTC).isoformat()
        learner_id = str(claims.get("sub") or "").removeprefix("urn:uuid:")
        entry = self.directory.get_learner(learner_id)
        doc = entry["doc"] if entry else {}
        v.subject = {"id": claims.get("sub"), "name": f"{doc.get('first_name', '')} {doc.get('last_name', '')}".strip()}
        v.about = {"from": claims.get("from"), "to": claims.get("to"), "completions": claims.get("n")}
        status = self.status.current(learner_subject(learner_id))
        if status is None or status[1] or self.status.is_revoked(int(claims.get("status", -1))):
            v.verdict, v.reason = "revoked", "revoked: the physician's data were erased"
            return v
        start = date.fromisoformat(claims["from"]) if claims.get("from") else None
        end = date.fromisoformat(claims["to"]) if claims.get("to") else None
        upto = int(claims.get("upto", -1))
        rows = self.transcripts.for_learner(learner_id, start, end)
        current = self.status.current_of([row["key"] for row in rows])
        now = [index for index, revoked in current.values() if not revoked and index <= upto]
        if _digest(now) != claims.get("digest"):
            gone = int(claims.get("n") or 0) - len(now)
            v.verdict = "revoked"
            v.reason = f"revoked: {max(gone, 1)} of its {claims.get('n')} completions were deleted or corrected since"
            return v
        v.reason = "issued by this PARS; every completion it listed still stands"
        return v
