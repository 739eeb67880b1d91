"""The docs keep up with the code: every ``ODP_`` setting, every ``odp`` command and every ``/api/v1`` route
appears somewhere in ``docs/*.md``.

The lists come from the code itself (the fields of ``Settings``, the typer app, the FastAPI route table), so a new
setting, command or route fails here until it is documented. A route counts as documented when its whole path
appears, each placeholder in braces under any name (``{name}`` or ``{dataset}``) or filled in by an example.
"""

from __future__ import annotations

import re
from typing import Any
from unittest.mock import patch

import pytest
import typer

from catalog.config import Settings
from portal.app import create_app
from portal.cli import app as cli_app
from tests.support.catalog import ROOT

DOCS = ROOT / "docs"


def docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.glob("*.md")))


def settings_names() -> list[str]:
    return sorted(f"ODP_{name.upper()}" for name in Settings.model_fields)


def commands(group: Any, prefix: str = "odp") -> list[str]:
    """Every command line of the CLI, group by group: ``odp harvest``, ``odp db upgrade``…"""
    found = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        found.append(f"{prefix} {name}")
        if hasattr(command, "commands"):  # a group (typer ships its own click: no isinstance)
            found.extend(commands(command, f"{prefix} {name}"))
    return found


def cli_commands() -> list[str]:
    root = typer.main.get_command(cli_app)
    return commands(root) if hasattr(root, "commands") else ["odp"]


def route_paths(routes: list[Any]) -> set[str]:
    """The full path of every route, through included routers (FastAPI keeps those as one entry each)."""
    paths = set()
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            paths.update(context.path for context in (contexts() if callable(contexts) else contexts))
        elif getattr(route, "path", None):
            paths.add(route.path)
    return paths


def api_routes() -> list[str]:
    with patch("portal.app.init_db"):  # the route table only: no catalog DB is opened at collection time
        paths = route_paths(create_app().routes)
    return sorted(path for path in paths if path.startswith("/api/v1/") or path == "/api/v1")


def route_pattern(path: str) -> re.Pattern[str]:
    """The route as it may be written in the docs: each ``{…}`` under any name or as a real value (a curl example
    of ``/api/v1/schemas/parking-lot`` documents ``/api/v1/schemas/{name}``), and nothing more after it."""
    parts = re.split(r"\{[^}]+\}", path)
    body = r"(?:\{[^}/\s]+\}|[^/\s{}?#'\"`)<>…]+)".join(re.escape(part) for part in parts)
    return re.compile(body + r"(?![\w/{-])")


def command_pattern(command: str) -> re.Pattern[str]:
    return re.compile(re.escape(command) + r"(?![\w-])")


DOCUMENTED = docs_text()


def test_there_is_something_to_check():
    assert len(settings_names()) >= 10 and len(cli_commands()) >= 5 and len(api_routes()) >= 10


@pytest.mark.parametrize("name", settings_names())
def test_every_setting_is_documented(name):
    assert re.search(re.escape(name) + r"(?!\w)", DOCUMENTED), f"{name} appears in no docs/*.md"


def test_the_deploy_page_lists_every_setting_once():
    """docs/deploy.md's settings table is the reference of every ODP_ setting: none missing, none stale."""
    page = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `(ODP_[A-Z0-9_]+)` \|", page, re.MULTILINE)
    assert sorted(listed) == settings_names()


@pytest.mark.parametrize("command", cli_commands())
def test_every_command_is_documented(command):
    assert command_pattern(command).search(DOCUMENTED), f"`{command}` appears in no docs/*.md"


@pytest.mark.parametrize("path", api_routes())
def test_every_api_route_is_documented(path):
    assert route_pattern(path).search(DOCUMENTED), f"{path} appears in no docs/*.md"


@pytest.mark.parametrize(("pattern", "text", "found"), [
    (route_pattern("/api/v1/datasets/{name}"), "GET /api/v1/datasets/{dataset} gives", True),
    (route_pattern("/api/v1/datasets/{name}"), "GET /api/v1/datasets/{name}/resources", False),
    (route_pattern("/api/v1/datasets"), "see /api/v1/datasets/{name}", False),
    (route_pattern("/api/v1/schemas/{name}"), "curl 'http://h/api/v1/schemas/parking-lot'", True),
    (route_pattern("/api/v1/schemas/{name}"), "curl 'http://h/api/v1/schemas'", False),
    (route_pattern("/api/v1/datasets/{name}/resources/{resource}/rows.csv"), "'…/resources/parking-lots/rows.csv'",
     False),
    (route_pattern("/api/v1/search"), "`/api/v1/search?q=停车`", True),
    (command_pattern("odp db"), "run `odp db upgrade`", True),
    (command_pattern("odp harvest"), "odp harvest-ckan", False),
])
def test_the_checks_can_fail(pattern, text, found):
    assert bool(pattern.search(text)) is found
