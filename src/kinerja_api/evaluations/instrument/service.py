"""The BerAKHLAK instrument: the seven core values and their behaviour statements. The
regulation's statements belong to no region and stay as they are; a region adds its own beside
them and may reword those, never delete any (the application role has no DELETE on the table,
and row-level security keeps it from writing a row without its region)."""

import uuid
from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.evaluations.instrument.schemas import (
    InstrumentOut,
    InstrumentValueOut,
    StatementCreate,
    StatementOut,
    StatementUpdate,
)
from kinerja_api.models.evaluations import CoreValue, EvaluationStatement

AUDITED = ("value", "text_id", "text_en", "position")
LABELS: dict[CoreValue, tuple[str, str]] = {
    CoreValue.BERORIENTASI_PELAYANAN: ("Berorientasi Pelayanan", "Service oriented"),
    CoreValue.AKUNTABEL: ("Akuntabel", "Accountable"),
    CoreValue.KOMPETEN: ("Kompeten", "Competent"),
    CoreValue.HARMONIS: ("Harmonis", "Harmonious"),
    CoreValue.LOYAL: ("Loyal", "Loyal"),
    CoreValue.ADAPTIF: ("Adaptif", "Adaptive"),
    CoreValue.KOLABORATIF: ("Kolaboratif", "Collaborative"),
}


async def instrument(session: AsyncSession, principal: Principal) -> InstrumentOut:
    """The caller's region's instrument; a superadmin sees the regulation's alone."""
    region = EvaluationStatement.region_id
    own = region.is_(None) if principal.region_id is None else region == principal.region_id
    rows = await session.scalars(
        select(EvaluationStatement)
        .where(or_(region.is_(None), own))
        .order_by(
            EvaluationStatement.value,
            region.is_not(None),
            EvaluationStatement.position,
            EvaluationStatement.id,
        )
    )
    by_value: dict[str, list[StatementOut]] = defaultdict(list)
    for row in rows:
        by_value[row.value].append(StatementOut.model_validate(row))
    return InstrumentOut(
        values=[
            InstrumentValueOut(
                value=value,
                label_id=LABELS[value][0],
                label_en=LABELS[value][1],
                statements=by_value[value.value],
            )
            for value in CoreValue
        ]
    )


async def add_statement(
    session: AsyncSession, principal: Principal, data: StatementCreate
) -> EvaluationStatement:
    region_id = region_of(principal)
    last = await session.scalar(
        select(func.max(EvaluationStatement.position)).where(
            EvaluationStatement.value == data.value.value,
            or_(
                EvaluationStatement.region_id.is_(None),
                EvaluationStatement.region_id == region_id,
            ),
        )
    )
    statement = EvaluationStatement(
        region_id=region_id,
        value=data.value.value,
        text_id=data.text_id,
        text_en=data.text_en,
        position=(last or 0) + 1,
    )
    session.add(statement)
    await session.flush()
    await session.refresh(statement)
    await record_entity(session, principal, "evaluation_statement", "created", statement, AUDITED)
    return statement


async def update_statement(
    session: AsyncSession,
    principal: Principal,
    statement_id: uuid.UUID,
    data: StatementUpdate,
    if_match: str | None,
) -> EvaluationStatement:
    """Only a region's own statements change; the regulation's answer 404 like any row the
    caller may not write."""
    statement: EvaluationStatement | None = await session.scalar(
        select(EvaluationStatement).where(
            EvaluationStatement.id == statement_id,
            EvaluationStatement.region_id == region_of(principal),
        )
    )
    if statement is None:
        raise not_found("Statement")
    check_if_match(if_match, statement.version)
    before = snapshot(statement, AUDITED)
    for field, value in data.changes().items():
        setattr(statement, field, value)
    await session.flush()
    await session.refresh(statement)
    await record_entity(
        session, principal, "evaluation_statement", "updated", statement, AUDITED, before=before
    )
    return statement
