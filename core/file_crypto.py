"""Files with personal data, encrypted at rest (issue #20 item 5).

A department's import file holds every resident's full ID and mobile number. It is stored
encrypted, streamed in 1 MiB chunks (a file may be 512 MB): AES-256-GCM with a key derived from
the data encryption key, a fresh nonce per chunk, and the chunk's number and a last-chunk flag
bound in, so chunks can be neither reordered nor cut off. The dry run reads a plaintext copy in a
private temporary folder that is removed as soon as it ends.

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

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"LINLI-ENC1\n"
CHUNK = 1024 * 1024
_HEAD = struct.Struct(">12sIB")


class DamagedFile(Exception):
    """The stored file does not decrypt: changed, cut off, or encrypted under another key."""


def _aead() -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"linli file encryption"
    ).derive(settings.DATA_ENCRYPTION_KEY.encode())
    return AESGCM(key)


def _bound(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">QB", index, last)


def encrypt(source: BinaryIO, target: BinaryIO) -> None:
    """Write `source` (read from where it stands to its end) encrypted to `target`."""
    aead = _aead()
    target.write(MAGIC)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, chunk, _bound(index, last))
        target.write(_HEAD.pack(nonce, len(sealed), last))
        target.write(sealed)
        if last:
            return
        index, chunk = index + 1, following


def decrypt(source: BinaryIO, target: BinaryIO) -> None:
    aead = _aead()
    if source.read(len(MAGIC)) != MAGIC:
        raise DamagedFile("not an encrypted Linli file")
    index = 0
    while True:
        head = source.read(_HEAD.size)
        if len(head) != _HEAD.size:
            raise DamagedFile("cut off")
        nonce, size, last = _HEAD.unpack(head)
        sealed = source.read(size)
        try:
            target.write(aead.decrypt(nonce, sealed, _bound(index, bool(last))))
        except Exception as error:  # InvalidTag, or a size that does not fit
            raise DamagedFile(f"chunk {index} does not decrypt") from error
        if last:
            if source.read(1):
                raise DamagedFile("data after the last chunk")
            return
        index += 1


def is_encrypted(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


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
