"""The GB/T 7714 citation: the function's exact text, and the same text on the dataset page and in its JSON-LD."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime

from catalog.exports.citation import gbt7714

BASE = "http://127.0.0.1:8000"  # ODP_PUBLIC_URL is unset in the sample catalog: the default base


def test_citation_text():
    text = gbt7714(department="上海市交通委员会", title="上海市公共停车场（库）信息", portal="开放数据门户",
                   version="3.2.0", modified=datetime(2024, 5, 1, tzinfo=UTC),
                   url="https://data.example.gov.cn/dataset/shanghai-public-parking-lots", accessed=date(2026, 1, 2))
    assert text == ("上海市交通委员会. 上海市公共停车场（库）信息[DS/OL]. 开放数据门户, 3.2.0. [2026-01-02]. "
                    "https://data.example.gov.cn/dataset/shanghai-public-parking-lots.")


def test_without_a_version_the_update_date_in_beijing_time_stands_for_it():
    text = gbt7714(department="部门", title="题名。\n第二行", portal="门户", version=None,
                   modified=datetime(2024, 12, 31, 18, 0, tzinfo=UTC), url="https://x.example/dataset/a",
                   accessed=date(2026, 1, 2))
    assert text == "部门. 题名。 第二行[DS/OL]. 门户, 2025-01-01. [2026-01-02]. https://x.example/dataset/a."


def test_page_and_jsonld_carry_the_same_citation(sample_client):
    response = sample_client.get("/dataset/shanghai-public-parking-lots")
    assert response.status_code == 200
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.DOTALL)
    citation = json.loads(block)["citation"]
    assert citation.startswith("上海市交通委员会. 上海市公共停车场（库）信息[DS/OL]. 开放数据门户, 3.2.0. [")
    assert citation.endswith(f"]. {BASE}/dataset/shanghai-public-parking-lots.")
    (shown,) = re.findall(r'<cite class="citation">(.*?)</cite>', response.text, re.DOTALL)
    assert html.unescape(shown) == citation
