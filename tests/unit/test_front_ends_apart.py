"""The API and the web pages are two front ends over one read side: neither imports the other
(what both need is in adapters/http/, and adapters/app.py composes them)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "adapters"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        found[str(path.relative_to(ROOT.parent))] = names
    return found


def test_the_api_and_the_web_pages_do_not_import_each_other() -> None:
    crossing = [
        (path, name)
        for folder, other in (
            ("api", "adapters.web"),
            ("web", "adapters.api"),
            ("http", "adapters.api"),
            ("http", "adapters.web"),
        )
        for path, names in imported_modules(ROOT / folder).items()
        for name in names
        if name == other or name.startswith(other + ".")
    ]
    assert crossing == []
