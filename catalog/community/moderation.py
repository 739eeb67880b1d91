"""What every post goes through before it is stored, and who moderates.

* Text: no NUL character, within its length limit, not empty where required; stored as given (escaping is the
  pages' job, at output).
* The word filter (``ODP_WORD_FILTER_FILE``: UTF-8, one word a line, ``#`` lines ignored): a post containing one
  of the words (case-insensitive) is refused 422 ``word_filtered``. The file is read again when it changes.
* The posting limit (``ODP_POST_LIMIT``, e.g. ``20/hour``) per account, counted with the rate limiter's counters
  (catalog/accounts/limits.py: in process, or in Redis when ``ODP_REDIS_URL`` is set) → 429 ``rate_limited``.
  Comments, data requests and error reports count; ratings and votes (one per user anyway) do not.
* Moderators of an item: admins, and reviewers of the item's department.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlmodel import Session

from catalog.accounts import users
from catalog.accounts.limits import PERIODS, Counter, Limit, counter_for
from catalog.config import Settings
from catalog.models import Account
from catalog.vocabulary import Role

from .errors import CommunityError, invalid

MAX_TITLE = 200
MAX_BODY = 5000
MAX_REASON = 1000

_lock = threading.Lock()
_words: dict[Path, tuple[float, tuple[str, ...]]] = {}  # file → (mtime, words)
_counters: dict[tuple[str | None, str], Counter] = {}


def check_text(label: str, text: str | None, limit: int, *, required: bool = True) -> str:
    """The text as given, if it may be stored; else a 422 naming the field."""
    text = text or ""
    if "\x00" in text:
        raise invalid(f"{label} may not contain a NUL character")
    if required and not text.strip():
        raise invalid(f"{label} is empty")
    if len(text) > limit:
        raise invalid(f"{label} is longer than {limit} characters")
    return text


def filter_words(settings: Settings) -> tuple[str, ...]:
    path = settings.word_filter_file
    if path is None:
        return ()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ()
    with _lock:
        cached = _words.get(path)
        if cached is None or cached[0] != mtime:
            lines = path.read_text(encoding="utf-8").splitlines()
            words = tuple(w.strip().casefold() for w in lines if w.strip() and not w.strip().startswith("#"))
            cached = _words[path] = (mtime, words)
    return cached[1]


def check_words(settings: Settings, *texts: str | None) -> None:
    words = filter_words(settings)
    joined = "\n".join(t for t in texts if t).casefold()
    if words and any(word in joined for word in words):
        raise CommunityError(422, "word_filtered", "内容包含不允许发布的词语，请修改后再提交 (the text contains a word "
                                                   "this portal does not publish; edit it and post again)")


def parse_post_limit(text: str) -> Limit | None:
    """``"20/hour"`` → 20 per 3600 s; empty → no limit."""
    amount, _, period = (part.strip() for part in text.partition("/"))
    if not text.strip():
        return None
    if not amount.isdigit() or int(amount) < 1 or period not in PERIODS:
        raise ValueError(f"{text!r} is not AMOUNT/PERIOD (e.g. 20/hour; period second, minute, hour or day)")
    return Limit(int(amount), PERIODS[period])


def counter(settings: Settings) -> Counter:
    key = (settings.redis_url, settings.redis_prefix)
    with _lock:
        if key not in _counters:
            _counters[key] = counter_for(*key)
        return _counters[key]


def count_post(settings: Settings, account_id: int) -> None:
    """Count one post of the account; over ``ODP_POST_LIMIT`` a 429 with Retry-After."""
    limit = parse_post_limit(settings.post_limit)
    if limit is None:
        return
    verdict = counter(settings).hit(f"post:{account_id}", limit)
    if not verdict.allowed:
        raise CommunityError(429, "rate_limited", f"发帖过于频繁：每个账户最多 {limit} (posting limit reached; "
                                                  f"try again in {verdict.reset} s)",
                             headers={"Retry-After": str(verdict.reset)})


def screen(settings: Settings, account: Account, *texts: str | None) -> None:
    """A post's last checks: the word filter, then the account's posting limit (a refused post is not counted)."""
    check_words(settings, *texts)
    count_post(settings, account.id)  # type: ignore[arg-type]


def may_moderate(session: Session, actor: Account | None, department_id: int | None) -> bool:
    """Admins moderate everything; reviewers the items of their departments."""
    if actor is None:
        return False
    if actor.role == Role.admin:
        return True
    return (actor.role == Role.reviewer and department_id is not None
            and department_id in users.department_ids(session, actor.id))  # type: ignore[arg-type]


def require_moderator(session: Session, actor: Account, department_id: int | None, what: str) -> None:
    """Not a moderator: users get 403; a reviewer of another department 404, as if the item were not there."""
    if may_moderate(session, actor, department_id):
        return
    if actor.role == Role.reviewer:
        raise CommunityError(404, "not_found", f"no {what} among your departments' items")
    raise CommunityError(403, "forbidden", f"only the department's reviewers or an admin may do this ({what})")


def author_name(account: Account | None) -> str:
    return "已注销用户" if account is None or account.deleted else account.name
