"""Webhook signing secrets, beside the log (`webhook_secrets`), sealed with AES-GCM.

The sender needs each secret itself (an HMAC is computed with it), so it cannot be hashed like a password.
It is kept out of the events (kept for good, published on `pars.events`) and sealed under a key derived
from PARS_SECRET_KEY (HKDF-SHA256), with the endpoint id as associated data (a sealed secret copied onto
another endpoint's row does not open). A database copy or backup alone does not reveal the secrets; with
PARS_SECRET_KEY changed they no longer open, and the sender logs each delivery of such an endpoint as failed
with the reason ("register it again"), as rotating the key ends every token too."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select

from adapters.db.database import Database
from adapters.db.view_base import upsert
from adapters.db.webhooks_tables import webhook_secrets

NONCE = 12


def sealing_key(signing_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pars webhook secrets v1").derive(
        signing_key.encode()
    )


class SqlWebhookSecrets:
    def __init__(self, db: Database, signing_key: str) -> None:
        self.db = db
        self._aead = AESGCM(sealing_key(signing_key))

    def put(self, endpoint_id: str, secret: str) -> None:
        nonce = os.urandom(NONCE)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), endpoint_id.encode())
        statement = upsert(self.db, webhook_secrets).values(endpoint_id=endpoint_id, sealed=sealed)
        with self.db.engine.begin() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["endpoint_id"], set_={"sealed": sealed}))

    def get(self, endpoint_id: str) -> str | None:
        with self.db.read_engine.connect() as conn:
            sealed = conn.execute(
                select(webhook_secrets.c.sealed).where(webhook_secrets.c.endpoint_id == endpoint_id)
            ).scalar()
        if sealed is None:
            return None
        sealed = bytes(sealed)
        try:
            return self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], endpoint_id.encode()).decode()
        except InvalidTag:
            return None

    def delete(self, endpoint_id: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(webhook_secrets).where(webhook_secrets.c.endpoint_id == endpoint_id))
