"""A provider's webhooks: endpoints registered, listed (never their secrets) and removed; each endpoint's
deliveries with every attempt and the endpoint's answers; a delivery sent again."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import Field

from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath, Strict
from adapters.http.locations import placed
from adapters.http.reads import WebhooksDep
from adapters.http.services import SettleDep, WebhookRegistryDep
from commands.webhooks import RedeliverWebhook, RegisterWebhook, RemoveWebhook
from domain.webhook import EVENT_TYPES, MAX_SECRET, MAX_URL

router = APIRouter(prefix="/api/v1/providers/{accme_id}/webhooks", tags=["webhooks"])
WebhookIdPath = Annotated[str, Path(pattern=r"^wh_[0-9a-f]{16}$", description="the webhook's id")]
DeliveryIdPath = Annotated[str, Path(max_length=60, description="a delivery's id")]
#: The endpoint list must show a change before the route answers.
SETTLED = ["webhooks"]


class WebhookCreate(Strict):
    url: str = Field(max_length=MAX_URL, description="https:// address on a public host")
    secret: str = Field(
        max_length=MAX_SECRET, description="16 to 200 characters; signs each delivery; never shown again"
    )
    events: list[str] = Field(max_length=len(EVENT_TYPES) * 2, description=f"among {', '.join(EVENT_TYPES)}")


def _not_found(webhook_id: str) -> Problem:
    return Problem(404, f"no webhook {webhook_id}", [{"loc": ["path", "webhook_id"], "msg": "not found"}])


@router.get("")
def list_webhooks(
    webhooks: WebhooksDep, access: AccessDep, principal: PrincipalDep, accme_id: AccmeIdPath
) -> list[dict[str, Any]]:
    """The provider's webhook endpoints: URL, events, who registered them and when (never the secret)."""
    access.visible(principal, accme_id)
    return webhooks.endpoints(accme_id)


@router.post("", status_code=status.HTTP_201_CREATED, responses=COMMAND)
@placed("body", "url", "secret", "events")
def create_webhook(
    body: WebhookCreate,
    registry: WebhookRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """Registers an endpoint for the provider's events; each delivery is signed with the secret
    (`PARS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`)."""
    access.require_editor(principal, accme_id)
    registered = registry.handle(
        RegisterWebhook(accme_id=accme_id, url=body.url, secret=body.secret, events=body.events), acting(principal)
    )
    settle(registered.position, SETTLED)
    return dict(registered.endpoint)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def remove_webhook(
    webhook_id: WebhookIdPath,
    registry: WebhookRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> Response:
    """Removes an endpoint: nothing more is sent to it; its pending deliveries are cancelled."""
    access.require_editor(principal, accme_id)
    settle(registry.handle(RemoveWebhook(accme_id=accme_id, webhook_id=webhook_id), acting(principal)), SETTLED)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: WebhookIdPath,
    webhooks: WebhooksDep,
    access: AccessDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    delivery_status: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The endpoint's deliveries, newest first: status, attempts, the last answer or error, the next attempt."""
    access.visible(principal, accme_id)
    if webhooks.endpoint(accme_id, webhook_id) is None:
        raise _not_found(webhook_id)
    items, total = webhooks.deliveries(accme_id, webhook_id, status=delivery_status, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{webhook_id}/deliveries/{delivery_id}")
def get_delivery(
    webhook_id: WebhookIdPath,
    delivery_id: DeliveryIdPath,
    webhooks: WebhooksDep,
    access: AccessDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """One delivery: the body sent, and each attempt with its time, duration, answer status and first bytes."""
    access.visible(principal, accme_id)
    found = webhooks.delivery(accme_id, webhook_id, delivery_id)
    if found is None:
        raise Problem(404, f"no delivery {delivery_id}", [{"loc": ["path", "delivery_id"], "msg": "not found"}])
    return found


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=status.HTTP_202_ACCEPTED, responses=COMMAND
)
def redeliver(
    webhook_id: WebhookIdPath,
    delivery_id: DeliveryIdPath,
    registry: WebhookRegistryDep,
    access: AccessDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
) -> dict[str, Any]:
    """Sends the delivery's event again, at the end of the endpoint's queue (same payload id)."""
    access.require_editor(principal, accme_id)
    position = registry.handle(
        RedeliverWebhook(accme_id=accme_id, webhook_id=webhook_id, delivery_id=delivery_id), acting(principal)
    )
    return {"redelivery": f"{webhook_id}.{position}", "of": delivery_id}
