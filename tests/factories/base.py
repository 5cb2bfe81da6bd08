"""What every domain's factories share: the test's connection and app, one insert, and a serial
that keeps generated codes and names unique across the whole run."""

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions

serial = itertools.count(1)


@dataclass
class Factories:
    """Builds rows straight in the database, inside the test's rolled-back transaction."""

    connection: AsyncConnection
    app: FastAPI

    async def _insert(self, model: Any, **values: Any) -> Any:
        await enter_all_regions(self.connection)
        result = await self.connection.execute(insert(model).values(**values).returning(model))
        return result.one()
