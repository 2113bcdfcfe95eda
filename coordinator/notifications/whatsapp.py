"""WhatsApp through the WhatsApp Business Platform Cloud API: one template message per outbox row, and the
delivery statuses the platform posts back to our webhook.

    POST {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages   (WHATSAPP_API_URL ends with the version, e.g.
    https://graph.facebook.com/v21.0)
    Authorization: Bearer {WHATSAPP_TOKEN}
    {"messaging_product": "whatsapp", "to": "628…", "type": "template",
     "template": {"name": …, "language": {"code": "id"}, "components": [{"type": "body", "parameters": […]}]},
     "biz_opaque_callback_data": <the outbox key's hash>}

Business-initiated messages outside a 24-hour conversation must be approved templates, so every message is one.
The answer's error code decides what the outbox does (it retries only what may succeed later):
- 429, 5xx, a network failure, throughput codes 130429/131056/80007, and an expired or invalid token (190, 401:
  an admin must renew it; the message waits and goes out once the token works): try again later;
- a number that is not on WhatsApp (131026, 131030, 131021): failed for good, the number is flagged and the
  person's reminders (and this message) go by email;
- a template that does not exist, is not approved, paused or has the wrong parameters (132000-132016): this
  message failed for good (the number is fine).
After a rate limit the adapter is `paused`: the outbox leaves the run's other WhatsApp messages waiting (they keep
their attempts). The platform takes no idempotency key: a message whose run was killed between the platform's
answer and the outbox's commit is sent again (rare; the row's id rides along as biz_opaque_callback_data, so the
statuses of both copies reach the same row). Delivery statuses (sent, delivered, read, failed) arrive signed with
X-Hub-Signature-256 (HMAC-SHA256 of the raw body with WHATSAPP_APP_SECRET), checked in `signature_valid`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coordinator.notifications.mailer import PermanentMailError, TransientMailError

DEFAULT_TIMEOUT = 15.0
# Throughput and spam limits, the platform's own trouble, and an expired token: worth trying again later.
RETRY_CODES = frozenset({4, 130429, 131048, 131056, 80007, 131000, 131016, 190})
# The number itself cannot receive WhatsApp (not 131009 "parameter not valid", which may be any parameter).
NUMBER_CODES = frozenset({131026, 131030, 131021})
THROTTLE_CODES = frozenset({4, 130429, 131048, 131056, 80007})
# Statuses in the order a message goes through them: a late "delivered" never undoes "read".
STATUS_ORDER = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


@dataclass(frozen=True)
class OutgoingWhatsApp:
    to: str  # E.164, +628…
    template: str
    language: str
    params: list[str]
    idempotency_key: str  # the same on every attempt at one outbox row


class WhatsAppCloud:
    """The Cloud API adapter. `send` returns the platform's message id (wamid…)."""

    def __init__(self, base_url: str, token: str, phone_number_id: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not base_url.startswith(("https://", "http://")):  # never file: or another scheme urlopen knows
            raise ValueError("WHATSAPP_API_URL must be an http(s) URL")
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.token, self.timeout = token, timeout
        self.paused = False  # set by a rate limit: the rest of this run's WhatsApp messages wait

    def send(self, message: OutgoingWhatsApp) -> str:
        body = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": message.to.lstrip("+"),
            "type": "template",
            "template": {"name": message.template, "language": {"code": message.language},
                         "components": [{"type": "body", "parameters": [
                             {"type": "text", "text": p} for p in message.params]}]},
            "biz_opaque_callback_data": message.idempotency_key,
        }
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="POST", headers={  # noqa: S310
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            error = _error(message.to, err.code, _json(err.read()))
            if err.code == 429 or getattr(error, "throttled", False):
                self.paused = True
            raise error from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as err:
            raise TransientMailError(f"WhatsApp API unreachable: {err}") from None
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise TransientMailError(f"WhatsApp API answered without a message id: {str(answer)[:200]}") from None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(to: str, status: int, body: Mapping[str, Any]) -> Exception:
    found = body.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    code = int(error.get("code") or 0) if str(error.get("code") or "0").isdigit() else 0
    text = f"HTTP {status}, code {code}: {str(error.get('message') or '')[:300]}"
    if status == 429 or status >= 500 or status == 401 or code in RETRY_CODES:
        transient = TransientMailError(text)
        transient.throttled = status == 429 or code in THROTTLE_CODES  # type: ignore[attr-defined]
        return transient
    if code in NUMBER_CODES:
        return PermanentMailError(to, code, text)
    return PermanentMailError(None, code, text)  # e.g. a template not approved: this message, not the number


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + the hex HMAC-SHA256 of the raw body, keyed with the app secret."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@dataclass(frozen=True)
class StatusUpdate:
    message_id: str
    status: str  # sent | delivered | read | failed
    recipient: str
    error_code: int | None
    error_title: str | None
    callback: str | None = None  # our biz_opaque_callback_data: the outbox row's message id


def status_updates(payload: Any) -> list[StatusUpdate]:
    """The statuses of a webhook call (entry[].changes[].value.statuses[]); anything else is ignored."""
    out: list[StatusUpdate] = []
    entries = payload.get("entry") if isinstance(payload, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            statuses = value.get("statuses") if isinstance(value, dict) else None
            for status in statuses if isinstance(statuses, list) else []:
                if not isinstance(status, dict) or not isinstance(status.get("status"), str) \
                        or status["status"] not in STATUS_ORDER:
                    continue
                errors = status.get("errors") if isinstance(status.get("errors"), list) else []
                first = errors[0] if errors and isinstance(errors[0], dict) else {}
                code = first.get("code")
                out.append(StatusUpdate(str(status.get("id") or "")[:200], str(status["status"]),
                                        str(status.get("recipient_id") or "")[:20],
                                        int(code) if isinstance(code, int) else None,
                                        str(first.get("title") or first.get("message") or "")[:300] or None,
                                        str(status.get("biz_opaque_callback_data") or "")[:100] or None))
    return [u for u in out if u.message_id]


def channel_from_config(config: Mapping[str, Any]) -> WhatsAppCloud | None:
    """The adapter when WHATSAPP_API_URL, WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set; else None (the
    channel is off and nothing is recorded for it)."""
    url, token, number = (config.get("WHATSAPP_API_URL"), config.get("WHATSAPP_TOKEN"),
                          config.get("WHATSAPP_PHONE_NUMBER_ID"))
    if not (url and token and number):
        return None
    return WhatsAppCloud(str(url), str(token), str(number), float(config.get("WHATSAPP_TIMEOUT") or DEFAULT_TIMEOUT))
