"""Data-use agreements (数据利用协议): the text an applicant accepts when applying for 有条件开放 data.

Each department may have its own text (``Department.agreement``, set by an admin with ``odp departments
agreement``); a department without one uses the portal default — ``ODP_AGREEMENT_FILE`` or the built-in text.
Harvests never write it: a department's title comes from its publisher, its agreement from the portal.

An application's audit event keeps the SHA-256 of the text the applicant accepted (:func:`digest`), so a later
change of the text is traceable: the event's hash differs from the current text's. The apply form carries the
hash of the text it showed; if the department changed its text in between, the application is refused and the
new text shown (:class:`AgreementChanged`), so the recorded hash is always that of the text on the screen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, select

from catalog.config import Settings
from catalog.models import Dataset, Department

#: The longest agreement text kept (characters): a page of terms, not a document store.
MAX_CHARS = 50_000


class AgreementError(ValueError):
    """An agreement could not be set (unknown department, empty or oversized text)."""


DEFAULT_AGREEMENT = """\
一、申请者仅可将数据用于申请中写明的用途和应用场景，不得超出范围使用，不得转让、出售或向第三方提供原始数据。
二、申请者应采取必要的安全措施保护数据，防止泄露、篡改和丢失；发现安全事件应立即告知提供部门。
三、利用数据形成的成果应注明数据来源；不得利用数据从事违法活动，不得试图识别特定自然人。
四、授权到期、被撤销或用途完成后，申请者应停止使用并删除所获数据。
五、提供部门可根据使用情况撤销授权；门户记录每次数据访问以备审计。"""


def portal_default(settings: Settings) -> str:
    """``ODP_AGREEMENT_FILE``'s text, or the built-in one (also when the file is missing or empty)."""
    if settings.agreement_file is not None:
        try:
            text = settings.agreement_file.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return text
    return DEFAULT_AGREEMENT


def for_department(department: Department | None, settings: Settings) -> str:
    """The department's own text, else the portal default."""
    if department is not None and department.agreement and department.agreement.strip():
        return department.agreement
    return portal_default(settings)


def for_dataset(session: Session, dataset: Dataset, settings: Settings) -> str:
    """The agreement of the dataset's providing department."""
    return for_department(session.get(Department, dataset.department_id), settings)


@dataclass(frozen=True)
class Agreement:
    """The agreement an apply page shows: its text, its hash, and whose it is."""

    text: str
    sha256: str
    department_title: str | None  # None: the portal default


def shown_for(session: Session, dataset: Dataset, settings: Settings) -> Agreement:
    department = session.get(Department, dataset.department_id)
    text = for_department(department, settings)
    own = department is not None and bool(department.agreement and department.agreement.strip())
    return Agreement(text, digest(text), department.title if own and department else None)


def digest(text: str) -> str:
    """SHA-256 (hex) of the text as UTF-8: what an application's audit event records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_department(session: Session, slug: str) -> Department:
    department = session.exec(select(Department).where(Department.name == slug)).first()
    if department is None:
        raise AgreementError(f"no department {slug!r}")
    return department


def set_agreement(session: Session, slug: str, text: str | None) -> Department:
    """Give the department its own text; ``None`` returns it to the portal default."""
    department = find_department(session, slug)
    if text is not None:
        text = text.replace("\r\n", "\n").strip()
        if not text:
            raise AgreementError("the agreement text is empty (use --clear to return to the portal default)")
        if len(text) > MAX_CHARS:
            raise AgreementError(f"the agreement text is longer than {MAX_CHARS} characters")
    department.agreement = text
    session.add(department)
    return department
