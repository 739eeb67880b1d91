"""What every benchmark script shares: the machine's CPU name and writing its own section of
docs/benchmarks.md (each script owns one '## ' section and keeps the others)."""

from __future__ import annotations

import platform
import re
from pathlib import Path

BENCHMARKS_DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cpu_model() -> str:
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    except OSError:
        match = None
    return match.group(1).strip() if match else (platform.processor() or "unknown CPU")


def replace_section(heading: str, text: str, path: Path = BENCHMARKS_DOC) -> None:
    """Replace the section that starts with ``heading`` (up to the next '## ') by ``text``, or append it."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = text.rstrip("\n") + "\n\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + block
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
