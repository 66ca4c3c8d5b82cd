"""Commands about a provider's webhook endpoints."""

from __future__ import annotations

from pydantic import Field

from commands.base import Command


class RegisterWebhook(Command):
    """Registers an endpoint that receives the provider's events of the chosen types, signed with `secret`."""

    accme_id: str
    url: str
    secret: str = Field(repr=False)  # kept sealed beside the log, never in an event or an answer
    events: list[str]


class RemoveWebhook(Command):
    """Removes an endpoint: nothing more is sent to it, and its deliveries still pending are cancelled."""

    accme_id: str
    webhook_id: str


class RedeliverWebhook(Command):
    """Sends one delivery of an endpoint again, at the end of its queue."""

    accme_id: str
    webhook_id: str
    delivery_id: str


WebhookCommand = RegisterWebhook | RemoveWebhook | RedeliverWebhook
