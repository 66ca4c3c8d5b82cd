"""Dependencies point inward: each folder imports only the folders ARCHITECTURE.md's table allows it.

domain/ imports none of the others (and, beyond the standard library, only eventsourcing.domain: see
test_domain_is_pure.py); commands/ and projections/ import domain/; services/ imports domain/, commands/
and projections/; adapters/ may import everything. Every import counts, also one inside a function or
under `if TYPE_CHECKING:`, since each is an arrow between the folders all the same.

The infrastructure (web, SQL, Kafka, CLI, templates, file formats) is adapters/' alone: the inner folders
import none of its libraries.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The repository's own top-level packages: an import of anything else is a library's, not a layer's.
OURS = {"domain", "commands", "projections", "services", "adapters", "tests", "bench"}
MAY_IMPORT = {
    "domain": {"domain"},
    "commands": {"commands", "domain"},
    "projections": {"projections", "domain"},
    "services": {"services", "domain", "commands", "projections"},
}
# Libraries of the edge: what adapters/ wraps, so that the inner folders never need them.
INFRASTRUCTURE = {
    "fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "psycopg_pool", "kafka", "typer", "rich",
    "jinja2", "markupsafe", "lxml", "openpyxl", "fpdf", "pydantic_settings", "argon2", "multipart",
}  # fmt: skip
# Known violations, each to be removed by the change that fixes it; any other one fails the test.
# Written "module -> imported module". Both are being moved to adapters/ (issue 15, steps 2 and 4).
KNOWN: set[str] = set()  # none left: the store's SQL and the transcript PDF moved to adapters/


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every module `source` imports (relative imports resolved against `module`), in order."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")
                base = package[: len(package) - node.level + (1 if is_package else 0)]
                found.append(".".join([*base, node.module] if node.module else base))
            else:
                found.append(node.module or "")
    return found


def violations(layer: str, source: str, module: str, is_package: bool = False) -> list[str]:
    allowed = MAY_IMPORT[layer]
    return [
        f"{module} -> {imported}"
        for imported in imported_modules(source, module, is_package)
        if (imported.split(".")[0] in OURS and imported.split(".")[0] not in allowed)
        or imported.split(".")[0] in INFRASTRUCTURE
    ]


def _found() -> set[str]:
    found: set[str] = set()
    for layer in MAY_IMPORT:
        for path in sorted((ROOT / layer).rglob("*.py")):
            found.update(violations(layer, path.read_text(), _module_name(path), path.name == "__init__.py"))
    return found


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_each_layer_has_modules_to_check(layer: str) -> None:
    assert list((ROOT / layer).glob("*.py"))


def test_no_layer_imports_a_folder_it_may_not() -> None:
    new = sorted(_found() - KNOWN)
    assert not new, "an import points outward (see ARCHITECTURE.md, Folders):\n" + "\n".join(new)


def test_the_known_violations_are_still_there() -> None:
    fixed = sorted(KNOWN - _found())
    assert not fixed, "fixed: remove from KNOWN in tests/unit/test_layers.py:\n" + "\n".join(fixed)


@pytest.mark.parametrize(
    "layer, module, source, allowed",
    [
        ("commands", "commands.providers", "from domain.provider import Provider", True),
        ("commands", "commands.providers", "from commands.base import Command", True),
        ("commands", "commands.providers", "from .base import Command", True),
        ("commands", "commands.providers", "from pydantic import BaseModel", True),
        ("commands", "commands.providers", "from services.providers import ProviderRegistry", False),
        ("projections", "projections.feeds", "import domain.completion", True),
        ("projections", "projections.feeds", "from commands.providers import AssignContact", False),
        ("projections", "projections.feeds", "def f():\n    from adapters.db import views", False),
        ("services", "services.providers", "from projections.directory import DirectoryView", True),
        ("services", "services.providers", "from commands.providers import AssignContact", True),
        ("services", "services.providers", "from adapters.bootstrap import System", False),
        ("services", "services.providers", "from tests.conftest import make_system", False),
        ("services", "services.providers", "from ..adapters import bootstrap", False),
        ("services", "services.providers", "from eventsourcing.application import Application", True),
        ("services", "services.store", "from psycopg.sql import SQL", False),
        ("projections", "projections.feeds", "import sqlalchemy", False),
        ("commands", "commands.base", "from fastapi import Query", False),
        ("domain", "domain.provider", "from .errors import DomainError", True),
        ("domain", "domain.provider", "from projections.base import ParsProjection", False),
        ("domain", "domain.provider", "from services import access", False),
    ],
)
def test_the_check_tells_allowed_from_outward_imports(layer: str, module: str, source: str, allowed: bool) -> None:
    assert (not violations(layer, source + "\n", module)) is allowed
