"""A small GOV.UK Notify on loopback, for the real Notify client to talk to.

Notify itself is outside this machine, so this stands in for it: the API's documented
paths, answers and error bodies, checking each request's JWT with the client's own
signing rules. It records every request, keeps the messages it took (their status can be
set, as Notify's would change), and answers the next requests as a test tells it to (a
429, a 400 with an error body, or an answer too slow for the client's time-out).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

SERVICE_ID = "8b3aa9ca-ffe6-4a94-a1d4-8c7a4e9c3f11"
SECRET = "2d6c9b4e-71a3-4f5e-9c88-0b1f2e3d4c5a"
API_KEY = f"scrubhub_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@dataclass
class Scripted:
    status: int = 201
    body: dict | None = None
    delay: float = 0.0  # seconds before answering (longer than the client waits: a time-out)
    accept: bool = False  # take the message even so (Notify took it; the answer came late)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: dict | None


@dataclass
class FakeNotify:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    notifications: dict[str, dict] = field(default_factory=dict)
    _script: list[Scripted] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, *answers: Scripted) -> None:
        """The next sends (POSTs) get these answers, in order; then Notify accepts again."""
        with self._lock:
            self._script.extend(answers)

    def sends(self, kind: str = "sms") -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith(f"/{kind}")]

    def set_status(self, notification_id: str, status: str) -> None:
        with self._lock:
            self.notifications[notification_id]["status"] = status
            self.notifications[notification_id]["completed_at"] = "2026-12-03T10:15:30.000000Z"

    def texts_to(self, phone: str) -> list[str]:
        """What was texted to a number, oldest first (for reading a sign-in code)."""
        return [
            n["body"]
            for n in self.notifications.values()
            if n["type"] == "sms" and n["phone_number"] == phone
        ]

    # --- serving ------------------------------------------------------------------------

    def _take(self, kind: str, body: dict) -> dict:
        notification_id = str(uuid.uuid4())
        personalisation = body.get("personalisation") or {}
        notification = {
            "id": notification_id,
            "reference": body.get("reference"),
            "type": kind,
            "status": "created",
            "phone_number": body.get("phone_number"),
            "email_address": body.get("email_address"),
            "body": personalisation.get("body", ""),
            "subject": personalisation.get("subject"),
            "created_at": "2026-12-03T10:15:00.000000Z",
            "sent_at": None,
            "completed_at": None,
            "template": {"id": body.get("template_id"), "version": 1, "uri": ""},
        }
        self.notifications[notification_id] = notification
        return notification

    def _handle(self, handler: BaseHTTPRequestHandler, method: str):
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append(
                Recorded(method, parts.path, parse_qs(parts.query), dict(handler.headers), body)
            )
        error = self._authorise(handler.headers.get("Authorization", ""))
        if error:
            return 403, {"status_code": 403, "errors": [{"error": "AuthError", "message": error}]}
        if method == "POST" and parts.path in ("/v2/notifications/sms", "/v2/notifications/email"):
            return self._send(parts.path.rsplit("/", 1)[1], body or {})
        if method == "GET" and parts.path == "/v2/notifications":
            reference = parse_qs(parts.query).get("reference", [None])[0]
            with self._lock:
                found = [
                    n
                    for n in self.notifications.values()
                    if reference is None or n["reference"] == reference
                ]
            return 200, {"notifications": found, "links": {"current": handler.path}}
        if method == "GET" and parts.path.startswith("/v2/notifications/"):
            with self._lock:
                notification = self.notifications.get(parts.path.rsplit("/", 1)[1])
            if notification is None:
                return 404, {
                    "status_code": 404,
                    "errors": [{"error": "NoResultFound", "message": "No result found"}],
                }
            return 200, notification
        return 404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]}

    def _authorise(self, header: str) -> str:
        token = header.removeprefix("Bearer ")
        try:
            if get_token_issuer(token) != SERVICE_ID:
                return "Invalid token: service not found"
            decode_jwt_token(token, SECRET)
        except TokenError as error:
            return error.message
        return ""

    def _send(self, kind: str, body: dict):
        with self._lock:
            scripted = self._script.pop(0) if self._script else Scripted()
        if scripted.status == 201 or scripted.accept:
            with self._lock:
                notification = self._take(kind, body)
        if scripted.delay:
            time.sleep(scripted.delay)
        if scripted.status != 201:
            return scripted.status, scripted.body
        return 201, {
            "id": notification["id"],
            "reference": notification["reference"],
            "content": {"body": notification["body"], "from_number": "ScrubHub"},
            "uri": f"{self.url}/v2/notifications/{notification['id']}",
            "template": notification["template"],
        }


def start() -> tuple[FakeNotify, ThreadingHTTPServer]:
    fake = FakeNotify()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            status, body = fake._handle(self, method)
            data = json.dumps(body).encode() if body is not None else b""
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a time-out test)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


RATE_LIMITED = Scripted(
    status=429,
    body={
        "status_code": 429,
        "errors": [
            {
                "error": "RateLimitError",
                "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            }
        ],
    },
)
NOT_A_MOBILE = Scripted(
    status=400,
    body={
        "status_code": 400,
        "errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}],
    },
)

RECEIPT_TOKEN = "receipts-token-for-the-tests-0123456789"


def configure(settings, fake: FakeNotify, *, email: bool = False) -> None:
    """Point the site at the fake (pytest-django's `settings`): texts, and email if asked,
    go through the real Notify client to it."""
    settings.SMS_BACKEND = "scrubhub.notifications.notify.NotifySmsBackend"
    settings.SCRUBHUB_EMAIL_BACKEND = "notify" if email else "django"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
    settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
    settings.NOTIFY_CALLBACK_TOKEN = RECEIPT_TOKEN
    settings.NOTIFY_TIMEOUT_SECONDS = 1
