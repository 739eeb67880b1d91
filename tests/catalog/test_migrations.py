"""Migrations: the revisions build exactly the models' schema, a new catalog starts at head, an older one is
refused until upgraded, and a catalog made by the first release upgrades in place with its datasets, search,
downloads and download counts intact.

The first-release catalog is built honestly rather than by running revision 1: today's harvester fills a catalog
(the rows the old code would have written are the same), then its rows move into a database created by the
first release's own models (tests/support/release1_models.py) with no schema version, as that release left it.
"""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, func, insert, select, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from catalog import db, migrations
from catalog.config import Settings
from catalog.datasets import stats as download_stats
from portal.cli import app as odp_app
from tests.support import release1_models
from tests.support.catalog import copy_sample
from tests.support.tables import harvest

PARKING = "/api/v1/datasets/shanghai-public-parking-lots"
HEAD = "0012"  # the newest revision: a new one changes these two lines
AFTER_FIRST = ["0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012"]


def odp(*args: str):
    return CliRunner().invoke(odp_app, list(args), catch_exceptions=False)


def empty(settings: Settings) -> None:
    engine = db.get_engine(settings)
    SQLModel.metadata.drop_all(engine)
    db.drop_schema_version(engine)


def alembic(settings: Settings, action, revision: str) -> None:
    with db.get_engine(settings).begin() as connection:
        action(migrations.alembic_config(connection), revision)


def schema_diff(settings: Settings, metadata: MetaData) -> list:
    with db.get_engine(settings).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def tables(settings: Settings) -> set[str]:
    with db.get_engine(settings).connect() as connection:
        return set(migrations.inspect(connection).get_table_names())


# --- The revisions are the models ---------------------------------------------------------------------------


def test_upgrade_head_builds_exactly_the_models_schema(settings):
    """A model change without a migration fails here."""
    empty(settings)
    alembic(settings, command.upgrade, "head")
    assert schema_diff(settings, SQLModel.metadata) == []
    assert migrations.current_revision(settings) == migrations.head()


def test_revision_1_is_the_first_release_schema(settings):
    empty(settings)
    alembic(settings, command.upgrade, "0001")
    assert schema_diff(settings, release1_models.Release1Base.metadata) == []
    assert schema_diff(settings, SQLModel.metadata) != []  # the oracle can fail: head differs from 0001


def test_downgrade_to_0001_and_back(settings):
    alembic(settings, command.downgrade, "0001")
    assert {"harvestjobprocess", "indexeddataset", "account", "apikey", "auditevent"}.isdisjoint(tables(settings))
    assert migrations.upgrade(settings).applied == AFTER_FIRST
    assert schema_diff(settings, SQLModel.metadata) == []


def test_a_new_data_dir_starts_at_head(settings):
    assert migrations.current_revision(settings) == migrations.head() == HEAD
    assert migrations.is_current(settings)
    assert odp("db", "current").output.strip() == f"{HEAD} (head)"
    upgrade = odp("db", "upgrade")
    assert upgrade.exit_code == 0 and f"already at {HEAD} (head)" in upgrade.output


# --- Older catalogs are refused, then upgraded --------------------------------------------------------------


def test_an_older_versioned_catalog_is_refused_until_upgraded(settings, packages, monkeypatch):
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0001")
    refusal = _refusal(settings)
    assert "revision 0001" in refusal and "`odp db upgrade`" in refusal and "\n" not in refusal
    for command_line in (["harvest", str(packages)], ["serve"], ["datasets"]):
        refused = odp(*command_line)
        assert refused.exit_code == 1 and refused.output.strip() == f"error: {refusal}", command_line
    with pytest.raises(db.CatalogOutOfDate):
        _app()  # the app factory refuses too
    assert not migrations.is_current(settings)
    assert odp("db", "current").output.strip() == f"0001, behind {HEAD} (head)"
    # The rebuild hook: a revision that asks for them gets the index and the Parquet files rebuilt.
    revision_2 = migrations.scripts().get_revision("0002").module
    monkeypatch.setattr(revision_2, "needs_reindex", True)
    monkeypatch.setattr(revision_2, "needs_parquet_rebuild", True)
    result = migrations.upgrade(settings)
    assert (result.before, result.applied, result.stamped) == ("0001", AFTER_FIRST, None)
    assert result.reindexed == 1 and result.parquet is not None and result.parquet["built"] == 1
    db.init_db(settings)  # no longer refused


def _refusal(settings: Settings) -> str:
    try:
        db.init_db(settings)
    except db.CatalogOutOfDate as exc:
        return str(exc)
    raise AssertionError("an out-of-date catalog was opened")


def test_a_catalog_of_the_first_release_upgrades_in_place(settings, packages):
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    copy_sample("fgw/dishonest-entities-list", packages)
    harvest(settings, packages)
    with TestClient(_app()) as client:
        assert client.get(f"{PARKING}/resources/parking-lots/download").status_code == 200
        download_stats.flush(settings)
        before = _counts(client)
    assert before[0] == 1
    rows = as_first_release(settings)
    assert rows["dataset"] == 2 and rows["downloadcount"] == 1

    assert "un-versioned" in _refusal(settings)
    assert "un-versioned catalog, its tables match 0001" in odp("db", "current").output
    upgrade = odp("db", "upgrade")
    assert upgrade.exit_code == 0
    assert "its tables match 0001" in upgrade.output and f"upgraded 0001 → {HEAD}" in upgrade.output
    assert odp("db", "current").output.strip() == f"{HEAD} (head)"
    assert schema_diff(settings, SQLModel.metadata) == []
    listing = odp("datasets")
    assert listing.exit_code == 0 and "datasets (2)" in listing.output
    assert odp("show", "shanghai-public-parking-lots").exit_code == 0
    assert "every dataset indexed" in odp("jobs").output  # revision 2 rebuilt the index and its markers

    with TestClient(_app()) as client:
        assert _counts(client) == before  # the counts survived
        names = {d["name"] for d in client.get("/api/v1/datasets").json()["results"]}
        assert names == {"shanghai-public-parking-lots", "dishonest-entities-list"}
        hits = client.get("/api/v1/search", params={"q": "停车场"}).json()["results"]
        assert "shanghai-public-parking-lots" in {hit["name"] for hit in hits}  # the index is the release's
        download = client.get(f"{PARKING}/resources/parking-lots/download")
        assert download.status_code == 200 and download.content
        assert client.get(f"{PARKING}/resources/parking-lots/rows").json()["rows"]
        download_stats.flush(settings)
        assert _counts(client)[0] == before[0] + 1
    # A harvest after the upgrade adds (new ids on PostgreSQL's sequences) and fills the index markers.
    copy_sample("jtw/shanghai-bus-routes", packages)
    assert harvest(settings, packages).tally.added == 1
    assert "every dataset indexed" in odp("jobs").output


def _app():
    from portal.app import create_app

    return create_app()


def _counts(client: TestClient) -> tuple[int, int]:
    body = client.get(PARKING).json()
    return body["downloads"], body["api_calls"]


def as_first_release(settings: Settings) -> dict[str, int]:
    """Rebuild the catalog DB as the first release left it: its tables, the same rows, no schema version.
    Returns the row count per table."""
    old = release1_models.Release1Base.metadata
    engine = db.get_engine(settings)
    with engine.connect() as connection:
        rows = {t.name: [dict(r) for r in connection.execute(select(SQLModel.metadata.tables[t.name]))
                         .mappings()] for t in old.sorted_tables}
    empty(settings)
    old.create_all(engine)
    with engine.begin() as connection:
        for table in old.sorted_tables:
            if rows[table.name]:
                connection.execute(insert(table), rows[table.name])
        if connection.dialect.name == "postgresql":  # as the release's own inserts would have left them
            for table in old.sorted_tables:
                _advance_sequence(connection, table)
    return {name: len(values) for name, values in rows.items()}


def _advance_sequence(connection, table) -> None:
    (key,) = table.primary_key.columns
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                  {"t": table.name, "c": key.name}).scalar()
    top = connection.execute(select(func.max(key))).scalar()
    if sequence and top is not None:
        connection.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": top})


def test_a_catalog_of_the_accounts_release_upgrades_to_usage_and_security(settings, packages):
    """Revision 0003 is what the previous release left (accounts, keys, grants): its rows survive 0004, every
    account starts at session epoch 0 without TOTP, and the new tables start empty."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0003")
    assert "usageday" not in tables(settings)
    with db.get_engine(settings).begin() as connection:
        connection.execute(text(
            "INSERT INTO account (email, name, password_hash, role, created) "
            "VALUES ('old@example.cn', '旧用户', 'argon2-hash', 'user', CURRENT_TIMESTAMP)"))
        department = connection.execute(text("SELECT id FROM department")).scalars().first()
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0004"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    with db.get_engine(settings).connect() as connection:
        account = connection.execute(text(
            "SELECT email, session_epoch, totp_secret, deleted FROM account")).one()
        assert tuple(account) == ("old@example.cn", 0, None, None)
        agreement = connection.execute(text("SELECT agreement FROM department WHERE id = :id"), {"id": department})
        assert agreement.scalar_one() is None
        assert connection.execute(text("SELECT count(*) FROM usageday")).scalar_one() == 0


def test_a_catalog_of_the_usage_release_upgrades_to_contests(settings, packages):
    """Revision 0004 is what the accounts issue left: an account and its grant survive 0005, whose contest tables
    start empty and take a contest that pins the harvested version."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0004")
    assert "contest" not in tables(settings)
    with db.get_engine(settings).begin() as connection:
        connection.execute(text(
            "INSERT INTO account (email, name, password_hash, role, created, session_epoch) "
            "VALUES ('old@example.cn', '旧用户', 'argon2-hash', 'organizer', CURRENT_TIMESTAMP, 0)"))
        account_id = connection.execute(text("SELECT id FROM account")).scalar_one()
        dataset_id = connection.execute(text("SELECT id FROM dataset")).scalars().first()
        connection.execute(text(
            "INSERT INTO accessapplication (account_id, dataset_id, purpose, scenario, organization, days, status,"
            " created) VALUES (:a, :d, '研究', '分析', '', 30, 'approved', CURRENT_TIMESTAMP)"),
            {"a": account_id, "d": dataset_id})
        application_id = connection.execute(text("SELECT id FROM accessapplication")).scalar_one()
        connection.execute(text(
            "INSERT INTO accessgrant (application_id, account_id, dataset_id, starts, expires) "
            "VALUES (:p, :a, :d, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"p": application_id, "a": account_id, "d": dataset_id})
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0005"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    assert {"contest", "contestentry", "contestteam", "contestmember", "contestwork"} <= tables(settings)
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(text("SELECT email, role FROM account")).one() == ("old@example.cn", "organizer")
        grant = connection.execute(text("SELECT account_id, dataset_id FROM accessgrant")).one()
        assert tuple(grant) == (account_id, dataset_id)
        assert connection.execute(text("SELECT count(*) FROM contest")).scalar_one() == 0
    result = odp("contests", "create", "upgraded", "--title", "升级后的比赛", "--organizer", "old@example.cn")
    assert result.exit_code == 0, result.output
    added = odp("contests", "add", "upgraded", "shanghai-public-parking-lots", "--resource", "parking-lots")
    assert added.exit_code == 0, added.output
    with db.get_engine(settings).connect() as connection:
        pinned = connection.execute(text(
            "SELECT e.version_id = r.current_version_id FROM contestentry e JOIN resource r ON r.id = e.resource_id"))
        assert pinned.scalar_one()


def test_a_catalog_of_the_contests_release_upgrades_to_community(settings, packages):
    """Revision 0005 is what the contests issue left: an account and a dataset survive 0006, whose community
    tables start empty and take a rating and a data request of that account."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0005")
    assert "datarequest" not in tables(settings)
    with db.get_engine(settings).begin() as connection:
        connection.execute(text(
            "INSERT INTO account (email, name, password_hash, role, created, session_epoch) "
            "VALUES ('old@example.cn', '旧用户', 'argon2-hash', 'user', CURRENT_TIMESTAMP, 0)"))
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0006"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    assert {"datasetrating", "datarequest", "datarequestvote", "comment", "errorreport", "notification"} <= tables(
        settings)
    with db.get_engine(settings).begin() as connection:
        assert connection.execute(text("SELECT email FROM account")).scalar_one() == "old@example.cn"
        assert connection.execute(text("SELECT name FROM dataset")).scalar_one() == "shanghai-public-parking-lots"
        assert connection.execute(text("SELECT count(*) FROM datarequest")).scalar_one() == 0
    from sqlmodel import Session

    from catalog.community import ratings, requests
    from catalog.models import Account

    with Session(db.get_engine(settings)) as session:
        account = session.scalars(select(Account)).one()
        ratings.rate(session, account, "shanghai-public-parking-lots", 4)
        requests.create(session, account, title="公交到站数据", description="各线路实时到站", domain="transport")
        session.commit()
        assert ratings.summary(session, "shanghai-public-parking-lots").count == 1


def test_a_catalog_of_the_quality_release_upgrades_to_the_search_tables(settings, packages, monkeypatch):
    """Revision 0009 is what the quality-score change left: its dataset survives 0010, whose search tables start empty.
    On PostgreSQL, `odp reindex` with ODP_SEARCH_BACKEND=postgres fills them and search finds the dataset; on
    SQLite they stay empty and the embedded index answers as before."""
    from catalog.config import get_settings
    from catalog.search import SearchQuery
    from catalog.search.indexing import get_search_backend

    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0009")
    assert "searchdocument" not in tables(settings)
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0010"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    assert {"searchdocument", "searchterm", "searchlabel", "searchstate"} <= tables(settings)
    with db.get_engine(settings).begin() as connection:
        assert connection.execute(text("SELECT name FROM dataset")).scalar_one() == "shanghai-public-parking-lots"
        assert connection.execute(text("SELECT count(*) FROM searchdocument")).scalar_one() == 0
    if settings.effective_database_url.startswith("postgresql"):
        monkeypatch.setenv("ODP_SEARCH_BACKEND", "postgres")
        get_settings.cache_clear()
        reindexed = odp("reindex")
        assert reindexed.exit_code == 0 and "PostgreSQL search tables" in reindexed.output, reindexed.output
    found = get_search_backend(get_settings()).search(SearchQuery(q="停车场"))
    assert [h.name for h in found.hits] == ["shanghai-public-parking-lots"]


def test_a_catalog_of_the_community_release_upgrades_to_reuses_and_follows(settings, packages):
    """Revision 0006 is what the community API left: an account, its rating and its data request survive 0007,
    whose reuse and follow tables start empty and take a reuse and a follow of that account."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0006")
    assert "reuse" not in tables(settings) and "datasetfollow" not in tables(settings)
    with db.get_engine(settings).begin() as connection:
        connection.execute(text(
            "INSERT INTO account (email, name, password_hash, role, created, session_epoch) "
            "VALUES ('old@example.cn', '旧用户', 'argon2-hash', 'user', CURRENT_TIMESTAMP, 0)"))
        account_id = connection.execute(text("SELECT id FROM account")).scalar_one()
        dataset_id = connection.execute(text("SELECT id FROM dataset")).scalar_one()
        connection.execute(text("INSERT INTO datasetrating (dataset_id, account_id, stars, updated) "
                                "VALUES (:d, :a, 5, CURRENT_TIMESTAMP)"), {"d": dataset_id, "a": account_id})
        connection.execute(text(
            "INSERT INTO datarequest (account_id, title, description, domain_code, purpose, status, created) "
            "VALUES (:a, '公交到站数据', '各线路实时到站', 'transport', '', 'open', CURRENT_TIMESTAMP)"),
            {"a": account_id})
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0007"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    assert {"reuse", "reusedataset", "datasetfollow"} <= tables(settings)
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(text("SELECT stars FROM datasetrating")).scalar_one() == 5
        assert connection.execute(text("SELECT title FROM datarequest")).scalar_one() == "公交到站数据"
        assert connection.execute(text("SELECT count(*) FROM reuse")).scalar_one() == 0
    from sqlmodel import Session

    from catalog.community import follows, reuses
    from catalog.models import Account

    with Session(db.get_engine(settings)) as session:
        account = session.scalars(select(Account)).one()
        made = reuses.submit(session, settings, account, title="停车导航", url="https://example.org/app",
                             description="泊位地图", datasets=["shanghai-public-parking-lots"])
        follows.follow(session, account, "shanghai-public-parking-lots")
        session.commit()
        assert [d for d, _ in reuses.find(session, made.id, account).datasets] == ["shanghai-public-parking-lots"]
        assert follows.following(session, account.id, "shanghai-public-parking-lots")


def test_a_catalog_of_the_reuses_release_upgrades_to_the_personal_information_scan(settings, packages):
    """Revision 0007 is what the reuses-and-follows issue left: a dataset survives 0008 as ``clean`` with unscanned
    versions; ``odp pii-scan`` then scans its stored tables, and blocked_datasets works on the new column."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0007")
    with db.get_engine(settings).connect() as connection:
        assert "pii_status" not in {c["name"] for c in migrations.inspect(connection).get_columns("dataset")}
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0008"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    with db.get_engine(settings).begin() as connection:
        assert connection.execute(text("SELECT name, pii_status FROM dataset")).one() == (
            "shanghai-public-parking-lots", "clean")
        assert connection.execute(text("SELECT count(*) FROM resourceversion WHERE pii_report IS NULL")).scalar_one()
    scanned = odp("pii-scan", "--json")
    assert scanned.exit_code == 0, scanned.output
    from sqlmodel import Session

    from catalog.models import ResourceVersion
    from catalog.privacy import blocked_datasets

    with Session(db.get_engine(settings)) as session:
        assert blocked_datasets(session) == []
        reports = [v.pii_report for v in session.scalars(select(ResourceVersion)) if v.parquet_path]
        assert reports and all(r is not None and r["columns"] == [] for r in reports)


def test_a_catalog_of_the_pii_release_upgrades_to_quality_scores(settings, packages):
    """Revision 0008 is what the personal-information issue left: its dataset survives 0009 and, before any
    harvest fills the new table, still has its score (computed when asked); ``odp quality refresh`` stores it."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0008")
    assert "datasetquality" not in tables(settings)
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0009"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM datasetquality")).scalar_one() == 0
    from sqlmodel import Session

    from catalog.quality import scores

    with Session(db.get_engine(settings)) as session:
        computed = scores.current_scores(session)
        assert list(computed.values()) and all(0 < s <= 100 for s in computed.values())
    refreshed = odp("quality", "refresh")
    assert refreshed.exit_code == 0, refreshed.output
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM datasetquality")).scalar_one() == 1
    with Session(db.get_engine(settings)) as session:
        assert scores.current_scores(session) == computed


def test_a_catalog_of_the_postgres_search_release_upgrades_to_scheduled_harvests(settings, packages):
    """Revision 0010 is what the PostgreSQL search change left: its source and its harvest job survive 0011, whose
    schedule and queue tables start empty and take a schedule of that source."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from catalog import schedules
    from catalog.models import HarvestSource

    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0010")
    assert "harvestschedule" not in tables(settings)
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0011"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    with db.get_engine(settings).begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM harvestjob")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM harvestschedule")).scalar_one() == 0
    with Session(db.get_engine(settings)) as session:
        source = session.scalars(select(HarvestSource)).one()
        entry = schedules.set_schedule(session, source, "daily", now=datetime(2026, 1, 1, 5, tzinfo=UTC))
        assert entry.next_run == datetime(2026, 1, 2, tzinfo=UTC)


def test_a_catalog_of_the_scheduled_harvests_release_upgrades_to_the_search_index_layout(settings, packages):
    """Revision 0011 left a search state without a layout: 0012 marks it layout 1 (written before the facet
    values' lexemes, so the PostgreSQL backend refuses it until rebuilt) and keeps the rest of the row."""
    copy_sample("jtw/shanghai-public-parking-lots", packages)
    harvest(settings, packages)
    alembic(settings, command.downgrade, "0011")
    with db.get_engine(settings).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO searchstate (id, index_id, generation, doc_count, field_lengths) "
                "VALUES (1, 'abc', 7, 3, '[1, 2, 3, 4, 5]')"
            )
        )
    assert migrations.upgrade(settings).applied == AFTER_FIRST[AFTER_FIRST.index("0012"):]
    assert schema_diff(settings, SQLModel.metadata) == []
    with db.get_engine(settings).begin() as connection:
        row = connection.execute(text("SELECT index_id, generation, doc_count, layout FROM searchstate")).one()
        assert tuple(row) == ("abc", 7, 3, 1)
        assert connection.execute(text("SELECT count(*) FROM harvestjob")).scalar_one() == 1
