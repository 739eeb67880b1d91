"""The business functions behind the account pages: registration that does not tell a taken email, the login
throttle's window (a fake clock, never the wall clock), and the data-use agreement's text."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from catalog import db
from catalog.accounts import overview, users
from catalog.accounts.throttle import LoginThrottle
from tests.support.accounts import PASSWORD, cheap_hashing


@pytest.fixture
def cheap(monkeypatch):
    cheap_hashing(monkeypatch)


def test_register_returns_none_for_a_taken_email(cheap, settings):
    with Session(db.get_engine(settings)) as session:
        made = users.register(session, "A@Example.org", "甲", PASSWORD, settings)
        assert made is not None and made.email == "a@example.org"
        assert users.register(session, "a@example.org", "乙", "another password", settings) is None
        assert users.authenticate(session, "a@example.org", PASSWORD, settings) is not None
        for bad in (("not-an-email", "x", PASSWORD), ("b@example.org", "x", "short"), ("b@example.org", " ", PASSWORD)):
            with pytest.raises(users.AccountError):
                users.register(session, *bad, settings)
        # the same refusal whether or not the email is taken
        with pytest.raises(users.AccountError):
            users.register(session, "a@example.org", " ", PASSWORD, settings)


def test_the_throttle_forgets_failures_outside_its_window(settings):
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    limit, window = settings.login_max_failures_account, settings.login_window_seconds
    for _ in range(limit):
        assert not throttle.blocked("u@example.org", "10.0.0.1", settings)
        throttle.failed("U@example.org", "10.0.0.1", settings)
    assert throttle.blocked("u@example.org", "10.0.0.2", settings)  # per account, from any IP
    assert not throttle.blocked("v@example.org", "10.0.0.2", settings)
    now[0] += window + 1
    assert not throttle.blocked("u@example.org", "10.0.0.1", settings)
    throttle.failed("u@example.org", "10.0.0.1", settings)
    throttle.succeeded("u@example.org")
    assert not throttle.blocked("u@example.org", "10.0.0.1", settings)


def test_the_agreement_is_the_default_or_the_configured_file(settings, tmp_path, monkeypatch):
    assert "数据" in overview.agreement_text(settings)
    path = tmp_path / "agreement.txt"
    path.write_text("本部门协议\n第二条", encoding="utf-8")
    monkeypatch.setattr(settings, "agreement_file", path)
    assert overview.agreement_text(settings) == "本部门协议\n第二条"
