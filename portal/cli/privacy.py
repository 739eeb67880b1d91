"""``odp pii-scan``: scan the stored tables again for personal information and apply ``ODP_PII_POLICY``.

Run it after changing ``ODP_PII_POLICY`` (a blocked dataset is published under ``flag``, and back), after an
upgrade that changed the rules, or on a catalog harvested before the scan existed. Harvests scan new versions
themselves. Exit 0 whatever it finds: a block is a policy outcome, not an error.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog.privacy.rescan import DatasetRescan, rescan

from .console import console, err, fail, print_json
from .context import catalog

STATUS_LABELS = {"clean": "无", "flagged": "已发布，带警告", "blocked": "未发布"}


def pii_scan(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
) -> None:
    """Scan the stored tables for personal information (身份证号, 手机号, 银行卡号, 邮箱, 姓名) and apply the policy."""
    opened = catalog(ctx)
    opened.open()
    shown = err if as_json else console  # --json: stdout holds only the JSON
    bar = Progress(TextColumn("[bold]个人信息检查 scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=shown, transient=True, disable=not shown.is_terminal)
    task = bar.add_task("", total=None)
    with bar, opened.session() as session:
        try:
            results = rescan(session, name, settings=opened.settings,
                             found=lambda total: bar.update(task, total=total),
                             progress=lambda r: bar.update(task, advance=1, description=r.name))
        except LookupError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"policy": opened.settings.pii_policy.value, "datasets": [r.as_dict() for r in results],
                    "blocked": sum(r.after == "blocked" for r in results),
                    "flagged": sum(r.after == "flagged" for r in results)})
        return
    _print(results, opened.settings.pii_policy.value)


def _print(results: list[DatasetRescan], policy: str) -> None:
    found = [r for r in results if r.after != "clean" or r.before != r.after]
    console.print(f"scanned [bold]{len(results)}[/] dataset(s), {sum(r.tables for r in results)} table(s); "
                  f"ODP_PII_POLICY={policy}", highlight=False)
    if not found:
        console.print("no personal information found")
        return
    table = Table(title="个人信息 personal information", show_lines=True)
    table.add_column("dataset")
    table.add_column("status")
    table.add_column("findings", style="magenta")
    for r in found:
        change = STATUS_LABELS[r.after] + (f"（之前：{STATUS_LABELS[r.before]}）" if r.before != r.after else "")
        table.add_row(r.name, change, "\n".join(r.messages) or "—")
    console.print(table)
