"""SQL implementations for web accounts: the read model, password hashes and sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from adapters.db.account_tables import account_credentials, sign_in_throttle, web_accounts, web_sessions
from adapters.db.database import Database
from adapters.db.views import SqlDocumentView
from domain.account import Throttle
from projections.accounts import AccountView


class SqlAccountView(SqlDocumentView, AccountView):
    tables = (web_accounts,)
    table = web_accounts

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {"email": doc["email"], "tenant": doc["tenant"], "doc": doc}

    def get_account(self, account_id: str) -> dict[str, Any] | None:
        return self._get_doc(account_id)

    def put_account(self, account_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(account_id, doc, tracking)

    def delete_account(self, account_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.dirty.pop(account_id, None)  # put earlier in this batch: never written
            batch.docs[account_id] = None
            conn.execute(delete(web_accounts).where(web_accounts.c.account_id == account_id))
            self._track(conn, tracking)

    def list_accounts(self, tenants: list[str] | None = None, role: str | None = None) -> list[dict[str, Any]]:
        query = select(web_accounts.c.doc).order_by(web_accounts.c.email)
        if tenants is not None:
            query = query.where(web_accounts.c.tenant.in_(tenants))
        if role is not None:
            query = query.where(web_accounts.c.tenant.like(f"{role}:%"))
        with self.reading() as conn:
            return list(conn.execute(query).scalars())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SqlCredentials:
    """Argon2 hashes by account id (see account_tables for why they are not events)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, account_id: str) -> str | None:
        with self.db.read_engine.connect() as conn:
            return conn.execute(
                select(account_credentials.c.password_hash).where(account_credentials.c.account_id == account_id)
            ).scalar()

    def put(self, account_id: str, password_hash: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(account_credentials).where(account_credentials.c.account_id == account_id))
            conn.execute(
                insert(account_credentials).values(
                    account_id=account_id, password_hash=password_hash, updated_at=_now()
                )
            )

    def delete(self, account_id: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(account_credentials).where(account_credentials.c.account_id == account_id))


def _naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment else None


class SqlSignInThrottle:
    """Wrong passwords per (email, client address) key; the rule is the domain's `Throttle`."""

    #: Every this many failures, rows nobody has failed on for a day are swept (a spray of guesses
    #: over many emails and addresses must not grow the table for ever).
    SWEEP_EVERY = 100

    def __init__(self, db: Database) -> None:
        self.db = db
        self._failures = 0

    def locked(self, key: str, now: datetime) -> datetime | None:
        with self.db.read_engine.connect() as conn:
            until = conn.execute(select(sign_in_throttle.c.locked_until).where(sign_in_throttle.c.key == key)).scalar()
        return Throttle(locked_until=_aware(until)).locked(now)

    def failed(self, key: str, now: datetime) -> datetime | None:
        """Counts one wrong password for the key; when sign-in for it is paused now, until when."""
        for _ in range(3):  # two first failures at once: one insert wins, the other counts again
            try:
                with self.db.engine.begin() as conn:
                    row = conn.execute(
                        select(sign_in_throttle).where(sign_in_throttle.c.key == key).with_for_update()
                    ).first()
                    before = (
                        Throttle(row.failures, _aware(row.window_started), _aware(row.locked_until))
                        if row
                        else Throttle()
                    )
                    after = before.failed(now)
                    values = {
                        "failures": after.failures,
                        "window_started": _naive(after.window_started),
                        "locked_until": _naive(after.locked_until),
                    }
                    if row is None:
                        conn.execute(insert(sign_in_throttle).values(key=key, **values))
                    else:
                        conn.execute(update(sign_in_throttle).where(sign_in_throttle.c.key == key).values(**values))
                break
            except IntegrityError:
                continue
        else:
            return None
        self._failures += 1
        if self._failures % self.SWEEP_EVERY == 0:
            self.sweep(now)
        return after.locked(now)

    def sweep(self, now: datetime) -> int:
        """Deletes the rows of pairs with no failure and no pause within the last day."""
        day_ago = _naive(now - timedelta(days=1))
        stale = and_(
            or_(sign_in_throttle.c.locked_until.is_(None), sign_in_throttle.c.locked_until < day_ago),
            or_(sign_in_throttle.c.window_started.is_(None), sign_in_throttle.c.window_started < day_ago),
        )
        with self.db.engine.begin() as conn:
            return conn.execute(delete(sign_in_throttle).where(stale)).rowcount

    def clear(self, key: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(sign_in_throttle).where(sign_in_throttle.c.key == key))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlSessions:
    """Server-side sessions: the cookie holds a random token, the table its digest; revoking is one update."""

    def __init__(self, db: Database, lifetime: timedelta = timedelta(hours=12)) -> None:
        self.db = db
        self.lifetime = lifetime

    def open(self, account_id: str) -> str:
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.db.engine.begin() as conn:
            # Sessions ended a day ago or more are of no use to anyone: each sign-in sweeps them.
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now - timedelta(days=1)))
            conn.execute(
                insert(web_sessions).values(
                    digest=_digest(token), account_id=account_id, created_at=now, expires_at=now + self.lifetime
                )
            )
        return token

    def account_of(self, token: str) -> str | None:
        """The signed-in account, if the session is neither expired nor revoked."""
        with self.db.read_engine.connect() as conn:
            row = conn.execute(select(web_sessions).where(web_sessions.c.digest == _digest(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= _now():
            return None
        return row.account_id

    def revoke(self, token: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.digest == _digest(token)).values(revoked_at=_now()))

    def end_all(self, account_id: str) -> int:
        """Deletes the account's sessions, ended or not (an erased account keeps no trace here)."""
        with self.db.engine.begin() as conn:
            return conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account_id)).rowcount

    def revoke_all(self, account_id: str) -> int:
        with self.db.engine.begin() as conn:
            return conn.execute(
                update(web_sessions)
                .where(web_sessions.c.account_id == account_id, web_sessions.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            ).rowcount
