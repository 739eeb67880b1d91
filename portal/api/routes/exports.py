"""A dataset as a Frictionless Data Package (``catalog/exports/datapackage.py``). Metadata, shown wherever the
dataset's metadata is: for 有条件开放 data its ``path`` URLs answer 403 unless the caller holds a grant."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from catalog.exports.datapackage import datapackage
from catalog.exports.records import Urls, listed_entry

from ...deps import SessionDep, SettingsDep
from ..models import DataPackage, error_responses

router = APIRouter(tags=["catalog 目录"])


@router.get("/datasets/{name}/datapackage.json", summary="The dataset as a Frictionless Data Package",
            response_model=DataPackage, response_model_exclude_none=True,
            responses=error_responses(400, 404, 410, 422))
def dataset_datapackage(name: str, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    entry = listed_entry(session, name)  # 404 closed, 410 withdrawn
    body = DataPackage.model_validate(datapackage(entry, Urls(settings.public_base_url)))
    return JSONResponse(body.model_dump(mode="json", by_alias=True, exclude_none=True))
