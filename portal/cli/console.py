"""What every ``odp`` command prints with: the two consoles, the status colours and labels, and the error exit.

Results go to stdout and errors to stderr (``err``), so ``odp validate --json`` stays parseable when something
goes wrong; a command fails by raising what :func:`fail` returns, which prints the message first.
"""

from __future__ import annotations

import typer
from rich.console import Console

from catalog.vocabulary import JobStatus, ValidationStatus

console = Console()
err = Console(stderr=True)

STATUS_STYLE = {
    ValidationStatus.valid: "green",
    ValidationStatus.invalid: "yellow",
    ValidationStatus.error: "bold red",
    ValidationStatus.not_tabular: "dim",
    JobStatus.finished: "green",
    JobStatus.failed: "bold red",
    JobStatus.running: "cyan",
}
STATUS_LABEL = {
    ValidationStatus.valid: "有效 valid",
    ValidationStatus.invalid: "有误 invalid",
    ValidationStatus.error: "无法读取 error",
    ValidationStatus.not_tabular: "非表格",
}


def styled(status: str, label: str | None = None) -> str:
    """``status`` (or its label) in the colour of that status, as rich markup."""
    return f"[{STATUS_STYLE.get(status, 'white')}]{label or status}[/]"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` to stderr and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)
