"""Keyed hashes of Telegram ids: people are recognised without their ids being stored."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


class PersonKeys:
    """HMAC-SHA256 of a Telegram user id under the campaign's secret key."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def of(self, telegram_id: int) -> str:
        digest = hmac.new(self._secret, str(telegram_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()


def load_or_create_key(secret_key: str | None, key_file: Path) -> bytes:
    """SECRET_KEY when set; else the key file, created with mode 0600 on first start."""
    if secret_key:
        return secret_key.encode("utf-8")
    if key_file.is_file():
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key
