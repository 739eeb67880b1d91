"""The client examples of docs/access.md ("Examples": curl, ckanapi, httpx, pandas, RemoteCKAN) and of docs/api.md
("pandas"), run as written against a served portal: the sample 有条件开放 pollutant units and open parking lots
harvested into its own catalog, an account holding a grant on the conditional one and a real API key. The only
changes are the portal's address (a free port instead of 127.0.0.1:8000) and the key's placeholder (``odp_…``)
in the shell block; the Python blocks read the key from ``API_KEY`` as written. Results are checked against the
published CSV files."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from catalog import db
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, cheap_hashing, granted, new_key
from tests.support.catalog import ROOT, SAMPLE_DATA, copy_sample, fresh_settings, release
from tests.support.servers import BIN, env_for, portal_server

ACCESS, API = ROOT / "docs" / "access.md", ROOT / "docs" / "api.md"
CONDITIONAL, OPEN = "key-pollutant-discharge-units", "shanghai-public-parking-lots"
PLACEHOLDER = "odp_…"


def section(path: Path, heading: str) -> str:
    return path.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def blocks(path: Path, heading: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(path, heading), re.DOTALL)


def published(package: str) -> list[dict[str, str]]:
    (table,) = SAMPLE_DATA.rglob(f"{package}/data/*.csv")
    with table.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def portal(tmp_path_factory, pg_database_url) -> Iterator[tuple[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("access-examples")
    (root / "packages").mkdir()
    for name in (CONDITIONAL, OPEN):
        copy_sample(name, root / "packages")
    with pytest.MonkeyPatch.context() as mp:
        cheap_hashing(mp)
        settings = fresh_settings(root / "var", mp, pg_database_url)
        assert run_harvest(DataPackageHarvester(root / "packages", settings), settings=settings).tally.failed == 0
        with Session(db.get_engine(settings)) as session:
            holder = account(session, settings, "analyst@example.org")
            granted(session, settings, holder, CONDITIONAL)
            keys = {"granted": new_key(session, settings, holder),
                    "none": new_key(session, settings, account(session, settings, "other@example.org"))}
            session.commit()
        with portal_server(env_for(settings.data_dir, pg_database_url)) as url:
            yield url, keys
        release(settings, pg_database_url)


def run_python(code: str, url: str, cwd: Path, monkeypatch, key: str) -> dict:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("API_KEY", key)
    namespace: dict = {}
    exec(compile(code.replace("http://127.0.0.1:8000", url), "docs example", "exec"), namespace)  # noqa: S102
    return namespace


def json_values(text: str) -> list:
    """The JSON documents printed one after another (curl's answers, ckanapi's pretty-printed result)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        while text[at].isspace():
            at += 1
        value, at = decoder.raw_decode(text, at)
        found.append(value)
    return found


def test_the_sections_have_their_examples():
    assert len(blocks(ACCESS, "Examples", "sh")) == 1 and len(blocks(ACCESS, "Examples", "python")) == 1
    assert len(blocks(API, "pandas", "python")) == 2
    assert PLACEHOLDER in blocks(ACCESS, "Examples", "sh")[0]


def test_shell_example(portal, tmp_path):
    url, keys = portal
    script = blocks(ACCESS, "Examples", "sh")[0].replace("http://127.0.0.1:8000", url)
    script = script.replace(PLACEHOLDER, keys["granted"])
    env = env_for(tmp_path / "unused") | {"PATH": f"{BIN}:/usr/bin:/bin"}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    rows, refused, search = json_values(done.stdout)
    units = published(CONDITIONAL)
    assert [r["unit_name"] for r in rows["rows"]] == [u["unit_name"] for u in units[:5]]
    assert refused["error"]["code"] == "access_requires_grant" and refused["error"]["apply_url"].endswith(
        f"/dataset/{CONDITIONAL}/apply")
    assert [r["unit_name"] for r in search["records"]] == [u["unit_name"] for u in units[:5]]
    with (tmp_path / "pollutant-units.csv").open(encoding="utf-8-sig") as handle:
        downloaded = list(csv.DictReader(handle))
    assert [(d["unified_social_credit_code"], d["district"]) for d in downloaded] == \
        [(u["unified_social_credit_code"], u["district"]) for u in units]


def test_python_example_with_a_grant(portal, tmp_path, monkeypatch):
    url, keys = portal
    result = run_python(blocks(ACCESS, "Examples", "python")[0], url, tmp_path, monkeypatch, keys["granted"])
    units = published(CONDITIONAL)
    in_pudong = [u for u in units if u["district"] == "浦东新区"]
    assert [r["unit_name"] for r in result["first_rows"]] == [u["unit_name"] for u in in_pudong[:5]]
    assert len(result["pudong"]) == len(in_pudong) and set(result["pudong"]["district"]) == {"浦东新区"}
    assert list(result["units"]["unit_name"]) == [u["unit_name"] for u in units]
    assert [r["unit_name"] for r in result["records"]] == [u["unit_name"] for u in in_pudong[:5]]


def test_python_example_without_a_grant_is_refused(portal, tmp_path, monkeypatch):
    url, keys = portal
    with pytest.raises(httpx.HTTPStatusError) as refused:
        run_python(blocks(ACCESS, "Examples", "python")[0], url, tmp_path, monkeypatch, keys["none"])
    assert refused.value.response.status_code == 403


def test_api_pandas_rows_csv_example(portal, tmp_path, monkeypatch):
    url, _ = portal
    result = run_python(blocks(API, "pandas", "python")[0], url, tmp_path, monkeypatch, "")
    lots = [lot for lot in published(OPEN) if lot["district"] == "浦东新区" and int(lot["total_spaces"]) > 500]
    lots.sort(key=lambda lot: -int(lot["total_spaces"]))
    assert list(result["large"]["total_spaces"]) == [int(lot["total_spaces"]) for lot in lots]
    assert set(result["large"]["name"]) == {lot["name"] for lot in lots}


def test_api_pandas_download_example(portal, tmp_path, monkeypatch):
    url, _ = portal
    result = run_python(blocks(API, "pandas", "python")[1], url, tmp_path, monkeypatch, "")
    lots = published(OPEN)
    totals: dict[str, int] = {}
    for lot in lots:
        totals[lot["district"]] = totals.get(lot["district"], 0) + int(lot["total_spaces"])
    assert dict(result["spaces"]) == totals and len(result["lots"]) == len(lots)
    assert len(result["typed"]) == len(lots) and str(result["typed"]["total_spaces"].dtype).startswith("int")
    assert list(result["sheet"]["name"]) == [lot["name"] for lot in lots]
