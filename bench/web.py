"""Web page latency: sign-in (Argon2id, production parameters) and the busiest pages, over the whole ASGI stack.

On a fresh store (SQLite by default, `--backend postgres`): `--providers` providers (registered with
`register_many`), one of which gets `--activities` activities through `submit_items` (the
real write path, in chunks of 500); a provider user and an ACCME staff user are invited and set their
passwords through their links. Then, through FastAPI's TestClient (routing, session lookup, CSRF,
templates; no network), each page is requested `--repeat` times and the median and p95 printed:

    python -m bench.web [--providers 300] [--activities 2000] [--repeat 30] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import bootstrap
from adapters.formats.accme.activities import submit_items
from adapters.settings import Settings
from bench.scratch import fresh_database
from commands.accounts import InviteAccount, SetPassword
from commands.providers import ContactDetails, RegisterProvider
from domain.account import Account
from domain.base import Acting, Channel

BY = Acting("bench", Channel.BATCH)
PASSWORD = "correct horse battery staple"
ACME = "0000001"


def _item(n: int) -> dict[str, Any]:
    day = f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}"
    return {
        "ReportDescription": {"ReportingStartDate": day, "ReportingEndDate": day},
        "Lom": {
            "general": {
                "identifier": [{"catalog": "Provider Activity ID", "entry": f"B-{n}"}],
                "title": f"Grand rounds {n}",
                "description": "Weekly cardiology grand rounds.",
            }
        },
        "healthcareMetadata": {
            "healthcareEducation": {
                "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": 1.0},
                "activityLocation": {"city": "Nashville", "stateOrProvince": "TN", "country": "USA"},
                "startDateTime": day,
                "endDateTime": day,
                "activitySponsorship": "direct",
                "activityFormat": ["Course", "Regularly Scheduled Series", "Other"][n % 3],
                "commercialSupport": n % 5 == 0,
            }
        },
        "ActivityDescription": {
            "commercialSupportAmount": [{"currency": "USD", "supportSource": f"Sponsor {n % 4}", "value": 1000}]
        }
        if n % 5 == 0
        else {},
        "ParticipationMetrics": {
            "participantsByCategory": [
                {"category": "physician", "numberOfParticipants": 20},
                {"category": "other", "numberOfParticipants": 5},
            ]
        },
        "XtensibleInfo": {
            "activityRecordAction": "Add",
            "ForPublicList": False,
            "DeliveryMethods": {"DeliveryMethod": ["In-Person"]},
            "MeasuredOutcomes": [{"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]}],
            "closeActivityRecord": n % 2 == 0,
        },
    }


def _user(system: Any, mail: Path, email: str, role: str, **scope: str) -> None:
    system.accounts.handle(
        InviteAccount(
            email=email,
            name="Bench User",
            role=role,
            tenant=Account.tenant_of(role, **scope),
            base_url="http://testserver",
        ),
        BY,
    )
    newest = max(mail.glob("*.eml"), key=lambda p: p.name)
    token = re.search(r"token=(\S+)", newest.read_text())[1]  # type: ignore[index]
    system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))


def _time(
    client: TestClient, method: str, url: str, repeat: int, fresh: dict[str, str] | None = None, **kw: Any
) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        if fresh is not None:  # each sign-in from a browser that is not signed in yet
            client.cookies.clear()
            for name, value in fresh.items():
                client.cookies.set(name, value)
        start = time.perf_counter()
        answer = client.request(method, url, **kw)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code in (200, 303), (url, answer.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * (len(times) - 1) + 0.5))]


def run(backend: str, providers: int, activities: int, repeat: int) -> None:
    with fresh_database(backend) as url, tempfile.TemporaryDirectory(prefix="pars_bench_mail_") as mail_dir:
        mail = Path(mail_dir)
        system = bootstrap(Settings(database_url=url, secret_key="bench", mail=f"file:{mail}"))
        try:
            cmds = [
                RegisterProvider(
                    accme_id=f"{i + 1:07d}",
                    name=f"Provider {i + 1}",
                    accreditor="ACCME",
                    primary=ContactDetails(name="Pat", email=f"p{i}@cme.org"),
                )
                for i in range(providers)
            ]
            system.providers.register_many(cmds, BY)
            start = time.perf_counter()
            for chunk in range(0, activities, 500):
                submit_items(
                    system.activities, ACME, [_item(n) for n in range(chunk, min(activities, chunk + 500))], BY
                )
            written = time.perf_counter() - start
            _user(system, mail, "pia@cme.org", "provider", provider=ACME)
            _user(system, mail, "ada@accme.org", "accreditor")
            system.projections.catch_up()
            with TestClient(create_app(system, run_projections=False), follow_redirects=False) as client:
                form = client.get("/sign-in").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
                sign_in = {"email": "pia@cme.org", "password": PASSWORD, "csrf_token": csrf}
                anon = {"pars_anon": client.cookies.get("pars_anon") or ""}
                figures = {
                    "POST /sign-in (Argon2id verify)": _time(client, "POST", "/sign-in", repeat, anon, data=sign_in)
                }
                for label, path in (
                    (f"dashboard ({activities} activities)", f"/provider/{ACME}?year=2025"),
                    ("activities search, page 1", f"/provider/{ACME}/activities?year=2025&q=grand"),
                    ("annual report 2025", f"/provider/{ACME}/year/2025"),
                    ("history, first 100 events", f"/provider/{ACME}/history"),
                ):
                    figures[label] = _time(client, "GET", path, repeat)
                client.cookies.clear()
                form = client.get("/sign-in").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
                client.post("/sign-in", data={"email": "ada@accme.org", "password": PASSWORD, "csrf_token": csrf})
                figures[f"accreditor year-end table ({providers} providers)"] = _time(
                    client, "GET", "/accreditor/year-end?year=2025", repeat
                )
                figures["accreditor year-end CSV"] = _time(client, "GET", "/accreditor/year-end.csv?year=2025", repeat)
        finally:
            system.close()
    print(
        f"web pages on {backend}: {providers} providers, {activities} activities written in {written:.1f} s; {repeat} requests each"
    )
    for label, (median, p95) in figures.items():
        print(f"  {label:<45} median {median:7.1f} ms   p95 {p95:7.1f} ms")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench web", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args, _ = parser.parse_known_args(argv)
    run(args.backend, args.providers, args.activities, args.repeat)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
