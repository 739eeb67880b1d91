"""The example contest loads from sample_data/contests/ as ``make run`` loads it (twice: the second run changes
nothing), with seeded accounts nobody can log in as; and the package zip keeps GB18030 files as published, ships
an invalid table's validation report, and is written once per pinned set."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog import db
from catalog.accounts import users
from catalog.contests import bundle, contests, entries, works
from catalog.models import Account, Contest, ContestMember, ContestWork, Dataset
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.cli import app as odp_app
from tests.support.accounts import PASSWORD, account, cheap_hashing
from tests.support.catalog import ROOT, copy_sample
from tests.support.packages import csv_text, write_package

SODA = ROOT / "sample_data" / "contests" / "soda-2015.json"


def odp(*args: str):
    return CliRunner().invoke(odp_app, list(args), catch_exceptions=False)


def test_the_example_contest_loads_once_with_accounts_nobody_can_use(settings, packages, monkeypatch):
    cheap_hashing(monkeypatch)
    for name in ("jtw/shanghai-*", "fgw/shanghai-ev-charging-stations"):
        copy_sample(name, packages)
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    command = ["contests", "create", "soda-2015", "--organizer", "soda-organizer@example.org", "--from-json",
               str(SODA), "--exists-ok"]
    first = odp(*command)
    assert first.exit_code == 0 and "created contest soda-2015 (finished, 4 entries)" in first.output
    second = odp(*command)
    assert second.exit_code == 0 and "left as it is" in second.output
    listing = odp("contests", "list")
    assert listing.output.count("soda-2015") == 1 and "2 teams" in listing.output
    with Session(db.get_engine(settings)) as session:
        contest = session.exec(select(Contest)).one()
        assert (contest.theme, contests.state(contest)) == ("智慧交通", contests.ContestState.finished)
        assert len(session.exec(select(ContestMember)).all()) == 5
        assert all(m.agreement_accepted for m in session.exec(select(ContestMember)))
        assert {w.award for w in session.exec(select(ContestWork))} == {"一等奖", "优秀奖"}
        parking = session.exec(select(Dataset.id).where(Dataset.name == "shanghai-public-parking-lots")).one()
        assert works.used_in_count(session, parking) == 2
        seeded = session.exec(select(Account).where(Account.email.like("%soda%"))).all()  # type: ignore[attr-defined]
        assert len(seeded) == 6
        organizer = next(a for a in seeded if a.email == "soda-organizer@example.org")
        assert organizer.role == Role.organizer
        for person in seeded:
            assert person.password_hash.startswith("$argon2")
            for guess in ("", PASSWORD, person.email, person.name, "soda-2015"):
                assert users.authenticate(session, person.email, guess, settings) is None
    refused = odp("contests", "create", "soda-2015", "--organizer", "soda-organizer@example.org", "--from-json",
                  str(SODA))
    assert refused.exit_code == 1 and "already exists" in refused.output
    unknown = odp("contests", "create", "other", "--title", "T", "--organizer", "nobody@example.org")
    assert unknown.exit_code == 1 and "no account nobody@example.org" in unknown.output


GB_ROWS = [(i, f"南京东路{i}号停车场", "黄浦区", i) for i in range(1, 6)]


@pytest.fixture
def odd_tables(settings, packages, monkeypatch):
    cheap_hashing(monkeypatch)
    write_package(packages, "gb-parking", csv=csv_text(GB_ROWS).encode("gb18030"))
    write_package(packages, "bad-parking", csv=csv_text([(1, "A", "黄浦区", 1), ("x", "B", "黄浦区", "many")]))
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        organizer = account(session, settings, "org@example.org", Role.organizer)
        contest = contests.create(session, organizer, contests.parse_spec({"slug": "odd", "title": "T"}))
        entries.add(session, organizer, contest, "gb-parking")
        entries.add(session, organizer, contest, "bad-parking")
        session.commit()
        yield settings, session, contest


def test_the_zip_keeps_gb18030_and_ships_validation_reports_once_per_pinned_set(odd_tables):
    settings, session, contest = odd_tables
    views = entries.package(session, contest)
    path = bundle.bundle_path(session, contest, views, settings)
    with zipfile.ZipFile(path) as archive:
        package = json.loads(archive.read("datapackage.json"))
        by_name = {r["name"]: r for r in package["resources"]}
        gb = by_name["gb-parking--table"]
        assert gb["encoding"] == "gb18030" and archive.read(gb["path"]) == csv_text(GB_ROWS).encode("gb18030")
        bad = by_name["bad-parking--table"]
        report = json.loads(archive.read(bad["validation_report"]))
        assert report["errors"] and "validation_report" not in gb
    assert package["version"] == "1.0" and package["contributors"][0]["role"] == "author"
    modified = path.stat().st_mtime_ns
    assert bundle.bundle_path(session, contest, entries.package(session, contest), settings) == path
    assert path.stat().st_mtime_ns == modified  # served from the cache, not written again
    only_gb = [v for v in views if v.dataset.name == "gb-parking"]
    smaller = bundle.bundle_path(session, contest, only_gb, settings)
    assert smaller != path and smaller.is_file()
    frictionless = str(Path(sys.executable).with_name("frictionless"))
    for zipped, valid in ((smaller, True), (path, False)):  # the invalid table is reported, as published
        run = subprocess.run([frictionless, "validate", "--json", str(zipped)], capture_output=True, text=True,
                             timeout=120, check=False)
        assert json.loads(run.stdout)["valid"] is valid, run.stdout[:2000]
