"""Argon2id password and secret hashing (pwdlib)."""

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verified against when the account does not exist, so that unknown users and wrong passwords
# take the same time to answer.
_DUMMY_HASH = _hasher.hash("kinerja-dummy-password-for-timing")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret: str, hashed: str | None) -> bool:
    if hashed is None:
        _hasher.verify(secret, _DUMMY_HASH)
        return False
    return _hasher.verify(secret, hashed)
