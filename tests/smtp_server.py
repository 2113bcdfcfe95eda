"""A real SMTP server on loopback for the tests (aiosmtpd), shared by the outbox and reminder suites."""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller

from coordinator.notifications.mailer import SmtpMailer


class RecordingHandler:
    """Keeps every accepted message; answers 550 for the addresses in `refuse`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [email.message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.received]

    def subjects(self) -> Counter[str]:
        return Counter(str(m["Subject"]) for m in self.parsed())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = _free_port()
        self.controller: Controller | None = None
        self.config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5,
                       "MAIL_DEFAULT_SENDER": "SITISEK Kutim <sitisek@kutaitimurkab.example>"}

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailer(self) -> SmtpMailer:
        return SmtpMailer(self.config)


def unwire(text: str) -> str:
    """SMTP carries CRLF line endings."""
    return text.replace("\r\n", "\n").rstrip("\n")
