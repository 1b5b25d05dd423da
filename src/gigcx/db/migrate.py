"""Run the Alembic migrations from code (CLI, server start-up, tests)."""

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("gigcx") / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, *, connection: Connection | None = None) -> None:
    """Bring the database schema to the newest revision."""
    config = alembic_config(url)
    if connection is not None:
        config.attributes["connection"] = connection
    command.upgrade(config, "head")
