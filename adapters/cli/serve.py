"""`pars serve`: the API, the web pages and the projections in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.system import err, system_or_exit


def serve_address(host: str, port: int) -> str:
    """The address `pars serve` listens on, as a URL; a wildcard interface (0.0.0.0, ::) is reached at the loopback."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    projections: Annotated[
        bool,
        typer.Option(
            "--projections/--no-projections",
            help="run the projections in this process (off when a `pars projections run` worker does)",
        ),
    ] = True,
) -> None:
    """API, web pages and projections in one process."""
    import uvicorn

    from adapters.app import create_app

    with system_or_exit(serve_address(host, port)) as system:
        err.print(f"PARS on http://{host}:{port}/ (pages) and /docs (API)  (store: {system.settings.database_url})")
        err.print(f"mailed links point to {system.settings.public_base()} (PARS_PUBLIC_URL)")
        # The CLI in another terminal does not know this address: the line that tells it (the README's tour).
        err.print(f"for the CLI and curls in another terminal: export PARS_PUBLIC_URL={system.settings.public_base()}")
        uvicorn.run(create_app(system, run_projections=projections), host=host, port=port, log_level="info")
