"""A contest from a JSON file (``odp contests create SLUG --title T --organizer EMAIL --from-json FILE``).

The file holds the contest JSON (contests.py) and may also carry, for an example contest such as
``sample_data/contests/soda-2015.json``:

- ``"organizer_name"``: the organizer's display name, if its account must be created;
- ``"entries"``: ``[{"dataset", "resource"?, "sample_rows"?, "sample_seed"?, "full"?}]``;
- ``"teams"``: ``[{"name", "members": [{"email", "name"}]}]``, every member having accepted the agreement;
- ``"works"``: ``[{"team", "title", "summary", "url", "datasets", "accepted"?, "award"?}]``;
- ``"published": true`` to publish it at once.

Accounts that do not exist yet (the organizer, team members) are created with a password nobody knows — the hash
of 32 random bytes that are thrown away — so nobody can log in as them; an admin can hand one a reset link. Teams
and works are written as they were, without the registration window's checks: a seeded contest may be finished.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session

from catalog.accounts import users
from catalog.config import Settings
from catalog.models import Account, Contest, ContestWork, ContestWorkDataset, utcnow
from catalog.vocabulary import Role

from . import contests, entries, teams, works
from .errors import ContestError, invalid

EXTRA_KEYS = ("organizer_name", "entries", "teams", "works", "published")


def seeded_account(session: Session, email: str, name: str, settings: Settings, role: Role = Role.user) -> Account:
    """The account of ``email``, created without a usable password when missing."""
    found = users.by_email(session, email)
    if found is not None:
        return found
    try:
        return users.create_account(session, email, name or email.split("@")[0], secrets.token_urlsafe(32),
                                    settings, role=role)
    except users.AccountError as exc:
        raise invalid(f"{email}: {exc}") from None


def organizer_account(session: Session, email: str, settings: Settings, name: str | None = None) -> Account:
    """The organizer: an existing organizer or admin account; created (without a password) only when the JSON
    file names it (``organizer_name``)."""
    found = users.by_email(session, email)
    if found is None and name:
        found = seeded_account(session, email, name, settings, Role.organizer)
    if found is None:
        raise ContestError(404, "not_found", f"no account {email}: create it first (odp users create … --role "
                                             "organizer)")
    if not contests.is_organizer(found):
        raise ContestError(403, "organizer_required", f"{email} is a {found.role}, not an organizer: "
                                                      "odp users set-role EMAIL --role organizer")
    return found


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(f"{key} must be a list of objects")
    return value


def create_from_json(session: Session, data: dict[str, Any], settings: Settings, *, slug: str, title: str | None,
                     organizer_email: str) -> Contest:
    """The contest of the file, with its entries, teams and works (flushed, not committed)."""
    if not isinstance(data, dict):
        raise invalid("the file must hold one JSON object")
    spec_data = {k: v for k, v in data.items() if k not in EXTRA_KEYS} | {"slug": slug}
    if title:
        spec_data["title"] = title
    spec = contests.parse_spec(spec_data)
    organizer = organizer_account(session, organizer_email, settings, data.get("organizer_name"))
    contest = contests.create(session, organizer, spec)
    for item in _list(data, "entries"):
        entries.add(session, organizer, contest, str(item.get("dataset", "")), item.get("resource"),
                    sample_rows=int(item.get("sample_rows", entries.DEFAULT_SAMPLE_ROWS)),
                    sample_seed=item.get("sample_seed"), full=bool(item.get("full", True)))
    by_name = {}
    for item in _list(data, "teams"):
        members = _list(item, "members")
        if not members or len(members) > contest.team_max:
            raise invalid(f"team {item.get('name')!r}: 1 to {contest.team_max} members")
        accounts = [seeded_account(session, str(m.get("email", "")), str(m.get("name", "")), settings)
                    for m in members]
        team = teams.add_team(session, contest, accounts[0].id, str(item.get("name", "")).strip()[:100])  # type: ignore[arg-type]
        for account in accounts[1:]:
            teams.add_member(session, contest, team, account.id)  # type: ignore[arg-type]
        for account in accounts:
            member = teams.membership(session, contest, account.id)  # type: ignore[arg-type]
            assert member is not None
            member.agreement_accepted = contests.aware(contest.registration_closes)
            session.add(member)
        by_name[team.name] = team
    for item in _list(data, "works"):
        team = by_name.get(str(item.get("team", "")))
        if team is None:
            raise invalid(f"work {item.get('title')!r}: no team {item.get('team')!r} in the file")
        work = ContestWork(contest_id=contest.id, team_id=team.id, submitted_by=team.created_by,  # type: ignore[arg-type]
                           title=str(item.get("title", "")).strip()[:300], summary=str(item.get("summary", "")),
                           url=works.check_url(str(item.get("url", ""))),
                           accepted=utcnow() if item.get("accepted", True) else None,
                           award=item.get("award"))
        if not work.title:
            raise invalid("every work needs a title")
        session.add(work)
        session.flush()
        for dataset in works.package_datasets(session, contest, list(item.get("datasets") or [])):
            session.add(ContestWorkDataset(work_id=work.id, dataset_id=dataset.id))  # type: ignore[arg-type]
    if data.get("published"):
        contests.publish(session, organizer, contest)
    session.flush()
    return contest
