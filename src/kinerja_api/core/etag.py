"""Optimistic concurrency: resources carry a version, updates must name it in If-Match."""

from typing import Annotated

from fastapi import Header, Response

from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import PRECONDITION_FAILED, PRECONDITION_REQUIRED, Problem
from kinerja_api.core.schemas import ClientText

IfMatch = Annotated[
    ClientText | None,
    Header(
        alias="If-Match",
        description="The `ETag` from your last read of this resource; required for updates.",
    ),
]

_MISSING = Msg(
    "Kirim header If-Match berisi ETag terakhir dari sumber daya ini.",
    "Send an If-Match header with this resource's latest ETag.",
)
_MISMATCH = Msg(
    "Sumber daya telah diubah oleh orang lain; baca ulang lalu coba lagi.",
    "The resource has changed since you read it; fetch it again and retry.",
)


def etag_of(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_of(version)


def check_if_match(if_match: str | None, version: int) -> None:
    """428 when the header is missing, 412 when it does not name the current version."""
    if if_match is None or not if_match.strip():
        raise Problem(PRECONDITION_REQUIRED, _MISSING)
    current = etag_of(version)
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in candidates and current not in candidates:
        raise Problem(PRECONDITION_FAILED, _MISMATCH, current_etag=current)


def stale_write_problem() -> Problem:
    return Problem(PRECONDITION_FAILED, _MISMATCH)


def created_headers(collection_path: str, resource_id: object, version: int) -> dict[str, str]:
    """`Location` and `ETag` of a newly created resource."""
    return {"Location": f"{collection_path}/{resource_id}", "ETag": etag_of(version)}
