"""Did-you-mean on /api/v1/search and the search page, over the sample catalog."""

from __future__ import annotations

import html
import re

import pytest


def test_a_typo_is_searched_corrected_and_says_so(sample_client):
    body = sample_client.get("/api/v1/search", params={"q": "空气只量", "size": 5}).json()
    assert (body["suggestion"], body["corrected"]) == ("空气质量", True)
    exact = sample_client.get("/api/v1/search", params={"q": "空气质量", "size": 5}).json()
    assert [r["name"] for r in body["results"]] == [r["name"] for r in exact["results"]]
    assert body["count"] == exact["count"] > 0


def test_an_exact_query_has_no_suggestion(sample_client):
    body = sample_client.get("/api/v1/search", params={"q": "空气质量"}).json()
    assert (body["suggestion"], body["corrected"]) == (None, False)
    body = sample_client.get("/api/v1/search", params={"q": "乌鲁木齐火星基地"}).json()
    assert (body["count"], body["suggestion"], body["corrected"]) == (0, None, False)


def test_the_page_offers_the_correction_as_a_link(sample_client):
    page = sample_client.get("/search", params={"q": "律师事物所", "domain": "institutions"})
    assert page.status_code == 200
    text = page.text
    assert "您是不是要找" in text
    links = [html.unescape(h) for h in re.findall(r'class="did-you-mean".*?<a href="([^"]+)"', text, re.DOTALL)]
    assert len(links) == 1
    assert links[0] == "/search?q=%E5%BE%8B%E5%B8%88%E4%BA%8B%E5%8A%A1%E6%89%80&domain=institutions"  # 律师事务所
    followed = sample_client.get(links[0])
    assert "您是不是要找" not in followed.text
    assert "law-firms" in followed.text


def test_the_page_without_a_typo_offers_nothing(sample_client):
    assert "您是不是要找" not in sample_client.get("/search", params={"q": "空气质量"}).text


def suggestions(client, q: str, size: int = 8) -> list[dict]:
    resp = client.get("/api/v1/suggest", params={"q": q, "size": size})
    assert resp.status_code == 200, resp.text
    return resp.json()["suggestions"]


@pytest.mark.parametrize("typed", ["空气", "kongqi", "kqzl", "空氣"])
def test_suggest_matches_characters_pinyin_initials_and_traditional(sample_client, typed):
    found = suggestions(sample_client, typed)
    assert {"text": "空气质量", "kind": "keyword", "name": "空气质量"} in found
    assert "shanghai-air-quality-hourly" in {s["name"] for s in found if s["kind"] == "dataset"}


def test_suggest_finds_departments_and_respects_size(sample_client):
    found = suggestions(sample_client, "上海市交通", 3)
    assert {"text": "上海市交通委员会", "kind": "department", "name": "jtw"} in found
    assert len(suggestions(sample_client, "上海市", 2)) == 2
    assert suggestions(sample_client, "zzzzqqq") == []
    assert suggestions(sample_client, "") == []


@pytest.mark.parametrize("params", [{"q": "停车", "size": 0}, {"q": "停车", "size": 21}, {"q": "x" * 65}])
def test_suggest_rejects_bad_parameters(sample_client, params):
    resp = sample_client.get("/api/v1/suggest", params=params)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_parameter"
