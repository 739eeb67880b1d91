"""CKAN-style identifiers (UUIDs) for catalog objects, and their way back to names.

CKAN clients expect UUIDs for packages, resources, organizations and groups, and harvesters use them as
stable keys. Ours are derived (uuid5) from the names, which never change in this catalog, so they are the
same on every node and after a rebuild, and need no column. Resolving a UUID back to a name uses a small
per-process map, rebuilt only when rows have been added since (rows are never deleted or renamed).
"""

from __future__ import annotations

import threading
import uuid

from sqlmodel import Session, func, select

from catalog.models import Dataset, Department, Resource

NAMESPACE = uuid.UUID("6f1c8a52-3d0e-5a8b-9c47-0d2b1e6a9f10")


def package_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"dataset/{name}"))


def resource_id(dataset_name: str, resource_name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"resource/{dataset_name}/{resource_name}"))


def organization_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"organization/{name}"))


def group_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"group/{code}"))


def tag_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"tag/{name}"))


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return len(value) == 36


class _Map:
    """uuid -> key for one kind of row, refreshed when the table's highest id has moved."""

    def __init__(self) -> None:
        self.mark: object = None
        self.ids: dict[str, object] = {}


_MAPS: dict[tuple[str, str], _Map] = {}
_LOCK = threading.Lock()


def _lookup(session: Session, kind: str, wanted: str) -> object | None:
    url = str(session.get_bind().url)
    with _LOCK:
        table = _MAPS.setdefault((url, kind), _Map())
    if kind == "package":
        mark = session.exec(select(func.max(Dataset.id))).one()
    elif kind == "resource":
        mark = session.exec(select(func.max(Resource.id))).one()
    else:
        mark = session.exec(select(func.max(Department.id))).one()
    if mark != table.mark:
        if kind == "package":
            ids = {package_id(n): n for n in session.exec(select(Dataset.name)).all()}
        elif kind == "resource":
            rows = session.exec(select(Dataset.name, Resource.name).join(Dataset, Resource.dataset_id == Dataset.id))
            ids = {resource_id(d, r): (d, r) for d, r in rows.all()}
        else:
            ids = {organization_id(n): n for n in session.exec(select(Department.name)).all()}
        with _LOCK:
            table.ids, table.mark = ids, mark
    return table.ids.get(wanted)


def package_name_for_id(session: Session, value: str) -> str | None:
    """The dataset name whose package UUID is ``value``, if any."""
    found = _lookup(session, "package", value) if looks_like_uuid(value) else None
    return found if isinstance(found, str) else None


def resource_key_for_id(session: Session, value: str) -> tuple[str, str] | None:
    """(dataset name, resource name) of the resource whose UUID is ``value``, if any."""
    found = _lookup(session, "resource", value) if looks_like_uuid(value) else None
    return found if isinstance(found, tuple) else None


def organization_name_for_id(session: Session, value: str) -> str | None:
    found = _lookup(session, "organization", value) if looks_like_uuid(value) else None
    return found if isinstance(found, str) else None
