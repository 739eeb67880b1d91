"""Quality figures: the portal's statistics and a department's scorecard (catalog/quality/scorecards.py)."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.datasets.queries import get_department
from catalog.quality import scorecards

from ...deps import ClockDep, PrincipalDep, SessionDep, SettingsDep
from ..errors import ApiError
from ..models import error_responses
from ..quality_models import ScorecardPublic, StatsPublic

router = APIRouter(tags=["quality 数据质量"])


@router.get("/stats", summary="Portal statistics: datasets by domain and open class, validation, quality grades,"
            " 及时更新率, PII blocks, downloads by month, harvest failures, department ranking",
            response_model=StatsPublic, response_model_exclude_unset=True, responses=error_responses(400))
def stats(session: SessionDep, settings: SettingsDep, now: ClockDep) -> dict:
    return scorecards.portal_stats(session, now, settings)


@router.get("/departments/{name}/scorecard", summary="A department's scorecard (the /stats figures over its"
            " datasets, each dataset's score and timeliness, data-request response time)",
            response_model=ScorecardPublic, response_model_exclude_unset=True,
            responses=error_responses(400, 404, 422))
def scorecard(name: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep, now: ClockDep) -> dict:
    department = get_department(session, name)
    if department is None:
        raise ApiError(404, "not_found", f"no department named '{name}'")
    internals = scorecards.may_see_internals(session, principal, department)
    return scorecards.department_scorecard(session, department, now, settings, internals=internals)
