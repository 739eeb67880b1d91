"""The Python examples of docs/api.md ("DuckDB"), run as written against a served portal (the sample parking
lots harvested into its own catalog), their results checked against the published CSV."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.catalog import copy_sample
from tests.support.servers import ROOT, env_for, odp, portal_server

DOCS = ROOT / "docs" / "api.md"
SAMPLE = ROOT / "sample_data" / "jtw" / "shanghai-public-parking-lots" / "data"


def examples() -> list[str]:
    section = DOCS.read_text(encoding="utf-8").split("## DuckDB\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("examples")
    (root / "packages").mkdir()
    copy_sample("shanghai-public-parking-lots", root / "packages")
    env = env_for(root / "var")
    result = odp("harvest", str(root / "packages"), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    with portal_server(env) as url:
        yield url


def run(code: str, url: str, cwd: Path, monkeypatch) -> dict:
    monkeypatch.chdir(cwd)
    namespace: dict = {}
    exec(compile(code.replace("http://127.0.0.1:8000", url), "docs/api.md", "exec"), namespace)  # noqa: S102
    return namespace


def published_rows() -> list[dict[str, str]]:
    (table,) = SAMPLE.glob("*.csv")
    with table.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_there_are_two_examples():
    assert len(examples()) == 2


def test_parquet_example(portal, tmp_path, monkeypatch):
    result = run(examples()[0], portal, tmp_path, monkeypatch)
    spaces: dict[str, int] = defaultdict(int)
    lots: dict[str, int] = defaultdict(int)
    for row in published_rows():
        spaces[row["district"]] += int(row["total_spaces"])
        lots[row["district"]] += 1
    district, count, total = result["by_district"][0]
    assert total == max(spaces.values()) and (count, total) == (lots[district], spaces[district])
    assert sorted(result["by_district"]) == sorted((d, lots[d], spaces[d]) for d in spaces)


def test_geojson_example(portal, tmp_path, monkeypatch):
    result = run(examples()[1], portal, tmp_path, monkeypatch)
    rows = [r for r in published_rows() if r["longitude"] and r["latitude"]]
    assert len(result["points"]) == len(rows)
    first = rows[0]
    assert result["points"][0] == (first["name"], float(first["longitude"]), float(first["latitude"]))
