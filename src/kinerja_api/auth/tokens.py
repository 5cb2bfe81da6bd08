"""Access tokens (JWT, python-jose) and opaque refresh tokens.

The verifier trusts nothing in the token's header beyond picking a key: the algorithm list is
pinned, the key comes only from the configured key set by `kid`, and `typ`, `iss`, `aud`, `exp`
and `iat` are all required.
"""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from kinerja_api.auth.principal import Principal
from kinerja_api.config import Settings
from kinerja_api.models.org import Role

ALGORITHM = "HS256"
ALLOWED_ALGORITHMS = [ALGORITHM]
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
REFRESH_PREFIX = "krt"
# Tokens already verified, kept until they expire: a client sends the same token with every
# request, and checking its signature and claims again cost about a tenth of a small list
# request's CPU. Bounded, so a flood of distinct tokens cannot grow it.
VERIFIED_CACHE_SIZE = 4096


class InvalidToken(Exception):  # noqa: N818
    """Any reason at all; callers answer one uniform 401."""


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    expires_in: int


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self._keys = {kid: key.get_secret_value() for kid, key in settings.jwt_keys.items()}
        self._active_kid = settings.jwt_active_kid
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = settings.access_token_ttl_seconds
        self._expected: dict[str, Any] = {
            "audience": self._audience,
            "issuer": self._issuer,
            "options": {"require_exp": True, "require_iat": True, "require_sub": True},
        }
        self._verified: dict[str, tuple[Principal, float]] = {}

    def issue(self, principal: Principal) -> IssuedAccessToken:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(principal.id),
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
            "kind": principal.kind,
            "region": str(principal.region_id) if principal.region_id else None,
            "roles": sorted(principal.roles),
            "scope": " ".join(sorted(principal.scopes)),
            "emp": str(principal.employee_id) if principal.employee_id else None,
            "agency": str(principal.agency_id) if principal.agency_id else None,
        }
        token = jwt.encode(
            claims,
            self._keys[self._active_kid],
            algorithm=ALGORITHM,
            headers={"kid": self._active_kid, "typ": ACCESS_TOKEN_TYPE},
        )
        return IssuedAccessToken(token=token, expires_in=self._ttl)

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; a token seen before is trusted, byte for byte,
        until its `exp` (this process's keys never change)."""
        known = self._verified.get(token)
        if known is not None:
            principal, expires_at = known
            if time.time() < expires_at:
                return principal
            del self._verified[token]
        principal, expires_at = self._checked(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            # Forget the oldest entry (dicts keep insertion order).
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (principal, expires_at)
        return principal

    def _checked(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if header.get("alg") not in ALLOWED_ALGORITHMS or kid not in self._keys:
                raise InvalidToken
            if str(header.get("typ", "")).lower() != ACCESS_TOKEN_TYPE:
                raise InvalidToken
            key = self._keys[kid]
            claims = jwt.decode(token, key, algorithms=ALLOWED_ALGORITHMS, **self._expected)
            return _principal_from(claims), float(claims["exp"])
        except (JOSEError, KeyError, ValueError, TypeError) as exc:
            raise InvalidToken from exc


def _optional_uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _principal_from(claims: dict[str, Any]) -> Principal:
    kind = claims["kind"]
    if kind not in ("user", "service_account"):
        raise ValueError("kind")
    return Principal(
        kind=kind,
        id=uuid.UUID(claims["sub"]),
        region_id=_optional_uuid(claims.get("region")),
        roles=frozenset(Role(role) for role in claims.get("roles", [])),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        employee_id=_optional_uuid(claims.get("emp")),
        agency_id=_optional_uuid(claims.get("agency")),
    )


def new_refresh_token(token_id: uuid.UUID) -> tuple[str, str]:
    """The token handed to the client and the hash stored for it."""
    secret = secrets.token_urlsafe(32)
    return f"{REFRESH_PREFIX}_{token_id.hex}.{secret}", hash_refresh_secret(secret)


def parse_refresh_token(token: str) -> tuple[uuid.UUID, str]:
    try:
        prefix_and_id, secret = token.split(".", 1)
        prefix, token_id = prefix_and_id.split("_", 1)
        if prefix != REFRESH_PREFIX or not secret:
            raise ValueError(prefix)
        return uuid.UUID(hex=token_id), secret
    except ValueError as exc:
        raise InvalidToken from exc


def hash_refresh_secret(secret: str) -> str:
    # Refresh secrets are 256-bit random values, so a fast hash is enough to make a stolen
    # table useless; argon2 is for human-chosen passwords.
    return hashlib.sha256(secret.encode()).hexdigest()
