"""A corpus of hostile data packages: one small package per way a publisher's folder has crashed a harvest.

Each case is a ``HostileCase``: a folder name, a builder that writes the package, and a piece of the message
the harvest must report for it (a message a publisher can act on, not an exception's repr). Add a case by
appending to ``CASES``; ``build_corpus`` writes every case plus the good packages ``GOOD`` (one of them,
``zzz-good``, sorts after every case, so a harvest that stops early is caught).

``CORPUS_SETTINGS`` are the settings the corpus expects on top of the test's own (a small resource cap, so
the too-many-resources case stays small).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.packages import PARKING_SCHEMA, write_package

CORPUS_SETTINGS: dict[str, Any] = {"max_resources_per_package": 4, "item_timeout": 3}
GOOD = ("good-a", "zzz-good")


@dataclass(frozen=True)
class HostileCase:
    folder: str
    build: Callable[[Path, str], Path]  # (corpus folder, package folder name) -> package folder
    expect: str  # part of the per-item failure message


def deeply_nested(depth: int) -> str:
    """JSON text of ``depth`` nested lists, ``[[[…]]]``, written without recursion."""
    return "[" * depth + "]" * depth


def _raw_descriptor(pkg: Path, patch: Callable[[str], str]) -> Path:
    """Rewrite the package's datapackage.json text through ``patch`` (for JSON no dict can express)."""
    descriptor = pkg / "datapackage.json"
    descriptor.write_text(patch(descriptor.read_text(encoding="utf-8")), encoding="utf-8")
    return pkg


def nested_descriptor(folder: Path, name: str, depth: int = 100_000) -> Path:
    pkg = write_package(folder, name, x="NESTED")
    return _raw_descriptor(pkg, lambda text: text.replace('"NESTED"', deeply_nested(depth)))


def nested_schema_file(folder: Path, name: str, depth: int = 100_000) -> Path:
    pkg = write_package(folder, name, resource={"schema": "schema.json"})
    (pkg / "schema.json").write_text('{"fields": [], "x": ' + deeply_nested(depth) + "}", encoding="utf-8")
    return pkg


def many_resources(folder: Path, name: str) -> Path:
    pkg = write_package(folder, name)
    count = CORPUS_SETTINGS["max_resources_per_package"] + 1
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [
        {"name": f"table-{i}", "path": "data/table.csv", "format": "csv", "schema": PARKING_SCHEMA}
        for i in range(count)
    ]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return pkg


def backtracking_pattern(folder: Path, name: str) -> Path:
    """A schema pattern that backtracks for ever in Python's re, and the cell that sets it off: only the
    item time budget (a killed worker) ends it."""
    schema = {"fields": [{"name": "code", "type": "string", "constraints": {"pattern": "(a+)+$"}}]}
    return write_package(folder, name, csv="code\n" + "a" * 34 + "!\n", resource={"schema": schema})


def _metadata(**metadata: Any) -> Callable[[Path, str], Path]:
    return lambda folder, name: write_package(folder, name, **metadata)


def _resource(**resource: Any) -> Callable[[Path, str], Path]:
    return lambda folder, name: write_package(folder, name, resource=resource)


CASES: list[HostileCase] = [
    HostileCase("h-nested-descriptor", nested_descriptor, "nests lists or objects deeper than 64 levels"),
    HostileCase("h-nested-schema-file", nested_schema_file, "schema nests lists or objects deeper than 64"),
    HostileCase("h-keywords-number", _metadata(keywords=5), "'keywords' must be a list of strings"),
    HostileCase("h-licenses-number", _metadata(licenses=5), "'licenses' must be a list of objects"),
    HostileCase(
        "h-created-before-year-1",
        _metadata(created="0001-01-01T00:00:00+14:00"),
        "created '0001-01-01T00:00:00+14:00' is not a usable ISO 8601 date",
    ),
    HostileCase("h-schema-fields-string", _resource(schema={"fields": "abc"}), "'fields' must be a list"),
    HostileCase("h-resource-name-traversal", _resource(name="../../x"), "name '../../x' must be 1-100"),
    HostileCase("h-resource-name-markup", _resource(name="表/<script>"), "name '表/<script>' must be 1-100"),
    HostileCase("h-resource-name-dotdot", _resource(name=".."), "name '..' must be 1-100"),
    HostileCase("h-too-many-resources", many_resources, "resources, above the limit of 4"),
    HostileCase("h-title-list", _metadata(title=["标题"]), "'title' must be a string or a number, not a list"),
    HostileCase("h-contact-number", _metadata(contact=5), "'contact' must be an object or a string"),
    HostileCase(
        "h-schema-field-without-name",
        _resource(schema={"fields": [{"type": "integer"}]}),
        "field #1 needs a 'name'",
    ),
    HostileCase(
        "h-resources-of-numbers", _metadata(resources=[5]), "resource #1 must be an object, not a number"
    ),
    HostileCase(
        "h-title-too-long", _metadata(title="一" * 100_000), "title is 100,000 characters, above the limit of 500"
    ),
    HostileCase("h-pattern-backtracks", backtracking_pattern, "took longer than ODP_ITEM_TIMEOUT=3s"),
]


def build_corpus(folder: Path, cases: list[HostileCase] | None = None) -> dict[str, HostileCase]:
    """Write every case and the good packages into ``folder``; return the cases by their identifier."""
    for good in GOOD:
        write_package(folder, good, x_nested=json.loads(deeply_nested(10)))  # nesting within the bound
    built = {}
    for case in CASES if cases is None else cases:
        case.build(folder, case.folder)
        built[f"{case.folder}/datapackage.json"] = case
    return built
