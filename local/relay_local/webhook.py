"""A webhook subscriber on loopback that speaks SNS's HTTP protocol: confirms subscriptions, verifies signatures."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SNS_CERT_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


class SignatureRejected(Exception):
    """An SNS message whose signature does not hold."""


def canonical_string(message: dict[str, Any]) -> bytes:
    """The string SNS signs: selected keys and values, one per line, in order (Subject only when present)."""
    keys = _SIGNED_KEYS.get(message.get("Type", ""))
    if keys is None:
        raise SignatureRejected(f"unknown SNS message type {message.get('Type')!r}")
    return "".join(f"{key}\n{message[key]}\n" for key in keys if key in message).encode()


def verify_signature(
    message: dict[str, Any],
    fetch_certificate: Callable[[str], bytes],
    cert_host: re.Pattern[str] = SNS_CERT_HOST,
) -> None:
    """Raise SignatureRejected unless `message` carries a valid SignatureVersion 2 (SHA256withRSA) signature from
    a certificate served over https by an SNS host."""
    if message.get("SignatureVersion") != "2":
        raise SignatureRejected("only SignatureVersion 2 (SHA256withRSA) is accepted")
    cert_url = urlsplit(str(message.get("SigningCertURL", "")))
    if cert_url.scheme != "https" or not cert_host.match(cert_url.hostname or ""):
        raise SignatureRejected(f"signing certificate host {cert_url.hostname!r} is not an SNS host")
    certificate = x509.load_pem_x509_certificate(fetch_certificate(cert_url.geturl()))
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureRejected("the signing certificate does not hold an RSA key")
    try:
        public_key.verify(
            base64.b64decode(message["Signature"]), canonical_string(message), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, KeyError, ValueError) as error:
        raise SignatureRejected(f"invalid signature ({type(error).__name__})") from None


def _fetch_certificate(url: str) -> bytes:
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.content


@dataclass
class Delivery:
    """One notification as the webhook received it."""

    payload: dict[str, Any]
    verified: bool  # False: moto's local delivery, which is unsigned


@dataclass
class WebhookReceiver:
    """Serves on 127.0.0.1 in a thread; `deliveries` holds what arrived."""

    fetch_certificate: Callable[[str], bytes] = _fetch_certificate
    cert_host: re.Pattern[str] = SNS_CERT_HOST
    # moto signs with a placeholder certificate no one can fetch offline: the demo records its messages unverified
    verify_signatures: bool = True
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where SNS should POST."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/sns"

    def start(self) -> WebhookReceiver:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def receive(self, message: dict[str, Any]) -> None:
        """Handle one SNS POST body."""
        signed = "Signature" in message and self.verify_signatures
        if signed:
            try:
                verify_signature(message, self.fetch_certificate, self.cert_host)
            except (SignatureRejected, requests.RequestException) as error:
                with self._lock:
                    self.rejected.append(str(error))
                return
        kind = message.get("Type")
        if kind == "SubscriptionConfirmation":
            requests.get(message["SubscribeURL"], timeout=5).raise_for_status()
            with self._lock:
                self.confirmed.append(str(message.get("TopicArn")))
        elif kind == "Notification":
            with self._lock:
                self.deliveries.append(Delivery(json.loads(message["Message"]), verified=signed))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    receiver.receive(json.loads(body))
                except Exception as error:  # a subscriber answers, whatever it was sent
                    receiver.rejected.append(f"unreadable message ({type(error).__name__})")
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(200)
                self.end_headers()

            def do_GET(self) -> None:  # lets a test point a SubscribeURL here
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
