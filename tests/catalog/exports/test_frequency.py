"""update_frequency is normalised at harvest to catalog/vocabulary.py's UPDATE_FREQUENCIES."""

from __future__ import annotations

import pytest

from catalog.vocabulary import UPDATE_FREQUENCIES, normalise_update_frequency


@pytest.mark.parametrize(("given", "label"), [
    ("每月", "每月"), ("实时", "实时"), (" 每季度 ", "每季度"), ("月更新", "每月"), ("Monthly", "每月"),
    ("semi-annual", "每半年"), ("Real time", "实时"), ("P1D", "每日"), ("R/P1W", "每周"), ("R/P3M", "每季度"),
    ("P1Y", "每年"), ("http://publications.europa.eu/resource/authority/frequency/ANNUAL_2", "每半年"),
    ("http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT", "实时"),
    ("http://publications.europa.eu/resource/authority/frequency/IRREG", "不定期"), ("irregular", "不定期"),
])
def test_known_values_map_to_one_label(given, label):
    assert normalise_update_frequency(given) == (label, None)


def test_unknown_becomes_irregular_with_a_warning():
    label, warning = normalise_update_frequency("每两年半")
    assert label == "不定期" and "每两年半" in warning
    assert normalise_update_frequency(None) == (None, None) and normalise_update_frequency("  ") == (None, None)


def test_every_label_is_itself():
    assert all(normalise_update_frequency(f) == (f, None) for f in UPDATE_FREQUENCIES)


def test_harvest_stores_the_normalised_label(settings, packages, caplog):
    from sqlmodel import select

    from catalog.db import session_scope
    from catalog.models import Dataset, HarvestJob
    from harvesters.base import run_harvest
    from harvesters.datapackage import DataPackageHarvester
    from tests.support.packages import write_package

    write_package(packages, "freq-monthly", update_frequency="R/P1M")
    write_package(packages, "freq-odd", update_frequency="每两年半")
    result = run_harvest(DataPackageHarvester(packages, settings), settings=settings)
    assert result.tally.failed == 0, result.tally.errors
    with session_scope() as session:
        stored = dict(session.exec(select(Dataset.name, Dataset.update_frequency)).all())
    assert stored == {"freq-monthly": "每月", "freq-odd": "不定期"}
    assert "每两年半" in caplog.text
    # The job report carries the warning for the publisher (stored on the job, shown by the CLI), item by item.
    assert [w["item"].split("/")[0] for w in result.tally.warnings] == ["freq-odd"]
    assert "每两年半" in result.tally.warnings[0]["message"]
    with session_scope() as session:
        job = session.get(HarvestJob, result.job.id)
        assert job.warnings == result.tally.warnings and job.failed == 0


def test_the_cli_harvest_report_shows_the_warning(settings, packages):
    from typer.testing import CliRunner

    from portal.cli import app
    from tests.support.packages import write_package

    write_package(packages, "freq-odd", update_frequency="每两年半")
    result = CliRunner().invoke(app, ["harvest", str(packages)])
    assert result.exit_code == 0, result.output
    assert "warnings" in result.output and "freq-odd" in result.output and "每两年半" in result.output
