"""Every template and static file of the web pages is listed as package data, so an installed PARS (the Docker image) has them."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_web_asset_is_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "adapters.web"
    ]
    web = ROOT / "adapters" / "web"
    listed = {p for pattern in patterns for p in web.glob(pattern)}
    assets = {p for folder in ("templates", "static") for p in (web / folder).rglob("*") if p.is_file()}
    assert assets and assets <= listed, sorted(str(p.relative_to(web)) for p in assets - listed)
