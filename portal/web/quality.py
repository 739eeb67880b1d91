"""The quality pages: /stats (the portal's figures and the ranking of departments) and
/department/{name}/scorecard (one department's). The figures come from catalog/quality/scorecards.py as the
JSON API returns them; this module only adds the charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from catalog.datasets.queries import get_department
from catalog.quality import scorecards
from catalog.quality.rubric import CHECKS, DIMENSIONS, GRADES

from .. import sessions
from ..deps import ClockDep, SessionDep, SettingsDep
from .errors import error_page
from .figures import figure_charts, ranking_chart
from .templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/stats")
def stats(request: Request, session: SessionDep, settings: SettingsDep, now: ClockDep) -> Response:
    figures = scorecards.portal_stats(session, now, settings)
    return templates.TemplateResponse(request, "stats.html", {
        "figures": figures, "charts": figure_charts(figures), "ranking_chart": ranking_chart(figures["ranking"]),
        "checks": CHECKS, "dimensions": DIMENSIONS, "grades": GRADES,
    })


@router.get("/department/{name}/scorecard")
def scorecard(name: str, request: Request, session: SessionDep, settings: SettingsDep, now: ClockDep) -> Response:
    department = get_department(session, name)
    if department is None:
        return error_page(request, 404, message="没有这个数据提供部门。")
    account = sessions.account_of(request, settings, session)
    internals = scorecards.may_see_internals(session, account, department)
    figures = scorecards.department_scorecard(session, department, now, settings, internals=internals)
    response = templates.TemplateResponse(request, "scorecard.html", {
        "department": department, "figures": figures, "charts": figure_charts(figures), "internals": internals,
    })
    if internals:  # names of blocked datasets: never in a shared cache
        response.headers["cache-control"] = "private, no-store"
    return response
