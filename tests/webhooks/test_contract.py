"""The contract lists every event type a webhook may carry, with the schema of its `data`: the
model the event is published with, read from the events catalogue rather than a list kept by
hand."""

from kinerja_api.core.events import EVENT_DATA
from kinerja_api.evaluations.api import RATER_ONLY_EVENT_TYPES
from kinerja_api.openapi_export import contract
from kinerja_api.webhooks import catalogue

SCHEMAS = "#/components/schemas/"


def test_every_published_event_type_is_a_webhook_but_a_raters_own() -> None:
    document = contract()
    listed = set(document["webhooks"])
    assert listed == set(catalogue.deliverable())
    assert listed == set(EVENT_DATA) - RATER_ONLY_EVENT_TYPES
    assert {"plan.approved", "complaint.submitted", "webhook.ping", "webhook.disabled"} <= listed


def test_each_webhook_names_its_headers_and_the_schema_of_its_data() -> None:
    document = contract()
    schemas = document["components"]["schemas"]
    for event_type, model in catalogue.deliverable().items():
        operation = document["webhooks"][event_type]["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"X-Kinerja-Signature", "X-Kinerja-Delivery", "X-Kinerja-Event"}
        media = operation["requestBody"]["content"]["application/json"]
        body = schemas[media["schema"]["$ref"].removeprefix(SCHEMAS)]
        kind = body["properties"]["type"]
        assert event_type in kind.get("enum", [kind.get("const")])
        assert body["properties"]["data"] == {"$ref": SCHEMAS + model.__name__}
        assert media["example"]["type"] == event_type
        assert set(operation["responses"]) == {"2XX"}
