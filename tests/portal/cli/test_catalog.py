"""``odp validate``, ``datasets``, ``show``, ``schemas``, ``summary`` (portal/cli/catalog.py) and ``jobs``, on a harvest."""

from __future__ import annotations

from tests.support.packages import ROWS, csv_text, write_package


def test_validate_prints_the_report_and_exits_1_when_invalid(settings, packages, odp):
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


def test_validate_unknown_dataset_is_a_clear_error(settings, odp):
    result = odp("validate", "no-such-dataset")
    assert result.exit_code == 1
    assert "no dataset named 'no-such-dataset'" in result.output


def test_datasets_show_jobs_and_summary(settings, packages, odp):
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


def test_schemas_lists_published_schemas_and_shows_one(settings, odp):
    listing = odp("schemas")
    assert listing.exit_code == 0 and "parking-lot" in listing.output
    one = odp("schemas", "parking-lot")
    assert "total_spaces" in one.output
    missing = odp("schemas", "nope")
    assert missing.exit_code == 1 and "no published schema named 'nope'" in missing.output
