"""Applications for 有条件开放 data: apply, list, and — for reviewers of the dataset's department and admins —
approve, reject, revoke. The rules live in catalog/accounts/applications.py; this module maps them to HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from catalog import access
from catalog.accounts import applications, totp
from catalog.models import AccessApplication, Account, Dataset, Department
from catalog.vocabulary import ApplicationStatus

from ...deps import PrincipalDep, SessionDep, SettingsDep
from ..errors import ApiError
from ..models import (
    AgreementPublic,
    ApplicationPublic,
    ApplicationRequest,
    ApproveRequest,
    ReasonRequest,
    error_responses,
)
from ..serializers import iso
from .keys import current_account

router = APIRouter(tags=["accounts 账户"])


def application_public(session: Session, application: AccessApplication) -> dict:
    dataset = session.get(Dataset, application.dataset_id)
    grant = applications.grant_of(session, application.id)  # type: ignore[arg-type]
    return {"id": application.id, "dataset": dataset.name if dataset else "", "status": application.status,
            "purpose": application.purpose, "scenario": application.scenario,
            "organization": application.organization, "days": application.days,
            "created": iso(application.created), "decided": iso(application.decided), "reason": application.reason,
            "grant_expires": iso(grant.expires) if grant else None,
            "agreement_sha256": application.agreement_sha256}


def _refused(exc: applications.ApplicationError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


@router.get("/datasets/{name}/agreement", response_model=AgreementPublic, responses=error_responses(400, 404, 410, 422),
            summary="The data-use agreement (数据利用协议) an application for this dataset accepts")
def agreement(name: str, session: SessionDep, settings: SettingsDep) -> dict:
    dataset, shown = applications.agreement_to_accept(session, name, settings)
    department = session.get(Department, dataset.department_id)
    return {"dataset": dataset.name, "department": department.name if department else "",
            "department_title": department.title if department else "",
            "own": shown.department_title is not None, "text": shown.text, "sha256": shown.sha256,
            "required": not access.data_readable(dataset)}


@router.post("/datasets/{name}/applications", status_code=201, response_model=ApplicationPublic,
             summary="Apply for a 有条件开放 dataset", responses=error_responses(400, 401, 403, 404, 409, 422))
def apply(name: str, body: ApplicationRequest, principal: PrincipalDep, session: SessionDep,
          settings: SettingsDep) -> dict:
    account = current_account(principal, session)
    try:
        application = applications.apply(session, account, name, settings, **body.model_dump())
    except applications.ApplicationError as exc:
        raise _refused(exc) from exc
    session.commit()
    return application_public(session, application)


@router.get("/applications", response_model=list[ApplicationPublic], responses=error_responses(400, 401, 422),
            summary="Applications: your own; a reviewer's departments'; an admin's all")
def list_applications(principal: PrincipalDep, session: SessionDep,
                      status: Annotated[ApplicationStatus | None, Query()] = None) -> list[dict]:
    account = current_account(principal, session)
    return [application_public(session, a) for a in applications.visible(session, account, status)]


def _reviewer(principal, session: Session, settings) -> Account:
    """The deciding account; with ODP_REQUIRE_TOTP_FOR_REVIEWERS, one without two-factor login is refused (as
    /review sends it to set TOTP up first), whether it calls with a key or its browser session."""
    actor = current_account(principal, session)
    if totp.setup_required(actor, settings):
        raise ApiError(403, "totp_required", "this portal requires reviewers and admins to turn on two-factor "
                       "login (TOTP) at /account/security before deciding applications")
    return actor


def _decided(session: Session, decide) -> dict:
    try:
        application = decide()
    except applications.ApplicationError as exc:
        raise _refused(exc) from exc
    session.commit()
    return application_public(session, application)


@router.post("/applications/{application_id}/approve", response_model=ApplicationPublic,
             summary="Approve (reviewer of the dataset's department, or admin)",
             responses=error_responses(400, 401, 403, 404, 409, 422))
def approve(application_id: int, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
            body: ApproveRequest | None = None) -> dict:
    actor = _reviewer(principal, session, settings)
    days = body.days if body else None
    return _decided(session, lambda: applications.approve(session, actor, application_id, days))


@router.post("/applications/{application_id}/reject", response_model=ApplicationPublic,
             summary="Reject with a reason", responses=error_responses(400, 401, 403, 404, 409, 422))
def reject(application_id: int, body: ReasonRequest, principal: PrincipalDep, session: SessionDep,
           settings: SettingsDep) -> dict:
    actor = _reviewer(principal, session, settings)
    return _decided(session, lambda: applications.reject(session, actor, application_id, body.reason))


@router.post("/applications/{application_id}/revoke", response_model=ApplicationPublic,
             summary="Revoke an approved application's grant", responses=error_responses(400, 401, 403, 404, 409, 422))
def revoke(application_id: int, body: ReasonRequest, principal: PrincipalDep, session: SessionDep,
           settings: SettingsDep) -> dict:
    actor = _reviewer(principal, session, settings)
    return _decided(session, lambda: applications.revoke(session, actor, application_id, body.reason))
