"""Loopback servers for tests: the portal under uvicorn in a subprocess, and a stub CKAN site in a thread.

Both listen on 127.0.0.1 on a port the OS picks, answer within bounded timeouts, and are stopped by the
fixture that started them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tests.support.catalog import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a subprocess working on ``data_dir`` (and ``database_url``, else SQLite)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODP_")}
    env["ODP_DATA_DIR"] = str(data_dir)
    if database_url:
        env["ODP_DATABASE_URL"] = database_url
        env["ODP_SECRET_KEY"] = TEST_SECRET_KEY  # a shared catalog's nodes need one (catalog/config.py)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # ckanapi's dump workers run `ckanapi`
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def odp(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``odp`` command line in a subprocess."""
    return subprocess.run([str(BIN / "odp"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@contextmanager
def portal_server(env: dict[str, str]) -> Iterator[str]:
    """The portal served by uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"ODP_PUBLIC_URL": url} | env  # what `odp serve` sets: absolute links name the bind address
    log = open(Path(env["ODP_DATA_DIR"]).parent / f"uvicorn-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "uvicorn"), "portal.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the portal server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{url}/api/3/action/site_read", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the portal server did not start within {START_SECONDS} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


# --- a stub CKAN site -----------------------------------------------------------------------------------

Route = Callable[[dict[str, Any]], tuple[int, Any]]


class StubCkan:
    """A tiny CKAN look-alike: ``actions`` answer /api/3/action/<name> (and /api/action/<name>) with the
    envelope; ``files`` maps URL paths to the bytes served there. Request parameters are the query string
    merged with a JSON body. A download of a path in ``hold`` waits until ``release`` is set."""

    def __init__(self) -> None:
        self.actions: dict[str, Route] = {}
        self.files: dict[str, bytes] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.hold: set[str] = set()
        self.held = threading.Event()  # a held file was asked for
        self.release = threading.Event()
        self.url = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _params(self) -> dict[str, Any]:
                query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(urlsplit(self.path).query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    query.update(json.loads(self.rfile.read(length)))
                return query

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                if path in stub.files:
                    if path in stub.hold:
                        stub.held.set()
                        stub.release.wait(timeout=60)
                    return self._send(200, stub.files[path], "application/octet-stream")
                for prefix in ("/api/3/action/", "/api/action/"):
                    if path.startswith(prefix):
                        name = path.removeprefix(prefix)
                        params = self._params()
                        stub.calls.append((name, params))
                        if name not in stub.actions:
                            return self._send(400, b'"Bad request - Action name not known"', "application/json")
                        status, result = stub.actions[name](params)
                        body = {"help": f"{stub.url}/api/3/action/help_show?name={name}", "success": status == 200}
                        body |= {"result": result} if status == 200 else {"error": result}
                        return self._send(status, json.dumps(body).encode(), "application/json;charset=utf-8")
                return self._send(404, b"not found", "text/plain")

            do_POST = do_GET

        return Handler

    @contextmanager
    def serve(self) -> Iterator[StubCkan]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release.set()
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


def paged_search(packages: list[dict[str, Any]]) -> Route:
    """package_search over a fixed list: ``rows``/``start`` paging, ``fl`` projection, ``sort`` ignored
    (the list is kept in id order)."""

    def route(params: dict[str, Any]) -> tuple[int, Any]:
        rows, start = int(params.get("rows", 10)), int(params.get("start", 0))
        chosen = sorted(packages, key=lambda p: p["id"])
        page = chosen[start:start + rows]
        if params.get("fl"):
            fields = str(params["fl"]).replace(",", " ").split()
            page = [{k: p.get(k) for k in fields} for p in page]
        return 200, {"count": len(chosen), "results": page, "facets": {}, "search_facets": {},
                     "sort": params.get("sort", "score desc, metadata_modified desc")}

    return route


@contextmanager
def portal_in_thread() -> Iterator[str]:
    """The portal (create_app() with the current settings) under uvicorn in a thread of this process, on a free
    loopback port; its base URL. For browser tests that also read the catalog directly."""
    import uvicorn

    from portal.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    web = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not web.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        web.should_exit = True
        thread.join(timeout=10)
        sock.close()
