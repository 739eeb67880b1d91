"""Teams: a registered user creates a team during registration and gets a join code; others join with it, up to
``team_max`` members. Teams lock when registration closes (nobody creates, joins or leaves after). A user is in
at most one team per contest (the member table's key is contest + account). Every member accepts the contest's
data agreement on their own before any full data (``gate.py``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from catalog.access import ContestSeat
from catalog.models import Account, Contest, ContestMember, ContestTeam, utcnow

from .contests import registration_open
from .errors import ContestError, conflict, invalid, not_found

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _registration(contest: Contest) -> None:
    if not registration_open(contest):
        raise ContestError(403, "contest_registration_closed",
                           f"registration for '{contest.slug}' is not open: teams are locked")


def _not_in_a_team(session: Session, contest: Contest, account_id: int) -> None:
    if membership(session, contest, account_id) is not None:
        raise conflict("contest_already_in_team", "you are already in a team of this contest")


def create(session: Session, contest: Contest, account_id: int, name: str) -> ContestTeam:
    """A new team with its creator as first member (flushed)."""
    _registration(contest)
    name = name.strip()
    if not name or len(name) > 100 or "\x00" in name:
        raise invalid("a team name of 1–100 characters is needed")
    _not_in_a_team(session, contest, account_id)
    if session.exec(select(ContestTeam.id).where(ContestTeam.contest_id == contest.id,
                                                 ContestTeam.name == name)).first() is not None:
        raise conflict("conflict", f"a team named '{name}' already exists in this contest")
    return add_team(session, contest, account_id, name)


def add_team(session: Session, contest: Contest, account_id: int, name: str, join_code: str | None = None,
             ) -> ContestTeam:
    """Insert a team and its first member, no window checked (``create``, and seeding a finished contest)."""
    while True:
        code = join_code or new_join_code()
        if session.exec(select(ContestTeam.id).where(ContestTeam.join_code == code)).first() is None:
            break
        if join_code:
            raise conflict("conflict", f"join code {join_code} is taken")
    team = ContestTeam(contest_id=contest.id, name=name, join_code=code, created_by=account_id)  # type: ignore[arg-type]
    session.add(team)
    session.flush()
    session.add(ContestMember(contest_id=contest.id, account_id=account_id, team_id=team.id))  # type: ignore[arg-type]
    session.flush()
    return team


def join(session: Session, contest: Contest, account_id: int, join_code: str) -> ContestTeam:
    _registration(contest)
    team = session.exec(select(ContestTeam).where(ContestTeam.contest_id == contest.id,
                                                  ContestTeam.join_code == join_code.strip().upper())).first()
    if team is None:
        raise not_found("no team of this contest has that join code")
    _not_in_a_team(session, contest, account_id)
    if size(session, team) >= contest.team_max:
        raise conflict("contest_team_full", f"team '{team.name}' already has {contest.team_max} members, the most "
                                            "this contest allows")
    add_member(session, contest, team, account_id)
    return team


def add_member(session: Session, contest: Contest, team: ContestTeam, account_id: int) -> ContestMember:
    member = ContestMember(contest_id=contest.id, account_id=account_id, team_id=team.id)  # type: ignore[arg-type]
    session.add(member)
    try:
        session.flush()
    except IntegrityError:  # a concurrent join of the same account: the key (contest, account) holds
        session.rollback()
        raise conflict("contest_already_in_team", "you are already in a team of this contest") from None
    return member


def accept_agreement(session: Session, contest: Contest, account_id: int) -> ContestMember:
    """The caller accepts the contest's data agreement (once; a second call keeps the first time)."""
    member = membership(session, contest, account_id)
    if member is None:
        raise ContestError(403, "contest_not_member", "join or create a team of this contest first")
    if member.agreement_accepted is None:
        member.agreement_accepted = utcnow()
        session.add(member)
        session.flush()
    return member


def membership(session: Session, contest: Contest, account_id: int) -> ContestMember | None:
    return session.get(ContestMember, (contest.id, account_id))


def size(session: Session, team: ContestTeam) -> int:
    return session.exec(select(func.count()).select_from(ContestMember)
                        .where(ContestMember.team_id == team.id)).one()


def seat(session: Session, contest: Contest, account_id: int | None) -> ContestSeat | None:
    """What the access policy reads of the caller's place in the contest; None when not in a team."""
    member = membership(session, contest, account_id) if account_id is not None else None
    if member is None:
        return None
    team = session.get(ContestTeam, member.team_id)
    return ContestSeat(team_id=member.team_id, team_size=size(session, team) if team else 0,
                       agreement_accepted=member.agreement_accepted is not None)


@dataclass
class TeamView:
    team: ContestTeam
    members: list[tuple[Account, ContestMember]]


def teams(session: Session, contest: Contest) -> list[TeamView]:
    found = list(session.exec(select(ContestTeam).where(ContestTeam.contest_id == contest.id)
                              .order_by(col(ContestTeam.created), col(ContestTeam.id))))
    members = session.exec(select(Account, ContestMember).join(ContestMember, col(ContestMember.account_id) ==
                                                               Account.id).where(ContestMember.contest_id == contest.id)
                           .order_by(col(ContestMember.joined)))
    by_team: dict[int, list[tuple[Account, ContestMember]]] = {}
    for account, member in members:
        by_team.setdefault(member.team_id, []).append((account, member))
    return [TeamView(t, by_team.get(t.id, [])) for t in found]  # type: ignore[arg-type]
