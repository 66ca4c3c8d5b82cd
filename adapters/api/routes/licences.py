"""Licence requirement tracking over HTTP: the states' rules (read by anyone; set by ACCME staff or the state's
board), the signed-in learner's tracked licences and their progress, and a state board's compliance view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import Field

from adapters.api.deps import PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.api.schemas import IsoDate, Strict
from adapters.http.locations import placed
from adapters.http.reads import LicencesDep
from adapters.http.services import LearnerDirectoryDep, LicenceTrackingDep, SettleDep
from commands.licences import ChooseGapAlerts, SetLicenceRules, TrackLicence, UntrackLicence
from domain.geography import US_STATES
from services.access import Principal, Role
from services.learners import LearnerDirectory

router = APIRouter(tags=["licence requirements"])

StatePath = Annotated[str, Path(max_length=20, description="two-letter state code, e.g. TN")]
READ_MODELS = ("licences",)


def _state(raw: str) -> str:
    state = raw.strip().upper()
    if state not in US_STATES:
        raise Problem(
            404, f"{raw!r} is not a US state or territory code", [{"loc": ["path", "state"], "msg": "unknown"}]
        )
    return state


def _learner(principal: Principal, learners: LearnerDirectory) -> str:
    if principal.role is not Role.LEARNER:
        raise Problem(403, "only a learner token has licences of its own")
    learner_id = learners.resolve_not_erased(principal.learner or "")
    if learner_id is None:
        raise Problem(
            404, "this learner is not in the learner directory", [{"loc": ["token", "learner"], "msg": "not found"}]
        )
    return learner_id


# --- the rules ------------------------------------------------------------------------------------------


class RulesBody(Strict):
    rules: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=10,
        description="one rule per board and licence types: board, licence_types, cycle {years, anchor, month_day, "
        "year_remainder, note, uncertain}, total_hours, category1_min, topics [{name, hours, every_cycles | "
        "every_years, applies_to, tags, note, uncertain}], sources [{url, key, page_date}], seen_on, note, uncertain",
    )


@router.get("/api/v1/licence-rules")
def list_rules(licences: LicencesDep) -> dict[str, Any]:
    """The CME rules in force for each state's physician licences, with their sources and `uncertain` flags."""
    return {"states": licences.rules()}


@router.get("/api/v1/licence-rules/{state}", responses=documented(404))
def state_rules(
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    state: StatePath,
    as_of: Annotated[datetime | None, Query(description="ISO-8601 instant: the rules in force then")] = None,
) -> dict[str, Any]:
    """One state's rules in force (now, or at `as_of`, replayed from its stream: who set them, how and when)."""
    code = _state(state)
    if as_of is not None:
        standing = tracking.rules_at(code, as_of)
        if standing is None:
            raise Problem(404, f"no rules for {code} were in force then", [{"loc": ["query", "as_of"], "msg": "none"}])
        return standing
    found = licences.rules(code).get(code)
    if found is None:
        raise Problem(404, f"PARS holds no CME rules for {code}", [{"loc": ["path", "state"], "msg": "no rules"}])
    return {"state": code, "rules": found}


@router.put("/api/v1/licence-rules/{state}", responses=COMMAND)
@placed("body", "rules")
def set_rules(
    body: RulesBody,
    tracking: LicenceTrackingDep,
    settle: SettleDep,
    principal: PrincipalDep,
    state: StatePath,
) -> dict[str, Any]:
    """Adopts or changes a state's rules: ACCME staff, or the state's own board. Each change is an event."""
    code = _state(state)
    staff = principal.role is Role.ACCREDITOR and principal.state is None
    board = principal.role is Role.BOARD and principal.state == code
    if not (staff or board):
        raise Problem(403, f"only ACCME staff or the {code} board may set {code}'s licence rules")
    outcome = tracking.handle(SetLicenceRules(state=code, rules=tuple(body.rules)), acting(principal))
    settle(outcome.position, READ_MODELS)
    return {"state": code, "rules": outcome.value, "changed": outcome.position is not None}


# --- the signed-in learner -------------------------------------------------------------------------------


class LicenceBody(Strict):
    licence_type: str = Field(pattern="^(MD|DO)$", description="MD or DO: picks the state's rule")
    number: str = Field(min_length=1, max_length=40)
    issued_on: IsoDate | None = Field(default=None, description="YYYY-MM-DD; cycles anchored on it need it")


@router.get("/api/v1/passport/requirements", responses=documented(403, 404))
def my_requirements(
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    learners: LearnerDirectoryDep,
    principal: PrincipalDep,
    on: Annotated[IsoDate | None, Query(description="a day of the cycle to show (default today)")] = None,
) -> dict[str, Any]:
    """The signed-in learner's licences: the cycle holding `on`, credit counted, each requirement met or the
    hours missing, days left (computed afresh from the transcript)."""
    learner_id = _learner(principal, learners)
    return licences.requirements(learner_id, tracking.tracked(learner_id), on)


@router.put("/api/v1/passport/licences/{state}", responses=COMMAND)
@placed("body", "licence_type", "number", "issued_on")
@placed("path", "state")
def track_licence(
    body: LicenceBody,
    tracking: LicenceTrackingDep,
    learners: LearnerDirectoryDep,
    settle: SettleDep,
    principal: PrincipalDep,
    state: StatePath,
) -> dict[str, Any]:
    """Tracks one of the learner's state licences (replacing the state's licence tracked before)."""
    learner_id = _learner(principal, learners)
    cmd = TrackLicence(learner_id=learner_id, state=state, **body.model_dump())
    outcome = tracking.handle(cmd, acting(principal))
    settle(outcome.position, READ_MODELS)
    return {"licences": sorted(outcome.value.values(), key=lambda x: x["state"])}


@router.delete("/api/v1/passport/licences/{state}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def untrack_licence(
    tracking: LicenceTrackingDep,
    learners: LearnerDirectoryDep,
    settle: SettleDep,
    principal: PrincipalDep,
    state: StatePath,
) -> Response:
    learner_id = _learner(principal, learners)
    code = state.strip().upper()
    if code not in tracking.tracked(learner_id):
        raise Problem(404, f"no {code} licence is tracked", [{"loc": ["path", "state"], "msg": "not tracked"}])
    outcome = tracking.handle(UntrackLicence(learner_id=learner_id, state=code), acting(principal))
    settle(outcome.position, READ_MODELS)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class GapAlertsBody(Strict):
    on: bool = Field(description="true: a mail 90 and 30 days before a tracked licence's cycle ends unmet")


@router.put("/api/v1/passport/gap-alerts", responses=COMMAND)
def choose_gap_alerts(
    body: GapAlertsBody,
    tracking: LicenceTrackingDep,
    learners: LearnerDirectoryDep,
    settle: SettleDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Opts the signed-in learner in to gap alerts by mail (or out): sent to their active web accounts."""
    learner_id = _learner(principal, learners)
    outcome = tracking.handle(ChooseGapAlerts(learner_id=learner_id, on=body.on), acting(principal))
    settle(outcome.position, READ_MODELS)
    return {"on": outcome.value}


# --- a state board ---------------------------------------------------------------------------------------


@router.get("/api/v1/states/{state}/compliance", responses=documented(403, 404))
def compliance(
    licences: LicencesDep,
    principal: PrincipalDep,
    state: StatePath,
    on: Annotated[IsoDate | None, Query(description="a day of the cycles to show (default today)")] = None,
    after: Annotated[str | None, Query(max_length=36, description="the `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    met: Annotated[
        bool | None, Query(description="true: only licensees who meet the requirements; false: only those who do not")
    ] = None,
) -> dict[str, Any]:
    """A state board's licensees who track their licence in PARS: who meets the state's requirements in the
    cycle holding `on`, a page at a time (`next` → `after`), with the counts of all of them (from the `licences`
    read model). Only the state's own board."""
    code = _state(state)
    if not (principal.role is Role.BOARD and principal.state == code):
        raise Problem(403, f"only the {code} board sees the compliance of {code}'s licensees")
    return licences.compliance(code, on, after, limit, met)
