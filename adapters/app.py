"""The one FastAPI application: the API and the web pages side by side (neither imports the other), the
upload limit over both, and projections run in-process when asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from adapters.api import routers as api
from adapters.api import upload_limits
from adapters.bootstrap import System
from adapters.scheduler import ReminderScheduler
from adapters.web import api_docs
from adapters.web import app as web


def create_app(system: System, *, run_projections: bool = True, run_scheduler: bool = True) -> FastAPI:
    # With a broker configured, the single-process shape relays the feeds too; the production
    # shape (--no-projections) runs `pars feeds relay` beside the projection worker instead. The boards'
    # answers on Kafka (pars.acks.*) are consumed where the relay runs.
    relay = acks = None
    if run_projections and system.settings.kafka_bootstrap:
        from adapters.kafka.relay import kafka_acks, kafka_relay

        relay = kafka_relay(system)
        acks = kafka_acks(system)
    # The webhook sender likewise: in this process with the projections, else in `pars feeds relay`.
    sender = None
    if run_projections:
        from adapters.webhooks.sender import webhook_sender

        sender = webhook_sender(system)
    # The accreditors' scheduled reminders (adapters/scheduler.py): each year's go out once, whichever process.
    scheduler = ReminderScheduler(system) if run_scheduler else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            system.projections.start()
        if relay is not None:
            relay.start()
        if acks is not None:
            acks.start()
        if sender is not None:
            sender.start()
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            if sender is not None:
                sender.stop()
            if acks is not None:
                acks.stop()
            if relay is not None:
                relay.stop()
            if run_projections:
                system.projections.stop()

    app = FastAPI(
        title="PARS",
        summary="Program and Activity Reporting System for accredited continuing medical education",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # adapters/web/api_docs.py serves /docs from the installed Swagger UI, not a CDN
    )
    app.state.system = system
    api.install(app)  # the API (adapters/api): routers, problem answers, the OpenAPI document
    api_docs.install(app)  # /docs: Swagger UI from the installed package, so it works offline
    web.install(app)  # the web pages (adapters/web): sign-in, provider, accreditor, CME Passport
    upload_limits.install(app, system.settings.max_upload_bytes)  # PARS_MAX_UPLOAD_MB on the bytes read, every route
    return app
