"""The ``odp`` command line, run in-process as a user would call it."""

from __future__ import annotations

from typer.testing import CliRunner

from portal.cli import app
from tests.support.packages import ROWS, csv_text, write_package

runner = CliRunner()


def odp(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_harvest_prints_a_summary_table_and_failures(settings, packages):
    write_package(packages, "parking-a")
    write_package(packages, "broken", domain="不存在")
    result = odp("harvest", str(packages))
    assert result.exit_code == 1  # some packages failed
    out = result.output
    assert "harvesting 2 package(s)" in out  # plain lines when not a terminal
    assert "added     parking-a" in out and "failed    broken" in out
    assert "新增 added" in out and "失败 failures" in out
    assert "domain '不存在' is not one of the 12 domains" in out.replace("\n", "")


def test_harvest_of_a_missing_folder_exits_2(settings, tmp_path):
    result = odp("harvest", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_validate_prints_the_report_and_exits_1_when_invalid(settings, packages):
    write_package(packages, "bad-rows", csv=csv_text(ROWS + [(9, "某停车场", "黄浦区", "很多")]))
    write_package(packages, "good-rows")
    assert odp("harvest", str(packages)).exit_code == 0
    bad = odp("validate", "bad-rows")
    assert bad.exit_code == 1
    assert "type-error" in bad.output and "很多" in bad.output
    good = odp("validate", "good-rows")
    assert good.exit_code == 0 and "valid" in good.output
    as_json = odp("validate", "bad-rows", "--json")
    assert '"error_count": 1' in as_json.output


def test_validate_unknown_dataset_is_a_clear_error(settings):
    result = odp("validate", "no-such-dataset")
    assert result.exit_code == 1
    assert "no dataset named 'no-such-dataset'" in result.output


def test_datasets_show_jobs_and_summary(settings, packages):
    write_package(packages, "parking-a")
    write_package(
        packages, "health-a", domain="health", publisher={"name": "wsjkw", "title": "上海市卫生健康委员会"}
    )
    odp("harvest", str(packages))
    listing = odp("datasets")
    assert "parking-a" in listing.output and "health-a" in listing.output
    only_transport = odp("datasets", "--domain", "道路交通")
    assert "parking-a" in only_transport.output and "health-a" not in only_transport.output
    by_department = odp("datasets", "--department", "wsjkw")
    assert "health-a" in by_department.output and "parking-a" not in by_department.output
    shown = odp("show", "parking-a")
    assert "上海市交通委员会" in shown.output and "道路交通" in shown.output
    jobs = odp("jobs")
    assert "finished" in jobs.output
    summary = odp("summary")
    assert "datasets: 2 active" in summary.output and "departments: 2" in summary.output


def test_schemas_lists_published_schemas_and_shows_one(settings):
    listing = odp("schemas")
    assert listing.exit_code == 0 and "parking-lot" in listing.output
    one = odp("schemas", "parking-lot")
    assert "total_spaces" in one.output
    missing = odp("schemas", "nope")
    assert missing.exit_code == 1 and "no published schema named 'nope'" in missing.output
