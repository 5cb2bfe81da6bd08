"""Writes the OpenAPI contract deterministically: `python -m kinerja_api.openapi_export`."""

import json
import sys
from typing import Any

from kinerja_api.config import Settings
from kinerja_api.main import create_app


def contract() -> dict[str, Any]:
    app = create_app(Settings(env="test", database_url=None, docs_enabled=True))
    return app.openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render(contract()))


if __name__ == "__main__":
    main()
