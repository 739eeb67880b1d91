"""Who may take which of a contest's full data now. This module only gathers the facts — the caller's seat
(team, size, agreement), the data window, the entry's consent — and asks ``catalog/access.py``, which decides;
a refusal becomes a :class:`ContestError` with the policy's code and a message for the person.

When the data window has closed, the refusal reminds the team of the deletion pledge (数据销毁承诺) in the
agreement they accepted.
"""

from __future__ import annotations

from sqlmodel import Session

from catalog import access
from catalog.access import ContestRefusal, ContestSeat, Principal
from catalog.models import Contest

from . import teams
from .contests import data_closed_for_good, data_open
from .entries import EntryView
from .errors import refused

PLEDGE_REMINDER = ("数据使用期已结束，数据下载已关闭。请按数据利用协议中的数据销毁承诺，删除团队已下载的全部大赛数据及其副本。"
                   " (The data window has closed: delete every copy of the contest data, as the agreement's "
                   "deletion pledge says.)")


def _message(refusal: ContestRefusal, contest: Contest, view: EntryView | None) -> str:
    if refusal is ContestRefusal.data_closed:
        if data_closed_for_good(contest):
            return PLEDGE_REMINDER
        return (f"the data window of '{contest.slug}' opens at {contest.data_opens:%Y-%m-%d %H:%M} UTC; "
                "full data is downloadable only within it")
    what = f"entry {view.id} ({view.dataset.name}/{view.resource.name})" if view else "this package"
    return {
        ContestRefusal.login_required: "full contest data needs an account (an API key or a login)",
        ContestRefusal.not_member: f"full data of '{contest.slug}' is for its teams' members: create or join a team",
        ContestRefusal.agreement_required: "accept the contest's data agreement first (POST …/agreement)",
        ContestRefusal.team_too_small: f"your team needs at least {contest.team_min} members before it gets data",
        ContestRefusal.not_full: f"{what} is offered as a public sample only",
        ContestRefusal.consent_pending: f"{what} is 有条件开放: it is 待部门审核 until the providing department "
                                        "consents (or it refused)",
        ContestRefusal.unavailable: f"{what}: its dataset has been closed or withdrawn by its publisher",
    }[refusal]


def require_seat(session: Session, contest: Contest, principal: Principal | None) -> ContestSeat:
    """The caller's seat, if the policy lets the caller take the contest's full data now; else refused."""
    seat = teams.seat(session, contest, principal.id if principal is not None else None)
    refusal = access.contest_package_refusal(principal, seat, data_open=data_open(contest), team_min=contest.team_min)
    if refusal is not None or seat is None:
        refusal = refusal or ContestRefusal.not_member
        raise refused(refusal, _message(refusal, contest, None))
    return seat


def require_entry(contest: Contest, view: EntryView) -> None:
    """The entry's own conditions (offered in full, consented, its dataset still shown)."""
    refusal = view.refusal
    if refusal is not None:
        raise refused(refusal, _message(refusal, contest, view))


def downloadable(views: list[EntryView]) -> list[EntryView]:
    """The entries a seated member gets in the package zip."""
    return [v for v in views if v.refusal is None]
