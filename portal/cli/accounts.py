"""``odp users``, ``odp keys`` and ``odp audit`` (and ``odp audit prune``): accounts, API keys and the audit log
from the terminal.

The rules live in ``catalog/accounts/``; these commands only parse, call and print. Two things are never printed:
a password (read from stdin with ``--password-stdin``, so it stays out of the shell history and ``ps``) and a key,
except a new key once, on the line of its own that ``odp keys create`` ends with — the only moment it exists in
clear, since the catalog keeps just its keyed hash.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from catalog.accounts import audit as audit_log
from catalog.accounts import grants, retention
from catalog.accounts import keys as api_keys
from catalog.accounts import resets as accounts_resets
from catalog.accounts import totp as account_totp
from catalog.accounts import users as accounts
from catalog.models import Account, AuditEvent, Dataset
from catalog.vocabulary import Role

from .console import fail
from .context import catalog

users_app = typer.Typer(help="Accounts and roles (user, reviewer, organizer, admin).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of an account.", no_args_is_help=True)

Departments = Annotated[
    list[str] | None,
    typer.Option("--department", help="Department slug a reviewer (or admin) decides for; repeat for several"),
]
RoleOption = Annotated[Role, typer.Option("--role", help="user | reviewer | organizer | admin")]


@users_app.command("create")
def create_user(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account's email (its login)")],
    name: Annotated[str, typer.Option("--name", help="Display name")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    role: RoleOption = Role.user,
    department: Departments = None,
) -> None:
    """Create an account; the password is read from stdin (first line), never from an argument."""
    if not password_stdin:
        raise fail("give the password on stdin with --password-stdin (never as an argument)", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    with catalog(ctx).session() as session:
        try:
            account = accounts.create_account(session, email, name, password, catalog(ctx).settings, role=role,
                                              departments=tuple(department or ()))
        except accounts.AccountError as exc:
            raise fail(str(exc)) from None
        session.commit()
        typer.echo(f"created {account.email} ({role.value}{_departments_note(session, account)})")


@users_app.command("list")
def list_users(ctx: typer.Context) -> None:
    """Every account: id, email, role, departments, created, two-factor login, state, name (tab-separated)."""
    with catalog(ctx).session() as session:
        for account in accounts.list_accounts(session):
            assert account.id is not None
            slugs = ",".join(accounts.department_slugs(session, account.id)) or "-"
            state = f"deleted {account.deleted:%Y-%m-%d}" if account.deleted else "active"
            typer.echo(f"{account.id}\t{account.email}\t{account.role}\t{slugs}\t{account.created:%Y-%m-%d}\t"
                       f"{'totp' if account.totp_secret else '-'}\t{state}\t{account.name}")


@users_app.command("set-role")
def set_role(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account's email")],
    role: RoleOption,
    department: Departments = None,
) -> None:
    """Change an account's role (and replace its departments); recorded in the audit log."""
    with catalog(ctx).session() as session:
        try:
            account = accounts.set_role(session, email, role, tuple(department or ()))
        except accounts.AccountError as exc:
            raise fail(str(exc)) from None
        session.commit()
        typer.echo(f"{account.email} is now {role.value}{_departments_note(session, account)}")


@users_app.command("reset-link")
def reset_link(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account whose password is to be reset")],
    hours: Annotated[int, typer.Option("--hours", help="Valid for N hours (1…720)")] = accounts_resets.DEFAULT_HOURS,
) -> None:
    """Print a one-time password-reset link ({ODP_PUBLIC_URL}/reset/TOKEN): hand it to the person yourself."""
    with catalog(ctx).session() as session:
        account = _account(session, email)
        try:
            made = accounts_resets.issue(session, account, catalog(ctx).settings, hours=hours)
        except accounts.AccountError as exc:
            raise fail(str(exc)) from None
        session.commit()
        typer.echo(f"reset link for {account.email}, valid until {made.row.expires:%Y-%m-%d %H:%M} UTC, works once; "
                   "shown this once:", err=True)
        typer.echo(made.url)


@users_app.command("reset-totp")
def reset_totp(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account whose TOTP two-factor login is cleared")],
) -> None:
    """Turn off someone's TOTP two-factor login (a lost phone); recorded in the audit log."""
    with catalog(ctx).session() as session:
        account = _account(session, email)
        if not account_totp.enabled(account):
            raise fail(f"{account.email} has no TOTP two-factor login")
        account_totp.reset(session, account)
        session.commit()
        typer.echo(f"TOTP cleared for {account.email}: the password alone logs in until it is set up again")


@keys_app.command("create")
def create_key(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account the key acts as")],
    name: Annotated[str, typer.Option("--name", help="What the key is for")],
    days: Annotated[int | None, typer.Option("--days", help="Expire after N days (1…3650); default never")] = None,
) -> None:
    """Make an API key and print it once: only its keyed hash is kept, it cannot be shown again."""
    with catalog(ctx).session() as session:
        account = _account(session, email)
        try:
            new = api_keys.create_key(session, account, name, catalog(ctx).settings, days=days)
        except ValueError as exc:
            raise fail(str(exc)) from None
        session.commit()
        expires = f", expires {new.row.expires:%Y-%m-%d}" if new.row.expires else ""
        typer.echo(f"key {new.row.prefix}… '{new.row.name}' for {account.email}{expires}; "
                   "shown this once, store it now:", err=True)
        typer.echo(new.key)


audit_app = typer.Typer(help="The audit log: print it (no subcommand) or prune it.")


@audit_app.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Only events of this dataset (name)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only events of this account (email)")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this day or time on (YYYY-MM-DD[THH:MM], UTC)")]
    = None,
) -> None:
    """Print the audit log, oldest first: time, event, email, key prefix, dataset, route, bytes, IP."""
    if ctx.invoked_subcommand is not None:
        return
    start = _since(since)
    with catalog(ctx).session() as session:
        grants.log_expired_grants(session)  # grants that expired since the last sweep show up now
        session.commit()
        dataset_id = _dataset_id(session, dataset) if dataset else None
        account_id = _account(session, user).id if user else None
        events = audit_log.events(session, dataset_id=dataset_id, account_id=account_id, since=start)
        emails, names = _labels(session, events)
        for event in events:
            fields = (f"{event.time:%Y-%m-%dT%H:%M:%S}Z", event.event, emails.get(event.account_id),
                      event.key_prefix, names.get(event.dataset_id), event.route,
                      None if event.bytes is None else str(event.bytes), event.ip)
            typer.echo("\t".join(value or "-" for value in fields))


@audit_app.command("prune")
def prune(ctx: typer.Context) -> None:
    """Delete audit events older than ODP_AUDIT_RETENTION_DAYS and per-key usage days older than
    ODP_USAGE_RETENTION_DAYS (each unset: nothing of it is deleted)."""
    settings = catalog(ctx).settings
    if not settings.audit_retention_days and not settings.usage_retention_days:
        typer.echo("nothing to prune: ODP_AUDIT_RETENTION_DAYS and ODP_USAGE_RETENTION_DAYS are unset", err=True)
        return
    with catalog(ctx).session() as session:
        pruned = retention.prune(session, settings)
        session.commit()
    typer.echo(f"deleted {pruned.audit_events} audit events and {pruned.usage_days} usage rows")


def _account(session: Session, email: str) -> Account:
    account = accounts.by_email(session, email)
    if account is None:
        raise fail(f"no account with email {email!r}")
    return account


def _dataset_id(session: Session, name: str) -> int:
    found = session.exec(select(Dataset.id).where(Dataset.name == name)).first()
    if found is None:
        raise fail(f"no dataset named {name!r}")
    return found


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text) if "T" in text or " " in text.strip() else \
            datetime.combine(date.fromisoformat(text), time())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)",
                                 param_hint="--since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _labels(session: Session, events: list[AuditEvent]) -> tuple[dict[int | None, str], dict[int | None, str]]:
    """Emails of the events' accounts and names of their datasets, in two queries."""
    account_ids = {e.account_id for e in events if e.account_id is not None}
    dataset_ids = {e.dataset_id for e in events if e.dataset_id is not None}
    emails = {row[0]: row[1] for row in session.exec(
        select(Account.id, Account.email).where(col(Account.id).in_(account_ids)))} if account_ids else {}
    names = {row[0]: row[1] for row in session.exec(
        select(Dataset.id, Dataset.name).where(col(Dataset.id).in_(dataset_ids)))} if dataset_ids else {}
    return emails, names


def _departments_note(session: Session, account: Account) -> str:
    assert account.id is not None
    slugs = accounts.department_slugs(session, account.id)
    return f" for {', '.join(slugs)}" if slugs else ""
