"""Zip archives of packages: harvested when sound, refused whole when hostile."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from harvesters.archive import UnsafeArchive, extract_zip
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.packages import write_package


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return archive


def test_zip_of_packages_is_harvested_and_reharvest_is_idempotent(settings, packages, tmp_path):
    write_package(packages, "parking-a")
    write_package(packages, "parking-b")
    archive = zip_folder(packages, tmp_path / "packages.zip")
    first = run_harvest(DataPackageHarvester(archive, settings), settings=settings)
    assert (first.tally.added, first.tally.failed) == (2, 0)
    again = run_harvest(DataPackageHarvester(archive, settings), settings=settings)
    assert (again.tally.added, again.tally.updated, again.tally.unchanged) == (0, 0, 2)


def test_zip_bomb_is_refused_and_nothing_is_withdrawn(settings, packages, tmp_path):
    write_package(packages, "parking-a")
    archive = zip_folder(packages, tmp_path / "packages.zip")
    assert run_harvest(DataPackageHarvester(archive, settings), settings=settings).tally.added == 1
    # Same archive name, now with a 200 MB member of zeros that compresses to ~200 KB.
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("bomb/data/zeros.csv", "w", force_zip64=True) as member,
    ):
        for _ in range(200):
            member.write(b"\0" * (1024 * 1024))
    result = run_harvest(DataPackageHarvester(archive, settings), settings=settings)
    assert result.job.status == "failed"
    assert "zip bomb" in result.job.message
    assert result.withdrawn == []


def test_zip_over_total_size_limit_is_refused(settings, tmp_path):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.bin", b"x" * 5000)
        zf.writestr("b.bin", b"y" * 5000)
    small = settings.model_copy(update={"max_archive_bytes": 8000})
    with pytest.raises(UnsafeArchive, match="would expand to 10,000 bytes"):
        extract_zip(archive, tmp_path / "out", small)


def test_member_lying_about_its_size_is_stopped(settings, tmp_path):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("data.csv", b"a" * 10_000)
    raw = bytearray(archive.read_bytes())
    # Patch the central directory's uncompressed size (offset 24 in the entry) down to 100 bytes.
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises((UnsafeArchive, zipfile.BadZipFile)):
        extract_zip(archive, tmp_path / "out", settings)
    written = tmp_path / "out" / "data.csv"
    assert not written.exists() or written.stat().st_size <= 100


@pytest.mark.parametrize("member", ["../evil.csv", "/etc/evil.csv", "pkg/../../evil.csv", "C:/evil.csv"])
def test_zip_member_escaping_the_folder_is_refused(settings, tmp_path, member):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/datapackage.json", "{}")
        zf.writestr(member, "id\n1\n")
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    with pytest.raises(UnsafeArchive, match="outside the archive folder"):
        extract_zip(archive, out, settings)
    assert not any((tmp_path / "deep").rglob("evil.csv")) and not (tmp_path / "evil.csv").exists()


def test_zip_symlink_member_is_refused(settings, tmp_path):
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("pkg/data/link.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        extract_zip(archive, tmp_path / "out", settings)


def test_not_a_zip_fails_the_job_clearly(settings, tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(io.BytesIO(b"this is not a zip").getvalue())
    result = run_harvest(DataPackageHarvester(archive, settings), settings=settings)
    assert result.job.status == "failed" and "not a readable zip archive" in result.job.message
