"""The API's routers, its problem answers and its OpenAPI document, installed in the app (adapters/app.py)."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from adapters.api import openapi, problems
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
    credentials,
    dashboard,
    directory,
    feeds,
    health,
    history,
    learners,
    licences,
    passport,
    providers,
    record_digest,
    records,
    roster,
    tokens,
    transcripts,
    webhooks,
)


def install(app: FastAPI) -> None:
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
        roster,
        records,
        record_digest,
        transcripts,
        passport,
        credentials,  # verifiable credentials, the DID document, status lists, verification
        licences,  # the states' licence rules, physicians' licences and their requirements, boards' compliance
        feeds,
        webhooks,
        health,
    )
    for module in routers:
        app.include_router(
            module.router, dependencies=[Depends(refuse_nul)]
        )  # U+0000 never reaches the store (nul_text.py)
