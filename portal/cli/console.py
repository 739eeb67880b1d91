"""What every ``odp`` command prints with: the two consoles, the status colours and labels, and the error exit.

Results go to stdout and errors to stderr (``err``), so ``odp validate --json`` stays parseable when something
goes wrong; a command fails by raising what :func:`fail` returns, which prints the message first.
"""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

STATUS_STYLE = {
    "valid": "green",
    "invalid": "yellow",
    "error": "bold red",
    "not_tabular": "dim",
    "finished": "green",
    "failed": "bold red",
    "running": "cyan",
}
STATUS_LABEL = {
    "valid": "有效 valid",
    "invalid": "有误 invalid",
    "error": "无法读取 error",
    "not_tabular": "非表格",
}


def styled(status: str, label: str | None = None) -> str:
    """``status`` (or its label) in the colour of that status, as rich markup."""
    return f"[{STATUS_STYLE.get(status, 'white')}]{label or status}[/]"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` to stderr and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)
