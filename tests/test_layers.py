"""The one-way flow harvesters/ -> catalog/ -> portal/: ``catalog/`` imports nothing from ``harvesters/`` or
``portal/``, and ``harvesters/`` nothing from ``portal/``.

Every module's imports are read with ``ast`` rather than by importing it, so an import inside a function (the
kind that slips in to dodge a cycle) counts as much as one at the top, and a relative import is resolved against
the module's own package before it is judged.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.catalog import ROOT

FORBIDDEN = {"catalog": {"harvesters", "portal"}, "harvesters": {"portal"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports, anywhere in it, as absolute dotted names."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    layer = module.split(".")[0]
    banned = FORBIDDEN.get(layer, set())
    return sorted(name for name in imported_modules(source, module, is_package) if name.split(".")[0] in banned)


def layer_modules() -> list[Path]:
    return sorted(path for layer in FORBIDDEN for path in (ROOT / layer).rglob("*.py"))


def test_every_layer_has_modules_to_check():
    counts = {layer: len(list((ROOT / layer).rglob("*.py"))) for layer in FORBIDDEN}
    assert all(count >= 3 for count in counts.values()), counts


@pytest.mark.parametrize("path", layer_modules(), ids=lambda p: module_name(p))
def test_imports_flow_one_way(path: Path):
    source = path.read_text(encoding="utf-8")
    assert violations(source, module_name(path), path.name == "__init__.py") == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("catalog.db", "from portal.app import create_app\n", ["portal.app", "portal.app.create_app"]),
    ("catalog.db", "def f():\n    import harvesters.base\n", ["harvesters.base"]),
    ("catalog.search.service", "from ...portal import deps\n", ["portal", "portal.deps"]),
    ("harvesters.ckan", "def f():\n    from portal.cli import app\n", ["portal.cli", "portal.cli.app"]),
    ("harvesters.ckan", "from catalog.db import session_scope\nfrom .base import HarvestError\n", []),
    ("catalog.search.service", "from ..datasets import queries\nfrom . import base\n", []),
    ("portal.app", "from harvesters.base import run_harvest\nfrom catalog import db\n", []),
])
def test_the_check_sees_every_kind_of_import(module, source, expected):
    assert violations(source, module) == expected


def test_relative_imports_resolve_from_a_package_init():
    assert imported_modules("from .backend import X\n", "catalog.search.whoosh", is_package=True) >= {
        "catalog.search.whoosh.backend"}
