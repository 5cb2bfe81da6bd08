import json
from pathlib import Path

from kinerja_api.openapi_export import contract, render

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_generated_schema_equals_committed_contract() -> None:
    generated = render(contract())
    committed = COMMITTED.read_text()
    assert json.loads(generated) == json.loads(committed), "run `make openapi` and commit it"
    assert generated == committed, "openapi.json is not in canonical form: run `make openapi`"


def test_operation_ids_are_unique_and_readable() -> None:
    operations = [operation for path in contract()["paths"].values() for operation in path.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    assert all("_" not in op_id and "-" in op_id for op_id in ids)


def test_every_operation_declares_its_error_responses() -> None:
    for path, item in contract()["paths"].items():
        for method, operation in item.items():
            codes = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            if path in ("/health/live", "/metrics"):
                continue
            assert codes, f"{method.upper()} {path} declares no error responses"
