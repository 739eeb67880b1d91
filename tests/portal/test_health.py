"""Operations basics: /healthz, /readyz (portal/health.py) and what ``odp serve`` says when it starts
(portal/cli/serve.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from catalog.config import get_settings
from portal.cli.serve import describe_database
from tests.support.catalog import copy_catalog, use_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog_copy(sample_catalog, tmp_path) -> Iterator:
    with copy_catalog(sample_catalog, tmp_path / "var") as copy, use_catalog(copy):
        yield copy


@pytest.fixture
def client(catalog_copy) -> Iterator[TestClient]:
    from portal.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_healthz_and_readyz_answer_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "index": "ok", "files": "ok"}}
    assert ready.headers["cache-control"] == "no-store"
    assert client.head("/readyz").status_code == 200


def test_readyz_names_a_missing_index_and_file_store(client, catalog_copy):
    shutil.rmtree(catalog_copy.index_dir)
    shutil.rmtree(catalog_copy.files_dir)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable" and sorted(body["failed"]) == ["files", "index"]
    assert body["checks"]["database"] == "ok"
    assert str(catalog_copy.data_dir) not in ready.text  # no server path in a public answer
    assert client.get("/healthz").status_code == 200  # the process is still up


def test_readyz_names_an_unreachable_database(client, monkeypatch):
    settings = get_settings()
    broken = "postgresql+psycopg://odp:s3cret-pw@127.0.0.1:1/nothing?connect_timeout=2"
    monkeypatch.setattr("portal.health.get_settings",
                        lambda: settings.model_copy(update={"database_url": broken}))
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["failed"] == ["database"]
    assert "s3cret-pw" not in ready.text


def test_the_database_is_shown_without_its_password():
    shown = describe_database("postgresql+psycopg://odp:s3cret-pw@db.example:5432/odp")
    assert "s3cret-pw" not in shown and "db.example:5432/odp" in shown and "***" in shown


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ODP_DATA_DIR": str(data_dir)}
    env.pop("ODP_PUBLIC_URL", None)
    env.pop("ODP_DATABASE_URL", None)
    return subprocess.Popen([str(Path(sys.executable).parent / "odp"), "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_serve_says_serving_on_only_once_the_port_answers(tmp_path):
    port = _free_port()
    process = _serve(tmp_path / "var", port)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "serving on" not in line:
            assert time.monotonic() < deadline and process.poll() is None, "odp serve did not start"
            line = process.stdout.readline()
        # Printed only after the bind: the port answers at once, no retry.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json() == {"status": "ok"}
        assert f"port {port}" in line
        assert f"catalog {(tmp_path / 'var').resolve()}" in line
        assert "database sqlite:///" in line and f"index {(tmp_path / 'var' / 'index').resolve()}" in line
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_on_a_taken_port_never_says_serving_on(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _serve(tmp_path / "var", taken.getsockname()[1])
        output, _ = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "serving on" not in output
