"""Field-level encryption of personal data at rest (AES-256-GCM).

Keys come from FIELD_ENCRYPTION_KEYS: a comma-separated list of base64-encoded
32-byte keys, newest first. New values are always sealed with the newest key;
older keys stay readable until `manage.py rotate_encryption_key` re-seals
everything. Exact-match lookups (e.g. "which registration has this email")
use a keyed HMAC of the normalised value, never the plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "gcm1"


class DecryptionError(Exception):
    pass


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id" + key).hexdigest()[:8]


@lru_cache(maxsize=8)
def _parse_keys(raw: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for position, text in enumerate(raw, start=1):
        try:
            key = base64.b64decode(text, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS entry {position} is not valid base64.") from None
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} must decode to 32 bytes (AES-256), not {len(key)}."
            )
        keys.append((_key_id(key), key))
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return tuple(keys)


def keys() -> tuple[tuple[str, bytes], ...]:
    return _parse_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    # Building the cipher costs as much as sealing a short value; bulk imports seal hundreds of thousands.
    return AESGCM(key)


@lru_cache(maxsize=16)
def _lookup_key(key: bytes) -> bytes:
    return hashlib.sha256(b"lookup-hash" + key).digest()


def encrypt(plaintext: str) -> str:
    key_id, key = keys()[0]
    nonce = os.urandom(12)
    sealed = _cipher(key).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    try:
        prefix, key_id, payload = token.split(":", 2)
    except ValueError:
        raise DecryptionError("Value is not an encrypted token.") from None
    if prefix != PREFIX:
        raise DecryptionError("Unknown encryption format.")
    for candidate_id, key in keys():
        if candidate_id == key_id:
            try:
                raw = base64.b64decode(payload, validate=True)
            except ValueError:
                raise DecryptionError("Encrypted value is damaged (not valid base64).") from None
            if len(raw) < 12 + 16:
                raise DecryptionError("Encrypted value is damaged (too short).")
            try:
                return _cipher(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode()
            except Exception as error:  # InvalidTag: tampered or wrong key
                raise DecryptionError("Encrypted value failed its integrity check.") from error
    raise DecryptionError(f"No key with id {key_id} in FIELD_ENCRYPTION_KEYS.")


def is_current(token: str) -> bool:
    return token.startswith(f"{PREFIX}:{keys()[0][0]}:")


def _lookup_hash_with(key: bytes, value: str) -> str:
    normalised = " ".join(value.split()).lower()
    if not normalised:
        return ""
    return hmac.new(_lookup_key(key), normalised.encode(), hashlib.sha256).hexdigest()


def lookup_hash(value: str) -> str:
    """Keyed hash for exact-match lookups; case- and space-insensitive."""
    # Derived from the newest key; rotate_encryption_key recomputes every lookup hash.
    return _lookup_hash_with(keys()[0][1], value)


def lookup_hashes(value: str) -> list[str]:
    """The value's lookup hash under every configured key, newest first.

    Query with `field__in=lookup_hashes(value)` to keep finding rows between adding a
    new key and finishing `rotate_encryption_key`.
    """
    return [digest for digest in dict.fromkeys(_lookup_hash_with(key, value) for _, key in keys()) if digest]


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField], dict[str, EncryptedTextField]]]:
    """Every model with encrypted fields, those fields, and its lookup-hash fields.

    A lookup-hash field is found by convention: `<name>_hash` next to an encrypted `<name>`.
    """
    from django.apps import apps

    found = []
    for model in apps.get_models():
        encrypted = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if not encrypted:
            continue
        names = {field.name for field in model._meta.concrete_fields}
        hashes = {f"{field.name}_hash": field for field in encrypted if f"{field.name}_hash" in names}
        found.append((model, encrypted, hashes))
    return found


class EncryptedTextField(models.TextField):
    """A text column stored as an AES-256-GCM token; empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
