"""`pars feeds`: the relay refuses to start without a broker; `status` prints the relay's position and lag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PARS = str(Path(sys.executable).with_name("pars"))


def pars(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "PARS_KAFKA_BOOTSTRAP"}
    environment.update(
        PARS_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite'}", PARS_SECRET_KEY="cli", COLUMNS="200", **env
    )
    return subprocess.run([PARS, *args], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60)


def test_relay_without_a_broker_exits_2_saying_what_to_set(tmp_path: Path) -> None:
    result = pars(tmp_path, "feeds", "relay")
    assert result.returncode == 2 and "PARS_KAFKA_BOOTSTRAP" in result.stderr
    bad = pars(tmp_path, "feeds", "relay", "--bootstrap", "nohostport")
    assert bad.returncode == 2 and "host:port" in bad.stderr


def test_status_prints_position_head_and_lag(tmp_path: Path) -> None:
    result = pars(tmp_path, "feeds", "status")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["relay"] == "kafka_relay" and line["position"] == 0 and line["lag"] == line["head"] - line["position"]
    assert line["webhook_sender"] == {"position": 0, "lag": line["head"], "held_by": None, "lease_until": None}
