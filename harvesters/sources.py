"""One harvester from a source's kind, location and options — for ``odp harvest``, ``odp sources`` and the
queue's workers alike, so a scheduled run harvests exactly as the command typed by hand would.

Options are plain JSON (they are stored with a schedule and travel through the queue): ``organization``,
``default_domain``, ``domain_map`` (the mapping itself, read once when the source is added, so a worker on
another machine needs no file), ``full`` and ``workers``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.config import Settings
from harvesters.base import Harvester, HarvestError
from harvesters.ckan import CkanHarvester
from harvesters.datapackage import DataPackageHarvester, source_path
from harvesters.dcat import DcatHarvester

KINDS = ("datapackage", "ckan", "dcat")
OPTIONS = ("organization", "default_domain", "domain_map", "full", "workers")


def default_kind(location: str) -> str:
    return "ckan" if location.startswith(("http://", "https://")) else "datapackage"


def build_harvester(kind: str, location: str, settings: Settings, options: dict[str, Any] | None = None) -> Harvester:
    """The harvester of one source; HarvestError for an unknown kind or option, or a bad location."""
    options = dict(options or {})
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise HarvestError(f"unknown harvest options: {', '.join(sorted(unknown))}")
    options.pop("workers", None)  # how run_harvest works, not what the harvester reads
    if kind == "ckan":
        return CkanHarvester(location, settings, organization=options.get("organization"),
                             default_domain=options.get("default_domain"), full=bool(options.get("full")),
                             domain_map=options.get("domain_map"))
    if kind == "dcat":
        return DcatHarvester(location, settings, default_domain=options.get("default_domain"),
                             full=bool(options.get("full")))
    if kind == "datapackage":
        if set(options) - {"full"}:
            raise HarvestError("a datapackage source takes no organization, domain or domain map")
        path = Path(location) if Path(location).is_absolute() else source_path(location, settings)
        return DataPackageHarvester(path, settings)
    raise HarvestError(f"--kind must be datapackage, ckan or dcat, not '{kind}'")
