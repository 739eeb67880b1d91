"""``odp users``, ``odp keys`` and ``odp audit`` (portal/cli/accounts.py), checked against the catalog's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import audit, keys, principals, users
from catalog.models import Account, AuditEvent
from catalog.vocabulary import Role
from tests.support.accounts import PASSWORD, account, cheap_hashing, granted
from tests.support.packages import csv_text, write_package

CONDITIONAL = "cli-conditional"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch):
    cheap_hashing(monkeypatch)  # autouse fixtures run before `settings` reads the environment


@pytest.fixture
def department(settings, packages, odp) -> str:
    """A harvested 有条件开放 dataset; the slug of its department."""
    write_package(packages, CONDITIONAL, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    harvested = odp("harvest", str(packages))
    assert harvested.exit_code == 0, harvested.output
    with Session(db.get_engine(settings)) as session:
        return session.exec(text("SELECT d.name FROM department d JOIN dataset s ON s.department_id = d.id "
                                 "WHERE s.name = :n").bindparams(n=CONDITIONAL)).scalar_one()


def run_with_input(args: list[str], stdin: str):
    from typer.testing import CliRunner

    from portal.cli import app

    return CliRunner().invoke(app, args, input=stdin, catch_exceptions=False)


def test_users_create_list_and_set_role(settings, department, odp):
    made = run_with_input(["users", "create", "Rev@Example.org", "--name", "审核员", "--password-stdin",
                           "--role", "reviewer", "--department", department], PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "rev@example.org" in made.output and PASSWORD not in made.output
    with Session(db.get_engine(settings)) as session:
        account = users.by_email(session, "rev@example.org")
        assert account is not None and account.role == Role.reviewer
        assert users.department_slugs(session, account.id) == [department]
        assert users.authenticate(session, "rev@example.org", PASSWORD, settings) is not None  # stdin's line, no \n
        assert PASSWORD not in account.password_hash and account.password_hash.startswith("$argon2")
    listing = odp("users", "list").output
    assert "rev@example.org\treviewer\t" + department in listing
    line = next(row for row in listing.splitlines() if "rev@example.org" in row).split("\t")
    assert (line[5], line[6]) == ("-", "active")  # no TOTP, not deleted

    assert odp("users", "set-role", "rev@example.org", "--role", "organizer").exit_code == 0
    with Session(db.get_engine(settings)) as session:
        account = users.by_email(session, "rev@example.org")
        assert account.role == Role.organizer and users.department_slugs(session, account.id) == []
    assert "rev@example.org\torganizer\t-\t" in odp("users", "list").output


def test_users_create_refusals_are_clear(settings, department, odp):
    no_stdin_flag = odp("users", "create", "a@example.org", "--name", "A")
    assert no_stdin_flag.exit_code == 2 and "--password-stdin" in no_stdin_flag.output
    short = run_with_input(["users", "create", "a@example.org", "--name", "A", "--password-stdin"], "short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert run_with_input(["users", "create", "a@example.org", "--name", "A", "--password-stdin"],
                          PASSWORD).exit_code == 0
    again = run_with_input(["users", "create", "A@example.org", "--name", "A", "--password-stdin"], PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = run_with_input(["users", "create", "b@example.org", "--name", "B", "--password-stdin",
                               "--role", "king"], PASSWORD)
    assert bad_role.exit_code == 2
    user_with_department = run_with_input(["users", "create", "c@example.org", "--name", "C", "--password-stdin",
                                           "--department", department], PASSWORD)
    assert user_with_department.exit_code == 1 and "only reviewers" in user_with_department.output
    unknown = odp("users", "set-role", "nobody@example.org", "--role", "admin")
    assert unknown.exit_code == 1 and "no account" in unknown.output
    with Session(db.get_engine(settings)) as session:
        assert [a.email for a in session.exec(select(Account))] == ["a@example.org"]


def test_keys_create_prints_the_key_once_and_stores_only_its_hash(settings, department, odp):
    assert run_with_input(["users", "create", "dev@example.org", "--name", "Dev", "--password-stdin"],
                          PASSWORD).exit_code == 0
    made = odp("keys", "create", "dev@example.org", "--name", "laptop", "--days", "30")
    assert made.exit_code == 0
    key = made.stdout.strip()
    assert key.startswith("odp_") and "\n" not in key and made.output.count(key) == 1
    with Session(db.get_engine(settings)) as session:
        principal = principals.for_key(session, key, settings)
        assert principal is not None and principal.email == "dev@example.org"
        (row,) = keys.list_keys(session, principal.id)
        assert row.name == "laptop" and row.expires is not None and key[:12] == row.prefix
        dumped = "\n".join(str(r) for table in ("apikey", "auditevent")
                           for r in session.exec(text(f"SELECT * FROM {table}")))
        assert key not in dumped and key[12:20] not in dumped
    assert odp("keys", "create", "nobody@example.org", "--name", "x").exit_code == 1
    bad_days = odp("keys", "create", "dev@example.org", "--name", "x", "--days", "0")
    assert bad_days.exit_code == 1 and "days" in bad_days.output


def test_audit_prints_one_line_per_event_and_filters(settings, department, odp):
    with Session(db.get_engine(settings)) as session:
        reader = account(session, settings, "reader@example.org")
        key = keys.create_key(session, reader, "k", settings).key
        granted(session, settings, reader, CONDITIONAL)
        dataset_id = session.exec(text("SELECT id FROM dataset WHERE name = :n").bindparams(n=CONDITIONAL)).scalar()
        audit.record(session, audit.Event.data_read, account_id=reader.id, key_prefix=key[:12], dataset_id=dataset_id,
                     route="/api/v1/datasets/x/rows", bytes=1234, ip="10.0.0.7")
        session.commit()
        reader_id = reader.id
        stored = session.exec(select(AuditEvent).order_by(AuditEvent.time, AuditEvent.id)).all()

    everything = odp("audit")
    assert everything.exit_code == 0
    lines = everything.output.splitlines()
    assert [line.split("\t")[1] for line in lines] == [e.event for e in stored]
    assert all(len(line.split("\t")) == 8 for line in lines)
    read = lines[-1].split("\t")
    assert read[1:] == ["data_read", "reader@example.org", key[:12], CONDITIONAL, "/api/v1/datasets/x/rows",
                        "1234", "10.0.0.7"]
    assert key not in everything.output

    of_dataset = odp("audit", "--dataset", CONDITIONAL).output.splitlines()
    assert [line.split("\t")[1] for line in of_dataset] == \
        [e.event for e in stored if e.dataset_id == dataset_id]
    of_user = odp("audit", "--user", "reader@example.org").output.splitlines()
    assert {line.split("\t")[2] for line in of_user} == {"reader@example.org"}
    assert len(of_user) == sum(1 for e in stored if e.account_id == reader_id)
    assert odp("audit", "--since", "2999-01-01").output == ""
    assert len(odp("audit", "--since", "2000-01-01T00:00").output.splitlines()) == len(stored)
    bad = odp("audit", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.output
    assert odp("audit", "--dataset", "nope").exit_code == 1
