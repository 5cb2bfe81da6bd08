"""The streams' events in the contract: every event type published anywhere has its model
(`core.events.EVENT_DATA`, and `publish` takes no other); every streamed type is in its stream's
`x-events`, named with the schema whose `data` is that model; the README's table says the same.
That what a stream sends validates against those schemas is `test_stream.py`'s."""

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.events import EVENT_DATA, EventData, publish
from kinerja_api.core.openapi_schemas import SCHEMAS, domain_name, resolve
from kinerja_api.feedback.events import SurveyEventData
from kinerja_api.openapi_export import contract
from kinerja_api.progress.stream import PUBLIC_FIELDS, STREAM_FAMILIES

STAFF = "/api/v1/progress/stream"
PUBLIC = "/api/v1/public/regions/{code}/progress/stream"
README = Path(__file__).resolve().parents[2] / "README.md"
# Published to the outbox, filtered out of every stream (the README says so).
NOT_STREAMED = {"target", "indicator", "complaint", "survey", "webhook"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # Builds the app, so every module that publishes has registered its models.
    return contract()


def _x_events(document: dict[str, Any], path: str) -> dict[str, str]:
    """Event type -> the schema the contract names for its `data`."""
    return {
        entry["event"]: entry["data"]["$ref"].removeprefix(SCHEMAS)
        for entry in document["paths"][path]["get"]["x-events"]
    }


def _schema_name(model: type[EventData]) -> str:
    return domain_name(model.__name__, {})


def test_every_streamed_event_type_is_in_the_contract_with_its_model(
    document: dict[str, Any],
) -> None:
    families = {event_type.split(".", 1)[0] for event_type in EVENT_DATA}
    assert families == {*STREAM_FAMILIES, *NOT_STREAMED}
    streamed = {t: m for t, m in EVENT_DATA.items() if t.split(".", 1)[0] in STREAM_FAMILIES}
    staff = _x_events(document, STAFF)
    assert set(staff) == set(streamed)
    schemas = document["components"]["schemas"]
    for event_type, schema in staff.items():
        envelope = schemas[schema]["properties"]
        assert envelope["data"] == {"$ref": SCHEMAS + _schema_name(streamed[event_type])}
        types = resolve(envelope["type"], document)
        assert event_type in types.get("enum", [types.get("const")])


def test_the_public_stream_reveals_only_fields_its_events_carry(document: dict[str, Any]) -> None:
    public = _x_events(document, PUBLIC)
    assert public, "the public stream lists its events"
    schemas = document["components"]["schemas"]
    for event_type, schema in public.items():
        data = resolve(schemas[schema]["properties"]["data"], document)["properties"]
        assert tuple(data) == PUBLIC_FIELDS
        assert set(data) <= set(EVENT_DATA[event_type].model_fields)
        assert not {"employee_id", "plan_id", "report_id", "verification_note"} & set(data)


def test_the_readme_table_names_the_contracts_schemas(document: dict[str, Any]) -> None:
    text = README.read_text()
    table = text[text.index("| `event` | `data` on `/progress/stream`") :].split("\n\n", 1)[0]
    staff: dict[str, str] = {}
    public: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        events, staff_schema, public_schema = (cell.strip() for cell in row.strip(" |").split("|"))
        for event_type in re.findall(r"`([a-z_.]+)`", events):
            staff[event_type] = staff_schema.strip("`")
            if public_schema != "—":
                public[event_type] = public_schema.strip("`")
    assert staff == _x_events(document, STAFF)
    assert public == _x_events(document, PUBLIC)


async def test_publish_takes_only_the_model_registered_for_the_event_type() -> None:
    session = AsyncSession()
    survey = SurveyEventData(service_unit_id=uuid.uuid4())
    for event_type in ("plan.approved", "survey.withdrawn"):
        with pytest.raises(ValueError, match=re.escape(event_type)):
            await publish(
                session,
                event_type,
                region_id=uuid.uuid4(),
                entity_type="feedback",
                entity_id=uuid.uuid4(),
                payload=survey,
            )
    await session.close()


def test_an_event_type_has_one_model() -> None:
    with pytest.raises(TypeError, match=re.escape("plan.approved")):

        class Duplicate(EventData):
            event_types = frozenset({"plan.approved"})
