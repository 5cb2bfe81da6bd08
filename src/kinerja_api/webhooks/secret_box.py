"""Signing secrets at rest. A receiver checks signatures with the secret itself, so the service
must be able to read it back: it is stored encrypted (Fernet: AES-128-CBC with an HMAC-SHA256
tag) under a key derived from `webhook_secret_key`, never in clear, and a copy of the
database alone does not reveal it."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet

from kinerja_api.config import Settings

_CONTEXT = b"kinerja-api webhook signing secrets\x00"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    derived = hashlib.sha256(_CONTEXT + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(settings: Settings, secret: str) -> str:
    return _fernet(settings.webhook_secret_key.get_secret_value()).encrypt(secret.encode()).decode()


def unseal(settings: Settings, ciphertext: str) -> str:
    key = settings.webhook_secret_key.get_secret_value()
    return _fernet(key).decrypt(ciphertext.encode()).decode()
