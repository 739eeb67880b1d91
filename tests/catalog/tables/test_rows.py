"""The rows API: every filter operator against a reference computed in Python, keyset paging that visits every
row exactly once (also with ties and nulls), injection attempts, limits, errors and the visibility rules.

Most tests only read: they share one catalog harvested once for the module (``catalog``, ``client``). The tests
that harvest again come last and build a catalog of their own (``own_client``): on PostgreSQL the per-test
``settings`` fixture empties the run's database, which the shared catalog lives in too.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.config import Settings, get_settings
from catalog.datasets import stats as download_stats
from catalog.tables import engine
from catalog.tables.engine import RowsTimeout
from catalog.tables.query import OPERATORS, RowsError, RowsQuery, Table, parse_query
from portal.app import create_app
from tests.support.catalog import fresh_settings, release
from tests.support.packages import write_package
from tests.support.tables import current_version, harvest

BASE = "/api/v1/datasets/{}/resources/table"
WEIRD = 'x"; DROP TABLE t; --'  # a real column name: quoting must keep it a name
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区", "静安区", "闵行区"]
NAMES = ["停车场", "停车库", "公共停车场", "P+R停车场", "地下车库"]

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "title": "编号"},
        {"name": "name", "type": "string", "title": "名称"},
        {"name": "district", "type": "string", "title": "所属区"},
        {"name": "total_spaces", "type": "integer", "title": "泊位数"},
        {"name": "fee", "type": "number", "title": "收费"},
        {"name": "opened", "type": "date", "title": "开放日期"},
        {"name": "open", "type": "boolean", "title": "对外开放", "trueValues": ["是"], "falseValues": ["否"]},
        {"name": WEIRD, "type": "string", "title": "奇怪的列名"},
    ]
}
COLUMNS = [f["name"] for f in SCHEMA["fields"]]


def make_rows(n: int = 233, seed: int = 7) -> list[dict[str, Any]]:
    """Deterministic rows with many ties, some nulls and names full of SQL and LIKE metacharacters."""
    rnd = random.Random(seed)
    specials = ["' OR '1'='1", "100%停车场", "a_b停车场", 'quote"停车场', "分号;停车场", "--注释"]
    out = []
    for i in range(1, n + 1):
        name = specials[i % len(specials)] if i % 11 == 0 else f"{rnd.choice(NAMES)}{i:03d}号"
        out.append({
            "id": i,
            "name": name,
            "district": None if i % 13 == 0 else rnd.choice(DISTRICTS),
            "total_spaces": None if i % 17 == 0 else rnd.choice([100, 250, 500, 620, 1000]),
            "fee": None if i % 19 == 0 else rnd.choice([0.0, 5.0, 12.5, 20.0]),
            "opened": None if i % 23 == 0 else date(2020, 1, 1) + timedelta(days=rnd.randrange(0, 1500, 30)),
            "open": None if i % 29 == 0 else rnd.random() < 0.6,
            WEIRD: rnd.choice(["甲", "乙", "丙"]),
        })
    return out


ROWS = make_rows()


def to_csv(rows_: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows_:
        cells = []
        for name in COLUMNS:
            v = r[name]
            cells.append("" if v is None else ("是" if v else "否") if isinstance(v, bool) else
                         v.isoformat() if isinstance(v, date) else str(v))
        writer.writerow(cells)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _no_stray_counts():
    download_stats.discard_pending()
    yield
    download_stats.discard_pending()


def write_all_classes(packages: Path) -> None:
    """lots (open), cond-lots (有条件开放) and secret-lots (非开放)."""
    write_package(packages, "lots", csv=to_csv(ROWS), resource={"schema": SCHEMA})
    write_package(packages, "cond-lots", csv=to_csv(ROWS[:30]), resource={"schema": SCHEMA},
                  open_class="conditional")
    write_package(packages, "secret-lots", csv=to_csv(ROWS[:5]), resource={"schema": SCHEMA}, open_class="closed")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory, pg_database_url: str | None) -> Iterator[Settings]:
    """The settings of the module's shared catalog: ``write_all_classes`` harvested once. Read-only."""
    root = tmp_path_factory.mktemp("rows")
    write_all_classes(root / "packages")
    with pytest.MonkeyPatch.context() as mp:
        current = fresh_settings(root / "var", mp, pg_database_url)
        harvest(current, root / "packages")
        yield current
        download_stats.discard_pending()
        release(current, pg_database_url)


@pytest.fixture(scope="module")
def client(catalog: Settings) -> Iterator[TestClient]:
    """The portal over the shared catalog. Read-only: a test that harvests uses ``own_client``."""
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def own_client(settings: Settings, packages: Path) -> Iterator[TestClient]:
    """The portal over a catalog of this test's own (``write_all_classes`` in ``packages``), free to change."""
    write_all_classes(packages)
    harvest(settings, packages)
    with TestClient(create_app()) as c:
        yield c


@contextmanager
def tuned(**env: str) -> Iterator[Settings]:
    """The settings with some ``ODP_…`` variables set for a while (``tuned(ODP_ROWS_HOT_MIN_ROWS="0")``)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            get_settings.cache_clear()


def fetch_all(client: TestClient, params: dict[str, Any] | list[tuple[str, str]], dataset: str = "lots",
              ) -> list[dict[str, Any]]:
    """Every row of a query, page after page by following next_url; asserts each page is well formed."""
    response = client.get(BASE.format(dataset) + "/rows", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    out = list(body["rows"])
    pages = 1
    while body["next"]:
        assert body["next_url"] and "_next=" in body["next_url"]
        response = client.get(body["next_url"])
        assert response.status_code == 200, response.text
        body = response.json()
        out.extend(body["rows"])
        pages += 1
        assert pages < 1000
    assert body["next_url"] is None
    return out


def ids(rows_: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows_]


def matching(predicate) -> list[int]:
    return [r["id"] for r in ROWS if predicate(r)]


def _not_null(r: dict[str, Any], col: str) -> bool:
    return r[col] is not None


# --- Every operator against Python ----------------------------------------------------------------------

D0 = date(2020, 1, 1) + timedelta(days=540)  # a date some rows have


def _text_contains(r: dict[str, Any], needle: str) -> bool:
    """The reference of ``_search``: some text column holds the needle, ignoring case."""
    return any(r[c] is not None and needle in r[c].lower() for c in ("name", "district", WEIRD))


SEARCH_CASES = [
    ({"_search": "公共"}, lambda r: _text_contains(r, "公共")),
    ({"_search": "p+r"}, lambda r: _text_contains(r, "p+r")),  # case-insensitive
    ({"_search": "Ｐ＋Ｒ"}, lambda r: _text_contains(r, "p+r")),  # full-width, as typed with a Chinese IME
    ({"_search": "%"}, lambda r: _text_contains(r, "%")),  # LIKE metacharacters are plain text
    ({"_search": "浦东", "total_spaces__gte": "500"},
     lambda r: _text_contains(r, "浦东") and _not_null(r, "total_spaces") and r["total_spaces"] >= 500),
    ({"_search": "丙"}, lambda r: _text_contains(r, "丙")),  # the oddly named column is searched too
]


CASES = [
    ({"district": "浦东新区"}, lambda r: r["district"] == "浦东新区"),
    ({"total_spaces": "500"}, lambda r: r["total_spaces"] == 500),
    ({"total_spaces__exact": "500"}, lambda r: r["total_spaces"] == 500),
    ({"fee": "12.5"}, lambda r: r["fee"] == 12.5),
    ({"open": "是"}, lambda r: r["open"] is True),
    ({"open": "false"}, lambda r: r["open"] is False),
    ({"opened": D0.isoformat()}, lambda r: r["opened"] == D0),
    ({"district__ne": "浦东新区"}, lambda r: _not_null(r, "district") and r["district"] != "浦东新区"),
    ({"total_spaces__ne": "100"}, lambda r: _not_null(r, "total_spaces") and r["total_spaces"] != 100),
    ({"total_spaces__gt": "500"}, lambda r: _not_null(r, "total_spaces") and r["total_spaces"] > 500),
    ({"total_spaces__gte": "500"}, lambda r: _not_null(r, "total_spaces") and r["total_spaces"] >= 500),
    ({"total_spaces__lt": "500"}, lambda r: _not_null(r, "total_spaces") and r["total_spaces"] < 500),
    ({"total_spaces__lte": "500"}, lambda r: _not_null(r, "total_spaces") and r["total_spaces"] <= 500),
    ({"fee__gt": "4.99"}, lambda r: _not_null(r, "fee") and r["fee"] > 4.99),
    ({"opened__lt": D0.isoformat()}, lambda r: _not_null(r, "opened") and r["opened"] < D0),
    ({"opened__gte": D0.isoformat()}, lambda r: _not_null(r, "opened") and r["opened"] >= D0),
    ({"name__gt": "停车库"}, lambda r: r["name"] > "停车库"),
    ({"name__lte": "公共停车场100号"}, lambda r: r["name"] <= "公共停车场100号"),
    ({"id__lt": "10"}, lambda r: r["id"] < 10),
    ({"district__in": "浦东新区,黄浦区"}, lambda r: r["district"] in ("浦东新区", "黄浦区")),
    ({"total_spaces__in": "100,1000"}, lambda r: r["total_spaces"] in (100, 1000)),
    ({"total_spaces__in": "[250, 620]"}, lambda r: r["total_spaces"] in (250, 620)),
    ({"name__in": json.dumps(["' OR '1'='1", "a_b停车场"])}, lambda r: r["name"] in ("' OR '1'='1", "a_b停车场")),
    ({"name__contains": "公共"}, lambda r: "公共" in r["name"]),
    ({"name__contains": "%"}, lambda r: "%" in r["name"]),
    ({"name__contains": "_"}, lambda r: "_" in r["name"]),
    ({"total_spaces__contains": "62"}, lambda r: _not_null(r, "total_spaces") and "62" in str(r["total_spaces"])),
    ({"name__startswith": "停车"}, lambda r: r["name"].startswith("停车")),
    ({"name__startswith": "P+R"}, lambda r: r["name"].startswith("P+R")),
    ({"district__isnull": "1"}, lambda r: r["district"] is None),
    ({"district__isnull": "0"}, lambda r: r["district"] is not None),
    ({"total_spaces__isnull": "1"}, lambda r: r["total_spaces"] is None),
    ({"open__isnull": "true"}, lambda r: r["open"] is None),
    ({"district": "浦东新区", "total_spaces__gt": "500"},
     lambda r: r["district"] == "浦东新区" and _not_null(r, "total_spaces") and r["total_spaces"] > 500),
    ([("total_spaces__gte", "250"), ("total_spaces__lte", "620")],
     lambda r: _not_null(r, "total_spaces") and 250 <= r["total_spaces"] <= 620),
    ({WEIRD: "甲"}, lambda r: r[WEIRD] == "甲"),
    *SEARCH_CASES,
]


def test_search_refusals(client):
    for params, message in (({"_search": ""}, "_search"), ({"_search": "   "}, "1 to 100"), ({"_search": "长" * 101}, "100"),
                            ([("_search", "a"), ("_search", "b")], "once")):
        answer = client.get(BASE.format("lots") + "/rows", params=params)
        assert answer.status_code == 422 and message in answer.text, answer.text


@pytest.mark.parametrize(("params", "predicate"), SEARCH_CASES[:3], ids=[str(c[0]) for c in SEARCH_CASES[:3]])
def test_search_on_the_in_memory_copy(client, hot, params, predicate):
    assert ids(fetch_all(client, {**params, "_size": "40"})) == matching(predicate)


def test_rows_csv_and_downloads_follow_the_search(client):
    table_csv = client.get(BASE.format("lots") + "/rows.csv", params={"_search": "公共"}).text
    assert len(list(csv.DictReader(io.StringIO(table_csv)))) == len(matching(lambda r: _text_contains(r, "公共")))


@pytest.mark.parametrize(("params", "predicate"), CASES, ids=[str(c[0]) for c in CASES])
def test_each_filter_matches_python(client, params, predicate):
    expected = matching(predicate)
    got = fetch_all(client, params if isinstance(params, list) else {**params, "_size": "40"})
    assert ids(got) == expected  # in row order when unsorted
    assert expected  # no vacuous case


def test_every_operator_is_covered():
    used = {key.rsplit("__", 1)[1] if "__" in key else "exact"
            for params, _ in CASES for key in (dict(params) if isinstance(params, list) else params)}
    assert set(OPERATORS) <= used


def test_values_come_back_typed(client):
    body = client.get(BASE.format("lots") + "/rows", params={"id": "1"}).json()
    row = body["rows"][0]
    source = ROWS[0]
    assert row["id"] == 1 and row["name"] == source["name"] and row["total_spaces"] == source["total_spaces"]
    assert row["opened"] == (source["opened"].isoformat() if source["opened"] else None)
    assert row["open"] is source["open"]
    assert body["fields"][:2] == [{"name": "id", "type": "integer", "title": "编号"},
                                  {"name": "name", "type": "string", "title": "名称"}]


# --- Sorting and keyset paging --------------------------------------------------------------------------


def reference_order(column: str, desc: bool, rows_: list[dict[str, Any]] = ROWS) -> list[int]:
    """Sort value (nulls last, both directions), then row order: what keyset paging must visit."""
    present = [r for r in rows_ if r[column] is not None]
    present.sort(key=lambda r: r[column], reverse=desc)  # stable: ties stay in row order
    return [r["id"] for r in present] + [r["id"] for r in rows_ if r[column] is None]


@pytest.mark.parametrize("column", ["total_spaces", "district", "fee", "opened", "open", "name", WEIRD])
@pytest.mark.parametrize("desc", [False, True])
def test_keyset_paging_visits_every_row_once_in_order(client, column, desc):
    key = "_sort_desc" if desc else "_sort"
    got = ids(fetch_all(client, {key: column, "_size": "7"}))
    assert len(got) == len(set(got)) == len(ROWS)  # every row, once
    assert got == reference_order(column, desc)


def test_paging_with_filters_and_sort(client):
    params = {"district__in": "浦东新区,徐汇区", "total_spaces__gte": "250", "_sort_desc": "total_spaces",
              "_size": "5", "_total": "1"}
    first = client.get(BASE.format("lots") + "/rows", params=params).json()
    subset = [r for r in ROWS if r["district"] in ("浦东新区", "徐汇区") and (r["total_spaces"] or 0) >= 250]
    assert first["total"] == len(subset)
    assert ids(fetch_all(client, params)) == reference_order("total_spaces", True, subset)


def test_unsorted_paging_follows_row_order(client):
    got = fetch_all(client, {"_size": "50"})
    assert ids(got) == [r["id"] for r in ROWS]


def test_a_page_size_that_divides_the_rows_ends_with_no_next(client):
    body = client.get(BASE.format("lots") + "/rows", params={"id__lte": "10", "_size": "10"}).json()
    assert len(body["rows"]) == 10 and body["next"] is None


def test_fields_size_and_total(client):
    body = client.get(BASE.format("lots") + "/rows",
                      params={"_fields": "name,id", "_size": "3", "_total": "1"}).json()
    assert [f["name"] for f in body["fields"]] == ["name", "id"]
    assert [list(r) for r in body["rows"]] == [["name", "id"]] * 3
    assert body["total"] == len(ROWS)
    default = client.get(BASE.format("lots") + "/rows").json()
    assert len(default["rows"]) == 100 and "total" not in default
    biggest = client.get(BASE.format("lots") + "/rows", params={"_size": "5000"}).json()
    assert len(biggest["rows"]) == len(ROWS) and biggest["next"] is None


# --- Errors ---------------------------------------------------------------------------------------------

BAD = [
    ({"nope": "1"}, "unknown column 'nope'"),
    ({"nope__gt": "1"}, "unknown column 'nope'"),
    ({"total_spaces__like": "1"}, "unknown operator '__like'"),
    ({"total_spaces__gt": "很多"}, "is not a valid integer"),
    ({"fee__lt": "inf"}, "is not a valid number"),
    ({"opened": "yesterday"}, "is not a valid date"),
    ({"open": "maybe"}, "is not a valid boolean"),
    ({"district__isnull": "perhaps"}, "should be 1 or 0"),
    ({"total_spaces__in": ""}, "is not a valid integer"),
    ({"name__in": "[1, [2]]"}, "plain values"),
    ({"_sort": "nope"}, "unknown column 'nope'"),
    ({"_sort": "id", "_sort_desc": "id"}, "one of _sort or _sort_desc"),
    ({"_fields": "id,nope"}, "unknown column 'nope'"),
    ({"_fields": ","}, "name at least one column"),
    ({"_size": "0"}, "_size"),
    ({"_size": "5001"}, "_size"),
    ({"_size": "lots"}, "_size"),
    ({"_next": "not-a-token"}, "_next"),
    ({"_frobnicate": "1"}, "unknown parameter '_frobnicate'"),
]


@pytest.mark.parametrize(("params", "message"), BAD, ids=[str(b[0]) for b in BAD])
def test_bad_requests_are_422_with_a_clear_message(client, params, message):
    response = client.get(BASE.format("lots") + "/rows", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert message in error["message"]


def test_a_token_only_works_with_its_own_sort(client):
    body = client.get(BASE.format("lots") + "/rows", params={"_sort": "fee", "_size": "5"}).json()
    other = client.get(BASE.format("lots") + "/rows", params={"_sort_desc": "fee", "_next": body["next"]})
    assert other.status_code == 422 and "different sort" in other.json()["error"]["message"]
    again = client.get(BASE.format("lots") + "/rows", params={"_sort": "fee", "_next": body["next"]})
    assert again.status_code == 200


# --- Injection attempts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    'district"; DROP TABLE t; --', "id) OR (1=1", "id OR 1=1--", "*", "total_spaces;--__gt", '"id"',
])
def test_injected_names_are_unknown_columns(client, key):
    response = client.get(BASE.format("lots") + "/rows", params={key: "1"})
    assert response.status_code == 422
    for param in ("_sort", "_sort_desc", "_fields"):
        response = client.get(BASE.format("lots") + "/rows", params={param: key})
        assert response.status_code == 422, (param, key)


@pytest.mark.parametrize("value", [
    "' OR '1'='1", "1; DROP TABLE t", "浦东新区' --", '"); SELECT 1; --', "%", "_", "\\", "' UNION SELECT * --",
])
def test_injected_values_are_plain_values(client, value):
    for op, predicate in (("", lambda r: r["name"] == value), ("__contains", lambda r: value in r["name"]),
                          ("__startswith", lambda r: r["name"].startswith(value))):
        got = fetch_all(client, {f"name{op}": value, "_size": "100"})
        assert ids(got) == matching(predicate), op
    numeric = client.get(BASE.format("lots") + "/rows", params={"total_spaces": value})
    assert numeric.status_code == 422  # not an integer: refused, never spliced


def test_the_table_is_intact_after_the_attempts(client):
    client.get(BASE.format("lots") + "/rows", params={"name": "'; DROP TABLE t; --"})
    body = client.get(BASE.format("lots") + "/rows", params={"_total": "1", "_size": "1"}).json()
    assert body["total"] == len(ROWS)


def test_a_column_named_like_an_injection_is_just_a_column(client):
    got = fetch_all(client, {WEIRD + "__in": "乙,丙", "_sort": WEIRD, "_fields": f"id,{WEIRD}"})
    assert ids(got) == reference_order(WEIRD, False, [r for r in ROWS if r[WEIRD] in ("乙", "丙")])
    assert set(got[0]) == {"id", WEIRD}


# --- rows.csv -------------------------------------------------------------------------------------------


def test_rows_csv_streams_the_same_selection(client):
    params = {"district": "浦东新区", "total_spaces__gt": "250", "_sort_desc": "total_spaces",
              "_fields": "id,name,total_spaces,opened"}
    expected = fetch_all(client, {**params, "_size": "3"})
    response = client.get(BASE.format("lots") + "/rows.csv", params={**params, "_size": "3", "_next": "x"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [int(r["id"]) for r in records] == ids(expected)  # _size and _next do not cut a CSV export
    assert [r["opened"] or None for r in records] == [r["opened"] for r in expected]
    assert [r["name"] for r in records] == [r["name"] for r in expected]


def test_rows_csv_bom_and_errors(client):
    response = client.get(BASE.format("lots") + "/rows.csv", params={"_bom": "1", "id__lte": "2"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith('"id","name"')
    assert client.get(BASE.format("lots") + "/rows.csv", params={"nope": "1"}).status_code == 422
    empty = client.get(BASE.format("lots") + "/rows.csv", params={"id__gt": "100000"})
    assert empty.status_code == 200 and empty.content.decode().splitlines() == [
        ",".join(f'"{c}"' if '"' not in c else '"' + c.replace('"', '""') + '"' for c in COLUMNS)]


# --- Visibility -----------------------------------------------------------------------------------------


def test_conditional_rows_are_403_and_show_no_data(client):
    for path in ("/rows", "/rows.csv"):
        response = client.get(BASE.format("cond-lots") + path, params={"_size": "5"})
        assert response.status_code == 403
        body = response.json()
        assert body["error"]["code"] == "access_requires_grant"
        assert "有条件开放" in body["error"]["message"]
        assert ROWS[0]["name"] not in response.text


def test_sample_rows_are_public_even_for_conditional_data(catalog, client):
    body = client.get(BASE.format("cond-lots") + "/sample").json()
    assert ids(body["rows"]) == list(range(1, catalog.public_sample_rows + 1))
    assert body["next"] is None and [f["name"] for f in body["fields"]] == COLUMNS
    assert client.get(BASE.format("lots") + "/sample").status_code == 200


def test_unknown_resource_is_404(client):
    response = client.get("/api/v1/datasets/lots/resources/nope/rows")
    assert response.status_code == 404 and "no resource named 'nope'" in response.json()["error"]["message"]


# --- The engine on its own ------------------------------------------------------------------------------


def test_parse_query_and_limits(catalog):
    version, _ = current_version(catalog, "lots", "table")
    table = Table.for_version(version, catalog)
    query = parse_query(table, [("district", "浦东新区"), ("_sort_desc", "fee"), ("_size", "2")])
    assert (query.sort.name, query.desc, query.size) == ("fee", True, 2)
    assert [f.op for f in query.filters] == ["exact"]
    with pytest.raises(RowsError):
        parse_query(table, [("_size", "3")], max_size=2)
    page = engine.fetch_rows(table, RowsQuery(size=1))
    assert len(page.rows) == 1 and page.next
    assert engine.count_rows(table, RowsQuery()) == len(ROWS)


def test_size_limits_are_settings(catalog):
    table = Table.for_version(current_version(catalog, "lots", "table")[0], catalog)
    with tuned(ODP_ROWS_DEFAULT_SIZE="7", ODP_ROWS_MAX_SIZE="8"):
        assert parse_query(table, []).size == 7
        assert parse_query(table, [("_size", "8")]).size == 8
        with pytest.raises(RowsError, match="between 1 and 8"):
            parse_query(table, [("_size", "9")])


def test_time_limits_are_settings(catalog, monkeypatch):
    table = Table.for_version(current_version(catalog, "lots", "table")[0], catalog)
    limits: list[float] = []
    limited = engine._limited

    def spy(cursor, seconds):
        limits.append(seconds)
        return limited(cursor, seconds)

    monkeypatch.setattr(engine, "_limited", spy)
    with tuned(ODP_ROWS_TIME_LIMIT="1.5", ODP_EXPORT_TIME_LIMIT="9"):
        engine.count_rows(table, RowsQuery())
        engine.fetch_rows(table, RowsQuery(size=1))
        list(engine.stream_batches(table, RowsQuery()))
    assert limits == [1.5, 1.5, 9.0]


def test_the_export_row_cap_is_a_setting(catalog):
    table = Table.for_version(current_version(catalog, "lots", "table")[0], catalog)
    with tuned(ODP_EXPORT_MAX_ROWS="3"):
        assert sum(batch.num_rows for batch in engine.stream_batches(table, RowsQuery())) == 3


def test_a_query_past_its_time_limit_is_interrupted(catalog):
    cursor = engine._database(catalog.data_dir)
    try:
        with pytest.raises(RowsTimeout), engine._limited(cursor, 0.05):
            cursor.execute("SELECT sum(hash(a.range + b.range)) FROM range(100000000) a, range(1000) b").fetchall()
    finally:
        cursor.close()


def test_duckdb_cannot_read_outside_the_data_dir(catalog):
    cursor = engine._database(catalog.data_dir)
    try:
        with pytest.raises(Exception, match="disabled by configuration|Permission"):
            cursor.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()
    finally:
        cursor.close()


# --- In-memory copies of big tables ---------------------------------------------------------------------


@pytest.fixture
def hot(catalog, client):
    """The lots table served from its in-memory copy (as a table of 100,000+ rows would be); dropped after."""
    version, _ = current_version(catalog, "lots", "table")
    table = Table.for_version(version, catalog)
    db = engine._database_for(catalog.data_dir)
    with tuned(ODP_ROWS_HOT_MIN_ROWS="0"):
        assert engine.warm(table)
        assert db.source(table).hot is not None
        yield table
    db.hot.clear()  # the shared catalog's other tests read Parquet, as before


@pytest.mark.parametrize(("params", "predicate"), CASES[::3], ids=[str(c[0]) for c in CASES[::3]])
def test_filters_on_the_in_memory_copy(client, hot, params, predicate):
    got = fetch_all(client, params if isinstance(params, list) else {**params, "_size": "40"})
    assert ids(got) == matching(predicate)


@pytest.mark.parametrize("column", ["total_spaces", "fee", "name"])
def test_keyset_paging_on_the_in_memory_copy(client, hot, column):
    assert ids(fetch_all(client, {"_sort_desc": column, "_size": "9"})) == reference_order(column, True)


def test_a_dropped_copy_means_parquet_again(catalog, client, hot):
    db = engine._database_for(catalog.data_dir)
    from_copy = engine.fetch_rows(hot, RowsQuery(size=5, total=True, sort=hot.column("fee"), desc=True))
    db.hot.clear()  # as an eviction would
    from_parquet = engine.fetch_rows(hot, RowsQuery(size=5, total=True, sort=hot.column("fee"), desc=True))
    assert from_parquet == from_copy and from_copy.total == len(ROWS)


# --- Tests that change their catalog (each its own; after the shared catalog's tests, see the docstring) ----


def test_closed_and_withdrawn_datasets(settings, packages, own_client):
    client = own_client
    response = client.get(BASE.format("secret-lots") + "/rows")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(BASE.format("secret-lots") + "/sample").status_code == 404
    shutil.rmtree(packages / "lots")
    harvest(settings, packages)
    response = client.get(BASE.format("lots") + "/rows")
    assert response.status_code == 410 and response.json()["error"]["code"] == "withdrawn"


def test_old_versions_keep_their_rows(settings, packages, own_client):
    client = own_client
    old, _ = current_version(settings, "lots", "table")
    write_package(packages, "lots", csv=to_csv(ROWS[:3]), resource={"schema": SCHEMA})
    harvest(settings, packages)
    assert client.get(BASE.format("lots") + "/rows", params={"_total": "1"}).json()["total"] == 3
    body = client.get(BASE.format("lots") + "/rows", params={"_total": "1", "_version": str(old.id)}).json()
    assert body["total"] == len(ROWS)
    assert client.get(BASE.format("lots") + "/rows", params={"_version": "99999"}).status_code == 404


def test_least_recently_used_copies_are_dropped(settings, packages, own_client):
    write_package(packages, "lots-2", csv=to_csv(ROWS[:50]), resource={"schema": SCHEMA})
    harvest(settings, packages)
    first = Table.for_version(current_version(settings, "lots", "table")[0], settings)
    second = Table.for_version(current_version(settings, "lots-2", "table")[0], settings)
    with tuned(ODP_ROWS_HOT_MIN_ROWS="0"):
        assert engine.warm(first)
    db = engine._database_for(settings.data_dir)
    with tuned(ODP_ROWS_HOT_MIN_ROWS="0", ODP_ROWS_HOT_BYTES=str(db.hot[first.parquet].nbytes)):  # one copy only
        assert engine.warm(second)
        assert list(db.hot) == [second.parquet]
        assert engine.count_rows(first, RowsQuery()) == len(ROWS)  # from Parquet again (and reloaded meanwhile)
