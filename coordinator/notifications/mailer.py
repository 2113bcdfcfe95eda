"""Sending one email over SMTP, and telling the outbox whether a failure is worth retrying.

The mailer reads its settings from a plain mapping (app.config, or any dict), so the
scheduler process can use it outside a request. Settings and their defaults:

MAIL_SERVER (localhost), MAIL_PORT (25), MAIL_USERNAME / MAIL_PASSWORD (no login when
empty), MAIL_USE_TLS (STARTTLS after connecting), MAIL_USE_SSL (SMTP over TLS from the
start, usually port 465), MAIL_DEFAULT_SENDER (the From address, whose domain also ends
every Message-ID), MAIL_TIMEOUT (seconds).
"""
from __future__ import annotations

import mimetypes
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

DEFAULT_SENDER = "SITISEK Kutai Timur <no-reply@localhost>"
DEFAULT_TIMEOUT = 30.0


class MailError(Exception):
    """A message could not be sent."""


class TransientMailError(MailError):
    """Worth retrying later: server down, connection refused or timed out, a 4xx answer."""


class PermanentMailError(MailError):
    """Refused for good (a 5xx answer). `recipient` is set when the server refused the address
    itself (5xx on RCPT TO); it is None when it refused this message but not the address."""

    def __init__(self, recipient: str | None, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.recipient = recipient
        self.code = code
        self.message = message


@dataclass(frozen=True)
class OutgoingMail:
    recipient: str
    subject: str
    body_text: str
    body_html: str | None = None
    attachment_name: str | None = None
    attachment_path: str | None = None
    # The part of the Message-ID before "@" (the sender's domain follows). The outbox derives it from its row, so
    # every attempt at one message carries the same Message-ID; None: a fresh random one.
    message_id: str | None = None


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> None: ...


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class MailSettings:
    server: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    use_ssl: bool = False
    sender: str = DEFAULT_SENDER
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            server=str(config.get("MAIL_SERVER") or "localhost"),
            port=int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=_flag(config.get("MAIL_USE_TLS", False)),
            use_ssl=_flag(config.get("MAIL_USE_SSL", False)),
            sender=str(config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER),
            timeout=float(config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT),
        )


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """Plain text, an optional HTML alternative and an optional attachment read from disk."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    msg["Message-ID"] = f"<{mail.message_id}@{domain}>" if mail.message_id else make_msgid(domain=domain)
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    if mail.attachment_path:
        path = Path(mail.attachment_path)
        name = mail.attachment_name or path.name
        ctype, _ = mimetypes.guess_type(name)
        maintype, _, subtype = (ctype or "application/octet-stream").partition("/")
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=name)
    return msg


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class SmtpMailer:
    """Sends each message on its own SMTP connection (a reminder run sends few, and a fresh
    connection never inherits a half-broken session from the previous message)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.settings = MailSettings.from_config(config)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
        try:
            if s.use_tls and not s.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, mail: OutgoingMail) -> None:
        try:
            message = build_message(mail, self.settings.sender)
        except OSError as err:  # the attachment is missing or unreadable: retry, it may come back
            raise TransientMailError(f"attachment {mail.attachment_path}: {err}") from err
        try:
            smtp = self._connect()
            try:
                smtp.send_message(message, to_addrs=[mail.recipient])
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except smtplib.SMTPRecipientsRefused as err:
            code, raw = err.recipients.get(mail.recipient, next(iter(err.recipients.values()), (450, b"refused")))
            if 500 <= code < 600:
                raise PermanentMailError(mail.recipient, code, _text(raw)) from err
            raise TransientMailError(f"{code} {_text(raw)}") from err
        except smtplib.SMTPDataError as err:
            if 500 <= err.smtp_code < 600:
                raise PermanentMailError(None, err.smtp_code, _text(err.smtp_error)) from err
            raise TransientMailError(f"{err.smtp_code} {_text(err.smtp_error)}") from err
        except smtplib.SMTPResponseException as err:
            # Sender refused, login refused, HELO refused...: our configuration, not the recipient's
            # address. Retry with backoff so an admin can fix the settings; nothing is lost.
            raise TransientMailError(f"{err.smtp_code} {_text(err.smtp_error)}") from err
        except (smtplib.SMTPException, OSError) as err:  # refused, reset, timed out, DNS, TLS
            raise TransientMailError(f"{type(err).__name__}: {err}") from err
