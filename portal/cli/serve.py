"""``odp serve``: run the portal and its APIs under uvicorn.

Every absolute link the portal writes starts with ``ODP_PUBLIC_URL``, never with a request's Host header. When it
is not set, ``serve`` sets it to the bind address in the environment before uvicorn starts, so its worker
processes inherit it, and warns when that address (0.0.0.0, ::) is not one a user can reach.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from catalog.config import get_settings

from .console import console, err
from .context import catalog


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the portal and its APIs (uvicorn)."""
    import uvicorn

    public_url = _default_public_url(host, port)
    catalog(ctx).open()
    console.print(f"serving on {public_url}  ·  API docs: {public_url}/api/docs")
    uvicorn.run("portal.app:create_app", factory=True, host=host, port=port, workers=workers, reload=reload)


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
