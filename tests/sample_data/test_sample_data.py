"""The departmental sample data, harvested once through the normal path (the session's ``sample_catalog``):
what `make run` serves."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlmodel import select

from catalog.datasets.queries import get_dataset, list_datasets
from catalog.db import session_scope
from catalog.models import Dataset, Department
from catalog.schemas import list_schemas
from catalog.search.base import SearchQuery
from catalog.search.indexing import get_search_backend, reindex_all
from tests.support.catalog import copy_catalog

DELIBERATE_ERRORS = {  # from sample_data/README.md: dataset -> {error type: count}
    "public-libraries": {"constraint-error": 2},
    "public-sports-venues": {"type-error": 1},
    "urban-parks": {"extra-cell": 1},
    "community-health-service-centers": {"constraint-error": 1},
    "social-organizations": {"primary-key": 1},
}


@pytest.fixture(scope="module")
def sample(sample_catalog, sample_client):
    """The session's sample catalog: its settings, its two harvests and a read-only client."""
    return sample_catalog.settings, sample_catalog.first, sample_catalog.second, sample_client


def test_sample_catalog_covers_all_domains_and_departments(sample):
    settings, first, _, _ = sample
    assert first.tally.failed == 0, first.tally.errors
    assert first.tally.added >= 36
    with session_scope(settings) as session:
        rows = list_datasets(session)
        departments = session.exec(select(Department)).all()
    per_domain = Counter(dom.code for _, dom, _ in rows)
    assert len(per_domain) == 12 and min(per_domain.values()) >= 3
    assert len(departments) >= 15
    assert all(d.title.startswith("上海市") for d in departments)


def test_second_harvest_adds_and_updates_nothing(sample):
    _, first, second, _ = sample
    assert (second.tally.added, second.tally.updated, second.tally.failed) == (0, 0, 0)
    assert second.tally.unchanged == first.tally.added


def test_every_table_has_a_stored_validation_status(sample):
    settings, *_ = sample
    statuses: dict[str, str] = {}
    big = []
    with session_scope(settings) as session:
        for ds in session.exec(select(Dataset)).all():
            view = get_dataset(session, ds.name)
            for res in view.resources:
                statuses[f"{ds.name}/{res.resource.name}"] = res.current.validation_status
                if (res.current.row_count or 0) >= 20_000:
                    big.append(ds.name)
            if ds.name in DELIBERATE_ERRORS:
                invalid = [r for r in view.resources if r.current.validation_status == "invalid"]
                assert len(invalid) == 1, ds.name
                assert invalid[0].current.validation_report["errors_by_type"] == DELIBERATE_ERRORS[ds.name]
    assert len(big) >= 2
    assert "error" not in statuses.values()
    invalid_datasets = {key.split("/")[0] for key, status in statuses.items() if status == "invalid"}
    assert invalid_datasets == set(DELIBERATE_ERRORS)
    assert Counter(statuses.values())["not_tabular"] == 2  # the .txt dictionary and the .geojson map


def test_gbk_and_xlsx_samples_are_read_correctly(sample):
    settings, *_ = sample
    with session_scope(settings) as session:
        undeclared = get_dataset(session, "construction-permits-2023").resources[0].current
        declared = get_dataset(session, "elderly-care-institutions").resources[0].current
        scenic = get_dataset(session, "a-level-scenic-spots").resources[0].current
        bom = get_dataset(session, "shanghai-on-street-parking-berths").resources[0].current
    assert undeclared.encoding == declared.encoding == "gb18030"
    assert undeclared.validation_status == declared.validation_status == "valid"
    assert undeclared.row_count > 100
    assert scenic.validation_status == "valid" and scenic.row_count > 50
    assert bom.encoding == "utf-8-sig" and bom.validation_status == "valid"


def test_published_schemas_are_documented_in_chinese():
    schemas = list_schemas()
    assert len(schemas) >= 12
    for schema in schemas:
        assert schema.title and schema.description, schema.name
        for field in schema.fields:
            assert field.get("title") and field.get("description"), f"{schema.name}.{field.get('name')}"


def test_search_finds_the_right_sample_datasets(sample):
    *_, client = sample
    for q in ("停车场", "停车"):
        parking = client.get("/api/v1/search", params={"q": q}).json()
        top3 = [r["name"] for r in parking["results"][:3]]
        assert all("parking" in name for name in top3), top3
        assert "shanghai-public-parking-lots" in top3
    air = client.get("/api/v1/search", params={"q": "空气质量"}).json()
    assert "air" in air["results"][0]["name"]
    pm = client.get("/api/v1/search", params={"q": "PM2.5"}).json()
    assert pm["count"] >= 1 and any("air" in r["name"] for r in pm["results"])
    closed = client.get("/api/v1/search", params={"q": "交通事故"}).json()
    assert "road-traffic-accident-statistics" not in {r["name"] for r in closed["results"]}


def test_facet_counts_equal_catalog_counts(sample):
    settings, _, _, client = sample
    body = client.get("/api/v1/search", params={"size": 0}).json()
    domains = {d["code"]: d["dataset_count"] for d in client.get("/api/v1/domains").json()}
    assert {f["value"]: f["count"] for f in body["facets"]["domain"]} == {k: v for k, v in domains.items() if v}
    with session_scope(settings) as session:
        published = session.exec(
            select(Dataset).where(Dataset.state == "active", Dataset.open_class != "closed",
                                  Dataset.pii_status != "blocked")  # the sample package of unmasked IDs
        ).all()
    assert body["count"] == len(published)
    by_class = Counter(d.open_class for d in published)
    assert {f["value"]: f["count"] for f in body["facets"]["open_class"]} == dict(by_class)


def test_reindex_gives_the_same_results_as_incremental_indexing(sample_catalog, tmp_path):
    with copy_catalog(sample_catalog, tmp_path / "var") as settings:  # the rebuild writes: a copy of its own
        assert_reindex_matches(settings)


def assert_reindex_matches(settings) -> None:
    backend = get_search_backend(settings)
    queries = [SearchQuery(q=q) for q in ("停车场", "空气质量", "学校", "浦东新区", "")]
    before = [json.dumps([h.name for h in backend.search(q).hits]) for q in queries]
    with session_scope(settings) as session:
        count = reindex_all(session, settings)
    assert count == backend.doc_count()
    after = [json.dumps([h.name for h in backend.search(q).hits]) for q in queries]
    assert before == after


# --- The personal-information gate on the sample data (docs/quality.md) ------------------------------------------

BLOCKED_SAMPLE = "temporary-assistance-recipients"  # open, full synthetic resident IDs, names and mobiles
MASKED_SAMPLE = "subsistence-allowance-public-notice"  # open, the same kinds masked (310***********1234, 张*)
PERMIT_SAMPLES = ("construction-permits-2023", "construction-permits-2024")  # 施工许可证编号: chance ID matches


def test_the_unmasked_sample_is_blocked_and_the_masked_one_published(sample):
    settings, first, second, client = sample
    assert first.tally.failed == 0
    assert [b["dataset"] for b in first.tally.blocked] == [BLOCKED_SAMPLE]
    assert [b["dataset"] for b in second.tally.blocked] == [BLOCKED_SAMPLE]  # still blocked, still no failure
    assert first.tally.blocked[0]["message"] == (
        "PII: 姓名 in column name (60 rows); PII: 身份证号 in column id_number (60 rows); "
        "PII: 手机号 in column mobile (60 rows)")
    assert client.get(f"/api/v1/datasets/{BLOCKED_SAMPLE}").status_code == 404
    shown = client.get(f"/api/v1/datasets/{MASKED_SAMPLE}")
    assert shown.status_code == 200 and shown.json().get("pii") is None
    from catalog.privacy import blocked_datasets

    with session_scope(settings) as session:
        assert [d.name for d in blocked_datasets(session)] == [BLOCKED_SAMPLE]
        assert [d.name for d in blocked_datasets(session, "mzj")] == [BLOCKED_SAMPLE]
        assert blocked_datasets(session, "zjw") == []
        masked = session.exec(select(Dataset).where(Dataset.name == MASKED_SAMPLE)).one()
        assert masked.pii_status == "clean"


def test_the_sample_permit_tables_stay_published(sample):
    """施工许可证编号 pass the ID check digit (and Luhn) by chance in hundreds of rows: a small share, no label."""
    settings, _, _, client = sample
    for name in PERMIT_SAMPLES:
        assert client.get(f"/api/v1/datasets/{name}").status_code == 200
        view = client.get(f"/api/v1/datasets/{name}").json()
        assert view.get("pii") is None
        with session_scope(settings) as session:
            dataset = session.exec(select(Dataset).where(Dataset.name == name)).one()
            version = get_dataset(session, name).resources[0].current
        assert dataset.pii_status == "clean"
        permit = next(c for c in version.pii_report["columns"] if c["column"] == "permit_no")
        assert permit["kind"] == "resident_id" and not permit["flagged"] and 50 < permit["matched"] < 300
