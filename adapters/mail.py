"""Outgoing mail from PARS_MAIL: `file:DIR` writes each message as a .eml file; `smtp://host:port` sends it."""

from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

SENDER = "PARS <no-reply@pars.invalid>"


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@pars>"
    # 7bit keeps an ASCII link on one line in the .eml file (quoted-printable would fold it).
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
    return message


class FileMailer:
    """Each message a `.eml` file in DIR, named so that they sort in the order sent."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, to: str, subject: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.directory / f".{name}"
        tmp.write_bytes(bytes(_message(to, subject, body)))
        tmp.rename(self.directory / name)  # readers never see half a message


class SmtpMailer:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def send(self, to: str, subject: str, body: str) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            smtp.send_message(_message(to, subject, body))


def mailer_from(setting: str) -> FileMailer | SmtpMailer:
    if setting.startswith("file:"):
        return FileMailer(setting[len("file:") :])
    parts = urlsplit(setting)
    return SmtpMailer(parts.hostname or "127.0.0.1", parts.port or 25)
