"""``frictionless validate <datapackage.json URL>`` against the portal served by uvicorn on loopback: the
descriptor's absolute paths, formats, encodings, sizes and sha256 hashes must match what the download route
serves. Every valid open sample dataset is validated in-process with frictionless's own ``validate`` (the CLI's
code path); one is validated with the ``frictionless`` command itself (a subprocess costs ~3 s each)."""

from __future__ import annotations

import json
import subprocess

import pytest
from frictionless import validate

from catalog import access
from catalog.db import session_scope
from catalog.exports.records import iter_listed
from catalog.vocabulary import ValidationStatus
from tests.support.catalog import use_catalog
from tests.support.servers import BIN, env_for, portal_server


@pytest.fixture(scope="module")
def served(sample_catalog):
    settings = sample_catalog.settings
    with use_catalog(settings), session_scope() as session:
        entries = list(iter_listed(session, with_resources=True))
        valid_open = sorted(
            e.dataset.name for e in entries
            if access.data_readable(e.dataset) and e.resources
            and all(r.current and r.current.validation_status in (ValidationStatus.valid, ValidationStatus.not_tabular)
                    for r in e.resources))
        invalid_open = sorted(
            e.dataset.name for e in entries
            if access.data_readable(e.dataset)
            and any(r.current and r.current.validation_status == ValidationStatus.invalid for r in e.resources))
    with portal_server(env_for(settings.data_dir, sample_catalog.database_url)) as url:
        yield url, valid_open, invalid_open


def test_every_valid_open_dataset_validates(served):
    url, names, _ = served
    assert len(names) >= 5
    failures = {}
    for name in names:
        report = validate(f"{url}/api/v1/datasets/{name}/datapackage.json")
        if not report.valid:
            failures[name] = [e.message for task in report.tasks for e in task.errors][:3]
    assert not failures, failures


def test_an_invalid_dataset_fails_so_the_check_can_fail(served):
    url, _, invalid = served
    if not invalid:
        pytest.skip("the sample has no invalid open dataset")
    assert not validate(f"{url}/api/v1/datasets/{invalid[0]}/datapackage.json").valid


def test_the_frictionless_command(served):
    url, names, _ = served
    done = subprocess.run([str(BIN / "frictionless"), "validate", "--json",
                           f"{url}/api/v1/datasets/{names[0]}/datapackage.json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert json.loads(done.stdout)["valid"] is True
