"""Catalog records → the dicts CKAN's Action API returns (``package_show``, ``resource_show``, groups,
organizations, tags), with CKAN's field names, so CKAN clients read them unchanged.

Our own fields that CKAN has no name for travel as ``extras`` (domain, update frequency, open class,
coverage); a harvester on the other side maps them back. A resource whose data the caller may not read — 有条件开放
data asked for anonymously or by a key without a live grant — is listed with an empty ``url`` and
``datastore_active`` false; with a grant (``access.data_readable(dataset, principal)``) it is listed as open
data is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from catalog import access
from catalog.access import Principal
from catalog.ckan.ids import group_id, organization_id, package_id, resource_id, tag_id
from catalog.ckan.records import GroupRecord, OrganizationRecord, PackageRecord, ResourceRecord
from catalog.models import Department, Domain

# Our fields CKAN has no place for, exported (and harvested back) as extras.
OWN_EXTRAS = ("domain", "update_frequency", "open_class", "temporal_coverage", "spatial_coverage", "created")

# License ids CKAN's license register counts as open (its ``isopen``), by prefix.
_OPEN_LICENSES = ("cc-by", "cc0", "cc-zero", "odc-", "odbl", "pddl", "other-open", "other-pd", "other-at",
                  "gfdl", "uk-ogl", "notspecified")


def ckan_time(value: datetime | None) -> str | None:
    """CKAN's timestamp format: UTC without zone, with microseconds (2024-01-02T03:04:05.123456)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def download_url(base_url: str, dataset_name: str, resource_name: str) -> str:
    return (f"{base_url}/api/v1/datasets/{quote(dataset_name, safe='')}"
            f"/resources/{quote(resource_name, safe='')}/download")


def _extra_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def organization_dict(dept: Department, package_count: int | None = None) -> dict[str, Any]:
    org = {
        "id": organization_id(dept.name),
        "name": dept.name,
        "title": dept.title,
        "display_name": dept.title,
        "title_en": dept.title_en,
        "description": dept.title_en or "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": None,
    }
    if package_count is not None:
        org |= {"package_count": package_count, "num_followers": 0}
    return org


def group_dict(domain: Domain, package_count: int | None = None) -> dict[str, Any]:
    group = {
        "id": group_id(domain.code),
        "name": domain.code,
        "title": domain.name,
        "display_name": domain.name,
        "title_en": domain.name_en,
        "description": domain.name_en,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": None,
    }
    if package_count is not None:
        group |= {"package_count": package_count, "num_followers": 0}
    return group


def tag_dict(name: str) -> dict[str, Any]:
    return {"id": tag_id(name), "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def resource_dict(pkg: PackageRecord, res: ResourceRecord, base_url: str, *, datastore: bool,
                  principal: Principal | None = None) -> dict[str, Any]:
    ds, resource, current = pkg.dataset, res.resource, res.current
    is_open = access.data_readable(ds, principal)  # download URL and datastore only for data the caller may read
    fmt = (resource.format or "").upper()
    return {
        "id": resource_id(ds.name, resource.name),
        "package_id": package_id(ds.name),
        "name": resource.title or resource.name,
        "description": resource.description or "",
        "url": download_url(base_url, ds.name, resource.name) if is_open else "",
        "format": fmt,
        "mimetype": resource.media_type,
        "mimetype_inner": None,
        "size": current.size if current else None,
        "hash": current.sha256 if current else "",
        "created": ckan_time(res.created),
        "last_modified": ckan_time(current.created) if current else None,
        "metadata_modified": ckan_time(current.created) if current else None,
        "position": resource.position,
        "url_type": "upload" if is_open else None,
        "resource_type": None,
        "state": "active",
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": bool(datastore and is_open and current and current.parquet_path),
        # our own, beside CKAN's (extra resource keys are how CKAN extensions add fields too)
        "resource_name": resource.name,
        "row_count": current.row_count if current else None,
        "validation_status": current.validation_status if current else None,
        "schema_ref": current.schema_ref if current else None,
        "encoding": current.encoding if current else None,
        # The Table Schema, where ckanext-validation keeps it: harvesters validate against it, not a guess.
        "schema": current.table_schema if current and current.table_schema else None,
        "open_class": ds.open_class,
    }


def package_dict(pkg: PackageRecord, base_url: str, *, datastore: bool,
                 principal: Principal | None = None) -> dict[str, Any]:
    ds = pkg.dataset
    licence = (ds.licenses or [{}])[0]
    license_id = ds.license_id or None
    contact = ds.contact or {}
    own = {
        "domain": pkg.domain.code,
        "update_frequency": ds.update_frequency,
        "open_class": ds.open_class,
        "temporal_coverage": ds.temporal_coverage,
        "spatial_coverage": ds.spatial_coverage,
        "created": ckan_time(ds.created),
    }
    extras = [{"key": k, "value": v} for k, v in own.items() if v not in (None, "")]
    if contact.get("phone"):
        extras.append({"key": "contact_phone", "value": str(contact["phone"])})
    extras += [
        {"key": k, "value": _extra_value(v)}
        for k, v in sorted((ds.extras or {}).items())
        if k not in OWN_EXTRAS and k != "contact_phone" and v is not None
    ]
    keywords = list(dict.fromkeys(ds.keywords or []))
    resources = [resource_dict(pkg, r, base_url, datastore=datastore, principal=principal) for r in pkg.resources]
    return {
        "id": package_id(ds.name),
        "name": ds.name,
        "title": ds.title,
        "notes": ds.description or "",
        "url": str((ds.extras or {}).get("homepage") or ""),
        "version": ds.version,
        "author": pkg.department.title,
        "author_email": None,
        "maintainer": contact.get("name"),
        "maintainer_email": contact.get("email"),
        "license_id": license_id,
        "license_title": licence.get("title") or license_id,
        "license_url": licence.get("path"),
        "isopen": bool(license_id and license_id.lower().startswith(_OPEN_LICENSES)),
        "state": "active",
        "type": "dataset",
        "private": False,
        "creator_user_id": None,
        "metadata_created": ckan_time(ds.first_published),
        "metadata_modified": ckan_time(ds.modified),
        "owner_org": organization_id(pkg.department.name),
        "organization": organization_dict(pkg.department),
        "groups": [group_dict(pkg.domain)],
        "tags": [tag_dict(k) for k in keywords],
        "num_tags": len(keywords),
        "resources": resources,
        "num_resources": len(resources),
        "extras": extras,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def organization_with_count(org: OrganizationRecord) -> dict[str, Any]:
    return organization_dict(org.department, org.package_count)


def group_with_count(group: GroupRecord) -> dict[str, Any]:
    return group_dict(group.domain, group.package_count)


# Solr-stored fields a ``fl`` list may ask for, without building the whole dict.
def solr_fields(pkg: PackageRecord) -> dict[str, Any]:
    ds = pkg.dataset
    return {
        "id": package_id(ds.name),
        "name": ds.name,
        "title": ds.title,
        "notes": ds.description or "",
        "metadata_modified": ckan_time(ds.modified),
        "metadata_created": ckan_time(ds.first_published),
        "organization": pkg.department.name,
        "owner_org": organization_id(pkg.department.name),
        "groups": [pkg.domain.code],
        "tags": list(dict.fromkeys(ds.keywords or [])),
        "res_format": list(dict.fromkeys((r.resource.format or "").upper() for r in pkg.resources)),
        "license_id": ds.license_id,
        "num_resources": len(pkg.resources),
        "num_tags": len(ds.keywords or []),
        "state": "active",
        "type": "dataset",
        "dataset_type": "dataset",
        "private": False,
        "capacity": "public",
        "version": ds.version,
    }
