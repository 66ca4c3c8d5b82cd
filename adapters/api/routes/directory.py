from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from adapters.api.schemas import DirectoryPublic
from adapters.http.reads import DirectoryDep

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])


@router.get("", response_model=DirectoryPublic)
def find_a_provider(
    directory: DirectoryDep,
    q: str = Query("", max_length=200, description="words to match in name, ACCME ID or accreditor"),
    page: int = Query(1, ge=1, le=10_000),
) -> Any:
    """Find a CME Provider: the public directory (no token needed)."""
    return directory.page(q, page)
