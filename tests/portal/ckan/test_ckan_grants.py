"""CKAN's package_show, package_search and resource_show for a principal: with an API key whose account holds a
live grant, a 有条件开放 dataset's resources carry their download URL and ``datastore_active`` as open data's do;
anonymous callers, keys without a grant and keys whose grant was revoked keep the anonymous answer. Driven by
ckanapi's RemoteCKAN (``apikey=KEY``, sent as CKAN's plain ``Authorization: KEY``) against a served portal."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from ckanapi import RemoteCKAN
from sqlmodel import Session

from catalog import db
from catalog.accounts import applications
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, admin, cheap_hashing, granted, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.servers import env_for, portal_server

CONDITIONAL, OTHER, OPEN = "ckan-granted", "ckan-other", "ckan-open"
TABLE = csv_text([(1, "GRANTED-ROW", "浦东新区", 7)])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, pg_database_url: str | None) -> Iterator[tuple[str, dict]]:
    root = tmp_path_factory.mktemp("ckan-grants")
    packages = root / "packages"
    with pytest.MonkeyPatch.context() as mp:
        cheap_hashing(mp)
        settings = fresh_settings(root / "var", mp, pg_database_url)
        write_package(packages, CONDITIONAL, csv=TABLE, open_class="conditional", keywords=["授权测试"])
        write_package(packages, OTHER, csv=TABLE, open_class="conditional", keywords=["授权测试"])
        write_package(packages, OPEN, csv=TABLE, open_class="open", keywords=["授权测试"])
        assert run_harvest(DataPackageHarvester(packages, settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            holder = account(session, settings, "holder@example.org")
            granted(session, settings, holder, CONDITIONAL)
            revoked = account(session, settings, "revoked@example.org")
            applications.revoke(session, admin(session, settings),
                                granted(session, settings, revoked, CONDITIONAL), "用途已完成")
            keys = {"holder": new_key(session, settings, holder),
                    "nogrant": new_key(session, settings, account(session, settings, "nogrant@example.org")),
                    "revoked": new_key(session, settings, revoked)}
            session.commit()
        with portal_server(env_for(settings.data_dir, pg_database_url)) as url:
            yield url, keys
        release(settings, pg_database_url)


def client(site: tuple[str, dict], who: str | None) -> RemoteCKAN:
    url, keys = site
    return RemoteCKAN(url, apikey=keys[who] if who else None)


def resources(package: dict) -> list[tuple[str, bool]]:
    return [(r["url"], r["datastore_active"]) for r in package["resources"]]


@pytest.mark.parametrize("who", [None, "nogrant", "revoked"])
def test_without_a_live_grant_the_answer_is_the_anonymous_one(site, who):
    with client(site, who) as ckan:
        package = ckan.action.package_show(id=CONDITIONAL)
        assert resources(package) == [("", False)]
        assert ckan.action.resource_show(id=package["resources"][0]["id"])["url"] == ""
        found = {p["name"]: p for p in ckan.action.package_search(q="授权测试", rows=10)["results"]}
        assert resources(found[CONDITIONAL]) == resources(found[OTHER]) == [("", False)]
        assert resources(found[OPEN])[0][0].endswith(f"/datasets/{OPEN}/resources/table/download")


def test_with_a_grant_the_dataset_reads_like_open_data(site):
    url, keys = site
    with client(site, "holder") as ckan:
        package = ckan.action.package_show(id=CONDITIONAL)
        expected = f"{url}/api/v1/datasets/{CONDITIONAL}/resources/table/download"
        assert resources(package) == [(expected, True)] and package["resources"][0]["url_type"] == "upload"
        resource = ckan.action.resource_show(id=package["resources"][0]["id"])
        assert resource == package["resources"][0]
        found = {p["name"]: p for p in ckan.action.package_search(q="授权测试", rows=10)["results"]}
        assert resources(found[CONDITIONAL]) == [(expected, True)]
        assert resources(found[OTHER]) == [("", False)]  # the grant is for one dataset only
        rows = ckan.action.datastore_search(resource_id=resource["id"])["records"]
        assert [r["name"] for r in rows] == ["GRANTED-ROW"]
    # the URL it hands out works with the same key, and only with it
    assert httpx.get(expected, headers={"Authorization": f"Bearer {keys['holder']}"}).content == TABLE.encode()
    assert httpx.get(expected).status_code == 403
