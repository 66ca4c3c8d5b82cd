"""The list an ACCME web-service request carries (`ACCMEActivities.MedicalEducationMetrics`,
`ACCMELearnerReports.ActivityReports.ActivityReport`), taken out of its wrapping the same way by every route."""

from __future__ import annotations

from typing import Any

from adapters.api.problems import Problem


def accme_list(
    body: Any,
    path: tuple[str, ...],
    *,
    noun: str,
    missing: str,
    limit: int,
    status: int,
    not_an_object: str | None = None,
) -> list[Any]:
    """The list at `path` in the body (a lone object is a list of one). A Problem(`status`) says `missing` when
    it is absent or empty, and refuses more than `limit` `noun`; with `not_an_object`, a body whose first key
    does not hold an object is refused with those words."""
    holder = body
    for depth, key in enumerate(path[:-1]):
        holder = holder.get(key) if isinstance(holder, dict) else None
        if depth == 0 and not_an_object and not isinstance(holder, dict):
            raise Problem(status, not_an_object, [{"loc": ["body", key], "msg": "an object is required"}])
    items = holder.get(path[-1]) if isinstance(holder, dict) else None
    if isinstance(items, dict):
        items = [items]
    loc = ["body", *path]
    if not isinstance(items, list) or not items:
        raise Problem(status, missing, [{"loc": loc, "msg": f"one or more {noun} are required"}])
    if len(items) > limit:
        raise Problem(
            status,
            f"at most {limit} {noun} per request; use a batch file for more",
            [{"loc": loc, "msg": f"too many {noun}"}],
        )
    return items
