"""The FastAPI application: routers, problem responses, and projections run in-process when asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from adapters.api import openapi, problems, upload_limits
from adapters.api.nul_text import refuse_nul
from adapters.api.routes import (
    accme_activities,
    accreditor,
    activities,
    activity_batches,
    annual,
    completion_batches,
    completions,
    contacts,
    dashboard,
    directory,
    feeds,
    health,
    history,
    learners,
    passport,
    providers,
    tokens,
    transcripts,
)
from adapters.bootstrap import System
from adapters.web import app as web


def create_app(system: System, *, run_projections: bool = True) -> FastAPI:
    # With a broker configured, the single-process shape relays the feeds too; the production
    # shape (--no-projections) runs `pars feeds relay` beside the projection worker instead.
    relay = None
    if run_projections and system.settings.kafka_bootstrap:
        from adapters.kafka.relay import kafka_relay

        relay = kafka_relay(system)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            system.projections.start()
        if relay is not None:
            relay.start()
        try:
            yield
        finally:
            if relay is not None:
                relay.stop()
            if run_projections:
                system.projections.stop()

    app = FastAPI(
        title="PARS",
        summary="Program and Activity Reporting System for accredited continuing medical education",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.system = system
    problems.install(app)
    openapi.install(app)  # every route's error answers in the document, as problem+json (adapters/api/openapi.py)
    routers = (
        providers,
        contacts,
        tokens,
        history,
        directory,  # providers and contacts
        activity_batches,
        accme_activities,
        activities,
        dashboard,  # activities (batch routes before /{activity_id})
        annual,
        accreditor,  # annual reporting
        learners,
        completion_batches,
        completions,
        transcripts,
        passport,
        feeds,
        health,
    )
    for module in routers:
        app.include_router(
            module.router, dependencies=[Depends(refuse_nul)]
        )  # U+0000 never reaches the store (nul_text.py)
    web.install(app)  # the web pages (adapters/web): sign-in, provider, accreditor, CME Passport
    upload_limits.install(app, system.settings.max_upload_bytes)  # PARS_MAX_UPLOAD_MB on the bytes read, every route
    return app
