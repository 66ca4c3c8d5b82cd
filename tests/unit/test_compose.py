"""compose.yaml and the Dockerfile: the production shape holds together (no Docker engine needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from adapters.cli.main import app
from adapters.db.database import DatabaseUrl

ROOT = Path(__file__).resolve().parents[2]
PARS_SERVICES = ("migrate", "api", "worker", "relay")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def resolve(args: list[str]) -> Any:
    """The (click) command that `pars ARGS...` runs; AssertionError unless it exists and its options parse.

    Duck-typed: recent typer releases carry their own copy of click, so no isinstance on click classes.
    """
    assert args[0] == "pars", f"not a pars command: {args}"
    command = typer.main.get_command(app)
    rest = list(args[1:])
    while hasattr(command, "get_command") and rest and not rest[0].startswith("-"):
        sub = command.get_command(command.context_class(command), rest[0])
        assert sub is not None, f"`{' '.join(args)}`: no subcommand {rest[0]!r}"
        command, rest = sub, rest[1:]
    assert not hasattr(command, "get_command"), f"`{' '.join(args)}` names a group, not a command"
    try:
        command.make_context(command.name, rest)  # unknown or malformed options raise here
    except Exception as error:  # click's UsageError, from whichever click typer uses
        raise AssertionError(f"`{' '.join(args)}`: {error}") from error
    return command


def test_every_service_is_there(services: dict[str, Any]) -> None:
    assert {"db", "kafka", *PARS_SERVICES} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["kafka"]["image"].startswith("apache/kafka")


def test_pars_services_share_one_database_and_broker(services: dict[str, Any]) -> None:
    urls = {services[name]["environment"]["PARS_DATABASE_URL"] for name in PARS_SERVICES}
    assert urls == {"postgresql://postgres@db:5432/pars"}
    assert DatabaseUrl(urls.pop()).is_postgres
    for name in PARS_SERVICES:
        env = services[name]["environment"]
        assert env["PARS_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["PARS_SECRET_KEY"].startswith("${PARS_SECRET_KEY")  # from the environment, placeholder default
        assert services[name]["build"] == "."


def test_commands_are_real_pars_commands(services: dict[str, Any]) -> None:
    assert resolve(services["api"]["command"]).name == "serve"
    # The worker runs the projections; the API only serves (one runner per projection).
    assert services["api"]["command"][1:] == ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-projections"]
    assert resolve(services["worker"]["command"]).name == "run"
    assert resolve(services["migrate"]["command"]).name == "status"
    assert (
        services["relay"]["command"] == ["pars", "feeds", "relay"]
        and resolve(services["relay"]["command"]).name == "relay"
    )


def test_the_resolver_rejects_what_pars_would_reject() -> None:
    with pytest.raises(AssertionError):
        resolve(["pars", "projections", "walk"])
    with pytest.raises(AssertionError, match="hots"):
        resolve(["pars", "serve", "--hots", "0.0.0.0"])
    with pytest.raises(AssertionError, match="group"):
        resolve(["pars", "projections"])


def test_start_order_waits_for_health_and_one_migration(services: dict[str, Any]) -> None:
    assert "healthcheck" in services["db"] and "healthcheck" in services["kafka"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"].get("restart") == "no"
    for name in ("api", "worker", "relay"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        # Only migrate creates tables: concurrent creators can fail (ENGINE-NOTES).
        assert services[name]["environment"]["CREATE_TABLE"] == "n"
    assert "CREATE_TABLE" not in services["migrate"]["environment"]


def test_kafka_runs_kraft_single_node(services: dict[str, Any]) -> None:
    env = services["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert str(env["KAFKA_NODE_ID"]) == "1"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def test_dockerfile_builds_a_slim_unprivileged_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install ." in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored
