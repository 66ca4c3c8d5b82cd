"""Builds the webhook sender of a system (services/webhook_sender.py) from its settings."""

from __future__ import annotations

from adapters.bootstrap import System
from adapters.db.webhook_store import SqlWebhookFacts
from projections.webhooks import WebhookProjection
from services.webhook_sender import NEEDS, RetryPolicy, WebhookSender


def webhook_sender(system: System) -> WebhookSender:
    settings = system.settings
    projections = system.projections
    sender = WebhookSender(
        store=system.store,
        endpoints=projections.get(WebhookProjection).view,
        facts=SqlWebhookFacts(system.db),
        deliveries=system.webhook_deliveries,
        transport=system.webhook_transport,
        secrets=system.webhook_secrets,
        bound=lambda: min(projections.positions(NEEDS).values()),
        policy=RetryPolicy(settings.webhook_retry_first, settings.webhook_retry_longest, settings.webhook_retry_for),
        workers=settings.webhook_workers,
        lease_seconds=settings.webhook_lease,
    )
    # In the process that runs the projections (`pars serve`), the sender hears at once that they moved;
    # elsewhere it looks every IDLE_POLL_SECONDS.
    projections.add_listener(sender.wake)
    return sender
