"""A provider's webhooks: its endpoints (add, remove), each one's recent deliveries with their attempts and
the endpoint's answers, and a delivery sent again. The same commands and reads as the API routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.reads import WebhooksDep
from adapters.http.services import SettleDep, WebhookRegistryDep
from adapters.http.statuses import domain_status
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors, render
from adapters.web.routes.provider import editable, readable
from adapters.web.session import PageNotFound, UserDep, WebUser
from commands.webhooks import RedeliverWebhook, RegisterWebhook, RemoveWebhook
from domain.errors import DomainError
from domain.webhook import EVENT_TYPES
from services.queries.webhooks import WebhookQueries

router = APIRouter()
EVENT_WORDS = {
    "completion.accepted": "A board accepted a record",
    "completion.rejected": "A board rejected a record",
    "activity.closed": "An activity was closed",
    "checklist.changed": "A step of the annual report was done or undone",
}
FIELDS = {"url": "url", "secret": "secret", "events": "events"}


def _page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    webhooks: WebhookQueries,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    accme_id = profile["accme_id"]
    endpoints = [
        {**e, "deliveries": webhooks.deliveries(accme_id, e["id"], limit=20)[0]} for e in webhooks.endpoints(accme_id)
    ]
    return render(
        request,
        "provider/webhooks.html",
        status,
        provider=profile,
        endpoints=endpoints,
        event_types=[(e, EVENT_WORDS[e]) for e in EVENT_TYPES],
        errors=errors or {},
        form=form or {},
        can_edit=user.principal.can_edit_provider(accme_id),
    )


@router.get("/provider/{accme_id}/webhooks")
def webhooks_page(request: Request, user: UserDep, webhooks: WebhooksDep, accme_id: str) -> Response:
    return _page(request, user, readable(request, user, accme_id), webhooks)


@router.get("/provider/{accme_id}/webhooks/{webhook_id}/deliveries/{delivery_id}")
def delivery_page(
    request: Request, user: UserDep, webhooks: WebhooksDep, accme_id: str, webhook_id: str, delivery_id: str
) -> Response:
    profile = readable(request, user, accme_id)
    found = webhooks.delivery(accme_id, webhook_id, delivery_id)
    if found is None:
        raise PageNotFound()
    return render(
        request,
        "provider/webhook_delivery.html",
        200,
        provider=profile,
        delivery=found,
        endpoint=webhooks.endpoint(accme_id, webhook_id),
        can_edit=user.principal.can_edit_provider(accme_id),
    )


@router.post("/provider/{accme_id}/webhooks")
async def add_webhook(
    request: Request,
    read_models: SettleDep,
    registry: WebhookRegistryDep,
    webhooks: WebhooksDep,
    user: UserDep,
    accme_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    events = form.get("events", [])
    events = [events] if isinstance(events, str) else list(events)
    shown = {"url": form.get("url", ""), "events": events}  # never the secret back into the page
    try:
        registered = registry.handle(
            RegisterWebhook(accme_id=accme_id, url=shown["url"], secret=form.get("secret", ""), events=events),
            user.acting,
        )
    except ValidationError as bad:
        return _page(request, user, profile, webhooks, field_errors(pydantic_errors(bad), FIELDS, "url"), shown, 422)
    except DomainError as bad:
        errors = field_errors(loc_errors(bad), FIELDS, "url")
        return _page(request, user, profile, webhooks, errors, shown, domain_status(bad))
    settle(read_models, registered.position)
    return see_other(f"/provider/{accme_id}/webhooks", f"The webhook to {registered.endpoint['url']} is added.")


@router.post("/provider/{accme_id}/webhooks/{webhook_id}/remove")
async def remove_webhook(
    request: Request,
    read_models: SettleDep,
    registry: WebhookRegistryDep,
    webhooks: WebhooksDep,
    user: UserDep,
    accme_id: str,
    webhook_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    try:
        position = registry.handle(RemoveWebhook(accme_id=accme_id, webhook_id=webhook_id), user.acting)
    except DomainError as bad:
        return _page(request, user, profile, webhooks, {"_form": bad.message}, None, domain_status(bad))
    settle(read_models, position)
    return see_other(f"/provider/{accme_id}/webhooks", "The webhook is removed: nothing more is sent to it.")


@router.post("/provider/{accme_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    request: Request,
    registry: WebhookRegistryDep,
    webhooks: WebhooksDep,
    user: UserDep,
    accme_id: str,
    webhook_id: str,
    delivery_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    try:
        registry.handle(
            RedeliverWebhook(accme_id=accme_id, webhook_id=webhook_id, delivery_id=delivery_id), user.acting
        )
    except DomainError as bad:
        return _page(request, user, profile, webhooks, {"_form": bad.message}, None, domain_status(bad))
    return see_other(
        f"/provider/{accme_id}/webhooks", "The delivery will be sent again, after what the webhook is waiting for."
    )
