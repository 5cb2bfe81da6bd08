import uuid
from typing import Annotated

from fastapi import Query, Response

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import set_etag
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.training.certificates import service
from kinerja_api.training.certificates.schemas import (
    PDF_MEDIA_TYPE,
    CertificateFilters,
    CertificateOut,
    CertificateSort,
)
from kinerja_api.training.programs.repository import READ_SCOPE

router = Router(prefix="/api/v1/training-certificates", tags=["training-certificates"])
Reader = Annotated[Principal, requires(any_role=True, scopes=[READ_SCOPE])]


@router.get(
    "",
    name="list",
    summary="List training certificates",
    response_model=Page[CertificateOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_certificates(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[CertificateFilters, query_parameters(CertificateFilters)],
    sort: Annotated[CertificateSort, Query()] = CertificateSort.CREATED_AT,
) -> Page[CertificateOut]:
    """The certificates the caller may read: their own (`mine=true` for only those) and their
    reports'; an agency administrator's, those of enrollments in their agency subtree; all of
    the region for training and region administrators and auditors."""
    found, cursor = await service.list_certificates(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=found, next_cursor=cursor)


@router.get(
    "/{certificate_id}",
    name="get",
    summary="Get a training certificate",
    response_model=CertificateOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_certificate(
    certificate_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> CertificateOut:
    """One certificate the caller may read, with its `ETag`; `/pdf` draws it."""
    found = await service.get_certificate(session, principal, certificate_id)
    set_etag(response, found.version)
    return service.certificate_out(found)


@router.get(
    "/{certificate_id}/pdf",
    name="get-pdf",
    summary="Get a training certificate as PDF",
    response_class=Response,
    responses={
        200: {
            "description": "The certificate, one A4 landscape page, Indonesian and English.",
            "content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_certificate_pdf(
    certificate_id: uuid.UUID, session: DbSession, principal: Reader
) -> Response:
    """The certificate as a PDF document: the number, the employee's name and NIP, the
    program, the days of the session and the issue date in the region's zone, and the JP."""
    document = await service.certificate_pdf(session, principal, certificate_id)
    return Response(document, media_type=PDF_MEDIA_TYPE)
