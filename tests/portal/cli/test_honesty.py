"""The ``odp`` commands say when something was wrong, and exit non-zero (issue 17, CLI honesty): unknown names
and filters, empty sources, failed sources, invalid tables counted, a new catalog named, ``--json`` output, and
tables that keep one row on one line when piped."""

from __future__ import annotations

import json
import zipfile

from catalog.config import get_settings
from tests.support.catalog import release
from tests.support.packages import ROWS, csv_text, write_package


def test_parquet_of_an_unknown_dataset_is_an_error(settings, packages, odp):
    write_package(packages, "parking-a")
    assert odp("harvest", str(packages)).exit_code == 0
    missing = odp("parquet", "NO-SUCH")
    assert missing.exit_code == 1
    assert "no dataset named 'NO-SUCH'" in missing.output and "built" not in missing.output
    assert odp("parquet", "parking-a").exit_code == 0


def test_unknown_domain_or_department_is_an_error_not_an_empty_table(settings, packages, odp):
    write_package(packages, "parking-a")
    odp("harvest", str(packages))
    domain = odp("datasets", "--domain", "交通运输")
    assert domain.exit_code == 1 and "no domain '交通运输'" in domain.output
    assert "transport (道路交通)" in domain.output  # the 12 it could have been
    department = odp("datasets", "--department", "no-such-office")
    assert department.exit_code == 1 and "no department 'no-such-office'" in department.output
    known = odp("datasets", "--department", "上海市交通委员会")
    assert known.exit_code == 0 and "parking-a" in known.output
    empty_but_known = odp("datasets", "--domain", "health")  # a real domain without data: an empty list is true
    assert empty_but_known.exit_code == 0 and "parking-a" not in empty_but_known.output


def test_an_empty_folder_or_zip_harvests_nothing_and_says_so(settings, tmp_path, odp):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = odp("harvest", str(empty))
    assert result.exit_code == 1
    assert "no datapackage.json found" in result.output and "0 packages harvested" in result.output
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "nothing to see")
    zipped = odp("harvest", str(archive))
    assert zipped.exit_code == 1 and "no datapackage.json found" in zipped.output


def test_a_failed_source_prints_no_table_of_zeros(settings, tmp_path, odp):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"this is not a zip file")
    result = odp("harvest", str(archive))
    assert result.exit_code == 2
    assert "the harvest failed" in result.output
    assert "新增 added" not in result.output  # the summary table is not printed


def test_the_summary_counts_invalid_tables_and_exits_0(settings, packages, odp):
    write_package(packages, "bad-rows", csv=csv_text(ROWS + [(9, "某停车场", "黄浦区", "很多")]))
    write_package(packages, "good-rows")
    result = odp("harvest", str(packages))
    assert result.exit_code == 0  # published with an invalid table is not a failure
    header = next(line for line in result.output.splitlines() if "┃" in line)
    row = next(line for line in result.output.splitlines() if "│" in line)
    cells = dict(zip([c.strip() for c in header.split("┃")], [c.strip() for c in row.split("│")], strict=True))
    assert cells["有误表格 invalid tables"] == "1" and cells["新增 added"] == "2"
    assert "published with invalid tables: bad-rows/table" in result.output
    again = odp("harvest", str(packages))  # unchanged, still published with that table: still counted
    assert "published with invalid tables: bad-rows/table" in again.output


def test_the_first_command_names_the_catalog_it_creates(tmp_path, monkeypatch, odp):
    data_dir = tmp_path / "elsewhere" / "var"
    monkeypatch.setenv("ODP_DATA_DIR", str(data_dir))
    monkeypatch.delenv("ODP_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        first = odp("summary")
        assert first.exit_code == 0
        assert f"created a new catalog in {data_dir.resolve()}" in first.output
        second = odp("summary")
        assert "created a new catalog" not in second.output
    finally:
        release(get_settings(), None)


def test_json_output_of_datasets_jobs_show_and_summary(settings, packages, odp):
    write_package(packages, "parking-a")
    write_package(packages, "bad-rows", csv=csv_text(ROWS + [(9, "某停车场", "黄浦区", "很多")]))
    odp("harvest", str(packages))
    listing = json.loads(odp("datasets", "--json").output)
    assert {d["name"]: d["validation_status"] for d in listing} == {"bad-rows": "invalid", "parking-a": "valid"}
    assert listing[0]["department_title"] == "上海市交通委员会"
    jobs = json.loads(odp("jobs", "--json").output)
    assert jobs["jobs"][0]["status"] == "finished" and jobs["jobs"][0]["added"] == 2
    shown = json.loads(odp("show", "parking-a", "--json").output)
    assert shown["domain"] == "transport" and shown["resources"][0]["rows"] == 3
    summary = json.loads(odp("summary", "--json").output)
    assert summary["datasets_by_state"] == {"active": 2} and summary["datasets_by_domain"]["transport"] == 2
    assert summary["validation"]["invalid"] == 1


def test_piped_tables_keep_each_row_on_one_line(settings, packages, odp):
    long_name = "shanghai-public-parking-lots-with-a-rather-long-dataset-name"
    write_package(packages, long_name)
    odp("harvest", str(packages))
    rows = [line for line in odp("datasets").output.splitlines() if long_name in line]
    assert len(rows) == 1 and f"{long_name} 停车场信息" in rows[0]  # name and title whole, on one row
