"""The webhook verifies SNS SignatureVersion 2 on messages these tests sign with their own key."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from relay_local.webhook import SignatureRejected, WebhookReceiver, canonical_string, verify_signature

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"


@pytest.fixture(scope="module")
def key_and_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def _signed(key: rsa.RSAPrivateKey, message: dict[str, str]) -> dict[str, str]:
    message = {**message, "SignatureVersion": "2", "SigningCertURL": CERT_URL}
    signature = key.sign(canonical_string(message), padding.PKCS1v15(), hashes.SHA256())
    return {**message, "Signature": base64.b64encode(signature).decode()}


NOTIFICATION = {
    "Type": "Notification",
    "MessageId": "m-1",
    "TopicArn": "arn:aws:sns:us-east-1:123456789012:topic",
    "Subject": "ICEYE derivatives complete: x",
    "Message": '{"eventType": "DERIVATIVES_COMPLETE"}',
    "Timestamp": "2026-11-24T12:00:00.000Z",
}


def test_a_correctly_signed_notification_is_accepted(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    key, cert = key_and_cert
    receiver = WebhookReceiver(fetch_certificate=lambda url: cert)
    receiver.receive(_signed(key, NOTIFICATION))
    (delivery,) = receiver.deliveries
    assert delivery.verified
    assert delivery.payload == {"eventType": "DERIVATIVES_COMPLETE"}


def test_a_tampered_message_is_rejected(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    key, cert = key_and_cert
    tampered = {**_signed(key, NOTIFICATION), "Message": '{"eventType": "TASK_GAVE_UP"}'}
    with pytest.raises(SignatureRejected, match="invalid signature"):
        verify_signature(tampered, lambda url: cert)
    receiver = WebhookReceiver(fetch_certificate=lambda url: cert)
    receiver.receive(tampered)
    assert receiver.deliveries == []
    assert receiver.rejected


def test_a_certificate_outside_sns_hosts_is_rejected(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    key, cert = key_and_cert
    message = {**_signed(key, NOTIFICATION), "SigningCertURL": "https://evil.example.com/cert.pem"}
    with pytest.raises(SignatureRejected, match="not an SNS host"):
        verify_signature(message, lambda url: cert)


def test_signature_version_1_is_refused(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    key, cert = key_and_cert
    with pytest.raises(SignatureRejected, match="SignatureVersion 2"):
        verify_signature({**_signed(key, NOTIFICATION), "SignatureVersion": "1"}, lambda url: cert)


def test_a_subscription_confirmation_is_answered(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    key, cert = key_and_cert
    receiver = WebhookReceiver(fetch_certificate=lambda url: cert).start()
    try:
        receiver.receive(
            _signed(
                key,
                {
                    "Type": "SubscriptionConfirmation",
                    "MessageId": "c-1",
                    "Token": "token",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:topic",
                    "Message": "You have chosen to subscribe",
                    "SubscribeURL": receiver.url.replace("/sns", "/confirm?Token=token"),
                    "Timestamp": "2026-11-24T12:00:00.000Z",
                },
            )
        )
    finally:
        receiver.stop()
    assert receiver.confirmed == ["arn:aws:sns:us-east-1:123456789012:topic"]
    assert receiver.deliveries == []
