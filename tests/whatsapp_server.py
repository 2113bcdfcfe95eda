"""A WhatsApp Cloud API stand-in on loopback: the documented request and response shapes, its error answers,
and signed delivery-status webhooks, for the outbox's WhatsApp channel.

    POST /v21.0/<phone-number-id>/messages  (Authorization: Bearer <token>)
    200 {"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid…"}]}
    errors: {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}

Scripted by the test: `invalid` numbers answer 131026 (not on WhatsApp), `unapproved` templates 132001, `expired`
answers 401 with code 190, `rate_limited` answers the next N requests with 429 and 130429, `stop()` closes the
port (connection refused) and `start()` opens the same one again.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION = "v21.0"
PHONE_NUMBER_ID = "109876543210"
TOKEN = "test-token"
APP_SECRET = "test-app-secret"


class WhatsAppServer:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # the accepted messages, with their wamid and idempotency key
        self.requests = 0
        self.invalid: set[str] = set()
        self.unapproved: set[str] = set()
        self.expired = False
        self.rate_limited = 0
        self.lock = threading.Lock()
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    @property
    def config(self) -> dict[str, Any]:
        return {"WHATSAPP_API_URL": self.base_url, "WHATSAPP_TOKEN": TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WHATSAPP_APP_SECRET": APP_SECRET,
                "WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_TIMEOUT": 5.0}

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = server.answer(self.path, self.headers, body)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        ThreadingHTTPServer.allow_reuse_address = True
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @staticmethod
    def error(status: int, code: int, message: str, kind: str = "OAuthException") -> tuple[int, dict[str, Any]]:
        return status, {"error": {"message": message, "type": kind, "code": code, "error_subcode": 2494010,
                                  "fbtrace_id": uuid.uuid4().hex[:20]}}

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if path != f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
                return self.error(400, 100, "Unsupported post request", "GraphMethodException")
            if self.expired or headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.error(401, 190, "Error validating access token: Session has expired")
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return self.error(429, 130429, "Rate limit hit", "ThrottlingException")
            try:
                message = json.loads(body)
                to, template = str(message["to"]), message["template"]
                name, language = template["name"], template["language"]["code"]
                params = [p["text"] for c in template.get("components", []) for p in c.get("parameters", [])]
                assert message["messaging_product"] == "whatsapp" and message["type"] == "template"
            except (ValueError, KeyError, TypeError, AssertionError):
                return self.error(400, 100, "Invalid parameter", "OAuthException")
            if not to.isdigit():
                return self.error(400, 131009, "Parameter value is not valid")
            if to in self.invalid:
                return self.error(400, 131026, "Message undeliverable")
            if name in self.unapproved:
                return self.error(404, 132001, "Template name does not exist in the translation")
            wamid = f"wamid.{uuid.uuid4().hex}"
            self.received.append({"to": to, "template": name, "language": language, "params": params,
                                  "id": wamid, "key": headers.get("Idempotency-Key"),
                                  "opaque": message.get("biz_opaque_callback_data")})
            return 200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": wamid}]}


def status_webhook(statuses: list[dict[str, Any]], secret: str = APP_SECRET) -> tuple[bytes, str]:
    """The body and X-Hub-Signature-256 of a webhook call carrying `statuses` (each {"id", "status",
    "recipient_id", optional "errors"}), as the platform signs it."""
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
                                       "metadata": {"display_phone_number": "6281100000000",
                                                    "phone_number_id": PHONE_NUMBER_ID},
                                       "statuses": [{"timestamp": "1764900000", **s} for s in statuses]}}]}]}
    body = json.dumps(payload).encode()
    return body, "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
