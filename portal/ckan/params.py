"""Action parameters as CKAN reads them: the query string (GET), a JSON body or a form (POST); and the
coercions CKAN's validators apply, failing with CKAN's messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from catalog import json_input

from .errors import BadRequest, ValidationError

MAX_BODY_BYTES = 1024 * 1024
MAX_INTEGER = 2**63 - 1  # what the database's BIGINT holds: LIMIT and OFFSET beyond it cannot be run

_TRUE = {"true", "yes", "on", "y", "t", "1"}
_FALSE = {"false", "no", "off", "n", "f", "0", ""}


def _mixed(items: list[tuple[str, str]]) -> dict[str, Any]:
    """One value per key as a string, repeated keys as a list (CKAN's ``mixed``)."""
    out: dict[str, Any] = {}
    for key, value in items:
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
        else:
            out[key] = value
    return out


async def request_data(request: Request) -> dict[str, Any]:
    """The action's parameters; a value holding a NUL or a lone surrogate is a Validation Error naming it."""
    data = await _read(request)
    for key, value in data.items():
        try:
            json_input.check_text([key, value])
        except json_input.JSONInputError as exc:
            raise ValidationError({str(key): [str(exc)]}) from exc
    return data


async def _read(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return _mixed(request.query_params.multi_items())
    declared = request.headers.get("content-length") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # (an unreadable length: the body is measured)
        raise BadRequest(f"JSON Error: the request body is larger than {MAX_BODY_BYTES:,} bytes")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"JSON Error: the request body is larger than {MAX_BODY_BYTES:,} bytes")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        raise BadRequest("multipart forms are for uploads, which this read-only API does not take; send JSON")
    if content_type == "application/x-www-form-urlencoded":
        items = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        # Old clients post the JSON dict as the only form key with an empty or "1" value.
        if len(items) == 1 and items[0][1] in ("", "1") and items[0][0].lstrip().startswith("{"):
            return _json_dict(items[0][0])
        if items:
            return _mixed(items)
    if body.strip():
        return _json_dict(body)
    return _mixed(request.query_params.multi_items())


def _json_dict(raw: str | bytes) -> dict[str, Any]:
    try:
        data = json_input.loads(raw)
    except json_input.JSONInputError as exc:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest(f"JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data


def required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or value == "" or isinstance(value, (list, dict)):
        raise ValidationError({key: ["Missing value"]})
    return str(value)


def integer(data: dict[str, Any], key: str, default: int, *, natural: bool = False) -> int:
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise ValidationError({key: ["Invalid integer"]})
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise ValidationError({key: [f"Out of range: give an integer between {-MAX_INTEGER} and {MAX_INTEGER}"]})
    if natural and number < 0:
        raise ValidationError({key: ["Must be a natural number"]})
    return number


def boolean(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError({key: [f"Unable to convert '{value}' to a boolean"]})


def string_list(data: dict[str, Any], key: str, *, split: bool = False) -> list[str]:
    """A list given as a JSON list, a JSON-list string, repeated parameters or one bare string (split on
    commas and spaces when ``split``)."""
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        value = _parsed(key, value)
    if isinstance(value, str):
        value = value.replace(",", " ").split() if split else [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ValidationError({key: ["Not a list of strings"]})
    return [str(v) for v in value]


def json_object(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    """A dict given as JSON (POST) or as a JSON string (GET)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = _parsed(key, value)
    if not isinstance(value, dict):
        raise ValidationError({key: ["Not a JSON object"]})
    return value


def _parsed(key: str, text: str) -> Any:
    """A parameter's JSON text parsed with the bounds of ``catalog.json_input`` (depth, lone surrogates)."""
    try:
        return json_input.loads(text)
    except json_input.JSONInputError as exc:
        raise ValidationError({key: [f"Could not parse as valid JSON: {exc}"]}) from exc
