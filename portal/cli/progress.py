"""Harvest progress for the terminal: a rich progress bar on a TTY, one plain line per item otherwise."""

from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harvesters.base import HarvestItem

_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "bold red"}


class ConsoleProgress:
    def __init__(self, console: Console):
        self.console = console
        self.bar: Progress | None = None
        self.task = None
        self.total = 0
        self.done = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def begin(self, total: int) -> None:
        self.total = total
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("[bold]采集 harvesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=total)
        else:
            self.console.print(f"harvesting {total} package(s)")

    def item_done(self, item: HarvestItem, outcome: str, message: str | None = None) -> None:
        self.done += 1
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=1, description=item.label)
            if outcome == "failed":
                self.bar.console.print(f"[bold red]✗ {item.label}[/]: {message}")
            return
        line = f"[{self.done}/{self.total}] {outcome:<9} {item.label}"
        self.console.print(
            line + (f": {message}" if message else ""),
            style=_STYLE.get(outcome),
            markup=False,
            highlight=False,
        )
