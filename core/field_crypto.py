"""Field encryption and keyed hashes, chosen by setting (issue #20 item 10, GB/T 39786).

Ciphers (``LINLI_FIELD_CIPHER``):
- ``fernet`` (default): AES-128-CBC with HMAC-SHA256, Fernet tokens as before;
- ``sm4``: SM4-GCM (the national block cipher), tokens ``sm4:<key id>:<base64 nonce|text|tag>``.

Keyed hashes for exact lookup (``LINLI_HASH_ALGORITHM``): ``hmac-sha256`` (default) or
``hmac-sm3``. Both give 64 hex characters, so the columns are the same.

Rotation: the new key goes in ``LINLI_DATA_KEY`` and the old ones in ``LINLI_DATA_OLD_KEYS``;
tokens under any of them decrypt, new ones are written under the current key and cipher, and
``manage.py personal_data_rotate`` re-encrypts every stored field in the background
(core.key_rotation). A new hash algorithm or hash key needs ``--rehash`` before lookups find old
rows again. ``manage.py personal_data_verify`` proves every field decrypts and every hash
matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

CIPHERS = ("fernet", "sm4")
HASH_ALGORITHMS = ("hmac-sha256", "hmac-sm3")
SM4_PREFIX = "sm4:"


class UndecryptableField(Exception):
    """A stored token no configured key opens (changed, or its key was dropped too early)."""


def keys() -> list[str]:
    """The data keys that open tokens: the current one first, then the old ones."""
    return [settings.DATA_ENCRYPTION_KEY, *settings.DATA_ENCRYPTION_OLD_KEYS]


# ---------------------------------------------------------------- SM4-GCM


@lru_cache(maxsize=8)
def _sm4_key(data_key: str) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=16, salt=None, info=b"linli sm4 field key").derive(
        data_key.encode()
    )


@lru_cache(maxsize=8)
def key_id(data_key: str) -> str:
    """A short public name of a key, so a token says which key opens it."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"linli key id" + _sm4_key(data_key))
    return digest.finalize().hex()[:8]


def _sm4_encrypt(value: str, data_key: str) -> str:
    nonce = os.urandom(12)
    sealer = Cipher(algorithms.SM4(_sm4_key(data_key)), modes.GCM(nonce)).encryptor()
    text = sealer.update(value.encode()) + sealer.finalize()
    body = base64.urlsafe_b64encode(nonce + text + sealer.tag).decode()
    return f"{SM4_PREFIX}{key_id(data_key)}:{body}"


def _sm4_decrypt(token: str) -> str:
    try:
        _prefix, kid, body = token.split(":", 2)
        raw = base64.urlsafe_b64decode(body.encode())
    except ValueError as error:
        raise UndecryptableField("not an SM4 token") from error
    key = next((k for k in keys() if key_id(k) == kid), None)
    if key is None or len(raw) < 28:
        raise UndecryptableField(f"no configured key has id {kid}")
    nonce, text, tag = raw[:12], raw[12:-16], raw[-16:]
    opener = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    try:
        return (opener.update(text) + opener.finalize()).decode()
    except InvalidTag as error:
        raise UndecryptableField("the SM4 token was changed") from error


# ---------------------------------------------------------------- Fernet


@lru_cache(maxsize=8)
def _fernet(data_key: str) -> Fernet:
    return Fernet(data_key.encode())


def _fernet_decrypt(token: str) -> str:
    try:
        return MultiFernet([_fernet(k) for k in keys()]).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableField("no configured key opens the Fernet token") from error


# ---------------------------------------------------------------- the interface


def encrypt(value: str) -> str:
    if settings.FIELD_CIPHER == "sm4":
        return _sm4_encrypt(value, settings.DATA_ENCRYPTION_KEY)
    return _fernet(settings.DATA_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token.startswith(SM4_PREFIX):
        return _sm4_decrypt(token)
    return _fernet_decrypt(token)


def opened(token: str) -> tuple[str, bool]:
    """The plain value and whether the current cipher and key sealed it (rotation leaves such a
    token alone), from one decryption: the current key is tried first, then the old ones."""
    current = settings.DATA_ENCRYPTION_KEY
    if token.startswith(SM4_PREFIX):
        plain = _sm4_decrypt(token)
        return plain, settings.FIELD_CIPHER == "sm4" and token.startswith(
            f"{SM4_PREFIX}{key_id(current)}:"
        )
    if settings.FIELD_CIPHER != "sm4":
        try:
            return _fernet(current).decrypt(token.encode()).decode(), True
        except InvalidToken:
            pass
    return _fernet_decrypt(token), False


def is_current(token: str) -> bool:
    """Written with the current cipher and key; a token no key opens is not current."""
    try:
        return opened(token)[1]
    except UndecryptableField:
        return False


@lru_cache(maxsize=4)
def _sha256_state(key: str):
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def keyed_hash(value: str) -> str:
    if settings.HASH_ALGORITHM == "hmac-sm3":
        mac = crypto_hmac.HMAC(settings.DATA_HASH_KEY.encode(), hashes.SM3())
        mac.update(value.encode())
        return mac.finalize().hex()
    # A copy of the keyed HMAC state skips re-deriving the key pads: an import hashes
    # about a dozen values per row, so this was twice the cost of the hash itself.
    digest = _sha256_state(settings.DATA_HASH_KEY).copy()
    digest.update(value.encode())
    return digest.hexdigest()
