"""Web accounts by tenant: who was invited, whether they have set a password, when they last signed in.

Sign-in itself loads the `Account` aggregate (its id comes from the email); this read model
answers the lists: a provider's users, the accreditor's invitations."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.account import Account
from projections.base import ParsProjection, ProjectionView


class AccountView(ProjectionView):
    @abstractmethod
    def get_account(self, account_id: str) -> dict[str, Any] | None:
        """One account's document, or None."""

    @abstractmethod
    def put_account(self, account_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        """Stores (or replaces) one account's document."""

    @abstractmethod
    def delete_account(self, account_id: str, tracking: Tracking) -> None:
        """Removes one account's document (the account was erased)."""

    @abstractmethod
    def list_accounts(self, tenants: list[str] | None = None, role: str | None = None) -> list[dict[str, Any]]:
        """Accounts of these tenants (all when None) and of this role (any when None), by email."""


class AccountProjection(ParsProjection[AccountView]):
    name = "accounts"
    skips_unhandled = True  # every other event only advances its position

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Account.Invited, tracking: Tracking) -> None:
        if not e.email:  # an erased account's invitation (its key is gone): no row, and none to collide on the email
            self.view.insert_tracking(tracking)
            return
        doc: dict[str, Any] = {
            "account_id": str(e.originator_id),
            "email": e.email,
            "name": e.name,
            "title": "",
            "phone": "",
            "role": e.role,
            "tenant": e.tenant,
            "status": "invited",
            "invited_by": e.actor,
            "signed_up": isinstance(e, Account.SignedUp),  # a physician's own account, invited by nobody
            "invited_at": e.timestamp.isoformat(),
            "last_sign_in": None,
            "locked_until": None,
        }
        self.view.put_account(doc["account_id"], doc, tracking)

    def _change(self, e: Any, tracking: Tracking, **changes: Any) -> None:
        doc = self.view.get_account(str(e.originator_id))
        if doc is None:  # an erased account (no row), read again by a rebuild
            self.view.insert_tracking(tracking)
            return
        self.view.put_account(doc["account_id"], {**doc, **changes}, tracking)

    @process_event.register
    def _(self, e: Account.PasswordSet, tracking: Tracking) -> None:
        self._change(e, tracking, status="active", locked_until=None)

    @process_event.register
    def _(self, e: Account.ProfileEdited, tracking: Tracking) -> None:
        self._change(e, tracking, name=e.name, title=e.title, phone=e.phone)

    @process_event.register
    def _(self, e: Account.SignInFailed, tracking: Tracking) -> None:
        self._change(e, tracking, locked_until=e.locked_until.isoformat() if e.locked_until else None)

    @process_event.register
    def _(self, e: Account.SignedIn, tracking: Tracking) -> None:
        self._change(e, tracking, last_sign_in=e.timestamp.isoformat(), locked_until=None)

    @process_event.register
    def _(self, e: Account.Erased, tracking: Tracking) -> None:
        self.view.delete_account(str(e.originator_id), tracking)
