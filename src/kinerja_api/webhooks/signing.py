"""Signatures of deliveries, as Stripe signs its webhooks: `X-Kinerja-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>`. While a
rotated-out secret is still valid, a second `v1=` signs with it; a receiver accepts the delivery
when any `v1` matches a secret it holds (README, "Webhooks")."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets
SIGNATURE_HEADER = "X-Kinerja-Signature"
DELIVERY_HEADER = "X-Kinerja-Delivery"
EVENT_HEADER = "X-Kinerja-Event"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(signing_secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header's value: the timestamp, then one `v1=` per secret, the newest first."""
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in signing_secrets]
    return ",".join(parts)
