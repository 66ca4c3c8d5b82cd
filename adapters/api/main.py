"""The FastAPI application: routers, problem responses, and projections run in-process when asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from adapters.api import problems
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
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            system.projections.start()
        try:
            yield
        finally:
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
    routers = (
        providers, contacts, tokens, history, directory,  # providers and contacts
        activity_batches, accme_activities, activities, dashboard,  # activities (batch routes before /{activity_id})
        annual, accreditor,  # annual reporting
        learners, completion_batches, completions, transcripts, passport,
        health,
    )
    for module in routers:
        app.include_router(module.router)
    web.install(app)  # the web pages (adapters/web): sign-in, provider, accreditor, CME Passport
    return app
