"""The sample-data generator reproduces the committed files byte for byte.

It regenerates into a temporary folder (``--output``), never in place, and compares sha256 file by file with the
files in ``sample_data/``: a generator change that alters any row, descriptor, XLSX timestamp or the README
fails here with the list of files that differ, instead of showing up later as a dirty ``git status``.
No database is touched.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "sample_data"
GENERATOR = SAMPLE_DATA / "generator"
CONTESTS = SAMPLE_DATA / "contests"  # example contests, written by hand (docs/contests.md), not generated


def checksums(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder`` by relative path, leaving out ``skip`` and bytecode caches."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(s in path.parents for s in skip)
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("sample_data")
    subprocess.run(
        [sys.executable, "-m", "sample_data.generator", "--output", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return checksums(out)


@pytest.fixture(scope="module")
def committed() -> dict[str, str]:
    return checksums(SAMPLE_DATA, skip=(GENERATOR, CONTESTS))


def test_same_files(generated, committed):
    assert len(committed) > 90
    assert sorted(generated) == sorted(committed)


def test_same_bytes(generated, committed):
    differ = sorted(name for name in generated.keys() & committed.keys() if generated[name] != committed[name])
    assert differ == []
