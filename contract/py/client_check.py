"""A small client built only from the package openapi-python-client generates from the
published contract; `mypy --strict` over both fails when the contract stops fitting it."""

import uuid

from kinerja_api_client import AuthenticatedClient, Client
from kinerja_api_client.api.auth import auth_token
from kinerja_api_client.api.plans import plans_list
from kinerja_api_client.api.progress_reports import progress_reports_create
from kinerja_api_client.api.targets import targets_get, targets_update
from kinerja_api_client.models import (
    Plan,
    PlanPage,
    Problem,
    ProgressReport,
    ProgressReportCreate,
    Target,
    TargetUpdate,
    TokenRequest,
    TokenRequestGrantType,
    TokenResponse,
)
from kinerja_api_client.types import UNSET, Unset


def sign_in(base_url: str, username: str, password: str) -> AuthenticatedClient:
    anonymous = AuthenticatedClient(base_url=base_url, token="")
    form = TokenRequest(
        grant_type=TokenRequestGrantType.PASSWORD, username=username, password=password
    )
    answer = auth_token.sync(client=anonymous, body=form)
    if not isinstance(answer, TokenResponse):
        raise RuntimeError(f"sign-in refused: {answer}")
    return AuthenticatedClient(base_url=base_url, token=answer.access_token)


def all_plans(client: AuthenticatedClient) -> list[Plan]:
    plans: list[Plan] = []
    cursor: str | Unset = UNSET
    while True:
        page = plans_list.sync(client=client, limit=50, cursor=cursor)
        if not isinstance(page, PlanPage):
            raise RuntimeError(f"listing refused: {page}")
        plans.extend(page.items)
        if not isinstance(page.next_cursor, str):
            return plans
        cursor = page.next_cursor


def report_progress(client: AuthenticatedClient, indicator_id: uuid.UUID) -> ProgressReport:
    body = ProgressReportCreate(indicator_id=indicator_id, value="12.5")
    answer = progress_reports_create.sync_detailed(
        client=client, body=body, idempotency_key=str(uuid.uuid4())
    )
    if not isinstance(answer.parsed, ProgressReport):
        raise RuntimeError(f"report refused: {answer.status_code}")
    print("created at", answer.headers.get("Location"))
    return answer.parsed


def rename_target(client: AuthenticatedClient, target_id: uuid.UUID, title: str) -> Target:
    read = targets_get.sync_detailed(target_id, client=client)
    etag = read.headers.get("ETag", "")
    answer = targets_update.sync(
        target_id, client=client, body=TargetUpdate(title=title), if_match=etag
    )
    if isinstance(answer, Problem) or answer is None:
        raise RuntimeError(f"update refused: {answer}")
    return answer


def anonymous(base_url: str) -> Client:
    return Client(base_url=base_url)
