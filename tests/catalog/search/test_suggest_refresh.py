"""The search-as-you-type table is rebuilt off the request: a keystroke never waits for a build, a change of
the listing reaches the suggestions after a background refresh, and an unchanged listing is not rebuilt."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from catalog import db
from catalog.search import suggest
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import csv_text, write_package


@pytest.fixture
def catalog(settings, packages, monkeypatch):
    monkeypatch.setattr(suggest, "CHECK_SECONDS", 0.0)  # every request may start a check
    write_package(packages, "suggest-parks", title="黄浦区公园名录", csv=csv_text([(1, "A", "黄浦区", 1)]))
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
    suggest._TABLES.clear()
    yield settings, packages
    suggest._TABLES.clear()


def titles(settings, prefix: str) -> list[str]:
    with Session(db.get_engine(settings)) as session:
        return [s.text for s in suggest.suggest(session, prefix, 8, refresh_seconds=3600)]


def wait_for_refresh() -> None:
    for thread in threading.enumerate():
        if thread.name == "odp-suggest-refresh":
            thread.join(timeout=30)


def test_a_new_dataset_reaches_the_suggestions_through_a_background_refresh(catalog):
    settings, packages = catalog
    assert "黄浦区公园名录" in titles(settings, "黄浦")
    write_package(packages, "suggest-toilets", title="黄浦区公共厕所分布", csv=csv_text([(1, "B", "黄浦区", 2)]))
    assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.added == 1
    first = titles(settings, "黄浦")  # answered from the current table; starts the check
    assert "黄浦区公共厕所分布" not in first
    wait_for_refresh()
    assert "黄浦区公共厕所分布" in titles(settings, "黄浦")


def test_a_keystroke_never_waits_for_a_rebuild(catalog, monkeypatch):
    settings, packages = catalog
    assert titles(settings, "黄浦")
    release = threading.Event()
    real_build = suggest.build_table

    def slow_build(session):
        release.wait(timeout=30)  # a build that takes as long as the test wants
        return real_build(session)

    monkeypatch.setattr(suggest, "build_table", slow_build)
    monkeypatch.setattr(suggest, "_signature", lambda session: ("changed",))
    done = []
    asking = threading.Thread(target=lambda: done.append(titles(settings, "黄浦")))
    asking.start()
    asking.join(timeout=10)
    assert done and "黄浦区公园名录" in done[0]  # answered while the rebuild is still blocked
    release.set()
    wait_for_refresh()


def test_an_unchanged_listing_is_not_rebuilt(catalog, monkeypatch):
    settings, _ = catalog
    titles(settings, "黄浦")
    builds = []
    monkeypatch.setattr(suggest, "build_table", lambda session: builds.append(1) or suggest.SuggestTable([]))
    titles(settings, "黄浦")
    wait_for_refresh()
    assert builds == []
