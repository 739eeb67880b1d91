"""A small catalog for the quality tests (scorecards, /stats, /admin/harvest) on SQLite and PostgreSQL: what must
be counted and what must not, side by side.

- jtw ``lots`` (open, listed) and mzj ``subsistence-allowance-public-notice`` (open, masked IDs: listed);
- mzj ``temporary-assistance-recipients`` (open, unmasked IDs: blocked by the PII policy);
- gaj ``road-traffic-accident-statistics`` (非开放: never listed);
- mzj ``gone`` (harvested, then gone from its source: withdrawn);
- ``broken``: a package whose metadata the catalog refuses (a failed item of the last job, of no department);
- ``lots`` fails the same way in the second harvest: it stays published, and its failure is jtw's;
- downloads this month: 5 of lots, 7 of the withdrawn one, 11 of the closed one (only the 5 may show);
- accounts: an admin, a reviewer of mzj, a reviewer of jtw and a plain user.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from catalog import db
from catalog.config import Settings
from catalog.models import Dataset, DatasetUsageDay, utcnow
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account
from tests.support.catalog import copy_sample
from tests.support.packages import write_package

BLOCKED = "temporary-assistance-recipients"
CLOSED = "road-traffic-accident-statistics"
WITHDRAWN = "gone"
LISTED = ("lots", "subsistence-allowance-public-notice")
LOTS_DESCRIPTION = "全市公共停车场的位置、泊位数和收费标准。" * 6
ADMIN, MZJ_REVIEWER, JTW_REVIEWER, USER = ("admin@example.org", "mzj-reviewer@example.org",
                                            "jtw-reviewer@example.org", "user@example.org")


@dataclass(frozen=True)
class QualityCatalog:
    settings: Settings
    folder: Path


def build(settings: Settings, folder: Path) -> QualityCatalog:
    folder.mkdir()
    write_package(folder, "lots", description=LOTS_DESCRIPTION)
    write_package(folder, WITHDRAWN, publisher={"name": "mzj", "title": "上海市民政局"})
    for sample in ("mzj/subsistence-allowance-public-notice", f"mzj/{BLOCKED}", f"gaj/{CLOSED}"):
        copy_sample(sample, folder)
    _harvest(settings, folder)
    shutil.rmtree(folder / WITHDRAWN)
    write_package(folder, "broken", domain="no-such-domain")
    write_package(folder, "lots", domain="no-such-domain", description=LOTS_DESCRIPTION)  # fails, stays published
    result = _harvest(settings, folder)
    assert result.tally.failed == 2, result.job.errors
    with Session(db.get_engine(settings)) as session:
        ids = dict(session.exec(select(Dataset.name, Dataset.id)).all())
        for name, downloads in (("lots", 5), (WITHDRAWN, 7), (CLOSED, 11)):
            session.add(DatasetUsageDay(day=utcnow().date(), dataset_id=ids[name], downloads=downloads))
        account(session, settings, ADMIN, Role.admin)
        account(session, settings, MZJ_REVIEWER, Role.reviewer, departments=("mzj",))
        account(session, settings, JTW_REVIEWER, Role.reviewer, departments=("jtw",))
        account(session, settings, USER)
        session.commit()
    return QualityCatalog(settings, folder)


def _harvest(settings: Settings, folder: Path):
    return run_harvest(DataPackageHarvester(folder, settings), settings=settings)
