"""Statements built once per shape: built once for each shape, never carrying one request's
ids or instants as literals."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Select, Uuid, select

from kinerja_api.auth.policies import subordinates_of
from kinerja_api.core.shapes import Bindings, Shapes, ValueBuiltInError, refuse_built_in_values
from kinerja_api.models.org import Agency, Employee
from kinerja_api.models.plans import Plan

_UUID = Uuid()


def test_a_value_not_given_is_no_symbol() -> None:
    bindings = Bindings()
    region = uuid.uuid4()
    assert bindings.bind("region", None, _UUID) is None
    symbol = bindings.bind("region", region, _UUID)
    assert symbol is not region
    assert bindings.values == {"region": region}
    assert bindings.names() == frozenset({"region"})


def test_each_shape_is_built_once_and_the_oldest_is_dropped() -> None:
    shapes = Shapes(size=2)
    built: list[str] = []

    def build(shape: str) -> Select[tuple[uuid.UUID]]:
        built.append(shape)
        return select(Plan.id)

    first = shapes.statement("a", Bindings(), lambda: build("a"))
    assert shapes.statement("a", Bindings(), lambda: build("a")) is first
    shapes.statement("b", Bindings(), lambda: build("b"))
    shapes.statement("c", Bindings(), lambda: build("c"))
    shapes.statement("a", Bindings(), lambda: build("a"))
    assert built == ["a", "b", "c", "a"]


def _literal_in_subquery(agency_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    root = select(Agency.path).where(Agency.id == agency_id).scalar_subquery()
    return select(Plan.id).where(
        Plan.agency_id.in_(select(Agency.id).where(Agency.path.startswith(root)))
    )


@pytest.mark.parametrize(
    "built",
    [
        lambda value, _instant: _literal_in_subquery(value),
        lambda value, _instant: select(Plan.id).where(Plan.employee_id.in_(subordinates_of(value))),
        lambda _value, instant: select(Plan.id).where(Plan.updated_at >= instant),
    ],
    ids=["id in a subquery", "id in a recursive CTE", "instant"],
)
def test_a_request_value_built_in_is_refused(built: object) -> None:
    value, instant = uuid.uuid4(), datetime.now(UTC)
    bindings = Bindings()
    bindings.inputs += [value, instant]
    with pytest.raises(ValueBuiltInError):
        Shapes().statement("shape", bindings, lambda: built(value, instant))  # type: ignore[operator]


def test_symbols_and_constants_are_not_refused() -> None:
    bindings = Bindings()
    employee = bindings.bind("employee_id", uuid.uuid4(), _UUID)
    status = bindings.bind("status", "submitted", Plan.status.type)
    statement = select(Plan.id).where(
        Plan.employee_id.in_(subordinates_of(employee)),
        Plan.status == status,
        Plan.status != "submitted",  # a constant equal to a word the request gave
        Employee.id.is_not(None),
    )
    refuse_built_in_values(statement, [*bindings.values.values(), *bindings.inputs])
