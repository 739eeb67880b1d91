"""Harvest Frictionless Data Packages: a folder searched recursively, one ``datapackage.json``, or a zip.

The package's top-level properties carry the catalog metadata (see docs/harvesting.md). Every path a
package names is resolved inside its own folder; anything that would leave it is refused.

A descriptor is untrusted JSON, so its shape is checked here, before anything is built from it: JSON nested
deeper than ``MAX_JSON_DEPTH`` is refused (the parser and every later walk over it recurse), and each
property must have the type the Data Package spec gives it. A number where a list belongs would otherwise
surface as a TypeError somewhere in the catalog; here it becomes a message that names the property.

A source is keyed by its path relative to ``ODP_SOURCE_ROOT`` (the project folder by default) when it lies inside
it, so a moved checkout finds its sources again; a source recorded by absolute path (before this rule) is found
by that path and re-keyed. A folder (or ``datapackage.json``) inside a registered folder source is harvested *as
that source*, and only that part: its packages keep their identifiers, the rest of the source is neither read
nor withdrawn (``partial``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog.config import Settings, get_settings
from catalog.datasets.inputs import DatasetInput, PublisherInput, ResourceInput
from catalog.jobs import rekey_source, sources_of_kind
from catalog.schemas import SchemaNotFound, get_schema
from catalog.vocabulary import OpenClass

from .archive import UnsafeArchive, extract_zip
from .base import HarvestError, HarvestItem, ItemError

DESCRIPTOR = "datapackage.json"
MAX_DESCRIPTOR_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 64  # levels of nested lists/objects; real descriptors and schemas use fewer than ten

# Top-level keys that map onto catalog fields; everything else is kept in the dataset's extras.
MAPPED_KEYS = {
    "name",
    "title",
    "description",
    "keywords",
    "licenses",
    "version",
    "created",
    "domain",
    "publisher",
    "update_frequency",
    "open_class",
    "temporal_coverage",
    "spatial_coverage",
    "contact",
    "resources",
}


def source_key(path: Path, settings: Settings) -> str:
    """How a folder or zip source is keyed: its path relative to ``ODP_SOURCE_ROOT`` when inside it."""
    root = settings.source_root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def source_path(url: str, settings: Settings) -> Path:
    """The folder (or file) a datapackage source's key names."""
    path = Path(url)
    return (path if path.is_absolute() else settings.source_root / path).resolve()


class DataPackageHarvester:
    kind = "datapackage"

    def __init__(self, path: Path, settings: Settings | None = None):
        self.path = Path(path).resolve()
        self.settings = settings or get_settings()
        self.source_url = source_key(self.path, self.settings)
        self._root: Path | None = None
        self.source_folder: Path | None = None  # set when self.path is part of a registered folder source
        self.partial = False  # True: only part of the source is gathered, so nothing may be withdrawn

    def claim_source(self, session: Session) -> None:
        """Before the harvest: settle which registered source this is (see the module docstring)."""
        registered = sources_of_kind(session, self.kind)
        if any(source.url == self.source_url for source in registered):
            return
        for source in registered:
            if source.url == str(self.path):  # recorded by absolute path: keep it, under the relative key
                rekey_source(session, source, self.source_url)
                return
        if self.source_url != str(self.path):  # inside the root: maybe recorded before the checkout moved
            key_parts = Path(self.source_url).parts
            moved = [
                source for source in registered
                if Path(source.url).is_absolute() and Path(source.url).parts[-len(key_parts):] == key_parts
                and not Path(source.url).exists()
            ]
            if len(moved) == 1:  # one vanished absolute path ending in this key: that checkout, moved here
                rekey_source(session, moved[0], self.source_url)
                return
        if self.path.suffix.lower() == ".zip" or not self.path.exists():
            return
        containing = [
            (folder, source)
            for source in registered
            if (folder := source_path(source.url, self.settings)).is_dir() and self.path.is_relative_to(folder)
        ]
        if containing:  # the innermost registered folder that holds this path
            folder, source = max(containing, key=lambda pair: len(pair[0].parts))
            self.source_url, self.source_folder, self.partial = source.url, folder, True

    @contextmanager
    def open(self) -> Iterator[list[HarvestItem]]:
        if not self.path.exists():
            raise HarvestError(f"{self.path} does not exist")
        if self.source_folder is not None:  # part of a folder source: identifiers relative to that source
            if self.path.is_file() and self.path.name != DESCRIPTOR:
                raise HarvestError(f"{self.path.name} is neither a folder nor a {DESCRIPTOR}")
            within = self.path.parent if self.path.is_file() else self.path
            items = self._gather(self.source_folder, within)
            yield [i for i in items if not self.path.is_file() or i.identifier == self._identifier(self.path)]
            return
        if self.path.is_file() and self.path.suffix.lower() == ".zip":
            with tempfile.TemporaryDirectory(prefix="odp-zip-") as tmp:
                try:
                    extract_zip(self.path, Path(tmp), self.settings)
                except UnsafeArchive as exc:
                    raise HarvestError(str(exc)) from exc
                yield self._gather(Path(tmp))
            return
        if self.path.is_file():
            if self.path.name != DESCRIPTOR:
                raise HarvestError(f"{self.path.name} is neither a folder, a {DESCRIPTOR} nor a .zip")
            self._root = self.path.parent
            yield [HarvestItem(identifier=DESCRIPTOR, label=self.path.parent.name)]
            return
        yield self._gather(self.path)

    def _identifier(self, descriptor: Path) -> str:
        assert self.source_folder is not None
        return descriptor.relative_to(self.source_folder).as_posix()

    def _gather(self, root: Path, within: Path | None = None) -> list[HarvestItem]:
        self._root = root
        found = sorted(
            p
            for p in (within or root).rglob(DESCRIPTOR)
            if not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
        return [
            HarvestItem(
                identifier=p.relative_to(root).as_posix(), label=p.parent.relative_to(root).as_posix() or "."
            )
            for p in found
        ]

    def fetch(self, item: HarvestItem) -> DatasetInput:
        assert self._root is not None, "fetch() is called inside open()"
        descriptor_path = self._root / item.identifier
        return read_package(descriptor_path, self.settings)


def read_package(descriptor_path: Path, settings: Settings) -> DatasetInput:
    """Read one ``datapackage.json`` into a DatasetInput, or raise ItemError saying what is wrong."""
    package_dir = descriptor_path.parent.resolve()
    descriptor = _load_json(descriptor_path, what=DESCRIPTOR)
    if not isinstance(descriptor, dict):
        raise ItemError(f"{DESCRIPTOR} must hold a JSON object")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise ItemError(f"{DESCRIPTOR} has no 'resources' list")
    if len(resources) > settings.max_resources_per_package:
        raise ItemError(
            f"the package has {len(resources):,} resources, above the limit of "
            f"{settings.max_resources_per_package:,} per dataset"
        )

    publisher = _publisher(descriptor)
    return DatasetInput(
        name=_text(descriptor, "name") or "",
        title=_text(descriptor, "title") or "",
        description=_text(descriptor, "description") or "",
        domain=_text(descriptor, "domain") or "",
        publisher=publisher,
        keywords=_keywords(descriptor.get("keywords")),
        licenses=_licenses(descriptor.get("licenses")),
        version=_text(descriptor, "version"),
        created=_text(descriptor, "created", numbers=False),
        update_frequency=_text(descriptor, "update_frequency"),
        open_class=_text(descriptor, "open_class") or OpenClass.open,
        temporal_coverage=_text(descriptor, "temporal_coverage"),
        spatial_coverage=_text(descriptor, "spatial_coverage"),
        contact=_contact(descriptor.get("contact")),
        extras={k: v for k, v in descriptor.items() if k not in MAPPED_KEYS},
        resources=[_resource(r, i, package_dir, settings) for i, r in enumerate(resources)],
    )


def _load_json(path: Path, what: str) -> Any:
    if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        raise ItemError(f"{what} is larger than {MAX_DESCRIPTOR_BYTES:,} bytes")
    too_deep = ItemError(f"{what} nests lists or objects deeper than {MAX_JSON_DEPTH} levels: refused")
    try:
        value = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ItemError(f"{what} is not UTF-8 text: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ItemError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError:  # the parser gives up long before our bound would be counted
        raise too_deep from None
    if nesting_exceeds(value, MAX_JSON_DEPTH):
        raise too_deep
    return value


def nesting_exceeds(value: Any, limit: int) -> bool:
    """True if lists/objects nest deeper than ``limit`` levels; walked with a stack, never recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), "null")


def _text(obj: dict[str, Any], key: str, where: str = "", *, numbers: bool = True) -> str | None:
    """A property that must be text (or a number, written as text); None when absent or empty."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    kind = "a string or a number" if numbers else "a string"
    raise ItemError(f"{where}'{key}' must be {kind}, not {_json_type(value)}")


def _keywords(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # tolerated: "a, b, c" or "a，b，c"
        value = value.replace("，", ",").split(",")
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ItemError(
            f"'keywords' must be a list of strings or one comma-separated string, not {_json_type(value)}"
            + (" with other values in it" if isinstance(value, list) else "")
        )
    return [k.strip() for k in value if k.strip()]


def _licenses(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(lic, dict) for lic in value):
        raise ItemError(
            "'licenses' must be a list of objects such as [{\"name\": \"CC-BY-4.0\"}], "
            f"not {_json_type(value)}" + (" of other values" if isinstance(value, list) else "")
        )
    return value


def _contact(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        raise ItemError(f"'contact' must be an object or a string, not {_json_type(value)}")
    return value


def _publisher(descriptor: dict[str, Any]) -> PublisherInput:
    pub = descriptor.get("publisher")
    if pub is None:  # a standard package may name its publisher among its contributors
        pub = next(
            (
                c
                for c in descriptor.get("contributors") or []
                if isinstance(c, dict) and c.get("role") == "publisher"
            ),
            None,
        )
    if isinstance(pub, str):
        raise ItemError('publisher must be an object {"name": slug, "title": 中文名}, not a string')
    if not isinstance(pub, dict):
        raise ItemError('publisher is required: {"name": slug, "title": 中文名}')
    return PublisherInput(
        name=_text(pub, "name", "publisher ") or "",
        title=_text(pub, "title", "publisher ") or "",
        title_en=_text(pub, "title_en", "publisher "),
    )


def _inside(package_dir: Path, relative: str, what: str) -> Path:
    """Resolve a package-relative path; refuse URLs, absolute paths and anything leaving the package."""
    if "://" in relative:
        raise ItemError(f"{what} '{relative}' is a URL; only files inside the package are harvested")
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith(("/", "\\")):
        raise ItemError(f"{what} '{relative}' is an absolute path; it must be relative to the package")
    resolved = (package_dir / candidate).resolve()
    if not resolved.is_relative_to(package_dir):
        raise ItemError(f"{what} '{relative}' points outside the package folder: refused")
    if not resolved.is_file():
        raise ItemError(f"{what} '{relative}' does not exist in the package")
    return resolved


def _resource(raw: Any, index: int, package_dir: Path, settings: Settings) -> ResourceInput:
    if not isinstance(raw, dict):
        raise ItemError(f"resource #{index + 1} must be an object, not {_json_type(raw)}")
    name = _text(raw, "name", f"resource #{index + 1} ", numbers=False) or ""
    label = f"resource '{name[:100] or index + 1}'"
    path = raw.get("path")
    if isinstance(path, list):
        raise ItemError(f"{label}: multipart paths are not supported; give one file per resource")
    if not isinstance(path, str) or not path:
        raise ItemError(f"{label} has no 'path' (inline 'data' resources are not harvested)")
    file_path = _inside(package_dir, path, f"{label} path")
    size = file_path.stat().st_size
    if size > settings.max_file_bytes:
        raise ItemError(f"{label} is {size:,} bytes, above the limit of {settings.max_file_bytes:,}")
    schema, schema_ref = _schema(raw.get("schema"), package_dir, label, settings)
    dialect = raw.get("dialect")
    if isinstance(dialect, str):
        dialect = _load_json(_inside(package_dir, dialect, f"{label} dialect"), what=f"{label} dialect")
    if dialect is not None and not isinstance(dialect, dict):
        raise ItemError(f"{label}: 'dialect' must be an object or a relative path, not {_json_type(dialect)}")
    where = f"{label}: "
    return ResourceInput(
        name=name,
        path=file_path,
        title=_text(raw, "title", where),
        description=_text(raw, "description", where),
        format=_text(raw, "format", where, numbers=False) or (file_path.suffix.lstrip(".").lower() or None),
        media_type=_text(raw, "mediatype", where, numbers=False) or _text(raw, "mediaType", where, numbers=False),
        encoding=_text(raw, "encoding", where, numbers=False),
        schema=schema,
        schema_ref=schema_ref,
        dialect=dialect,
        original_filename=Path(path).name,
    )


def _schema(value: Any, package_dir: Path, label: str, settings: Settings) -> tuple[dict | None, str | None]:
    """A schema given inline, as a path inside the package, or as the name of a published schema."""
    if value is None or isinstance(value, dict):
        return value, None
    if not isinstance(value, str):
        raise ItemError(
            f"{label}: 'schema' must be an object, a relative path or a published schema name, "
            f"not {_json_type(value)}"
        )
    if value.endswith(".json") or "/" in value or "\\" in value:
        schema = _load_json(_inside(package_dir, value, f"{label} schema"), what=f"{label} schema")
        if not isinstance(schema, dict):
            raise ItemError(f"{label}: schema file '{value}' must hold a JSON object")
        return schema, None
    try:
        return get_schema(value, settings.schemas_dir).descriptor, value
    except SchemaNotFound as exc:
        raise ItemError(f"{label}: {exc} (published schemas are in schemas/)") from exc
