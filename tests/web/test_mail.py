"""PARS_MAIL: `file:DIR` writes .eml files; `smtp://host:port` speaks SMTP (to a tiny server in a thread here)."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from adapters.mail import FileMailer, SmtpMailer, mailer_from


def test_the_file_mailer_writes_one_eml_a_message_in_order(tmp_path: Path):
    mailer = mailer_from(f"file:{tmp_path / 'mail'}")
    assert isinstance(mailer, FileMailer)
    mailer.send("ana@doc.org", "First", "Dear Ana,\nhttp://pars/set-password?token=" + "x" * 200 + "\n")
    mailer.send("bo@doc.org", "Second", "Querido Bo, ¿qué tal?")
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "mail").glob(".*"))
    first, second = (message_from_bytes(f.read_bytes(), policy=policy.default) for f in files)
    assert (first["To"], first["Subject"]) == ("ana@doc.org", "First")
    assert "token=" + "x" * 200 in files[0].read_text()  # an ASCII link stays on one line of the file
    assert second.get_content() == "Querido Bo, ¿qué tal?\n"


def _smtp_server(received: list[bytes]) -> tuple[int, threading.Thread]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            reader = conn.makefile("rb")
            conn.sendall(b"220 test ESMTP\r\n")
            while line := reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    body = b""
                    while (chunk := reader.readline()) != b".\r\n":
                        body += chunk
                    received.append(body)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


def test_the_smtp_mailer_sends_through_the_configured_server():
    received: list[bytes] = []
    port, thread = _smtp_server(received)
    mailer = mailer_from(f"smtp://127.0.0.1:{port}")
    assert isinstance(mailer, SmtpMailer)
    mailer.send("ana@doc.org", "PARS: System Access Granted", "Dear Ana,\nyour link\n")
    thread.join(timeout=10)
    (message,) = [message_from_bytes(b, policy=policy.default) for b in received]
    assert message["To"] == "ana@doc.org" and message["Subject"] == "PARS: System Access Granted"
    assert message.get_content().replace("\r\n", "\n") == "Dear Ana,\nyour link\n"  # SMTP lines end in CRLF


def test_pars_mail_is_checked_at_start():
    from pydantic import ValidationError

    from adapters.settings import Settings

    with pytest.raises(ValidationError):
        Settings(mail="mailto:someone")
