"""WebhookRegistry: a provider's endpoints registered, removed, and deliveries sent again.

The signing secret is the one thing of an endpoint not in its events (they are kept for good and
published on `pars.events`): the registry hands it to `WebhookSecrets` (sealed in a table beside the
log) before the registration is saved, and deletes it after the removal is. The address checks (the
URL resolves to public addresses only) are the adapter's `UrlGuard`, asked at registration here and
again by the sender before each delivery (DNS may change)."""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError

from commands.webhooks import RedeliverWebhook, RegisterWebhook, RemoveWebhook, WebhookCommand
from domain.base import Acting, require_accme_id
from domain.webhook import (
    MAX_ENDPOINTS,
    TooManyWebhooksError,
    WebhookEndpoint,
    WebhookNotFoundError,
    check_events,
    check_secret,
    check_url,
)
from projections.webhooks import WebhookView
from services.store import ParsStore


class WebhookSecrets(Protocol):
    """Where endpoints' signing secrets are kept (adapters/db/webhook_secret_store.py)."""

    def put(self, endpoint_id: str, secret: str) -> None: ...

    def get(self, endpoint_id: str) -> str | None:
        """The secret, or None when there is none or it cannot be unsealed (PARS_SECRET_KEY changed)."""

    def delete(self, endpoint_id: str) -> None: ...


class UrlGuard(Protocol):
    def __call__(self, url: str) -> None:
        """Raises WebhookRuleError (loc `url`) when the URL must not be called: a scheme not allowed, a
        host that does not resolve, or one that resolves to a private, loopback or link-local address."""


class DeliveryLookup(Protocol):
    def delivery(self, accme_id: str, delivery_id: str) -> dict[str, Any] | None:
        """One delivery of the provider's, or None."""


@dataclass(frozen=True)
class Registered:
    endpoint: dict[str, Any]
    position: int


def new_endpoint_id() -> str:
    return "wh_" + random.token_hex(8)


class WebhookRegistry:
    def __init__(
        self,
        store: ParsStore,
        view: WebhookView,
        secrets: WebhookSecrets,
        guard: UrlGuard,
        deliveries: DeliveryLookup,
    ) -> None:
        self.store = store
        self.view = view
        self.secrets = secrets
        self.guard = guard
        self.deliveries = deliveries

    def handle(self, cmd: WebhookCommand, by: Acting) -> Any:
        """Hands the command to its handler below; what each returns is said there."""
        match cmd:
            case RegisterWebhook():
                return self.register(cmd, by)
            case RemoveWebhook():
                return self.remove(cmd, by)
            case RedeliverWebhook():
                return self.redeliver(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a webhook command")

    def register(self, cmd: RegisterWebhook, by: Acting) -> Registered:
        """Checks the URL (shape, then where it resolves), the secret and the events; keeps the secret sealed,
        then records the endpoint. Answers the endpoint as listed and the log position to wait for."""
        accme_id = require_accme_id(cmd.accme_id)
        url = check_url(cmd.url)
        check_secret(cmd.secret)
        events = check_events(list(cmd.events))
        self.guard(url)
        if len(self.view.endpoints(accme_id)) >= MAX_ENDPOINTS:
            raise TooManyWebhooksError(
                f"a provider has at most {MAX_ENDPOINTS} webhooks; remove one first", loc=("webhook_id",)
            )
        endpoint_id = new_endpoint_id()
        endpoint = WebhookEndpoint.register(accme_id, endpoint_id, url, events, by)
        self.secrets.put(endpoint_id, cmd.secret)  # first: a saved endpoint always has its secret
        position = self.store.save(endpoint)[-1].notification.id
        shown = {
            "id": endpoint_id,
            "accme_id": accme_id,
            "url": url,
            "events": events,
            "created_at": endpoint.created_on.isoformat(),
            "created_by": by.actor,
            "channel": str(by.channel),
        }
        return Registered(shown, position)

    def remove(self, cmd: RemoveWebhook, by: Acting) -> int | None:
        """Records the removal and drops the secret; the position to wait for (None: removed before)."""
        endpoint = self._endpoint(cmd.accme_id, cmd.webhook_id)
        if not endpoint.remove(by):
            return None
        position = self.store.save(endpoint)[-1].notification.id
        self.secrets.delete(endpoint.endpoint_id)
        return position

    def redeliver(self, cmd: RedeliverWebhook, by: Acting) -> int:
        """Records the request; the sender puts a new delivery of the same event at the end of the queue."""
        endpoint = self._endpoint(cmd.accme_id, cmd.webhook_id)
        delivery = self.deliveries.delivery(cmd.accme_id, cmd.delivery_id)
        if delivery is None or delivery["webhook_id"] != endpoint.endpoint_id:
            raise WebhookNotFoundError(
                f"webhook {cmd.webhook_id} has no delivery {cmd.delivery_id!r}", loc=("delivery_id",)
            )
        endpoint.request_redelivery(cmd.delivery_id, by)
        return self.store.save(endpoint)[-1].notification.id

    def _endpoint(self, accme_id: str, webhook_id: str) -> WebhookEndpoint:
        try:
            endpoint: WebhookEndpoint = self.store.repository.get(WebhookEndpoint.create_id(webhook_id))
        except AggregateNotFoundError:
            endpoint = None  # type: ignore[assignment]
        if endpoint is None or endpoint.accme_id != accme_id:  # another provider's: as if it did not exist
            raise WebhookNotFoundError(f"provider {accme_id} has no webhook {webhook_id!r}", loc=("webhook_id",))
        return endpoint
