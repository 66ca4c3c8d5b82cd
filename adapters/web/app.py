"""The web pages, mounted in the API's FastAPI app: sign-in, provider, accreditor and CME Passport pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from adapters.web.forms import see_other
from adapters.web.render import HERE, render
from adapters.web.routes import auth, passport, sign_up, verify
from adapters.web.routes.accreditor import data_report, deadlines, oversight, year_end
from adapters.web.routes.accreditor import providers as overseen_providers
from adapters.web.routes.accreditor import users as accreditor_users
from adapters.web.routes.provider import (
    activities,
    activity,
    completions,
    contacts,
    dashboard,
    history,
    learners,
    new_activity,
    records,
    uploads,
    users,
    webhooks,
    year,
)
from adapters.web.session import CsrfRejected, PageNotFound, SignInRequired, check_csrf


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = (
        auth,
        sign_up,
        dashboard,
        contacts,
        learners,
        records,
        # The list's fixed paths (activities/new, /export.…, /close) before one activity's /activities/{activity_id}.
        activities,
        new_activity,
        activity,
        uploads,
        completions,
        year,
        history,
        users,
        webhooks,
        overseen_providers,
        year_end,
        oversight,
        data_report,
        deadlines,
        accreditor_users,
        passport,
        verify,
    )
    for module in pages:
        app.include_router(module.router, dependencies=[Depends(check_csrf)], include_in_schema=False)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(f"/sign-in?next={quote(target)}")

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, _: PageNotFound) -> Response:
        return render(
            request,
            "error.html",
            404,
            heading="Page not found",
            message="There is no such page, or it is not yours to see.",
        )

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _: CsrfRejected) -> Response:
        return render(
            request,
            "error.html",
            403,
            heading="This form has expired",
            message="The form was not sent from this browser's PARS page (or its session changed). Go back, reload the page and send it again.",
        )
