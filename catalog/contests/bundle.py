"""The whole package as one zip: a Frictionless Data Package that ``frictionless validate`` accepts unchanged.

``datapackage.json`` carries the package's ``name`` (the contest slug), ``title``, ``version`` (1.N, N the
re-pins so far), ``created`` (the latest pin), ``licenses`` (the contest's data agreement, then the datasets'
licences), ``sources`` (each dataset's page), ``contributors`` (the organizer, the providing departments) and
per resource its ``path`` inside the zip, Table Schema, ``"hash": "sha256:<hex>"``, ``bytes``, ``format``,
``mediatype`` and ``encoding`` — the original file of the pinned version exactly as published (a GB18030 CSV
stays GB18030). Workbooks carry the same sha256 as ``checksum`` instead (frictionless cannot count the bytes of a workbook it opens whole, so it would always fail
the check). An entry whose pinned table did not validate ships its stored validation report next to it
(``reports/<resource>.validation.json``, linked from the resource as ``validation_report``): such a package is
what was published, and frictionless will report the same errors.

The zip is written once per pinned set — its name is the sha256 of the descriptor, which holds every pinned
file's hash — under ``<data dir>/cache/contests/``, file by file in chunks (never the whole package in memory),
into a temporary file that is renamed into place; later downloads are served from that file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, select

from catalog.config import Settings
from catalog.exports.datapackage import STREAMED
from catalog.exports.records import Urls
from catalog.models import Account, Contest, Department
from catalog.storage import CHUNK, FileStore, StoredFileMissing, open_store
from catalog.vocabulary import ValidationStatus

from . import entries
from .contests import aware
from .entries import EntryView
from .errors import ContestError

DESCRIPTOR = "datapackage.json"
_UNSAFE_NAME = re.compile(r"[^a-z0-9._-]+")


def cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "cache" / "contests"


def _resource_name(view: EntryView, taken: set[str]) -> str:
    base = _UNSAFE_NAME.sub("-", f"{view.dataset.name}--{view.resource.name}".lower()).strip("-") or "resource"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def extension(view: EntryView) -> str:
    suffix = PurePosixPath(view.version.original_filename or "").suffix.lstrip(".").lower()
    return suffix or (view.resource.format or "").lower() or "bin"


def _report_path(name: str) -> str:
    return f"reports/{name}.validation.json"


def descriptor(session: Session, contest: Contest, views: list[EntryView], settings: Settings,
               ) -> tuple[dict[str, Any], list[tuple[str, EntryView]]]:
    """The package descriptor, and (path in the zip, entry) of each data file."""
    urls = Urls(settings.public_base_url)
    taken: set[str] = set()
    resources, files = [], []
    for view in views:
        name = _resource_name(view, taken)
        path = f"data/{name}.{extension(view)}"
        version, fmt = view.version, (view.resource.format or "").lower() or None
        item: dict[str, Any] = {"name": name, "path": path, "title": view.resource.title or view.resource.name,
                                "format": fmt, "mediatype": view.resource.media_type}
        if fmt in STREAMED:
            item |= {"bytes": version.size, "hash": f"sha256:{version.sha256}"}
        else:
            item |= {"checksum": f"sha256:{version.sha256}"}
        if version.encoding or version.table_schema:
            item["encoding"] = version.encoding or "utf-8"
        if version.table_schema:
            item["schema"] = version.table_schema
            if version.dialect:
                item["dialect"] = version.dialect
        if version.validation_status == ValidationStatus.invalid and version.validation_report:
            item["validation_report"] = _report_path(name)
        item["sources"] = [{"title": view.dataset.title, "path": urls.dataset(view.dataset.name)}]
        resources.append({k: v for k, v in item.items() if v is not None})
        files.append((path, view))
    organizer = session.get(Account, contest.organizer_id)
    departments = {d.id: d for d in session.exec(select(Department).where(
        Department.id.in_({v.dataset.department_id for v in views})))}  # type: ignore[union-attr]
    # The contest's data agreement binds every team whatever the datasets' own licences say.
    licenses: list[dict[str, Any]] = [{"name": "contest-data-agreement", "title": "大赛数据利用协议",
                                       "path": f"{urls.base}/contest/{contest.slug}"}]
    for view in views:
        for lic in view.dataset.licenses or []:
            if (lic.get("name") or lic.get("path")) and lic not in licenses:
                licenses.append(lic)
    sources = []
    for view in views:
        source = {"title": view.dataset.title, "path": urls.dataset(view.dataset.name)}
        if source not in sources:
            sources.append(source)
    contributors = [{"title": organizer.name if organizer else contest.slug, "role": "author"}]
    contributors += [{"title": d.title, "role": "publisher", "path": urls.department(d.name)}
                     for d in sorted(departments.values(), key=lambda d: d.name)]
    pinned = [aware(v.entry.pinned) for v in views]
    package = {
        "name": contest.slug,
        "title": contest.title,
        "description": contest.description or None,
        "version": f"1.{len(entries.repins(session, contest))}",
        "created": (max(pinned) if pinned else aware(contest.created)).isoformat(),
        "homepage": f"{urls.base}/contest/{contest.slug}",
        "keywords": [contest.theme] if contest.theme else None,
        "licenses": licenses,
        "sources": sources,
        "contributors": contributors,
        "resources": resources,
    }
    return {k: v for k, v in package.items() if v is not None}, files


def _add_stored(archive: zipfile.ZipFile, store: FileStore, view: EntryView, path: str) -> None:
    """One entry's stored file into the zip, read and compressed in chunks (from the disk or from S3)."""
    member = zipfile.ZipInfo(path, date_time=aware(view.version.created).timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    member.external_attr = 0o444 << 16
    try:
        with store.open(view.version.stored_path) as source, archive.open(member, "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, CHUNK)
    except StoredFileMissing:
        raise ContestError(409, "not_available", f"entry {view.id}: the stored file is missing") from None


def bundle_path(session: Session, contest: Contest, views: list[EntryView], settings: Settings) -> Path:
    """The package zip of these entries: from the cache, else written now."""
    if not views:
        raise ContestError(409, "contest_package_empty", "no entry of this package is downloadable yet")
    package, files = descriptor(session, contest, views, settings)
    text = json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    target = cache_dir(settings) / f"{contest.slug}-{hashlib.sha256(text).hexdigest()[:32]}.zip"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".zip.tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(DESCRIPTOR, text)
            store = open_store(settings)
            for path, view in files:
                _add_stored(archive, store, view, path)
            for item in package["resources"]:
                if "validation_report" in item:
                    view = next(v for p, v in files if p == item["path"])
                    archive.writestr(item["validation_report"],
                                     json.dumps(view.version.validation_report, ensure_ascii=False, indent=2))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
