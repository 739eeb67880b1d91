"""The CKAN harvester fails closed on open classes: Chinese labels and case variants map to ours, an unknown
value fails its package (and nothing of it is downloaded), and a ``"private": true`` package is never open.
A loopback stub CKAN site serves the packages."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.datasets.queries import get_dataset
from catalog.db import session_scope
from harvesters.base import run_harvest
from harvesters.ckan import CkanHarvester
from tests.support.servers import StubCkan, paged_search

# name: (open_class extra or None for none, private flag, expected open class or None for a failed package)
CASES: dict[str, tuple[str | None, bool, str | None]] = {
    "zh-open": ("无条件开放", False, "open"),
    "en-open-upper": (" OPEN ", False, "open"),
    "zh-conditional": ("有条件开放", False, "conditional"),
    "en-conditional-title": ("Conditional", False, "conditional"),
    "restricted": ("restricted", False, "conditional"),
    "zh-closed": ("非开放", False, "closed"),
    "en-closed-upper": ("CLOSED", False, "closed"),
    "private-label": ("Private", False, "closed"),
    "non-public": ("non-public", False, "closed"),
    "no-extra": (None, False, "open"),
    "private-no-extra": (None, True, "closed"),
    "private-open": ("open", True, "closed"),
    "private-conditional": ("有条件开放", True, "conditional"),
    "unknown-value": ("semi-open", False, None),
    "unknown-private": ("半开放", True, None),
}


def package(index: int, name: str, extra: str | None, private: bool, base: str) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}", "name": name, "title": f"开放属性测试 {name}",
        "notes": "", "state": "active", "private": private,
        "metadata_modified": "2024-01-01T00:00:00.000000", "metadata_created": "2024-01-01T00:00:00.000000",
        "organization": {"name": "jtw", "title": "上海市交通委员会"}, "groups": [], "tags": [],
        "extras": [{"key": "open_class", "value": extra}] if extra is not None else [],
        "resources": [{"id": f"r-{index}", "name": "数据", "format": "CSV", "url": f"{base}/files/{name}.csv"}],
    }


class CountingStub(StubCkan):
    """The stub CKAN site, remembering which files were downloaded."""

    def __init__(self) -> None:
        super().__init__()
        self.downloaded: list[str] = []

    def handler(self):
        base, stub = super().handler(), self

        class Handler(base):  # type: ignore[misc,valid-type]
            def do_GET(self) -> None:
                if self.path.startswith("/files/"):
                    stub.downloaded.append(self.path)
                super().do_GET()

        return Handler


@pytest.fixture
def harvested(settings):
    stub = CountingStub()
    with stub.serve():
        packages = [package(i, name, *case[:2], stub.url) for i, (name, case) in enumerate(CASES.items())]
        stub.files = {f"/files/{name}.csv": f"id,name\n1,{name}\n".encode() for name in CASES}
        stub.actions["package_search"] = paged_search(packages)
        result = run_harvest(CkanHarvester(stub.url, settings, default_domain="transport"), settings=settings)
    return result, stub


def test_open_classes_map_and_unknown_values_fail_alone(settings, harvested):
    result, stub = harvested
    assert result.job.status == "finished", result.job.message
    names = {package(i, name, None, False, "")["id"]: name for i, name in enumerate(CASES)}
    failed = {names[e["item"]]: e["message"] for e in result.tally.errors}
    assert set(failed) == {name for name, case in CASES.items() if case[2] is None}, failed
    assert all("is not a known open class" in message for message in failed.values())
    with session_scope(settings) as session:
        for name, (_, _, expected) in CASES.items():
            if expected is not None:
                assert get_dataset(session, name).dataset.open_class == expected, name
    assert "/files/unknown-value.csv" not in stub.downloaded  # a failing package's data is not fetched
    assert "/files/zh-open.csv" in stub.downloaded
