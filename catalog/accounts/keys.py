"""API keys: ``odp_`` followed by 32 random bytes, URL-safe base64 (43 characters). The database keeps only an
HMAC-SHA256 of the key under the server secret (``ODP_SECRET_KEY``, or a secret generated once into the data
dir), plus a short visible prefix for listings. Why a keyed hash and not Argon2: keys are long random strings
(no dictionary to slow down), and every API request checks one — a keyed hash is one indexed lookup; and a
stolen database without the secret cannot even test a guessed key.

``last_used`` is written at most once a minute per key, so a busy key does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from catalog.config import Settings, check_scaled_mode
from catalog.models import Account, ApiKey, utcnow

from . import audit
from .grants import aware

KEY_PREFIX = "odp_"
VISIBLE = 12  # "odp_" and 8 characters: enough to tell keys apart in a listing, nothing to guess with
LAST_USED_EVERY = timedelta(minutes=1)
SECRET_FILE = "secret_key"


def server_secret(settings: Settings) -> bytes:
    """``ODP_SECRET_KEY``, or the data dir's generated secret (made on first use, readable by its owner only)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    check_scaled_mode(settings)  # a shared catalog never uses one node's generated secret
    return _generated_secret(str((settings.data_dir / SECRET_FILE).resolve()))


@lru_cache(maxsize=32)
def _generated_secret(location: str) -> bytes:
    """Read once per process (every API request hashes a key with it): replacing the file needs a restart."""
    path = Path(location)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
    for _ in range(100):  # another worker may have created the file and not written it yet
        secret = path.read_text().strip()
        if secret:
            return secret.encode()
        time.sleep(0.01)
    raise RuntimeError(f"the secret file {path} stays empty; delete it or set ODP_SECRET_KEY")


def key_hash(key: str, settings: Settings) -> str:
    return hmac.new(server_secret(settings), key.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class NewKey:
    row: ApiKey
    key: str  # shown once, never stored


def create_key(session: Session, account: Account, name: str, settings: Settings, *,
               days: int | None = None) -> NewKey:
    if not name.strip():
        raise ValueError("a key needs a name")
    if days is not None and not 1 <= days <= 3650:
        raise ValueError("days must be between 1 and 3650")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(account_id=account.id, name=name.strip()[:200], prefix=key[:VISIBLE],  # type: ignore[arg-type]
                 key_hash=key_hash(key, settings),
                 expires=utcnow() + timedelta(days=days) if days else None)
    session.add(row)
    session.flush()
    audit.record(session, audit.Event.key_created, account_id=account.id, key_prefix=row.prefix)
    return NewKey(row, key)


def list_keys(session: Session, account_id: int) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).where(ApiKey.account_id == account_id).order_by(col(ApiKey.id))))


def revoke_key(session: Session, account_id: int, key_id: int) -> ApiKey | None:
    """Revoke one of the account's keys; None when it has no such key (another account's key included)."""
    row = session.get(ApiKey, key_id)
    if row is None or row.account_id != account_id:
        return None
    if row.revoked is None:
        row.revoked = utcnow()
        session.add(row)
        audit.record(session, audit.Event.key_revoked, account_id=account_id, key_prefix=row.prefix)
    return row


def usable(row: ApiKey) -> bool:
    return row.revoked is None and (row.expires is None or aware(row.expires) > utcnow())


def find_key(session: Session, key: str, settings: Settings) -> ApiKey | None:
    """The live key this string is, or None (unknown, malformed, revoked or expired)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash(key, settings))).first()
    if row is None or not usable(row):
        return None
    now = utcnow()
    if row.last_used is None or now - aware(row.last_used) > LAST_USED_EVERY:
        row.last_used = now
        session.add(row)
        session.commit()
        session.refresh(row)
    return row
