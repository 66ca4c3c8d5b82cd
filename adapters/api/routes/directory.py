from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from adapters.api.deps import SystemDep
from adapters.api.schemas import DirectoryPublic

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])
PAGE_SIZE = 25


@router.get("", response_model=DirectoryPublic)
def find_a_provider(
    system: SystemDep,
    q: str = Query("", max_length=200, description="words to match in name, ACCME ID or accreditor"),
    page: int = Query(1, ge=1, le=10_000),
) -> Any:
    """Find a CME Provider: the public directory (no token needed)."""
    entries, total = system.directory.view.search(q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return {"data": entries, "count": total, "page": page, "page_size": PAGE_SIZE}
