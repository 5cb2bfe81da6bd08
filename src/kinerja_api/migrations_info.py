"""Where the Alembic migrations live and which revision is their head."""

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def migrations_dir() -> Path:
    return Path(os.environ.get("KINERJA_MIGRATIONS_DIR", PROJECT_ROOT / "migrations"))


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@lru_cache
def migration_head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no Alembic revisions found")
    return head


# procrastinate's tables (created by its own SQL in a migration) have no ORM models.
JOB_QUEUE_TABLES = "procrastinate_"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Autogenerate's filter: every table but the job queue's is compared with the models."""
    return not (type_ == "table" and name is not None and name.startswith(JOB_QUEUE_TABLES))
