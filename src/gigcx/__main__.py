"""Run the command line with ``python -m gigcx``."""

from gigcx.cli.main import app

app(prog_name="gigcx")
