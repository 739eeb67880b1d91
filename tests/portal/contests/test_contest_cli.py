"""``odp contests`` on a small catalog (SQLite and PostgreSQL): create, add (sample size, seed, --no-full),
publish, list, repin after a re-harvest, the download report as text and CSV, and its refusals."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog import db
from catalog.contests import downloads, entries, teams
from catalog.models import Contest
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.cli import app as odp_app
from tests.support.accounts import account, cheap_hashing
from tests.support.packages import csv_text, write_package

ROWS = [(i, f"P{i:03d}", "徐汇区", i) for i in range(1, 21)]


def odp(*args: str):
    return CliRunner().invoke(odp_app, list(args), catch_exceptions=False)


def test_the_organizers_commands(settings, packages, monkeypatch):
    cheap_hashing(monkeypatch)
    write_package(packages, "cli-parking", csv=csv_text(ROWS))
    write_package(packages, "cli-bus", csv=csv_text(ROWS[:3]))
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        account(session, settings, "org@example.org", Role.organizer)
        account(session, settings, "plain@example.org")
        member = account(session, settings, "m@example.org")
        session.commit()
        member_id = member.id

    refused = odp("contests", "create", "cli", "--title", "T", "--organizer", "plain@example.org")
    assert refused.exit_code == 1 and "not an organizer" in refused.output
    created = odp("contests", "create", "cli", "--title", "命令行大赛", "--organizer", "org@example.org")
    assert created.exit_code == 0 and "created contest cli (draft, 0 entries)" in created.output
    added = odp("contests", "add", "cli", "cli-parking", "--resource", "table", "--sample-rows", "5", "--seed", "3")
    assert added.exit_code == 0 and "cli-parking/table" in added.output and "ready" in added.output
    assert odp("contests", "add", "cli", "cli-bus", "--no-full").exit_code == 0
    again = odp("contests", "add", "cli", "cli-parking")
    assert again.exit_code == 1 and "already in the package" in again.output
    missing = odp("contests", "add", "cli", "no-such-dataset")
    assert missing.exit_code == 1 and "no dataset named" in missing.output
    assert odp("contests", "add", "nope", "cli-bus").exit_code == 1
    published = odp("contests", "publish", "cli")
    assert published.exit_code == 0 and "published cli (open)" in published.output
    listing = odp("contests", "list")
    assert listing.output.startswith("cli\topen\t") and "2 entries\t命令行大赛" in listing.output

    with Session(db.get_engine(settings)) as session:
        contest = session.exec(select(Contest)).one()
        views = {v.dataset.name: v for v in entries.package(session, contest)}
        assert (views["cli-parking"].entry.sample_rows, views["cli-parking"].entry.sample_seed) == (5, 3)
        assert not views["cli-bus"].entry.full
        team = teams.create(session, contest, member_id, "命令行队")
        downloads.record(session, contest, team.id, member_id, [views["cli-parking"]], downloads.VIA_ENTRY)
        downloads.record(session, contest, team.id, member_id, [views["cli-parking"]], downloads.VIA_BUNDLE)
        session.commit()
        parking_entry, parking_version, parking_size = (views["cli-parking"].id, views["cli-parking"].version.id,
                                                        views["cli-parking"].version.size)

    text = odp("contests", "downloads", "cli").output.strip().split("\t")
    assert text[:2] == ["命令行队", "m@example.org"] and text[5:7] == ["2", str(2 * parking_size)]
    table = list(csv.DictReader(io.StringIO(odp("contests", "downloads", "cli", "--csv").output)))
    assert len(table) == 1 and table[0]["dataset"] == "cli-parking" and table[0]["downloads"] == "2"

    assert odp("contests", "repin", "cli", str(parking_entry)).exit_code == 1  # nothing newer yet
    write_package(packages, "cli-parking", csv=csv_text(ROWS[::-1]))
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.updated == 1
    moved = odp("contests", "repin", "cli", str(parking_entry))
    assert moved.exit_code == 0 and f"version {parking_version} →" in moved.output
