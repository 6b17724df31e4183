"""Files with personal data, encrypted at rest (issue #20 item 5).

A department's import file holds every resident's full ID and mobile number. It is stored
encrypted, streamed in 1 MiB chunks (a file may be 512 MB): AES-256-GCM (SM4-GCM when the field
cipher is SM4) with a key derived from the data encryption key (an old key still opens it), a
fresh nonce per chunk, and the chunk's number and a last-chunk flag bound in, so chunks can be
neither reordered nor cut off. The dry run reads a plaintext copy in a private temporary folder
that is removed as soon as it ends.

Layout: MAGIC, then per chunk: nonce (12 bytes), ciphertext length (4 bytes, big-endian), last
flag (1 byte), ciphertext with its 16-byte tag.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from core import field_crypto

MAGIC = b"LINLI-ENC1\n"  # AES-256-GCM
MAGIC_SM4 = b"LINLI-SM41\n"  # SM4-GCM, when LINLI_FIELD_CIPHER=sm4 (same length)
CHUNK = 1024 * 1024
_HEAD = struct.Struct(">12sIB")


class DamagedFile(Exception):
    """The stored file does not decrypt: changed, cut off, or under a key no longer configured."""


class _Sm4Gcm:
    """SM4-GCM with AESGCM's encrypt/decrypt signature."""

    def __init__(self, key: bytes):
        self.key = key

    def encrypt(self, nonce: bytes, data: bytes, bound: bytes) -> bytes:
        sealer = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        sealer.authenticate_additional_data(bound)
        return sealer.update(data) + sealer.finalize() + sealer.tag

    def decrypt(self, nonce: bytes, sealed: bytes, bound: bytes) -> bytes:
        if len(sealed) < 16:
            raise InvalidTag()
        opener = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, sealed[-16:])).decryptor()
        opener.authenticate_additional_data(bound)
        return opener.update(sealed[:-16]) + opener.finalize()


def _aead(magic: bytes, data_key: str):
    length = 16 if magic == MAGIC_SM4 else 32
    key = HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=b"linli file encryption"
    ).derive(data_key.encode())
    return _Sm4Gcm(key) if magic == MAGIC_SM4 else AESGCM(key)


def _bound(magic: bytes, index: int, last: bool) -> bytes:
    return magic + struct.pack(">QB", index, last)


def encrypt(source: BinaryIO, target: BinaryIO) -> None:
    """Write `source` (read from where it stands to its end) encrypted to `target`, under the
    current data key, with SM4 when that is the field cipher (core.field_crypto)."""
    magic = MAGIC_SM4 if settings.FIELD_CIPHER == "sm4" else MAGIC
    aead = _aead(magic, settings.DATA_ENCRYPTION_KEY)
    target.write(magic)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, chunk, _bound(magic, index, last))
        target.write(_HEAD.pack(nonce, len(sealed), last))
        target.write(sealed)
        if last:
            return
        index, chunk = index + 1, following


def _open(aead, magic, nonce, sealed, index, last) -> bytes:
    try:
        return aead.decrypt(nonce, sealed, _bound(magic, index, last))
    except (InvalidTag, ValueError) as error:
        raise DamagedFile(f"chunk {index} does not decrypt") from error


def decrypt(source: BinaryIO, target: BinaryIO) -> None:
    """Decrypt under whichever configured key (current or old) sealed the file."""
    magic = source.read(len(MAGIC))
    if magic not in (MAGIC, MAGIC_SM4):
        raise DamagedFile("not an encrypted Linli file")
    aead, index = None, 0
    while True:
        head = source.read(_HEAD.size)
        if len(head) != _HEAD.size:
            raise DamagedFile("cut off")
        nonce, size, last = _HEAD.unpack(head)
        sealed = source.read(size)
        if aead is None:  # the first chunk tells which key
            for data_key in field_crypto.keys():
                candidate = _aead(magic, data_key)
                try:
                    plain = candidate.decrypt(nonce, sealed, _bound(magic, 0, bool(last)))
                except (InvalidTag, ValueError):
                    continue
                aead = candidate
                break
            else:
                raise DamagedFile("chunk 0 does not decrypt under any configured key")
        else:
            plain = _open(aead, magic, nonce, sealed, index, bool(last))
        target.write(plain)
        if last:
            if source.read(1):
                raise DamagedFile("data after the last chunk")
            return
        index += 1


def is_encrypted(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) in (MAGIC, MAGIC_SM4)


@contextlib.contextmanager
def plaintext_copy(path: str, suffix: str = "") -> Iterator[str]:
    """The decrypted file at a temporary path, readable by this process alone, removed on exit.
    A file stored before encryption began is given as it is."""
    if not is_encrypted(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="linli-") as folder:  # mode 0700
        plain = os.path.join(folder, f"file{suffix}")
        with open(path, "rb") as source, open(plain, "wb") as target:
            os.chmod(plain, 0o600)
            decrypt(source, target)
        yield plain
