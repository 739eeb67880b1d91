"""``odp departments list`` and ``odp departments agreement`` (portal/cli/departments.py), and ``odp audit``
writing the "grant expired" events before it prints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from catalog import db
from catalog.accounts import agreements
from catalog.models import AccessGrant, Department, utcnow
from tests.support.accounts import account, cheap_hashing, granted
from tests.support.packages import csv_text, write_package

CONDITIONAL = "dept-conditional"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch):
    cheap_hashing(monkeypatch)


@pytest.fixture
def harvested(settings, packages, odp) -> None:
    write_package(packages, CONDITIONAL, csv=csv_text([(1, "A", "浦东新区", 1)]), open_class="conditional")
    assert odp("harvest", str(packages)).exit_code == 0


def stored(settings) -> str | None:
    with Session(db.get_engine(settings)) as session:
        return session.exec(select(Department.agreement).where(Department.name == "jtw")).one()


def test_set_print_clear(settings, harvested, odp, tmp_path):
    default = agreements.portal_default(settings)
    assert odp("departments", "agreement", "jtw").output == default + "\n"
    text = tmp_path / "jtw.txt"
    text.write_text("交通委数据利用协议\n第一条 仅用于申请的用途。\n", encoding="utf-8")
    set_ = odp("departments", "agreement", "jtw", "--file", str(text))
    assert set_.exit_code == 0 and agreements.digest("交通委数据利用协议\n第一条 仅用于申请的用途。") in set_.output
    assert stored(settings) == "交通委数据利用协议\n第一条 仅用于申请的用途。"
    assert odp("departments", "agreement", "jtw").output == "交通委数据利用协议\n第一条 仅用于申请的用途。\n"
    listed = odp("departments", "list").output.splitlines()
    assert listed == [f"jtw\town\t{agreements.digest(stored(settings))[:12]}\t上海市交通委员会"]
    assert odp("departments", "agreement", "jtw", "--clear").exit_code == 0
    assert stored(settings) is None and odp("departments", "agreement", "jtw").output == default + "\n"
    assert odp("departments", "list").output.split("\t")[1] == "default"


def test_the_default_follows_odp_agreement_file(settings, harvested, odp, tmp_path, monkeypatch):
    portal_text = tmp_path / "portal.txt"
    portal_text.write_text("门户协议\n", encoding="utf-8")
    monkeypatch.setattr(settings, "agreement_file", portal_text)
    assert odp("departments", "agreement", "jtw").output == "门户协议\n"


def test_refusals(settings, harvested, odp, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert odp("departments", "agreement", "nope").exit_code == 1
    assert odp("departments", "agreement", "jtw", "--file", str(empty)).exit_code == 1
    assert odp("departments", "agreement", "jtw", "--file", str(binary)).exit_code == 1
    assert odp("departments", "agreement", "jtw", "--file", str(tmp_path / "missing.txt")).exit_code == 1
    assert odp("departments", "agreement", "jtw", "--file", str(empty), "--clear").exit_code == 2
    assert stored(settings) is None


def test_audit_logs_expired_grants_before_printing(settings, harvested, odp):
    with Session(db.get_engine(settings)) as session:
        who = account(session, settings, "reader@example.org")
        granted(session, settings, who, CONDITIONAL, days=1)
        grant = session.exec(select(AccessGrant)).one()
        grant.expires = utcnow() - timedelta(minutes=1)
        session.add(grant)
        session.commit()
    first = [line.split("\t")[1:3] for line in odp("audit").output.splitlines()]
    assert first.count(["grant_expired", "reader@example.org"]) == 1
    again = [line.split("\t")[1] for line in odp("audit").output.splitlines()]
    assert again.count("grant_expired") == 1
