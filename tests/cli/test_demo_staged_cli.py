"""`gigcx demo seed --staged`: sign-ins first, then the history, then the counts."""

from pathlib import Path

from sqlalchemy import select

from gigcx.brands.models import Brand
from gigcx.cli.demo import ESSENTIALS_READY
from gigcx.demo import staged
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.tickets.models import Ticket
from tests.cli.test_cli import count, database, invoke


def test_a_staged_seed_prints_the_sign_ins_before_the_history(tmp_path: Path) -> None:
    with database(tmp_path / "staged.db") as engine:
        result = invoke(
            "demo", "seed", "--staged", "--no-progress", "--experts", "4", "--tickets", "6"
        )

        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        ready = lines.index(ESSENTIALS_READY)
        assert any("admin@alpenglow.example" in line for line in lines[:ready])
        assert any("API key for Lumen Money" in line for line in lines[:ready])
        assert any("Demo data" in line for line in lines[ready:])
        assert (count(engine, Brand), count(engine, Ticket)) == (2, 6)
        with engine.connect() as connection:
            statuses = connection.scalars(
                select(Job.status).where(Job.name == staged.HISTORY_JOB)
            ).all()
        assert statuses == [JobStatus.DONE]

        again = invoke("demo", "seed", "--staged", "--no-progress", "--tickets", "2")

        assert again.exit_code == 1
        assert ESSENTIALS_READY not in again.output
        assert count(engine, Ticket) == 6
