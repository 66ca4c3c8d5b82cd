"""What an auditor read is recorded as: the route's path and declared parameters, never a learner's personal data.

Parameters the route does not declare did not shape the answer, so they are left out (an auditor
cannot write arbitrary text into the append-only log). Personal parameters (names, NPI, licence,
`UniqueID`, …) are redacted by `AuditorRead.record`, and a path segment that is personal stays as
its `{name}`. The learner a transcript read found is recorded by `learner_id` instead.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from adapters.bootstrap import System
from domain.audit_log import is_personal_parameter
from domain.errors import DomainError
from services.transcripts import TranscriptQuery

TRANSCRIPT_PATHS = (
    "/accme/GetLearnerTranscriptbyLearner",
    "/accme/GetLearnerTranscriptbyLearnerPDF",
    "/accme/GetLearnerTranscriptCreditsByDate",
)


def read_record(system: System, request: Request) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(path, parameters, learner_ids) of the read."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    path = request.url.path
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        declared = _query_names(route.dependant)
        pairs = [(k, v) for k, v in pairs if k in declared]
        path = route.path_format
        for name, value in request.path_params.items():
            if not is_personal_parameter(name):
                path = path.replace("{" + name + "}", str(value))
    learner_ids: list[str] = []
    if isinstance(request.path_params.get("learner_id"), str):
        learner_ids.append(request.path_params["learner_id"])
    if request.url.path in TRANSCRIPT_PATHS:
        learner_ids += _transcript_learner(system, dict(pairs))
    return path, pairs, learner_ids


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters the route and its dependencies declare (by alias)."""
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        names |= {field.alias for field in current.query_params}
        stack.extend(current.dependencies)
    return names


def _transcript_learner(system: System, params: dict[str, str]) -> list[str]:
    """The learner the transcript parameters name (the route answers with that learner), or none."""

    def day(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    q = TranscriptQuery(
        params.get("firstName"),
        params.get("lastName"),
        params.get("stateOfLicensure"),
        params.get("stateMedicalLicenseID"),
        params.get("npi"),
        day(params.get("completionDateRangeStart")),
        day(params.get("completionDateRangeEnd")),
    )
    queries = system.queries.transcripts
    try:
        return [queries.find(q)["learner_id"]]
    except DomainError:
        return []
