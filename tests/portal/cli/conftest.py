"""The ``odp`` fixture: the command line run in-process, as a user would call it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from typer.testing import CliRunner

from portal.cli import app


@pytest.fixture
def odp() -> Callable[..., Result]:
    """``odp("harvest", folder)``: run one ``odp`` command and return its result (exit code and output)."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run
