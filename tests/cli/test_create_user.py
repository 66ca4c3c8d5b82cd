"""`pars admin create-user`: the first accreditor user, invited by mail, who then signs in to the pages."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import CREATE
from tests.web.helpers import mails


def test_create_user_mails_and_prints_a_one_time_set_password_link(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    mail = tmp_path / "mail"

    def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        return _pars(tmp_path, url, mail, *args, ok=ok)

    printed = run(
        "admin",
        "create-user",
        "--email",
        "Ada@ACCME.org",
        "--name",
        "Ada Admin",
        "--base-url",
        "https://pars.example.org/",
    ).stdout.strip()
    assert printed.startswith("https://pars.example.org/set-password?token=")
    (message,) = mails(mail)
    assert (
        message["To"] == "ada@accme.org"
        and message["Subject"] == "PARS: System Access Granted"
        and printed in message.get_content()
    )
    again = run("admin", "create-user", "--email", "ada@accme.org", "--name", "Ada Again", ok=False)
    assert again.returncode == 1 and "already has an account" in again.stderr
    missing = run(
        "admin",
        "create-user",
        "--email",
        "pia@acme.org",
        "--name",
        "Pia",
        "--role",
        "provider",
        "--provider",
        "0001234",
        ok=False,
    )
    assert missing.returncode == 1 and "no provider with ACCME ID 0001234" in missing.stderr
    run(*CREATE)
    assert run(
        "admin",
        "create-user",
        "--email",
        "pia@acme.org",
        "--name",
        "Pia",
        "--role",
        "provider",
        "--provider",
        "0001234",
    ).stdout.startswith("http://127.0.0.1:8000/set-password?token=")


def _pars(cwd: Path, url: str, mail: Path, *args: str, ok: bool = True):  # type: ignore[no-untyped-def]
    import os
    import subprocess

    from tests.cli.test_cli import PARS, SECRET

    env = {
        **os.environ,
        "PARS_DATABASE_URL": url,
        "PARS_SECRET_KEY": SECRET,
        "PARS_MAIL": f"file:{mail}",
        "COLUMNS": "200",
    }
    result = subprocess.run([PARS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert result.returncode == 0, (
            f"pars {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result
