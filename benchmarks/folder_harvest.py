"""Folder harvest benchmark: `odp harvest sample_data` end to end, on a fresh data dir each time, for this
checkout and (``--before DIR``) another checkout of the code — e.g. the previous release — run with the same
virtual environment, alternately, so that both see the same machine load.

    .venv/bin/python benchmarks/folder_harvest.py [--before DIR] [--repeat 3] [--workers 1 2] [--write]

Each run is a child process (start-up, storage, validation, Parquet, catalog and search index: all of it); the
median wall time and the largest peak RSS of the repeats are reported. ``--write`` replaces the
"## Folder harvest" section of docs/benchmarks.md with the figures.

To time the previous release: ``git worktree add /tmp/before <commit>`` and ``--before /tmp/before``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from report import cpu_model, replace_section, timed_command

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Folder harvest"


def harvest_once(code: Path, workers: int | None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the output of one ``odp harvest sample_data`` of the code in ``code``."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "ODP_DATA_DIR": data_dir, "PYTHONPATH": str(code)}
        env.pop("ODP_DATABASE_URL", None)
        args = [sys.executable, "-c", "from portal.cli import app; app()", "harvest", str(ROOT / "sample_data")]
        if workers is not None:
            args += ["--workers", str(workers)]
        seconds, rss, status, output = timed_command(args, env, code)
        if status != 0:
            raise SystemExit(f"odp harvest failed in {code}:\n{output[-3000:]}")
        return seconds, rss, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to time the same way (e.g. the last release)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    codes = [("this checkout", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for workers in args.workers:
        for _ in range(args.repeat):
            for label, code in codes:  # alternately, so that both see the same load
                seconds, rss, _ = harvest_once(code, workers)
                results.setdefault((label, workers), []).append((seconds, rss))
                print(f"{label:14} --workers {workers}: {seconds:5.1f} s, peak RSS {rss:.0f} MB", flush=True)
    load_end = os.getloadavg()[0]

    datasets = sum(1 for _ in (ROOT / "sample_data").glob("*/*/datapackage.json"))
    rows = []
    for workers in args.workers:
        cells = []
        for label, _ in codes:
            runs = results[(label, workers)]
            cells.append(f"{statistics.median(s for s, _ in runs):.1f} s (peak RSS {max(r for _, r in runs):.0f} MB)")
        rows.append(f"| `--workers {workers}` | " + " | ".join(cells) + " |")
    header = "| | " + " | ".join(label for label, _ in codes) + " |\n|---|" + "---|" * len(codes)
    text = f"""{SECTION}

`python benchmarks/folder_harvest.py{' --before DIR' if args.before else ''} --repeat {args.repeat} --workers \
{' '.join(map(str, args.workers))}` — {date.today().isoformat()}, {cpu_model()}, {os.cpu_count()} cores; load \
average {load_start:.1f} at the start, {load_end:.1f} at the end.

`odp harvest sample_data` ({datasets} data packages, CSV and XLSX, valid and not) on a fresh data dir, end to end
in a child process (start-up, storage, validation, Parquet, catalog, search index); the median of {args.repeat}
runs{', alternating with the other checkout so that both see the same load' if args.before else ''}.

{header}
{chr(10).join(rows)}
"""
    print(text)
    if args.write:
        replace_section(SECTION, text)


if __name__ == "__main__":
    main()
