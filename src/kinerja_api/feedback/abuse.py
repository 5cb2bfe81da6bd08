"""Abuse controls of the citizen submissions, on top of the public rate limits in
`core.ratelimit`: a limit per service unit, whatever the address, and refusal of a submission
identical to one accepted moments before. The per-unit limit needs the validated unit code, so
it runs in the service, not as a route dependency."""

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import CONFLICT, Problem
from kinerja_api.core.ratelimit import client_address, count_hit, digest, enforce, settings_of
from kinerja_api.feedback.codes import normalize

# Codes as a person types them and as they are stored differ; duplicates compare stored forms.
CODE_FIELDS = ("unit_code", "staff_code")
_DUPLICATE = Msg(
    "Isian yang sama baru saja diterima; tidak perlu dikirim ulang.",
    "The same submission was just received; there is no need to send it again.",
)


def _unit_limit(request: Request, unit_code: str) -> tuple[str, int]:
    return "unit:" + normalize(unit_code), settings_of(request).public_rate_limit_per_unit


async def limit_per_unit(request: Request, unit_code: str | None) -> None:
    """429 with `Retry-After` once the unit is over its limit (no unit, no limit)."""
    if unit_code:
        await enforce(request, [_unit_limit(request, unit_code)])


def fingerprint(request: Request, payload: Mapping[str, Any]) -> str:
    """Identifies a submission by what would be stored: codes count in their stored form."""
    stored = {
        field: normalize(value) if field in CODE_FIELDS and isinstance(value, str) else value
        for field, value in payload.items()
    }
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"), default=str)
    return digest(f"{client_address(request)}\n{request.url.path}\n{canonical}")


async def refuse_duplicates(session: AsyncSession, request: Request, fingerprint: str) -> None:
    """409 when the same address sent the same body within the duplicate window. Counted in the
    request's own transaction: only a submission that was stored blocks its twin."""
    window = settings_of(request).public_duplicate_window_seconds
    if window == 0:
        return
    hits, _ = await count_hit(session, "duplicate:" + fingerprint, window)
    if hits > 1:
        raise Problem(CONFLICT, _DUPLICATE)
