"""No module compares an open class or a state with a string literal: visibility is decided in catalog/access.py,
and everywhere else states are ``StrEnum`` members (catalog/vocabulary.py), so a typo is an AttributeError
instead of a comparison that is silently never true.

The scan covers catalog/, harvesters/ and portal/ (Python and templates), except the policy, the enum definitions
and the migrations (schema history). It flags ``x.state == "…"``, ``"…" != status``, ``open_class in ("…", …)``
and ``status="…"``; the synthetic texts below show each form is caught and the allowed forms are not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("catalog", "harvesters", "portal")
ALLOWED = {Path("catalog/access.py"), Path("catalog/vocabulary.py")}
SKIPPED_DIRS = {Path("catalog/migrations")}

_SUBJECT = r"(?:\bopen_class|\bstate|\bstatus|\bvalidation_status)\b"
_LITERAL = r"""(?:"[^"\n]*"|'[^'\n]*')"""
FORBIDDEN = [
    re.compile(rf"{_SUBJECT}\s*(?:==|!=)\s*{_LITERAL}"),  # ds.state == "active"
    re.compile(rf"{_LITERAL}\s*(?:==|!=)\s*[\w.\[\]]*{_SUBJECT}"),  # "closed" != ds.open_class
    re.compile(rf"{_SUBJECT}\s+(?:not\s+)?in\s*[(\[{{]\s*{_LITERAL}"),  # status in ("invalid", "error")
    re.compile(rf"{_SUBJECT}\s*=\s*{_LITERAL}"),  # job.status = "failed", HarvestJob(status="running")
]


def offences(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in FORBIDDEN)]


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.suffix not in (".py", ".html") or relative in ALLOWED:
                continue
            if any(relative.is_relative_to(skipped) for skipped in SKIPPED_DIRS):
                continue
            files.append(path)
    return files


def test_the_scan_sees_the_code_and_the_templates():
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert {"catalog/datasets/queries.py", "portal/templates/dataset.html", "harvesters/ckan.py"} <= names
    assert "catalog/access.py" not in names


def test_no_state_or_open_class_is_compared_with_a_literal():
    found = {p.relative_to(ROOT).as_posix(): hits for p in scanned_files()
             if (hits := offences(p.read_text(encoding="utf-8")))}
    assert not found, (
        "compare with catalog.vocabulary's enum members, and ask catalog/access.py whether a dataset is "
        f"listed or readable: {found}"
    )


@pytest.mark.parametrize("line", [
    'if ds.open_class == "open":',
    "    .where(Dataset.state == 'active')",
    '{% if ds.open_class == "conditional" %}',
    '{% if r.current.validation_status == "valid" %}',
    'if "closed" != dataset.open_class:',
    'if view.validation_status in ("invalid", "error"):',
    'if job.status not in ["running"]:',
    'job.status = "failed"',
    'HarvestJob(source_id=source.id, status="running")',
])
def test_a_literal_comparison_is_caught(line):
    assert offences(line) == [line.strip()]


@pytest.mark.parametrize("line", [
    "if ds.open_class == OpenClass.open:",
    "    .where(Dataset.state == DatasetState.active)",
    "{% if access.data_readable %}",
    "{% if r.current.validation_status == ValidationStatus.valid %}",
    'assert response.status_code == 404',
    '"state": "active",  # CKAN\'s own dict vocabulary: output, not a comparison',
    'FACETS = ("domain", "open_class", "update_frequency")',
    'if name == "open_class":',
])
def test_allowed_forms_pass(line):
    assert offences(line) == []
