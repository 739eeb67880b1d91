"""The dataset a post or a reading is about: only datasets whose metadata is listed (catalog/access.py), so a
closed one is "not found" (404) and a withdrawn one "gone" (410), as on every metadata route."""

from __future__ import annotations

from sqlmodel import Session, select

from catalog import access
from catalog.access import DatasetNotFound
from catalog.models import Dataset


def shown(session: Session, name: str) -> Dataset:
    dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if dataset is None:
        raise DatasetNotFound(f"no dataset named '{name}'")
    access.require_metadata(dataset, name=name)
    return dataset
