"""The contest modules' one refusal type: an HTTP status and a stable code, mapped as-is by the API and printed
by the CLI."""

from __future__ import annotations

from catalog.access import ContestRefusal


class ContestError(Exception):
    """Refused: ``status`` is the HTTP status the portal answers, ``code`` its machine-readable code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(message: str) -> ContestError:
    return ContestError(404, "not_found", message)


def invalid(message: str) -> ContestError:
    return ContestError(422, "invalid_contest", message)


def conflict(code: str, message: str) -> ContestError:
    return ContestError(409, code, message)


_REFUSAL_STATUS = {ContestRefusal.login_required: 401, ContestRefusal.unavailable: 410}


def refused(refusal: ContestRefusal, message: str) -> ContestError:
    """The error of a refusal by the access policy: 401 without an account, 410 for an entry whose dataset is
    gone, else 403."""
    return ContestError(_REFUSAL_STATUS.get(refusal, 403), refusal.value, message)
