"""``odp harvest`` (portal/cli/harvest.py): the summary table, failures and exit codes."""

from __future__ import annotations

from tests.support.packages import write_package


def test_harvest_prints_a_summary_table_and_failures(settings, packages, odp):
    write_package(packages, "parking-a")
    write_package(packages, "broken", domain="不存在")
    result = odp("harvest", str(packages))
    assert result.exit_code == 1  # some packages failed
    out = result.output
    assert "harvesting 2 package(s)" in out  # plain lines when not a terminal
    assert "added     parking-a" in out and "failed    broken" in out
    assert "新增 added" in out and "失败 failures" in out
    assert "domain '不存在' is not one of the 12 domains" in out.replace("\n", "")


def test_harvest_of_a_missing_folder_exits_2(settings, tmp_path, odp):
    result = odp("harvest", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
