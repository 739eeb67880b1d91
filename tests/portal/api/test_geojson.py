"""``?format=geojson``: a table with latitude and longitude fields as a GeoJSON FeatureCollection, behind the
same access policy as every download."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.packages import write_package

SHELTERS = ("id,name,longitude,latitude\n"
            "ES1,豫园体育馆应急避难场所,121.482424,31.228672\n"
            "ES2,坐标缺失的场所,121.5,\n"
            "ES3,坐标越界的场所,121.5,95.0\n")
FIELDS = [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
          {"name": "longitude", "type": "number"}, {"name": "latitude", "type": "number"}]


@pytest.fixture
def client(settings, packages):
    schema = {"fields": FIELDS}
    for name, open_class in (("shelters", "open"), ("cond-shelters", "conditional")):
        write_package(packages, name, title="应急避难场所", csv=SHELTERS, open_class=open_class,
                      resource={"name": "table", "path": "data/table.csv", "format": "csv", "schema": schema})
    write_package(packages, "parking-lots", title="上海市公共停车场信息")  # no coordinates
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.added == 3 and result.tally.failed == 0, result.tally.errors
    with TestClient(create_app()) as c:
        yield c


def test_points_with_every_field_as_properties(client):
    response = client.get("/api/v1/datasets/shelters/resources/table/download?format=geojson")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    assert 'filename="' in response.headers["content-disposition"]
    assert ".geojson" in response.headers["content-disposition"]
    body = response.json()
    assert body["type"] == "FeatureCollection"
    first, missing, outside = body["features"]
    assert first == {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.482424, 31.228672]},
                     "properties": {"id": "ES1", "name": "豫园体育馆应急避难场所", "longitude": 121.482424,
                                    "latitude": 31.228672}}
    assert missing["geometry"] is None and missing["properties"]["latitude"] is None
    assert outside["geometry"] is None and outside["properties"]["latitude"] == 95.0  # no wrong point


def test_a_table_without_coordinates_has_no_geojson(client):
    response = client.get("/api/v1/datasets/parking-lots/resources/table/download?format=geojson")
    assert response.status_code == 422
    assert "latitude and longitude" in response.json()["error"]["message"]


def test_conditional_data_needs_a_grant_in_geojson_too(client):
    response = client.get("/api/v1/datasets/cond-shelters/resources/table/download?format=geojson")
    assert response.status_code == 403 and response.json()["error"]["code"] == "access_requires_grant"
