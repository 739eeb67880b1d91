"""Contests on the catalog alone (SQLite and PostgreSQL): the contest JSON, pinning across a re-harvest and the
recorded re-pin, samples (first rows, seeded random, the conditional cap), teams (join codes, size, one team per
contest, the lock), the departments' consent, works and their reuse counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from catalog import access, db
from catalog.contests import consents, contests, entries, gate, samples, teams, works
from catalog.contests.errors import ContestError
from catalog.models import Contest, ContestRepin, Dataset, Resource, utcnow
from catalog.vocabulary import Role
from harvesters.base import run_harvest
from harvesters.datapackage import DataPackageHarvester
from tests.support.accounts import account, cheap_hashing
from tests.support.packages import csv_text, write_package

OPEN, CONDITIONAL = "cx-open", "cx-conditional"
ROWS = 40


def rows(marker: str = "A") -> list[tuple]:
    return [(i, f"{marker}{i:03d}", "浦东新区", i) for i in range(1, ROWS + 1)]


def write(folder, marker: str = "A") -> None:
    write_package(folder, OPEN, csv=csv_text(rows(marker)))
    write_package(folder, CONDITIONAL, csv=csv_text(rows(marker)), open_class="conditional")


@pytest.fixture
def catalog(tmp_path, monkeypatch, pg_database_url):
    from tests.support.catalog import fresh_settings, release

    cheap_hashing(monkeypatch)
    monkeypatch.setenv("ODP_PUBLIC_SAMPLE_ROWS", "5")
    settings = fresh_settings(tmp_path / "var", monkeypatch, pg_database_url)
    folder = tmp_path / "packages"
    folder.mkdir()
    write(folder)
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.failed == 0
    with Session(db.get_engine(settings)) as session:
        yield settings, session, folder
    release(settings, pg_database_url)


def new_contest(session: Session, settings, **fields) -> tuple[Contest, object]:
    organizer = account(session, settings, "org@example.org", Role.organizer)
    contest = contests.create(session, organizer, contests.parse_spec({"slug": "cx", "title": "测试大赛", **fields}))
    contests.publish(session, organizer, contest)
    return contest, organizer


def sample_names(view, settings) -> list[str]:
    text = b"".join(samples.sample_csv(view, settings)).decode()
    return [row["name"] for row in csv.DictReader(io.StringIO(text))]


# --- The contest JSON ---------------------------------------------------------------------------------------


def test_the_contest_json_defaults_and_refusals():
    now = utcnow().replace(microsecond=0)
    spec = contests.parse_spec({"slug": "soda-x", "title": "T"}, now=now)
    assert (spec.registration_opens, spec.data_opens) == (now, now)
    assert spec.registration_closes == spec.data_closes == now + timedelta(days=30)
    assert (spec.team_min, spec.team_max) == (1, 5) and "数据销毁承诺" in spec.agreement
    given = contests.parse_spec({"slug": "soda-y", "title": "T", "data_opens": "2015-06-01T00:00:00+08:00",
                                 "data_closes": "2015-09-01", "team_max": 3})
    assert given.data_opens.isoformat() == "2015-05-31T16:00:00+00:00"  # kept as UTC
    assert given.data_closes.isoformat() == "2015-09-01T00:00:00+00:00" and given.team_max == 3
    for bad in ({"slug": "Bad Slug", "title": "T"}, {"slug": "ok", "title": ""},
                {"slug": "ok", "title": "T", "team_min": 4, "team_max": 2},
                {"slug": "ok", "title": "T", "data_opens": "2015-09-01", "data_closes": "2015-06-01"},
                {"slug": "ok", "title": "T", "data_closes": "not a time"},
                {"slug": "ok", "title": "T", "data_close": "2015-06-01"}):  # misspelt: refused, not defaulted
        with pytest.raises(ContestError) as refused:
            contests.parse_spec(bad)
        assert refused.value.status == 422


def test_only_organizers_create_and_drafts_are_theirs(catalog):
    settings, session, _ = catalog
    user = account(session, settings, "u@example.org")
    with pytest.raises(ContestError) as refused:
        contests.create(session, user, contests.parse_spec({"slug": "cx", "title": "T"}))
    assert refused.value.code == "organizer_required"
    organizer = account(session, settings, "org@example.org", Role.organizer)
    draft = contests.create(session, organizer, contests.parse_spec({"slug": "cx", "title": "T"}))
    assert contests.state(draft) == contests.ContestState.draft
    assert contests.find(session, "cx", organizer).id == draft.id
    for viewer in (None, user):
        with pytest.raises(ContestError):
            contests.find(session, "cx", viewer)
        assert contests.listed(session, viewer) == []
    contests.publish(session, organizer, draft)
    assert contests.state(draft) == contests.ContestState.open
    assert [c.slug for c in contests.listed(session, None)] == ["cx"]


# --- Pinning --------------------------------------------------------------------------------------------------


def test_an_entry_keeps_its_version_across_a_reharvest_until_repinned(catalog):
    settings, session, folder = catalog
    contest, organizer = new_contest(session, settings)
    (entry,) = entries.add(session, organizer, contest, OPEN, "table")
    session.commit()
    pinned = entry.version_id
    write(folder, "B")  # the publisher changes the data
    assert run_harvest(DataPackageHarvester(folder, settings), settings=settings).tally.updated == 2
    session.expire_all()
    resource = session.exec(select(Resource).where(Resource.id == entry.resource_id)).one()
    assert resource.current_version_id != pinned
    (view,) = entries.package(session, contest)
    assert view.version.id == pinned  # the contest still hands out the old bytes
    assert sample_names(view, settings)[:2] == ["A001", "A002"]
    record = entries.repin(session, organizer, contest, view.id)
    assert (record.from_version_id, record.to_version_id) == (pinned, resource.current_version_id)
    (view,) = entries.package(session, contest)
    assert sample_names(view, settings)[:2] == ["B001", "B002"]
    assert len(session.exec(select(ContestRepin)).all()) == 1
    with pytest.raises(ContestError) as again:
        entries.repin(session, organizer, contest, view.id)
    assert again.value.status == 409
    with pytest.raises(ContestError) as twice:
        entries.add(session, organizer, contest, OPEN)
    assert twice.value.status == 409


# --- Samples --------------------------------------------------------------------------------------------------


def test_samples_first_rows_seeded_random_and_the_conditional_cap(catalog):
    settings, session, _ = catalog
    contest, organizer = new_contest(session, settings)
    (first,) = entries.add(session, organizer, contest, OPEN, sample_rows=10)
    (view,) = [v for v in entries.package(session, contest) if v.id == first.id]
    assert sample_names(view, settings) == [f"A{i:03d}" for i in range(1, 11)]
    view.entry.sample_seed = 7
    drawn = sample_names(view, settings)
    assert len(drawn) == 10 and drawn != [f"A{i:03d}" for i in range(1, 11)]
    assert drawn == sorted(drawn) and set(drawn) <= {f"A{i:03d}" for i in range(1, ROWS + 1)}
    assert sample_names(view, settings) == drawn  # the same rows every time
    view.entry.sample_seed = 8
    assert sample_names(view, settings) != drawn
    (conditional,) = entries.add(session, organizer, contest, CONDITIONAL, sample_rows=10)
    (cview,) = [v for v in entries.package(session, contest) if v.id == conditional.id]
    assert len(sample_names(cview, settings)) == 5  # ODP_PUBLIC_SAMPLE_ROWS caps conditional data
    view.entry.sample_rows = 0
    with pytest.raises(ContestError) as none:
        sample_names(view, settings)
    assert none.value.status == 404


# --- Teams ------------------------------------------------------------------------------------------------------


def test_teams_join_codes_size_one_team_each_and_the_lock(catalog):
    settings, session, _ = catalog
    contest, _ = new_contest(session, settings, team_max=2)
    a, b, c = (account(session, settings, f"{n}@example.org") for n in "abc")
    team = teams.create(session, contest, a.id, "交通先锋")
    assert len(team.join_code) == teams.CODE_LENGTH
    with pytest.raises(ContestError) as taken:
        teams.create(session, contest, b.id, "交通先锋")
    assert taken.value.status == 409
    with pytest.raises(ContestError) as wrong:
        teams.join(session, contest, b.id, "WRONGCODE")
    assert wrong.value.status == 404
    assert teams.join(session, contest, b.id, team.join_code.lower()).id == team.id
    with pytest.raises(ContestError) as full:
        teams.join(session, contest, c.id, team.join_code)
    assert full.value.code == "contest_team_full"
    with pytest.raises(ContestError) as twice:
        teams.create(session, contest, a.id, "另一队")
    assert twice.value.code == "contest_already_in_team"
    contest.registration_closes = utcnow() - timedelta(seconds=1)
    for attempt in (lambda: teams.create(session, contest, c.id, "晚到"),
                    lambda: teams.join(session, contest, c.id, team.join_code)):
        with pytest.raises(ContestError) as locked:
            attempt()
        assert locked.value.code == "contest_registration_closed"
    assert teams.seat(session, contest, a.id) == access.ContestSeat(team.id, 2, False)
    teams.accept_agreement(session, contest, a.id)
    assert teams.seat(session, contest, a.id).agreement_accepted
    assert teams.seat(session, contest, c.id) is None


def test_the_gate_asks_the_policy_in_order(catalog):
    settings, session, _ = catalog
    contest, _ = new_contest(session, settings, team_min=2)
    a, b = account(session, settings, "a@example.org"), account(session, settings, "b@example.org")

    def code(who) -> str | None:
        try:
            gate.require_seat(session, contest, who)
        except ContestError as exc:
            return exc.code
        return None

    assert code(None) == "login_required"
    assert code(a) == "contest_not_member"
    team = teams.create(session, contest, a.id, "队")
    assert code(a) == "contest_agreement_required"
    teams.accept_agreement(session, contest, a.id)
    assert code(a) == "contest_team_too_small"
    teams.join(session, contest, b.id, team.join_code)
    assert code(a) is None and code(b) == "contest_agreement_required"
    contest.data_closes = utcnow() - timedelta(seconds=1)
    with pytest.raises(ContestError) as closed:
        gate.require_seat(session, contest, a)
    assert closed.value.code == "contest_data_closed" and "数据销毁承诺" in closed.value.message


# --- Consent of the department ------------------------------------------------------------------------------------


def test_conditional_entries_wait_for_the_departments_consent(catalog):
    settings, session, _ = catalog
    contest, organizer = new_contest(session, settings)
    entries.add(session, organizer, contest, OPEN)
    entries.add(session, organizer, contest, CONDITIONAL)
    status = {v.dataset.name: v.status for v in entries.package(session, contest)}
    assert status == {OPEN: entries.EntryStatus.ready, CONDITIONAL: entries.EntryStatus.pending}
    assert [v.dataset.name for v in gate.downloadable(entries.package(session, contest))] == [OPEN]
    conditional = session.exec(select(Dataset).where(Dataset.name == CONDITIONAL)).one()
    reviewer = account(session, settings, "rev@example.org", Role.reviewer, ("jtw",))
    stranger = account(session, settings, "other@example.org", Role.reviewer)
    (consent,) = consents.visible(session, reviewer)
    assert consents.visible(session, stranger) == []
    with pytest.raises(ContestError) as hidden:
        consents.approve(session, stranger, consent.id)
    assert hidden.value.status == 404  # another department's consent does not exist for it
    consents.approve(session, reviewer, consent.id)
    assert {v.status for v in entries.package(session, contest)} == {entries.EntryStatus.ready}
    assert len(gate.downloadable(entries.package(session, contest))) == 2
    consents.revoke(session, reviewer, consent.id, "合作终止")
    assert {v.dataset.name: v.status for v in entries.package(session, contest)}[CONDITIONAL] == \
        entries.EntryStatus.rejected
    # Sample only (no full data): no consent asked.
    other = contests.create(session, organizer, contests.parse_spec({"slug": "cy", "title": "T"}))
    entries.add(session, organizer, other, CONDITIONAL, full=False)
    assert consents.consent_of(session, other.id, conditional.id) is None


# --- Works ---------------------------------------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_works_screenshots_acceptance_and_reuse_counts(catalog):
    settings, session, _ = catalog
    contest, organizer = new_contest(session, settings)
    entries.add(session, organizer, contest, OPEN)
    member, outsider = account(session, settings, "m@example.org"), account(session, settings, "x@example.org")
    teams.create(session, contest, member.id, "队")
    fields = {"title": "停车助手", "summary": "找车位", "url": "https://example.org/app", "datasets": [OPEN]}
    with pytest.raises(ContestError) as stranger:
        works.submit(session, contest, outsider.id, settings, **fields)
    assert stranger.value.code == "contest_not_member"
    for bad in ({"url": "javascript:alert(1)"}, {"datasets": [CONDITIONAL]}, {"title": " "}):
        with pytest.raises(ContestError):
            works.submit(session, contest, member.id, settings, **(fields | bad))
    for image in (b"GIF89a" + b"\x00" * 10, PNG + b"\x00" * works.MAX_SCREENSHOT_BYTES):
        with pytest.raises(ContestError) as refused:
            works.submit(session, contest, member.id, settings, **fields, screenshot=image)
        assert refused.value.status == 422
    work = works.submit(session, contest, member.id, settings, **fields, screenshot=PNG)
    store, relpath, media = works.screenshot_file(work, settings)
    assert store.path(relpath).read_bytes() == PNG and media == "image/png"
    dataset_id = session.exec(select(Dataset.id).where(Dataset.name == OPEN)).one()
    assert works.used_in_count(session, dataset_id) == 0  # not accepted yet
    assert works.listed(session, contest, None) == []
    assert [v.work.id for v in works.listed(session, contest, member)] == [work.id]  # its own team sees it
    works.accept(session, organizer, contest, work.id, "一等奖")
    assert works.used_in_count(session, dataset_id) == 1
    (reuse,) = works.used_in(session, dataset_id)
    assert (reuse.contest_slug, reuse.title, reuse.award) == ("cx", "停车助手", "一等奖")
    assert [v.as_json()["datasets"] for v in works.listed(session, contest, None)] == [[OPEN]]


# --- The policy's contest decisions, over every open class and state --------------------------------------------


@pytest.mark.parametrize("open_class", ["open", "conditional", "closed"])
@pytest.mark.parametrize("state", ["active", "withdrawn"])
def test_the_contest_decisions_over_every_class_and_state(open_class, state):
    from types import SimpleNamespace

    dataset = SimpleNamespace(open_class=open_class, state=state)
    shown = open_class != "closed" and state == "active"
    refusal = access.contest_entry_refusal(dataset, full=True, consented=False)
    if not shown:
        assert refusal is access.ContestRefusal.unavailable
        assert access.contest_sample_rows(dataset, 100, 5) == 0
        return
    assert refusal is (access.ContestRefusal.consent_pending if open_class == "conditional" else None)
    assert access.contest_entry_refusal(dataset, full=True, consented=True) is None
    assert access.contest_entry_refusal(dataset, full=False, consented=True) is access.ContestRefusal.not_full
    assert access.contest_sample_rows(dataset, 100, 5) == (5 if open_class == "conditional" else 100)
    assert access.contest_sample_rows(dataset, 3, 5) == 3
