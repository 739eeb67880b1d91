"""The quality API: a dataset's score in /datasets/{name}; search sorted by score and filtered by a minimum score
or grade; /stats and /departments/{name}/scorecard over listed datasets only, on a fake clock; the names of
blocked datasets for the department's reviewers and admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from catalog import db
from catalog.models import utcnow
from portal.app import create_app
from portal.deps import clock
from tests.support.accounts import cheap_hashing, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.quality import (
    ADMIN,
    BLOCKED,
    CLOSED,
    JTW_REVIEWER,
    LISTED,
    MZJ_REVIEWER,
    USER,
    WITHDRAWN,
    build,
)

# --- On the sample catalog (read-only) ------------------------------------------------------------------------


def test_dataset_detail_carries_its_quality(sample_client):
    body = sample_client.get("/api/v1/datasets/urban-parks").json()
    quality = body["quality"]
    assert (quality["score"], quality["grade"]) == (79, "良")
    assert len(quality["checks"]) == 17
    assert set(quality["checks"][0]) == {"id", "dimension", "passed", "points", "max", "detail"}
    assert sum(c["points"] for c in quality["checks"]) == quality["score"]
    assert sum(c["max"] for c in quality["checks"]) == 100
    assert sum(d["points"] for d in quality["dimensions"].values()) == quality["score"]
    assert quality["timeliness"]["status"] == "on_time"


def _all(client, **params) -> list[dict]:
    return client.get("/api/v1/search", params={"size": 100, **params}).json()["results"]


def test_search_sorts_by_quality(sample_client):
    hits = _all(sample_client, sort="quality")
    scores = [h["quality"]["score"] for h in hits]
    assert len(hits) == 46 and scores == sorted(scores, reverse=True) and scores[0] == 100 and scores[-1] == 76


@pytest.mark.parametrize(("params", "lowest"), [({"min_score": 90}, 90), ({"grade": "优"}, 85),
                                                 ({"grade": "良"}, 70), ({"grade": "优", "min_score": 95}, 95)])
def test_search_filters_by_minimum_score_or_grade(sample_client, params, lowest):
    everything = {h["name"]: h["quality"]["score"] for h in _all(sample_client)}
    body = sample_client.get("/api/v1/search", params={"size": 100, **params}).json()
    assert {h["name"] for h in body["results"]} == {n for n, s in everything.items() if s >= lowest}
    assert body["count"] == len(body["results"])
    assert sum(f["count"] for f in body["facets"]["domain"]) == body["count"]  # facets counted within the filter


def test_search_quality_filter_with_text_and_a_facet(sample_client):
    body = sample_client.get("/api/v1/search", params={"q": "停车", "min_score": 95, "domain": "transport"}).json()
    names = {h["name"] for h in body["results"]}
    assert names and all(h["quality"]["score"] >= 95 for h in body["results"])
    assert "pudong-public-parking-lots-2023" not in names  # 94: the only parking dataset under 95


@pytest.mark.parametrize("params", [{"min_score": 101}, {"min_score": -1}, {"grade": "甲"}, {"sort": "score"}])
def test_bad_quality_parameters_are_422(sample_client, params):
    response = sample_client.get("/api/v1/search", params=params)
    assert response.status_code == 422 and response.json()["error"]["code"]


def test_stats_on_the_sample_catalog(sample_client):
    response = sample_client.get("/api/v1/stats")
    body = response.json()
    assert body["datasets"] == 46 and sum(d["count"] for d in body["by_domain"]) == 46
    assert {c["code"]: c["count"] for c in body["by_open_class"]} == {"open": 43, "conditional": 3}
    assert body["validation"] == {"tables": 50, "valid_tables": 45, "datasets_with_tables": 46,
                                  "datasets_passing": 41, "pass_rate": round(41 / 46, 4)}
    assert {g["grade"]: g["count"] for g in body["quality"]["grades"]} == {"优": 39, "良": 7, "中": 0, "差": 0}
    assert body["timeliness"]["on_time_rate"] == 1.0 and body["timeliness"]["assessed"] == 43
    assert body["pii_blocks"] == 1
    assert BLOCKED not in response.text and CLOSED not in response.text
    ranking = body["ranking"]
    assert [r["rank"] for r in ranking] == list(range(1, len(ranking) + 1))
    assert [r["average_score"] for r in ranking] == sorted((r["average_score"] for r in ranking), reverse=True)


def test_unknown_department_scorecard_is_404(sample_client):
    response = sample_client.get("/api/v1/departments/no-such/scorecard")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# --- On a small catalog with what must not be counted, on both databases ------------------------------------


@pytest.fixture
def quality_app(tmp_path, monkeypatch, pg_database_url):
    cheap_hashing(monkeypatch)
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    catalog = build(settings, tmp_path / "packages")
    application = create_app()
    yield application, catalog
    release(settings, pg_database_url)


def _key(catalog, email: str) -> dict[str, str]:
    from catalog.accounts import users

    with Session(db.get_engine(catalog.settings)) as session:
        key = new_key(session, catalog.settings, users.by_email(session, email))
        session.commit()
    return {"Authorization": f"Bearer {key}"}


def test_stats_count_listed_datasets_only(quality_app):
    application, _ = quality_app
    response = TestClient(application).get("/api/v1/stats")
    body = response.json()
    assert body["datasets"] == len(LISTED)
    assert {r["department"] for r in body["ranking"]} == {"jtw", "mzj"}  # gaj has only a closed dataset
    assert body["pii_blocks"] == 1
    this_month = body["downloads_by_month"][-1]
    assert this_month == {"month": utcnow().strftime("%Y-%m"), "downloads": 5, "api_calls": 0}
    assert body["harvest"] == {"sources": 1, "failed_items": 2}  # no item names or messages in public
    for hidden in (BLOCKED, CLOSED, WITHDRAWN, "broken"):
        assert hidden not in response.text


def test_scorecards_on_a_fake_clock(quality_app):
    application, _ = quality_app
    client = TestClient(application)
    now = client.get("/api/v1/departments/jtw/scorecard").json()
    assert now["timeliness"] | {"late_datasets": []} == {"on_time": 1, "late": 0, "assessed": 1, "on_time_rate": 1.0,
                                                         "late_datasets": []}
    application.dependency_overrides[clock] = lambda: utcnow() + timedelta(days=100)
    try:
        later = client.get("/api/v1/departments/jtw/scorecard").json()
        stats = client.get("/api/v1/stats").json()
        detail = client.get("/api/v1/datasets/lots").json()["quality"]
    finally:
        application.dependency_overrides.clear()
    assert later["timeliness"]["on_time_rate"] == 0.0
    [late] = later["timeliness"]["late_datasets"]
    assert (late["name"], late["late_days"]) in {("lots", 68), ("lots", 69)}  # 100 days after, due after 31
    assert stats["timeliness"]["on_time_rate"] == 0.0 and stats["timeliness"]["late"] == 2
    assert detail["timeliness"]["status"] == "late" and detail["score"] == now["datasets_detail"][0]["score"] - 10
    assert later["datasets_detail"][0]["score"] == detail["score"]


def test_a_department_with_only_a_closed_dataset_shows_nothing_of_it(quality_app):
    application, _ = quality_app
    response = TestClient(application).get("/api/v1/departments/gaj/scorecard")
    assert response.json()["datasets"] == 0 and CLOSED not in response.text


@pytest.mark.parametrize(("who", "sees"), [(None, False), (USER, False), (JTW_REVIEWER, False),
                                           (MZJ_REVIEWER, True), (ADMIN, True)])
def test_blocked_names_for_the_departments_reviewers_and_admins_only(quality_app, who, sees):
    application, catalog = quality_app
    headers = _key(catalog, who) if who else {}
    response = TestClient(application).get("/api/v1/departments/mzj/scorecard", headers=headers)
    body = response.json()
    assert body["pii_blocks"] == 1 and body["datasets"] == 1
    assert (BLOCKED in response.text) is sees
    assert ("blocked_datasets" in body) is sees
    if sees:
        assert [b["name"] for b in body["blocked_datasets"]] == [BLOCKED]
        assert body["harvest"]["failures"] == []  # the broken package names no dataset of mzj
    assert WITHDRAWN not in response.text


@pytest.mark.parametrize(("who", "sees"), [(None, False), (MZJ_REVIEWER, False), (JTW_REVIEWER, True),
                                           (ADMIN, True)])
def test_a_departments_failed_items_for_its_reviewers_and_admins_only(quality_app, who, sees):
    application, catalog = quality_app
    headers = _key(catalog, who) if who else {}
    harvest = TestClient(application).get("/api/v1/departments/jtw/scorecard", headers=headers).json()["harvest"]
    assert harvest["failed_items"] == 1  # lots; not the broken package, which names no dataset
    if sees:
        [failure] = harvest["failures"]
        assert failure["item"].startswith("lots") and "no-such-domain" in failure["message"]
    else:
        assert "failures" not in harvest
