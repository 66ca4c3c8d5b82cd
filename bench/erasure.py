"""Erasing one learner from a directory of many: what the DELETE …/personal-data route does, timed.

On a fresh SQLite file and a fresh PostgreSQL database (`--backends`): `--learners` physicians are
registered (not timed) and projected; then `--erasures` learners are erased one after the other, each
as the route does it: destroy the key and record `Learner.Erased`, let `learner_directory` delete the
rows, then `Database.purge_deleted` (SQLite: TRUNCATE checkpoint of the WAL; PostgreSQL: wait for older
transactions, then VACUUM FULL of the four learner tables). Prints the median and the slowest erasure,
and how much of it the purge took. CPU seconds and the load average are printed beside the wall times
(a shared 2-core machine).

    python -m bench.erasure [--learners 50000] [--erasures 5] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from adapters.bootstrap import bootstrap
from adapters.db.learner_directory_tables import PERSONAL_TABLES
from adapters.demo import npi
from adapters.settings import Settings
from bench.scratch import fresh_database
from commands.learners import EraseLearner, Licence, RegisterLearner
from domain.base import Acting, Channel

BY = Acting("bench", Channel.CLI)


def run(backend: str, learners: int, erasures: int) -> None:
    with fresh_database(backend) as url:
        system = bootstrap(Settings(database_url=url, secret_key="bench", mail="file:/tmp/pars-bench-mail"))
        try:
            cmds = [
                RegisterLearner(
                    first_name=f"First{i}",
                    last_name=f"Last-{i}",
                    birth_month_day=f"{1 + i % 12:02d}-{1 + i % 28:02d}",
                    npi=npi(100_000_000 + i),
                    licences=(Licence(state="TN", number=f"MD{i:07d}"),),
                )
                for i in range(learners)
            ]
            outcomes = system.learners.register_many(cmds, BY)
            system.projections.catch_up()
            ids = [o.learner_id for o in outcomes[:: max(1, learners // erasures)]][:erasures]
            totals, purges = [], []
            cpu0 = time.process_time()
            for learner_id in ids:
                t0 = time.perf_counter()
                system.learners.handle(EraseLearner(learner_id=learner_id), BY)
                system.projections.catch_up(["learner_directory"])
                t1 = time.perf_counter()
                system.db.purge_deleted(PERSONAL_TABLES)
                t2 = time.perf_counter()
                totals.append(t2 - t0)
                purges.append(t2 - t1)
            cpu = time.process_time() - cpu0
            print(
                f"erasure [{backend}] {learners:,} learners: median {statistics.median(totals) * 1000:.0f} ms, slowest "
                f"{max(totals) * 1000:.0f} ms per erasure, of which the purge {statistics.median(purges) * 1000:.0f} ms (median); "
                f"{erasures} erasures, CPU {cpu:.2f} s, load {os.getloadavg()[0]:.2f}"
            )
        finally:
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.erasure", description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--erasures", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgres")
    args, _ = parser.parse_known_args(argv)
    for backend in args.backends.split(","):
        run(backend.strip(), args.learners, args.erasures)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
