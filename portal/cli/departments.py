"""``odp departments``: what the portal — not the publisher's harvest — keeps about a department. Today its
data-use agreement (数据利用协议): ``odp departments agreement SLUG`` prints the one applicants accept,
``--file FILE`` gives the department its own text, ``--clear`` returns it to the portal default
(``ODP_AGREEMENT_FILE`` or the built-in text). The rules live in ``catalog/accounts/agreements.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from catalog.accounts import agreements
from catalog.models import Department

from .console import fail
from .context import catalog

app = typer.Typer(help="Departments (委办局): their data-use agreements.", no_args_is_help=True)


@app.command("list")
def list_departments(ctx: typer.Context) -> None:
    """Every department: slug, agreement (own or default) with its SHA-256's first 12 digits, title."""
    settings = catalog(ctx).settings
    with catalog(ctx).session() as session:
        for department in session.exec(select(Department).order_by(Department.name)):
            text = agreements.for_department(department, settings)
            whose = "own" if department.agreement else "default"
            typer.echo(f"{department.name}\t{whose}\t{agreements.digest(text)[:12]}\t{department.title}")


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The department's slug (odp departments list)")],
    file: Annotated[Path | None, typer.Option("--file", help="Set the agreement to this UTF-8 text file",
                                              dir_okay=False)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Return to the portal default agreement")] = False,
) -> None:
    """Print the department's effective data-use agreement, or set it (--file) or reset it (--clear)."""
    if file is not None and clear:
        raise fail("give either --file or --clear, not both", 2)
    text = None
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read {file}: {exc}") from None
    settings = catalog(ctx).settings
    with catalog(ctx).session() as session:
        try:
            if file is None and not clear:
                department = agreements.find_department(session, slug)
                typer.echo(agreements.for_department(department, settings))
                return
            department = agreements.set_agreement(session, slug, text)
        except agreements.AgreementError as exc:
            raise fail(str(exc)) from None
        session.commit()
        effective = agreements.for_department(department, settings)
        whose = "its own text" if department.agreement else "the portal default"
        typer.echo(f"{slug}: agreement is {whose} (sha256 {agreements.digest(effective)})")
