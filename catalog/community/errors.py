"""The community modules' one refusal type: an HTTP status, a stable code and a message for the person."""

from __future__ import annotations


class CommunityError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def not_found(message: str) -> CommunityError:
    return CommunityError(404, "not_found", message)


def invalid(message: str) -> CommunityError:
    return CommunityError(422, "invalid_post", message)


def forbidden(message: str) -> CommunityError:
    return CommunityError(403, "forbidden", message)
