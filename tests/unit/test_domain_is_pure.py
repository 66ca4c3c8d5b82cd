"""The domain layer depends on nothing but the standard library and eventsourcing.domain."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing.domain"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the domain package
                found.append((node.lineno, "domain." + (node.module or "")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _is_allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "domain" or top == "__future__":
        return True
    if module in ALLOWED_THIRD_PARTY:
        return True
    return top in sys.stdlib_module_names


def test_the_domain_package_has_modules_to_check():
    assert len(list(DOMAIN.glob("*.py"))) >= 4


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_only_stdlib_and_eventsourcing_domain(path: Path):
    bad = [f"{path.name}:{line}: {module}" for line, module in _imports(path) if not _is_allowed(module)]
    assert not bad, "domain must stay pure; offending imports:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "source, allowed",
    [
        ("import json", True),
        ("from eventsourcing.domain import Aggregate", True),
        ("from domain.errors import DomainError", True),
        ("from .errors import DomainError", True),
        ("from eventsourcing.application import Application", False),
        ("import sqlalchemy", False),
        ("from pydantic import BaseModel", False),
        ("from adapters.tokens import issue_token", False),
    ],
)
def test_the_purity_check_tells_allowed_from_forbidden_imports(tmp_path: Path, source: str, allowed: bool):
    module = tmp_path / "m.py"
    module.write_text(source + "\n")
    assert all(_is_allowed(m) for _, m in _imports(module)) is allowed
