"""``odp serve``: run the portal and its APIs under uvicorn.

Every absolute link the portal writes starts with ``ODP_PUBLIC_URL``, never with a request's Host header. When it
is not set, ``serve`` sets it to the bind address in the environment before uvicorn starts, so its worker
processes inherit it, and warns when that address (0.0.0.0, ::) is not one a user can reach.

"serving on …" is printed only once the port is bound and the app loaded (never before: a port already in use
is an error with exit status 1 and no such line). The line names the catalog dir, the database (its password
masked), the index and the port, so an operator sees at once which catalog this server reads.
"""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from catalog.config import ConfigurationError, Settings, check_scaled_mode, get_settings
from catalog.search.indexing import index_location

from .console import console, err, fail
from .context import catalog

log = logging.getLogger("portal.serve")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the portal and its APIs (uvicorn)."""
    import uvicorn
    from uvicorn.supervisors import ChangeReload, Multiprocess

    public_url = _default_public_url(host, port)
    try:
        check_scaled_mode(get_settings())
    except ConfigurationError as exc:
        raise fail(str(exc), code=2) from None
    catalog(ctx).open()
    # proxy_headers=False: uvicorn would trust X-Forwarded-For from 127.0.0.1; ODP_TRUSTED_PROXIES decides (app.py)
    # timeout_worker_healthcheck: uvicorn restarts a worker that has not answered its supervisor's ping within this
    # many seconds (5 by default); a worker still importing the portal on a busy machine takes longer than that and
    # would be restarted again and again
    config = uvicorn.Config("portal.app:create_app", factory=True, host=host, port=port, workers=workers,
                            reload=reload, proxy_headers=False, timeout_worker_healthcheck=30)

    def announce(bound_port: int) -> None:
        line = startup_line(get_settings(), public_url, bound_port)
        log.info(line)
        console.print(line, soft_wrap=True, highlight=False)

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:  # bound and listening: only now say so
                announce(_bound_port(self) or port)

    server = AnnouncingServer(config)
    try:
        if config.should_reload or config.workers > 1:
            sock = config.bind_socket()  # exits with status 1 when the port is taken
            announce(sock.getsockname()[1])
            if config.should_reload:
                ChangeReload(config, target=server.run, sockets=[sock]).run()
            else:
                Multiprocess(config, sockets=[sock]).run()
        else:
            config.load_app()
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        err.print(f"[red]error:[/] the portal did not start on {host}:{port} (see the message above)")
        raise typer.Exit(1)


def _bound_port(server) -> int | None:
    for listener in getattr(server, "servers", []):
        for sock in getattr(listener, "sockets", []) or []:
            return sock.getsockname()[1]
    return None


def describe_database(url: str) -> str:
    """The database URL as it may be shown: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as nothing rather than risk its secret
        return "(unparsable database URL)"


def startup_line(settings: Settings, public_url: str, port: int) -> str:
    return (f"serving on {public_url}  ·  catalog {settings.data_dir.resolve()}  ·  database "
            f"{describe_database(settings.effective_database_url)}  ·  index {index_location(settings)}  ·  "
            f"files {settings.files_url or settings.files_dir.resolve()}  ·  port {port}  ·  API docs: {public_url}/api/docs")


def _default_public_url(host: str, port: int) -> str:
    """ODP_PUBLIC_URL, else the bind address, put in the environment so uvicorn's workers inherit it: every
    absolute link the portal writes starts with it, never with a request's Host header."""
    if not get_settings().public_url:  # set neither in the environment nor in .env
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        os.environ["ODP_PUBLIC_URL"] = f"http://{shown}:{port}"
        if host in ("0.0.0.0", "::", "[::]", ""):
            err.print(f"[yellow]hint:[/] links will start with {os.environ['ODP_PUBLIC_URL']}; set ODP_PUBLIC_URL "
                      "to the address users reach (e.g. ODP_PUBLIC_URL=https://data.example.gov.cn)")
        get_settings.cache_clear()
    return get_settings().public_base_url
