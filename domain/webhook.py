"""A provider's webhook endpoint: where PARS pushes the changes its systems subscribed to.

Each endpoint is its own stream (`uuid5("webhook:" + endpoint id)`), carrying the provider's ACCME ID
like every event, so registrations and removals appear in the provider's history. The signing secret
is never recorded in an event (events are kept for good and published on `pars.events`): the service
keeps it sealed in a table beside the log (adapters/db/webhook_secret_store.py).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate, require_accme_id
from domain.errors import ConflictError, InvalidValueError, NotFoundError

WEBHOOK_NAMESPACE = uuid.UUID("7c2b1f0e-3d5a-4e8b-9a61-52c0f4d7e913")

#: What a provider's systems may subscribe to, and the events of the log each one is sent for.
EVENT_TYPES = ("completion.accepted", "completion.rejected", "activity.closed", "checklist.changed")
MAX_URL = 2000
MIN_SECRET, MAX_SECRET = 16, 200
MAX_ENDPOINTS = 10


class WebhookRuleError(InvalidValueError):
    """Raised when an endpoint's URL, secret or event types break a rule."""


class WebhookNotFoundError(NotFoundError):
    """Raised when the provider has no (standing) endpoint with the given id."""


class TooManyWebhooksError(ConflictError):
    """Raised when a provider already has the most endpoints allowed."""


def check_url(url: str) -> str:
    """The URL trimmed, if it is an absolute http(s) URL without credentials or fragment; the address
    checks (public, resolvable) are the adapter's, at registration and again at every delivery."""
    url = (url or "").strip()
    if not url:
        raise WebhookRuleError("a URL is required", loc=("url",))
    if len(url) > MAX_URL:
        raise WebhookRuleError(f"the URL is longer than {MAX_URL} characters", loc=("url",))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookRuleError(f"{url!r} is not a URL", loc=("url",)) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookRuleError("the URL must start with https:// and name a host", loc=("url",))
    if parts.username is not None or parts.password is not None:
        raise WebhookRuleError("the URL must not carry a user name or password", loc=("url",))
    if parts.fragment:
        raise WebhookRuleError("the URL must not have a #fragment", loc=("url",))
    if port == 0:
        raise WebhookRuleError("the URL's port must be 1 to 65535", loc=("url",))
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise WebhookRuleError("the URL must not contain spaces or control characters", loc=("url",))
    return url


def check_secret(secret: str) -> str:
    if not isinstance(secret, str) or not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise WebhookRuleError(
            f"the secret must be {MIN_SECRET} to {MAX_SECRET} characters (a long random string)", loc=("secret",)
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in secret):
        raise WebhookRuleError("the secret must not contain control characters", loc=("secret",))
    return secret


def check_events(events: list[str]) -> list[str]:
    """The event types once each, in the order EVENT_TYPES lists them; at least one."""
    if not events:
        raise WebhookRuleError(f"choose at least one event: {', '.join(EVENT_TYPES)}", loc=("events",))
    for i, name in enumerate(events):
        if name not in EVENT_TYPES:
            raise WebhookRuleError(
                f"{name!r} is not an event PARS sends; choose among {', '.join(EVENT_TYPES)}", loc=("events", str(i))
            )
    return [name for name in EVENT_TYPES if name in events]


class WebhookEndpoint(ParsAggregate):
    """One endpoint of one provider: its URL and the event types it receives, until removed."""

    class Registered(ParsAggregate.Created):
        endpoint_id: str
        url: str
        events: list[str]

    class Removed(ParsAggregate.Event):
        endpoint_id: str

    class RedeliveryRequested(ParsAggregate.Event):
        """The provider asked for a delivery to be sent again: it goes to the end of the endpoint's queue."""

        endpoint_id: str
        delivery_id: str

    @staticmethod
    def create_id(endpoint_id: str) -> uuid.UUID:
        return uuid.uuid5(WEBHOOK_NAMESPACE, f"webhook:{endpoint_id}")

    @classmethod
    def register(cls, accme_id: str, endpoint_id: str, url: str, events: list[str], by: Acting) -> WebhookEndpoint:
        require_accme_id(accme_id)
        return cls(
            accme_id=accme_id,
            endpoint_id=endpoint_id,
            url=check_url(url),
            events=check_events(events),
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Registered)
    def __init__(self, accme_id: str, endpoint_id: str, url: str, events: list[str], actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.endpoint_id = endpoint_id
        self.url = url
        self.events = list(events)
        self.removed = False

    def remove(self, by: Acting) -> bool:
        """Removing twice is the same as once (False: nothing recorded)."""
        if self.removed:
            return False
        self._remove(endpoint_id=self.endpoint_id, **self._meta(by))
        return True

    def request_redelivery(self, delivery_id: str, by: Acting) -> None:
        if self.removed:
            raise WebhookNotFoundError(f"webhook {self.endpoint_id} was removed", loc=("webhook_id",))
        self._redeliver(endpoint_id=self.endpoint_id, delivery_id=delivery_id, **self._meta(by))

    @event(RedeliveryRequested)
    def _redeliver(self, endpoint_id: str, delivery_id: str, accme_id: str, actor: str, channel: str) -> None:
        pass

    @event(Removed)
    def _remove(self, endpoint_id: str, accme_id: str, actor: str, channel: str) -> None:
        self.removed = True
