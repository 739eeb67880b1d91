"""The route table against the access policy: every GET route of the app is classified here, and each class is
called on a catalog with one dataset per open class and state.

* an unclassified route fails (a new route must be classified and must ask catalog/access.py);
* every route with a dataset in its path answers 404 for a closed (非开放) dataset, 410 for a withdrawn one
  (CKAN: its own "Not Found Error" envelope for both, as CKAN answers for deleted packages), and data routes
  answer 403 for a conditional (有条件开放) one; ``/sample`` and the page preview stay public within
  ``ODP_PUBLIC_SAMPLE_ROWS``;
* listing routes (pages, JSON directory and search, CKAN lists) never show a closed or withdrawn dataset, and
  do show the open one (so each check could fail).

The hidden datasets live in a domain (credit) and a department (hidden-dept) of their own, so count-only
listings (domain and department counts) are checked too.
"""

from __future__ import annotations

import json
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from catalog import db
from catalog.accounts import applications, keys
from catalog.ckan.ids import resource_id
from catalog.config import get_settings
from catalog.datasets import stats as download_stats
from catalog.models import Account
from catalog.schemas import list_schemas
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from portal.app import create_app
from tests.support.accounts import account, admin, cheap_hashing, expire_grant, granted, new_key
from tests.support.catalog import fresh_settings, release
from tests.support.packages import csv_text, write_package
from tests.support.pii import id_numbers, pii_csv, pii_resource

SAMPLE_ROWS = 4
ROWS = 12
OPEN, CONDITIONAL, CLOSED = "acc-open", "acc-conditional", "acc-closed"
GONE, GONE_CONDITIONAL = "acc-gone", "acc-gone-conditional"  # withdrawn: open and conditional
PII = "acc-pii"  # open, with unmasked resident IDs: blocked by ODP_PII_POLICY=block (the default)
NOT_FOUND = (CLOSED, PII)  # answered "not found", as if they never existed
HIDDEN = (CLOSED, GONE, GONE_CONDITIONAL, PII)
PII_ROWS = 30
KEYWORD = "访问策略测试"
HIDDEN_DEPT = {"name": "hidden-dept", "title": "隐藏的部门"}

# Every GET route of the app, by what it serves. A route missing here fails test_every_route_is_classified.
PUBLIC = "public, no dataset"
LISTING = "lists datasets or counts them"
METADATA = "one dataset's metadata"
DATA = "one dataset's data"
SAMPLE = "one dataset's public sample"
CKAN = "CKAN Action API (per action below)"
ACCOUNT = "the calling account's own keys and applications (401 without a key; tests/portal/accounts/)"
WEB_ACCOUNT = "account pages: a form, or the logged-in account's own data (tests/portal/web/test_accounts.py)"
CONTEST = ("a contest: public contest, samples and showcase; full data only for its teams' members in the data "
           "window (test below; tests/portal/contests/)")
COMMUNITY = ("community (issue 14): data requests are public; error reports (the department's, or the caller's own)"
             " and notifications need an account; a dataset's reports are 404/410 like its metadata first "
             "(tests/portal/community/)")
REUSES = ("reuses (issue 14): approved ones and accepted contest works for everyone, each naming only the datasets"
          " catalog/access.py lists (tests/portal/web/test_reuses.py)")
ROUTES = {
    "/api/v1/openapi.json": PUBLIC,
    "/api/docs": PUBLIC,
    "/api/docs/{asset}": PUBLIC,  # Swagger UI's files from the package (portal/api/docs.py)
    "/healthz": PUBLIC,  # the process is up (portal/health.py)
    "/readyz": PUBLIC,  # database, index and file store reachable: names what failed, never a dataset
    "/api/v1/schemas": PUBLIC,
    "/schemas": PUBLIC,
    "/about": PUBLIC,
    "/static": PUBLIC,
    "/api/3": PUBLIC,
    "/api/v1/domains": LISTING,
    "/api/v1/departments": LISTING,
    "/api/v1/datasets": LISTING,
    "/api/v1/search": LISTING,
    "/api/v1/suggest": LISTING,
    "/api/v1/schemas/{name}": LISTING,
    "/": LISTING,
    "/search": LISTING,
    "/domain/{code}": LISTING,
    "/department/{name}": LISTING,
    "/departments": LISTING,
    "/schemas/{name}": LISTING,
    "/api/v1/datasets/{name}": METADATA,
    "/api/v1/datasets/{name}/agreement": METADATA,  # the agreement text of a conditional dataset (409 for open)
    "/api/v1/datasets/{name}/ratings": METADATA,  # average and count (catalog/community/ratings.py)
    "/api/v1/datasets/{name}/comments": METADATA,  # shown comments, in threads
    "/api/v1/datasets/{name}/issues": COMMUNITY,
    "/api/v1/requests": COMMUNITY,
    "/api/v1/requests/{request_id}": COMMUNITY,
    "/api/v1/notifications": COMMUNITY,
    "/api/v1/follows": COMMUNITY,  # the caller's followed datasets' changes: listed datasets only
    "/dataset/{name}": METADATA,
    "/dataset/{name}.ttl": METADATA,  # DCAT-AP of one dataset (catalog/exports/)
    "/dataset/{name}.jsonld": METADATA,
    "/dataset/{name}.rdf": METADATA,
    "/api/v1/datasets/{name}/datapackage.json": METADATA,  # its paths need a grant for conditional data
    "/catalog": PUBLIC,  # a redirect to one of the three below
    "/catalog.ttl": LISTING,
    "/catalog.jsonld": LISTING,
    "/catalog.rdf": LISTING,
    "/data.json": LISTING,
    "/schemas/{name}.json": PUBLIC,
    "/sitemap.xml": LISTING,
    "/robots.txt": PUBLIC,
    "/feeds/datasets.atom": LISTING,
    "/feeds/domain/{code}.atom": LISTING,
    "/feeds/department/{name}.atom": LISTING,
    "/feeds/dataset/{name}.atom": METADATA,  # one dataset's changes (catalog/community/follows.py): 404/410 first
    "/feeds/requests.atom": COMMUNITY,  # the newest data requests: public, hidden ones left out
    "/api/v1/datasets/{name}/resources/{resource}/download": DATA,
    "/api/v1/datasets/{name}/resources/{resource}/rows": DATA,
    "/api/v1/datasets/{name}/resources/{resource}/rows.csv": DATA,
    "/api/v1/datasets/{name}/resources/{resource}/sample": SAMPLE,
    "/api/v1/keys": ACCOUNT,
    "/api/v1/applications": ACCOUNT,
    "/api/v1/usage": ACCOUNT,  # the calling account's own keys' usage (tests/portal/accounts/test_usage.py)
    "/register": WEB_ACCOUNT,
    "/login": WEB_ACCOUNT,
    "/account": WEB_ACCOUNT,
    "/review": WEB_ACCOUNT,  # pending applications of the reviewer's departments: metadata, never data
    "/review/usage": WEB_ACCOUNT,  # usage figures of the reviewer's departments' datasets, never data
    "/admin/search-log": WEB_ACCOUNT,  # admins only: zero-hit query texts and synonym groups, never data
    "/privacy": PUBLIC,
    "/dataset/{name}/apply": WEB_ACCOUNT,  # 404 for closed, withdrawn or unknown datasets (test below)
    # Account security (tests/portal/web/test_account_security.py): the account's own data, or a form.
    "/api/v1/account/export": ACCOUNT,
    "/account/export": WEB_ACCOUNT,
    "/account/security": WEB_ACCOUNT,
    "/login/totp": WEB_ACCOUNT,
    "/reset/{token}": WEB_ACCOUNT,  # the form of a one-time link; 404 for unknown, used or expired tokens
    "/admin/users": WEB_ACCOUNT,  # admins only: accounts, never data
    "/api/3/action/{name}": CKAN,
    "/api/v1/contests": CONTEST,
    "/api/v1/contests/{slug}": CONTEST,
    "/api/v1/contests/{slug}/entries/{entry}/sample": CONTEST,
    "/api/v1/contests/{slug}/entries/{entry}/download": CONTEST,
    "/api/v1/contests/{slug}/bundle.zip": CONTEST,
    "/api/v1/contests/{slug}/downloads": CONTEST,
    "/api/v1/contests/{slug}/downloads.csv": CONTEST,
    "/api/v1/contests/{slug}/works": CONTEST,
    # The contest pages (tests/portal/web/test_contest_pages.py): data links only to the API routes above.
    "/contests": CONTEST,
    "/contests/new": WEB_ACCOUNT,  # organizers only: a form
    "/contest/{slug}": CONTEST,  # public samples; the visitor's team; download links for seated members
    "/contest/{slug}/showcase": CONTEST,
    "/contest/{slug}/works/{work_id}/screenshot": CONTEST,  # a work's image, for whoever may see the work
    "/contest/{slug}/submit": CONTEST,  # members only: a form
    "/contest/{slug}/manage": CONTEST,  # its organizer only: package, teams, download log, works
    "/review/contests": WEB_ACCOUNT,  # reviewers: their departments' contest consent requests, never data
    # Community pages (tests/portal/web/test_community_pages.py): requests are public, the queue is reviewers'.
    "/requests": COMMUNITY,
    "/requests/new": WEB_ACCOUNT,  # a form
    "/requests/{request_id}": COMMUNITY,
    "/review/community": WEB_ACCOUNT,  # reviewers: their departments' open requests and error reports, never data
    "/api/v1/reuses": REUSES,
    "/api/v1/reuses/{reuse_id}": REUSES,  # a pending one only for its submitter and admins
    "/reuses": REUSES,
    "/reuses/new": WEB_ACCOUNT,  # a form
    "/reuses/{reuse_id}/image": REUSES,  # the re-encoded image of a reuse the viewer may see
    "/api/action/{name}": CKAN,
}
CKAN_LISTING = {
    "package_list": {}, "package_search": {"q": KEYWORD, "rows": 100},
    "current_package_list_with_resources": {"limit": 100}, "organization_list": {"all_fields": "true"},
    "group_list": {"all_fields": "true"}, "tag_list": {},
    "group_show": {"id": "credit", "include_datasets": "true"},
}
CKAN_DATASET = {"package_show": "id", "resource_show": "id", "datastore_search": "resource_id"}
CKAN_PUBLIC = {"site_read", "status_show", "help_show", "organization_show"}


def walk(routes, prefix: str = ""):
    """(path, methods) of every route, through routers FastAPI keeps as included branches."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
        else:
            yield prefix + route.path, set(getattr(route, "methods", None) or {"GET"})


def marked_csv() -> str:
    return csv_text([(i, f"MK{i:04d}X", "浦东新区", i) for i in range(1, ROWS + 1)])


@pytest.fixture(scope="module")
def client(tmp_path_factory, pg_database_url):
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("access")
        monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", str(SAMPLE_ROWS))
        cheap_hashing(monkeypatch)
        settings = fresh_settings(root / "var", monkeypatch, pg_database_url)
        folder = root / "packages"
        folder.mkdir()
        for name, open_class, hidden in ((OPEN, "open", False), (CONDITIONAL, "conditional", False),
                                         (CLOSED, "closed", True), (GONE, "open", True),
                                         (GONE_CONDITIONAL, "conditional", True)):
            extra = {"domain": "credit", "publisher": HIDDEN_DEPT} if hidden else {}
            write_package(folder, name, csv=marked_csv(), open_class=open_class, keywords=[KEYWORD], **extra)
        write_package(folder, PII, csv=pii_csv(PII_ROWS), resource=pii_resource(), keywords=[KEYWORD],
                      domain="credit", publisher=HIDDEN_DEPT)
        first = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
        assert first.tally.failed == 0, first.tally.errors  # the block is a policy outcome, not a failure
        assert [b["dataset"] for b in first.tally.blocked] == [PII]
        assert f"PII: 身份证号 in column id_number ({PII_ROWS} rows)" in first.tally.blocked[0]["message"]
        for name in (GONE, GONE_CONDITIONAL):
            shutil.rmtree(folder / name)
        second = run_harvest(DataPackageHarvester(folder, settings), settings=settings)
        assert set(second.withdrawn) == {GONE, GONE_CONDITIONAL}
        with Session(db.get_engine(settings)) as session:
            KEYS.update(make_keys(session, settings))
            session.commit()
        with TestClient(create_app()) as test_client:
            yield test_client
        download_stats.discard_pending()  # counts of this catalog must not reach the next one
        release(settings, pg_database_url)


def test_every_route_is_classified(client):
    unclassified = [path for path, methods in walk(client.app.routes)
                    if methods & {"GET", "HEAD"} and path not in ROUTES]
    assert not unclassified, f"new route: classify it here and make it ask catalog/access.py: {unclassified}"
    missing = set(ROUTES) - {path for path, _ in walk(client.app.routes)}
    assert not missing, f"classified routes the app no longer has: {missing}"


def test_every_ckan_action_is_classified():
    from portal.ckan.actions import ACTIONS

    known = set(CKAN_LISTING) | set(CKAN_DATASET) | CKAN_PUBLIC
    assert set(ACTIONS) <= known, f"new CKAN action: classify it here: {set(ACTIONS) - known}"


def dataset_routes(kind: str) -> list[str]:
    return [path for path, k in ROUTES.items() if k == kind and "{name}" in path and path.startswith(
        ("/api/v1/datasets/", "/dataset/"))]


def url(path: str, name: str) -> str:
    return path.replace("{name}", name).replace("{resource}", "table")


DOWNLOAD_FORMATS = ("", "?format=csv", "?format=json", "?format=xlsx", "?format=parquet")


def calls(path: str, name: str) -> list[str]:
    base = url(path, name)
    return [base + f for f in DOWNLOAD_FORMATS] if path.endswith("/download") else [base]


def test_community_dataset_routes_answer_404_and_410_before_asking_who_calls(client):
    """A dataset's error reports need an account, but a closed or withdrawn dataset says so first (anonymous)."""
    paths = [path for path, kind in ROUTES.items() if kind == COMMUNITY and "{name}" in path]
    assert paths
    for path in paths:
        for name in NOT_FOUND:
            assert client.get(url(path, name)).status_code == 404, path
        for name in (GONE, GONE_CONDITIONAL):
            assert client.get(url(path, name)).status_code == 410, path
        assert client.get(url(path, OPEN)).status_code == 401, path


@pytest.mark.parametrize("kind", [METADATA, DATA, SAMPLE])
def test_closed_is_not_found_and_withdrawn_is_gone(client, kind):
    paths = dataset_routes(kind)
    assert paths
    for path in paths:
        for target in (t for name in NOT_FOUND for t in calls(path, name)):
            response = client.get(target)
            assert response.status_code == 404, target
            assert not any(number.encode() in response.content for number in id_numbers(PII_ROWS)), target
        for name in (GONE, GONE_CONDITIONAL):
            for target in calls(path, name):
                assert client.get(target).status_code == 410, target


def test_conditional_data_is_refused_and_open_data_served(client):
    for path in dataset_routes(DATA):
        for target in calls(path, CONDITIONAL):
            response = client.get(target)
            assert response.status_code == 403, target
            assert response.json()["error"]["code"] == "access_requires_grant"
            assert response.json()["error"]["apply_url"].endswith(f"/dataset/{CONDITIONAL}/apply")
            assert "MK0001X" not in response.text
        for target in calls(path, OPEN):
            assert client.get(target).status_code == 200, target


def test_metadata_of_open_and_conditional_is_shown(client):
    for path in dataset_routes(METADATA):
        for name in (OPEN, CONDITIONAL):
            assert client.get(url(path, name)).status_code == 200


@pytest.mark.parametrize("name", [OPEN, CONDITIONAL])
def test_the_sample_is_public_within_its_size(client, name):
    for path in dataset_routes(SAMPLE):
        body = client.get(url(path, name)).json()
        assert len(body["rows"]) == SAMPLE_ROWS
    page = client.get(f"/dataset/{name}").text
    assert f"MK{SAMPLE_ROWS:04d}X" in page
    assert f"MK{SAMPLE_ROWS + 1:04d}X" not in page


def listing_urls() -> list[str]:
    schema = list_schemas()[0].name
    filled = {"{code}": "credit", "{name}": schema}
    urls = []
    for path, kind in ROUTES.items():
        if kind != LISTING:
            continue
        if path == "/department/{name}":
            urls += ["/department/jtw", f"/department/{HIDDEN_DEPT['name']}"]
            continue
        if path == "/feeds/department/{name}.atom":  # a department with nothing listed has no feed (404)
            urls.append("/feeds/department/jtw.atom")
            continue
        for key, value in filled.items():
            path = path.replace(key, value)
        urls.append(path + (f"?q={KEYWORD}" if path.endswith(("search", "suggest")) else ""))
    return urls + ["/domain/transport", "/api/v1/datasets?domain=credit", "/api/v1/datasets?size=100"]


def test_listings_never_show_closed_or_withdrawn(client):
    seen_open = False
    for target in listing_urls():
        response = client.get(target)
        assert response.status_code == 200, target
        for name in HIDDEN:
            assert name not in response.text, (target, name)
        assert HIDDEN_DEPT["title"] not in response.text or target.startswith("/department/"), target
        seen_open |= OPEN in response.text and CONDITIONAL in response.text
    assert seen_open  # the names are there when listed: the check can fail
    domains = {d["code"]: d["dataset_count"] for d in client.get("/api/v1/domains").json()}
    assert domains["credit"] == 0 and domains["transport"] == 2
    assert client.get(f"/feeds/department/{HIDDEN_DEPT['name']}.atom").status_code == 404


def ckan(client: TestClient, action: str, headers: dict[str, str] | None = None, **params):
    return client.get(f"/api/3/action/{action}", params=params, headers=headers)


def test_ckan_lists_never_show_closed_or_withdrawn(client):
    for action, params in CKAN_LISTING.items():
        response = ckan(client, action, **params)
        assert response.status_code == 200, action
        for name in HIDDEN:
            assert name not in response.text, (action, name)
        assert HIDDEN_DEPT["name"] not in response.text, action
    assert {OPEN, CONDITIONAL} <= set(ckan(client, "package_list").json()["result"])
    assert ckan(client, "organization_show", id=HIDDEN_DEPT["name"]).status_code == 404


@pytest.mark.parametrize("name", HIDDEN)
def test_ckan_answers_not_found_for_closed_and_withdrawn(client, name):
    for action, key in CKAN_DATASET.items():
        value = name if action == "package_show" else resource_id(name, "table")
        response = ckan(client, action, **{key: value})
        assert response.status_code == 404, (action, name)
        body = response.json()
        assert body["success"] is False and body["error"]["__type"] == "Not Found Error"


def test_ckan_datastore_refuses_conditional_and_serves_open(client):
    refused = ckan(client, "datastore_search", resource_id=resource_id(CONDITIONAL, "table"))
    assert refused.status_code == 403 and refused.json()["error"]["__type"] == "Authorization Error"
    assert "MK0001X" not in refused.text
    served = ckan(client, "datastore_search", resource_id=resource_id(OPEN, "table"))
    assert served.status_code == 200 and len(served.json()["result"]["records"]) == ROWS
    shown = ckan(client, "package_show", id=CONDITIONAL).json()["result"]
    assert all(r["url"] == "" and not r["datastore_active"] for r in shown["resources"])
    assert json.dumps(shown).count("MK0") == 0


# --- Principals: API keys, with and without grants ----------------------------------------------------------

KEYS: dict[str, str] = {}  # who → API key, made by the module fixture
SERVED, REFUSED, INVALID = 200, 403, 401
PRINCIPALS = {  # who → what the conditional dataset's data routes answer them
    "no grant": REFUSED, "grant": SERVED, "revoked key": INVALID, "revoked grant": REFUSED,
    "expired grant": REFUSED,
}


def make_keys(session: Session, settings) -> dict[str, str]:
    made = {who: new_key(session, settings, account(session, settings, f"{who.replace(' ', '-')}@example.org"))
            for who in PRINCIPALS}
    for who in ("grant", "revoked key", "revoked grant", "expired grant"):
        person = keys.find_key(session, made[who], settings)
        application = granted(session, settings, session.get(Account, person.account_id), CONDITIONAL)
        if who == "expired grant":
            expire_grant(session, application)
        if who == "revoked grant":
            applications.revoke(session, admin(session, settings), application, "test")
        if who == "revoked key":
            keys.revoke_key(session, person.account_id, person.id)
    return made


def key_headers(key: str) -> list[dict[str, str]]:
    return [{"Authorization": f"Bearer {key}"}, {"X-API-Key": key}]


@pytest.mark.parametrize("who", PRINCIPALS)
def test_every_data_route_answers_each_principal(client, who):
    """Each data route (every download format) with each principal: the status, and no data bytes unless 200."""
    want = PRINCIPALS[who]
    for path in dataset_routes(DATA):
        for target in calls(path, CONDITIONAL):
            for headers in key_headers(KEYS[who]):
                response = client.get(target, headers=headers)
                assert response.status_code == want, (who, target, headers)
                if want != SERVED:
                    assert b"MK0001X" not in response.content and b"MK0005X" not in response.content
                    assert response.json()["error"]["code"] == {
                        REFUSED: "access_requires_grant", INVALID: "invalid_api_key"}[want]
                elif "format=parquet" not in target and "format=xlsx" not in target:
                    assert b"MK0012X" in response.content  # past the public sample: the whole table
        for target in calls(path, OPEN):  # a valid key reads open data; a bad one is refused, not anonymous
            response = client.get(target, headers={"X-API-Key": KEYS[who]})
            assert response.status_code == (INVALID if want == INVALID else SERVED), (who, target)


def test_a_malformed_key_is_refused_and_never_anonymous(client):
    for headers in ({"Authorization": "Bearer odp_nonsense"}, {"X-API-Key": "nonsense"}):
        response = client.get(url("/api/v1/datasets/{name}/resources/{resource}/rows", OPEN), headers=headers)
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("who", PRINCIPALS)
def test_ckan_datastore_search_answers_each_principal(client, who):
    rid = resource_id(CONDITIONAL, "table")
    for headers in ({"Authorization": KEYS[who]}, {"X-CKAN-API-Key": KEYS[who]},
                    {"Authorization": f"Bearer {KEYS[who]}"}):
        response = ckan(client, "datastore_search", resource_id=rid, headers=headers)
        assert response.status_code == PRINCIPALS[who], (who, headers)
        if PRINCIPALS[who] == SERVED:
            assert len(response.json()["result"]["records"]) == ROWS
        else:
            assert "MK0001X" not in response.text and response.json()["success"] is False


def test_plain_authorization_is_a_key_on_the_ckan_api_only(client):
    """``Authorization: KEY`` (no scheme) is CKAN's form; elsewhere it is not a key, so the caller is anonymous."""
    target = url("/api/v1/datasets/{name}/resources/{resource}/rows", CONDITIONAL)
    assert client.get(target, headers={"Authorization": KEYS["grant"]}).status_code == 403


def test_the_database_holds_no_plaintext_key(client):
    with Session(db.get_engine()) as session:
        dump = "\n".join(str(row) for table in ("apikey", "auditevent", "account", "accessgrant")
                         for row in session.exec(text(f"SELECT * FROM {table}")))
    assert KEYS and all(key not in dump and key[12:] not in dump for key in KEYS.values())


def test_reads_under_a_grant_are_audited(client):
    for path in dataset_routes(DATA):
        assert client.get(url(path, CONDITIONAL), headers={"X-API-Key": KEYS["grant"]}).status_code == 200
    with Session(db.get_engine()) as session:
        routes = {row[0] for row in session.exec(text("SELECT route FROM auditevent WHERE event = 'data_read'"))}
    assert {url(p, CONDITIONAL) for p in dataset_routes(DATA)} <= routes


def test_the_apply_page_knows_only_shown_datasets(client):
    for name in HIDDEN + ("no-such-dataset",):
        assert client.get(f"/dataset/{name}/apply").status_code == 404, name
    for name in (OPEN, CONDITIONAL):  # shown: anonymous callers are sent to log in
        assert client.get(f"/dataset/{name}/apply", follow_redirects=False).status_code == 303


def test_contest_routes_hand_conditional_data_to_no_one_without_consent(client):
    """A contest with the conditional dataset: its public sample stays within ODP_PUBLIC_SAMPLE_ROWS, closed and
    withdrawn datasets cannot be added, and until the department consents no one — not even a member holding a
    grant of their own — gets a byte beyond the sample from any contest data route."""
    with Session(db.get_engine()) as session:
        settings = get_settings()
        organizer = account(session, settings, "contest-organizer@example.org", Role.organizer)
        org = {"Authorization": f"Bearer {new_key(session, settings, organizer)}"}
        session.commit()
    base = "/api/v1/contests/leak"
    assert client.post("/api/v1/contests", json={"slug": "leak", "title": "泄露测试"}, headers=org).status_code == 201
    for name in HIDDEN:
        assert client.post(f"{base}/entries", json={"dataset": name}, headers=org).status_code == 404, name
    added = client.post(f"{base}/entries", json={"dataset": CONDITIONAL, "sample_rows": 10}, headers=org)
    assert added.status_code == 201 and added.json()[0]["status"] == "pending"
    entry = added.json()[0]["id"]
    assert client.post(f"{base}/publish", headers=org).status_code == 200
    sample = client.get(f"{base}/entries/{entry}/sample")
    assert sample.status_code == 200
    assert f"MK{SAMPLE_ROWS:04d}X" in sample.text and f"MK{SAMPLE_ROWS + 1:04d}X" not in sample.text
    member = {"X-API-Key": KEYS["grant"]}
    assert client.post(f"{base}/teams", json={"name": "持证队"}, headers=member).status_code == 201
    assert client.post(f"{base}/agreement", headers=member).status_code == 200
    member_answer = {"/download": "contest_consent_pending", "/bundle.zip": "contest_package_empty",
                     "/downloads": "contest_organizer_only", "/downloads.csv": "contest_organizer_only"}
    checked = 0
    for path, kind in ROUTES.items():
        ending = next((e for e in member_answer if path.endswith(e)), None)
        if kind != CONTEST or ending is None:
            continue
        target = path.replace("{slug}", "leak").replace("{entry}", str(entry))
        for headers, code in (({}, "login_required"), ({"X-API-Key": KEYS["no grant"]}, None),
                              (member, member_answer[ending])):
            response = client.get(target, headers=headers)
            assert response.status_code in (401, 403, 409), (target, headers)
            assert code is None or response.json()["error"]["code"] == code, (target, response.text)
            assert b"MK0005X" not in response.content and b"MK0012X" not in response.content, target
        checked += 1
    assert checked == 4
