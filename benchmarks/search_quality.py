"""Search quality: recall@5 and precision@5 per kind of query over the sample catalog.

    python benchmarks/search_quality.py [--write] [--verbose]

It harvests ``sample_data/`` into a temporary data dir (SQLite), runs every query of
``tests/catalog/search/quality_queries.json`` (the set the test ``tests/catalog/search/test_search_quality.py``
checks) through the catalog's search and reports, per category:

* recall@5: the share of the expected datasets (``expect``) found in the top 5, averaged over the queries;
* precision@5: the share of the top 5 results (or of all results, when fewer) that are expected or
  acceptable (``expect`` + ``also``), averaged over the queries with results.

``--write`` replaces the "## Search quality" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import replace_section

QUERIES_FILE = ROOT / "tests" / "catalog" / "search" / "quality_queries.json"
TOP = 5


def load_queries(path: Path = QUERIES_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def score(queries: list[dict], search: Callable[[str], list[str]]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per category: queries, recall@5, precision@5; and the queries that missed an expected dataset."""
    per: dict[str, dict[str, list[float]]] = {}
    misses: list[str] = []
    for item in queries:
        top = search(item["q"])[:TOP]
        expect = set(item["expect"])
        relevant = expect | set(item.get("also", ()))
        found = expect & set(top)
        cat = per.setdefault(item["category"], {"recall": [], "precision": []})
        cat["recall"].append(len(found) / len(expect))
        if top:
            cat["precision"].append(sum(1 for n in top if n in relevant) / len(top))
        if found != expect:
            misses.append(f"{item['category']}: {item['q']!r} missed {sorted(expect - found)}; got {top}")
    table = {
        name: {
            "queries": len(v["recall"]),
            "recall": sum(v["recall"]) / len(v["recall"]),
            "precision": sum(v["precision"]) / len(v["precision"]) if v["precision"] else 0.0,
        }
        for name, v in per.items()
    }
    return table, misses


def markdown(table: dict[str, dict[str, float]]) -> str:
    lines = ["| kind | queries | recall@5 | precision@5 |", "|---|---:|---:|---:|"]
    for name, row in table.items():
        lines.append(f"| {name} | {row['queries']} | {row['recall']:.2f} | {row['precision']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--verbose", action="store_true", help="list the queries that missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="odp-quality-") as tmp:
        os.environ["ODP_DATA_DIR"] = str(Path(tmp) / "var")
        os.environ.pop("ODP_DATABASE_URL", None)
        from catalog import db
        from catalog.config import get_settings
        from catalog.search import SearchQuery
        from catalog.search.indexing import get_search_backend
        from harvesters.base import run_harvest
        from harvesters.datapackage import DataPackageHarvester

        settings = get_settings()
        db.init_db(settings)
        run_harvest(DataPackageHarvester(ROOT / "sample_data", settings), settings=settings)
        backend = get_search_backend(settings)

        def search(q: str) -> list[str]:
            result = backend.search(SearchQuery(q=q, size=TOP, facets=[], highlight=False))
            return [h.name for h in result.hits]

        table, misses = score(load_queries(), search)
    text = markdown(table)
    print(text)
    if args.verbose:
        print("\n".join(misses))
    if args.write:
        replace_section(
            "## Search quality",
            "## Search quality\n\n"
            f"`python benchmarks/search_quality.py --write`: the {sum(r['queries'] for r in table.values())} "
            "queries of `tests/catalog/search/quality_queries.json` over the sample catalog, the top 5 of each "
            "(recall@5: expected datasets found; precision@5: share of the shown results that are expected or "
            "acceptable).\n\n" + text,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
