"""``odp harvest FOLDER/PACKAGE`` of a package inside a harvested folder: harvested again as part of that source."""

from __future__ import annotations

from tests.support.packages import ROWS, csv_text, write_package


def test_harvesting_one_package_of_a_folder_source_again(settings, packages, odp):
    write_package(packages / "jtw", "parking-a")
    write_package(packages / "jtw", "parking-b")
    assert odp("harvest", str(packages)).exit_code == 0
    write_package(packages / "jtw", "parking-a", csv=csv_text(ROWS[:1]))
    result = odp("harvest", str(packages / "jtw" / "parking-a"))
    assert result.exit_code == 0, result.output
    assert f"part of the source {packages}" in result.output
    assert "updated   jtw/parking-a" in result.output and "parking-b" not in result.output
    listing = odp("datasets").output
    assert "parking-a" in listing and "parking-b" in listing  # the other package is not withdrawn
