"""What every ``odp`` command prints with: the two consoles, the status colours and labels, and the error exit.

Results go to stdout and errors to stderr (``err``), so ``odp validate --json`` stays parseable when something
goes wrong; a command fails by raising what :func:`fail` returns, which prints the message first.

Piped into a file or ``grep`` (not a terminal), rich would lay tables out at 80 columns and wrap dataset names
over two lines; there the consoles are wide, so every row stays on one line.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from catalog.vocabulary import JobStatus, ValidationStatus

PIPED_WIDTH = 1000  # wide enough for any row; tables still take only the width they need


def _width(stream: Any) -> int | None:
    """None (rich measures the terminal) on a TTY; a wide fixed width when piped."""
    return None if getattr(stream, "isatty", lambda: False)() else PIPED_WIDTH


console = Console(width=_width(sys.stdout))
err = Console(stderr=True, width=_width(sys.stderr))

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


def heading(text: str) -> None:
    """A section heading: a rule across a terminal, one plain line when piped (a rule would be 1000 wide)."""
    if console.is_terminal:
        console.rule(text)
    else:
        console.print(f"── {text} ──")


def print_json(value: Any) -> None:
    """``--json`` output: plain JSON on stdout (no colours, no wrapping), Chinese left as it is."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
