"""The event types a subscription may name, and which of them reach it.

The catalogue is `core.events.EVENT_DATA`: every type an `EventData` model of a domain's
`events.py` declares, registered as the module is imported (the app imports them all). A new
event type joins it by being declared there. A subscription names types (`plan.approved`) or
families (`plan.*`); what it receives is what a region's administrator may see on the streams
(`progress.api.Audience`: never a rater's own evaluation events; every import of the region),
and for a service account only the families its scopes read (not imports: an account reads
only its own)."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from kinerja_api.core.broker import StreamEvent
from kinerja_api.core.events import EVENT_DATA, EventData
from kinerja_api.progress.api import READ_SCOPE as STREAM_SCOPE
from kinerja_api.progress.api import STREAM_FAMILIES, Audience
from kinerja_api.webhooks.events import PING

MANAGE_SCOPE = "webhooks:manage"
WILDCARD = ".*"
# The scope a service account needs to receive each family: the families the staff stream
# carries are read with the stream's scope (its own rule); target and indicator edits are read
# with the plans they belong to; the webhook family with the scope that manages webhooks.
# A family not listed (complaints, surveys: no scope reads them) reaches people's
# subscriptions only.
SERVICE_ACCOUNT_SCOPES: Mapping[str, str] = {
    **dict.fromkeys(STREAM_FAMILIES, STREAM_SCOPE),
    "target": "plans:read",
    "indicator": "plans:read",
    "webhook": MANAGE_SCOPE,
}
_PROBE_REGION = uuid.UUID(int=1)
_PROBE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def family_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def _seen_region_wide(event_type: str) -> bool:
    """Whether a region's administrator ever sees events of this type on a stream: the
    streams' rule asked about an event that concerns no one in particular."""
    probe = StreamEvent(
        id=0,
        region_id=_PROBE_REGION,
        type=event_type,
        entity_type="",
        entity_id=_PROBE_REGION,
        employee_id=None,
        agency_id=None,
        public=False,
        payload={},
        occurred_at=_PROBE_TIME,
    )
    return Audience(_PROBE_REGION, region_wide=True, imports_admin=True).sees(probe)


def deliverable() -> dict[str, type[EventData]]:
    """Every event type a webhook may carry, with the model of its `data`, by name."""
    return {
        event_type: model
        for event_type, model in sorted(EVENT_DATA.items())
        if _seen_region_wide(event_type)
    }


def families(types: Iterable[str]) -> set[str]:
    return {family_of(event_type) for event_type in types}


def unknown(patterns: Iterable[str]) -> list[str]:
    """The patterns that name no deliverable type nor a family of them."""
    types = deliverable()
    known_families = families(types)
    return [
        pattern
        for pattern in patterns
        if pattern not in types
        and not (pattern.endswith(WILDCARD) and pattern.removesuffix(WILDCARD) in known_families)
    ]


def readable_by(scopes: Iterable[str]) -> frozenset[str]:
    """The families a service account with `scopes` may receive."""
    held = set(scopes)
    return frozenset(family for family, scope in SERVICE_ACCOUNT_SCOPES.items() if scope in held)


def unreadable(patterns: Iterable[str], scopes: Iterable[str]) -> list[str]:
    """The patterns a service account with `scopes` may not receive."""
    readable = readable_by(scopes)
    return [pattern for pattern in patterns if family_of(pattern) not in readable]


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether a subscription naming `patterns` wants events of `event_type` (a ping is
    addressed to one subscription and matched by none)."""
    if event_type == PING:
        return False
    wanted = set(patterns)
    return event_type in wanted or family_of(event_type) + WILDCARD in wanted
