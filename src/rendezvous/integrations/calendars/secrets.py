"""Credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``).

The key comes from ``RENDEZVOUS_CREDENTIALS_KEY``, else from the key file
(``RENDEZVOUS_CREDENTIALS_KEY_FILE``, default ``./var/credentials.key``). With neither, the first
credential saved generates the key file (mode 0600), so ``make serve`` works out of the box; once
credentials are stored, a server without their key refuses to start (``check_startup``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class KeyProblem(Exception):
    """No usable key for the stored credentials."""


class Sealer:
    """Encrypts and decrypts credential secrets (JSON objects) with the configured key."""

    def __init__(self, key: str | None, key_file: str) -> None:
        self._key = key
        self._file = Path(key_file)
        self._fernet: Fernet | None = None

    def available(self) -> bool:
        """Whether a key is configured or its file exists (nothing is generated)."""
        return bool(self._key) or self._file.is_file()

    def _load(self, *, create: bool) -> Fernet:
        if self._fernet is not None:
            return self._fernet
        key = self._key
        if not key and self._file.is_file():
            key = self._file.read_text().strip()
        if not key:
            if not create:
                raise KeyProblem(
                    "RENDEZVOUS_CREDENTIALS_KEY is not set and the key file "
                    f"{self._file} does not exist"
                )
            key = Fernet.generate_key().decode()
            self._file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(key + "\n")
        try:
            self._fernet = Fernet(key.encode())
        except ValueError:
            raise KeyProblem(
                "the credentials key must be 32 url-safe base64-encoded bytes (make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            ) from None
        return self._fernet

    def seal(self, secret: dict[str, Any]) -> str:
        """The Fernet token of ``secret`` (generating the key file on first use)."""
        return self._load(create=True).encrypt(json.dumps(secret).encode()).decode()

    def unseal(self, token: str) -> dict[str, Any]:
        """The secret sealed in ``token``; KeyProblem when the key cannot open it."""
        try:
            value = json.loads(self._load(create=False).decrypt(token.encode()))
        except InvalidToken:
            raise KeyProblem("the credentials key does not open the stored credentials") from None
        if not isinstance(value, dict):
            raise KeyProblem("a stored credential is not a JSON object")
        return value

    def check_startup(self, stored_token: str | None) -> None:
        """Refuse to start (KeyProblem) when credentials are stored (``stored_token`` is one of
        them) and no key, or the wrong key, is configured."""
        if stored_token is None:
            return
        self.unseal(stored_token)
