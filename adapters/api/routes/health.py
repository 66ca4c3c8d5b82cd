"""GET /api/v1/health: the read models' positions against the head of the log; no token, no tenant data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from adapters.http.services import ProjectionsDep

router = APIRouter(prefix="/api/v1/health", tags=["health"])


@router.get("")
def health(supervisor: ProjectionsDep) -> Any:
    """Each projection's position, the store's head, the lag and the type of its last error (if its last run failed).

    `status` is `ok` when no projection is failing, `degraded` otherwise; lag alone is normal for a moment."""
    projections = supervisor.report()
    failing = [p["projection"] for p in projections if p["last_error"]]
    return {
        "status": "degraded" if failing else "ok",
        "head": supervisor.store.head(),
        "max_lag": max((p["lag"] for p in projections), default=0),
        "projections": projections,
    }
