"""``odp contests``: create, curate, publish and list data contests, and the organizer's download report.

The rules live in ``catalog/contests/``; these commands parse, call and print. They act as the contest's
organizer (the account named at creation), so the same checks hold as in the API. Refusals exit 1 with one line
on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from catalog import json_input
from catalog.contests import contests, downloads, entries, seed
from catalog.contests.errors import ContestError
from catalog.models import Account, Contest

from .console import fail
from .context import catalog

app = typer.Typer(help="Data contests (数据创新应用大赛): packages, teams, downloads.", no_args_is_help=True)


def _organizer(session: Session, contest: Contest) -> Account:
    account = session.get(Account, contest.organizer_id)
    assert account is not None  # a foreign key
    return account


def _contest(session: Session, slug: str) -> Contest:
    found = session.exec(select(Contest).where(Contest.slug == slug)).first()
    if found is None:
        raise fail(f"no contest named '{slug}'")
    return found


def _read_json(path: Path) -> dict:
    try:
        data = json_input.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise fail(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise fail(f"{path}: the file must hold one JSON object")
    return data


@app.command("create")
def create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The contest's short name in URLs, e.g. soda-2015")],
    organizer: Annotated[str, typer.Option("--organizer", help="Email of the organizer's account")],
    title: Annotated[str | None, typer.Option("--title", help="Title (needed unless the JSON file has one)")] = None,
    from_json: Annotated[Path | None, typer.Option(
        "--from-json", help="The contest JSON; may also carry entries, teams and works (docs/contests.md)",
        exists=True, dir_okay=False)] = None,
    exists_ok: Annotated[bool, typer.Option(
        "--exists-ok", help="A contest of this slug already there is left as it is (exit 0)")] = False,
) -> None:
    """Create a contest (a draft until published, unless the JSON file says "published": true)."""
    context = catalog(ctx)
    data = _read_json(from_json) if from_json else {}
    with context.session() as session:
        if exists_ok and session.exec(select(Contest.id).where(Contest.slug == slug)).first() is not None:
            typer.echo(f"contest {slug} already exists; left as it is")
            return
        if not title and not data.get("title"):
            raise fail("give the contest a --title")
        try:
            contest = seed.create_from_json(session, data, context.settings, slug=slug, title=title,
                                            organizer_email=organizer)
        except ContestError as exc:
            raise fail(exc.message) from None
        session.commit()
        parts = len(entries.package(session, contest))
        typer.echo(f"created contest {contest.slug} ({contests.state(contest).value}, {parts} entries)")


@app.command("add")
def add(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The contest")],
    dataset: Annotated[str, typer.Argument(help="The dataset's name")],
    resource: Annotated[str | None, typer.Option("--resource", help="One resource (default: every one)")] = None,
    sample_rows: Annotated[int, typer.Option(
        "--sample-rows", help="Rows of the public sample (0: none)")] = entries.DEFAULT_SAMPLE_ROWS,
    seed_: Annotated[int | None, typer.Option(
        "--seed", help="Draw the sample at random with this seed (default: the first rows)")] = None,
    full: Annotated[bool, typer.Option("--full/--no-full", help="Teams get the full data")] = True,
) -> None:
    """Add a dataset to the package, pinned to its current version."""
    with catalog(ctx).session() as session:
        contest = _contest(session, slug)
        try:
            added = entries.add(session, _organizer(session, contest), contest, dataset, resource,
                                sample_rows=sample_rows, sample_seed=seed_, full=full)
        except ContestError as exc:
            raise fail(exc.message) from None
        session.commit()
        views = {v.id: v for v in entries.package(session, contest)}
        for entry in added:
            view = views[entry.id]  # type: ignore[index]
            typer.echo(f"entry {view.id}\t{view.dataset.name}/{view.resource.name}\tversion {view.version.id}"
                       f"\t{view.status.value}")


@app.command("repin")
def repin(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The contest")],
    entry: Annotated[int, typer.Argument(help="The entry's id (odp contests add printed it)")],
) -> None:
    """Move an entry to its resource's current version (recorded)."""
    with catalog(ctx).session() as session:
        contest = _contest(session, slug)
        try:
            record = entries.repin(session, _organizer(session, contest), contest, entry)
        except ContestError as exc:
            raise fail(exc.message) from None
        session.commit()
        typer.echo(f"entry {entry}: version {record.from_version_id} → {record.to_version_id}")


@app.command("publish")
def publish(ctx: typer.Context, slug: Annotated[str, typer.Argument(help="The contest")]) -> None:
    """Make the contest public (/contests, the API)."""
    with catalog(ctx).session() as session:
        contest = _contest(session, slug)
        contests.publish(session, _organizer(session, contest), contest)
        session.commit()
        typer.echo(f"published {slug} ({contests.state(contest).value})")


@app.command("list")
def list_contests(ctx: typer.Context) -> None:
    """Every contest: slug, state, data window, teams, entries, title (tab-separated)."""
    with catalog(ctx).session() as session:
        for contest in session.exec(select(Contest).order_by(col(Contest.data_opens).desc())):
            window = f"{contests.aware(contest.data_opens):%Y-%m-%d}…{contests.aware(contest.data_closes):%Y-%m-%d}"
            typer.echo(f"{contest.slug}\t{contests.state(contest).value}\t{window}\t"
                       f"{contests.team_count(session, contest)} teams\t"
                       f"{len(entries.package(session, contest))} entries\t{contest.title}")


@app.command("downloads")
def download_report(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The contest")],
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row, for a spreadsheet")] = False,
) -> None:
    """Who downloaded what: per team, member and entry, the downloads, bytes, first and last time."""
    with catalog(ctx).session() as session:
        lines = downloads.report(session, _contest(session, slug))
        if as_csv:
            typer.echo(downloads.as_csv(lines), nl=False)
            return
        for line in lines:
            row = line.as_json()
            typer.echo("\t".join(str(row[key]) for key in downloads.CSV_HEADER))


__all__ = ["app"]
