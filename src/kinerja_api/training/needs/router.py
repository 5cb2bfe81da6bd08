import uuid
from typing import Annotated

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.needs import service
from kinerja_api.training.needs.schemas import RecommendationsOut

router = Router(prefix="/api/v1/employees", tags=["training-recommendations"])
# Each reader sees the employees they may read (`repository.readable`).
Reader = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.TRAINING_ADMIN,
        Role.AGENCY_ADMIN,
        Role.EMPLOYEE,
    ),
]


@router.get(
    "/{employee_id}/training-recommendations",
    name="get",
    summary="Get an employee's training recommendations",
    response_model=RecommendationsOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_recommendations(
    employee_id: uuid.UUID, session: DbSession, principal: Reader
) -> RecommendationsOut:
    """From the employee's latest evaluation: each core value below expectation in their
    latest closed 360° cycle (only groups the results show count) suggests the programs of
    that value; a locked predikat calling for a development plan (Butuh Perbaikan, Kurang,
    Sangat Kurang) adds technical programs when the work results fell short, and every core
    value's programs when behaviour fell short with no value singled out. Each program with
    its next sessions open for enrollment. For the employee, their supervisors, agency
    administrators of their subtree, and the region's training and region administrators."""
    return await service.recommend(session, principal, employee_id)
