"""Web accounts: who has an account with a provider or an accreditor (the account_list read model)."""

from __future__ import annotations

from typing import Any

from projections.accounts import AccountView


class AccountQueries:
    def __init__(self, view: AccountView) -> None:
        self.view = view

    def list_accounts(self, tenants: list[str] | None = None, role: str | None = None) -> list[dict[str, Any]]:
        return self.view.list_accounts(tenants, role=role)

    def of_provider(self, accme_id: str) -> list[dict[str, Any]]:
        return self.view.list_accounts([f"provider:{accme_id}"])

    def of_accreditor(self, state: str | None, scope: str) -> list[dict[str, Any]]:
        """An accreditor's staff, and the physicians its staff invited (physicians' accounts belong to no
        accreditor: a state's staff see those its own staff invited; ACCME's staff, who run CME Passport,
        also see the accounts physicians opened themselves)."""
        invited_here = "accreditor:" if state is None else f"accreditor:{state}:"
        physicians = [
            a
            for a in self.view.list_accounts(role="learner")
            if a["invited_by"].startswith(invited_here) or (state is None and a.get("signed_up"))
        ]
        return self.view.list_accounts([f"accreditor:{scope}"]) + physicians
