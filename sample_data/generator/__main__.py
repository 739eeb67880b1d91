"""Generate the sample departmental data packages: ``python -m sample_data.generator`` from the project root.

    python -m sample_data.generator                      # (re)generate every package and sample_data/README.md
    python -m sample_data.generator --check              # validate every package with frictionless
    python -m sample_data.generator --output /tmp/copy   # write the same tree elsewhere (the checksum test does)

The output is byte-for-byte deterministic, so regenerating in place leaves ``git status`` clean unless the
generator changed; ``tests/sample_data/test_generator.py`` holds it to that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import check
from .common import SAMPLE_DATA
from .generate import generate
from .registry import build_registry


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sample_data.generator", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="validate the generated packages with frictionless")
    ap.add_argument(
        "--output",
        type=Path,
        default=SAMPLE_DATA,
        help="folder to write the packages and README.md into (default: sample_data/ itself)",
    )
    args = ap.parse_args(argv)
    registry = build_registry()
    if args.check:
        return check(registry, args.output)
    args.output.mkdir(parents=True, exist_ok=True)
    generate(registry, args.output)
    print(f"wrote {len(registry)} packages to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
