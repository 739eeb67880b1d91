"""Settings of a node that may run beside others: scaled mode needs ODP_SECRET_KEY, and client IPs come from
X-Forwarded-For only when the peer is one of ODP_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from catalog.accounts.keys import server_secret
from catalog.config import ConfigurationError, Settings, get_settings
from portal.app import create_app

LIST = "/api/v1/datasets"


def test_scaled_mode_is_a_catalog_in_a_shared_database(tmp_path):
    embedded = Settings(data_dir=tmp_path)
    shared = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://odp@db.internal/odp")
    assert not embedded.scaled_mode and shared.scaled_mode
    assert not Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0").scaled_mode  # one machine's SQLite
    assert server_secret(embedded)  # generated into the data dir
    with pytest.raises(ConfigurationError, match="ODP_SECRET_KEY must be set"):
        server_secret(shared)
    assert server_secret(shared.model_copy(update={"secret_key": "s" * 40})) == b"s" * 40


def test_a_node_of_a_shared_catalog_refuses_to_start_without_the_secret(settings, monkeypatch):
    monkeypatch.setenv("ODP_DATABASE_URL", "postgresql+psycopg://odp@127.0.0.1:1/none")
    monkeypatch.delenv("ODP_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="ODP_SECRET_KEY"):
        create_app()  # before any connection to the database is tried
    get_settings.cache_clear()


@pytest.mark.parametrize("value", ["10.0.0.0/8, 127.0.0.1", "::1", ""])
def test_trusted_proxies_are_addresses_or_networks(tmp_path, value):
    assert Settings(data_dir=tmp_path, trusted_proxies=value).trusted_proxies == value


def test_a_trusted_proxy_setting_that_is_not_an_address_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="not an IP address or CIDR"):
        Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/8,proxy.internal")


@pytest.mark.parametrize(("trusted", "separate_clients"), [("10.0.0.0/24", True), ("", False), ("10.9.0.0/16", False)])
def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(settings, monkeypatch, trusted, separate_clients):
    monkeypatch.setenv("ODP_RATE_LIMITS", "anonymous=2/minute")
    monkeypatch.setenv("ODP_TRUSTED_PROXIES", trusted)
    get_settings.cache_clear()
    with TestClient(create_app(), client=("10.0.0.5", 40000)) as proxy:
        first = [proxy.get(LIST, headers={"X-Forwarded-For": "203.0.113.1"}).status_code for _ in range(2)]
        # A client that forges its own X-Forwarded-For: the proxy appends the address it saw.
        other = proxy.get(LIST, headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.2"}).status_code
    get_settings.cache_clear()
    assert first == [200, 200]
    assert other == (200 if separate_clients else 429)  # behind a trusted proxy, 198.51.100.2 has its own count
