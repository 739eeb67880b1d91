"""Accounts for tests: cheap Argon2, and a person holding a grant (or a revoked, expired one) in one call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from catalog.accounts import applications, keys, users
from catalog.config import Settings
from catalog.models import AccessGrant, Account, utcnow
from catalog.vocabulary import Role

PASSWORD = "correct horse battery"


def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost (call before the settings are read)."""
    monkeypatch.setenv("ODP_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("ODP_PASSWORD_MEMORY_KIB", "64")


def account(session: Session, settings: Settings, email: str, role: Role = Role.user,
            departments: tuple[str, ...] = ()) -> Account:
    return users.create_account(session, email, email.split("@")[0], PASSWORD, settings, role=role,
                                departments=departments)


def admin(session: Session, settings: Settings) -> Account:
    found = users.by_email(session, "admin@example.org")
    return found or account(session, settings, "admin@example.org", Role.admin)


def granted(session: Session, settings: Settings, who: Account, dataset: str, days: int = 30) -> int:
    """Apply for the dataset as ``who`` and approve as an admin; the application's id."""
    application = applications.apply(session, who, dataset, settings, purpose="研究", scenario="交通分析",
                                     organization="某大学", days=days, accept_agreement=True)
    applications.approve(session, admin(session, settings), application.id)
    return application.id  # type: ignore[return-value]


def expire_grant(session: Session, application_id: int) -> None:
    grant = session.exec(select(AccessGrant).where(AccessGrant.application_id == application_id)).one()
    grant.expires = utcnow() - timedelta(seconds=1)
    session.add(grant)


def new_key(session: Session, settings: Settings, who: Account, name: str = "test") -> str:
    return keys.create_key(session, who, name, settings).key


def logged_in(application, email: str, password: str = PASSWORD):
    """A TestClient (not following redirects) logged in on the pages as ``email``, through the login form."""
    import re

    from fastapi.testclient import TestClient

    client = TestClient(application, follow_redirects=False)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"csrf_token": csrf, "email": email, "password": password}).status_code == 303
    return client
