"""Secrets kept at rest by a service (webhook signing secrets, partners' client secrets).

They are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
service's ``secret_encryption_key`` setting: the SHA-256 of the setting, URL-safe base64. The
same setting always gives the same key, so what one process encrypts another decrypts; changing
the setting makes the stored secrets unreadable (``cryptography.fernet.InvalidToken``).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet


def secret_box(key: str) -> Fernet:
    """The Fernet box of the service whose ``secret_encryption_key`` is ``key``."""
    digest = hashlib.sha256(key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
