"""Re-encrypting and re-hashing stored personal data after a key, cipher or hash change, and
proving every field still opens (issue #20 item 10; core.field_crypto has the ciphers).

Each app registers what it stores encrypted: a model, and for each row the encrypted fields with
the hash each one's plain value gives (``register``). Rotation walks a model in primary-key
order, a chunk per transaction: a token not under the current cipher and key is decrypted and
encrypted again; with ``rehash`` every hash is computed again. In the background each chunk is
one task that enqueues the next, so a restart loses at most one chunk's work and redoes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django_tasks import task

from core import audit, field_crypto

CHUNK = 500


@dataclass(frozen=True)
class Sealed:
    """One encrypted field of a row, and the hash field its plain value gives ('' for none)."""

    encrypted: str
    hash_field: str = ""
    hash_of: Callable[[models.Model, str], str] | None = None  # (row, plain value) -> hash


@dataclass(frozen=True)
class Target:
    label: str
    queryset: Callable[[], models.QuerySet]
    fields: tuple[Sealed, ...]
    # Hashes of plain (unencrypted) values, recomputed on rehash: (hash field, row -> hash).
    plain_hashes: tuple[tuple[str, Callable[[models.Model], str]], ...] = field(default=())


TARGETS: dict[str, Target] = {}


def register(target: Target) -> None:
    TARGETS[target.label] = target


def _rotated(target: Target, row, rehash: bool) -> set[str]:
    """Bring one row to the current key, cipher (and hash); the names of the fields changed."""
    changed = set()
    for sealed in target.fields:
        token = getattr(row, sealed.encrypted)
        if not token:
            continue
        plain, current = field_crypto.opened(token)
        stale = not current
        if not (stale or (rehash and sealed.hash_field)):
            continue
        if stale:
            setattr(row, sealed.encrypted, field_crypto.encrypt(plain))
            changed.add(sealed.encrypted)
        if rehash and sealed.hash_field:
            setattr(row, sealed.hash_field, sealed.hash_of(row, plain))
            changed.add(sealed.hash_field)
    if rehash:
        for hash_field, hash_of in target.plain_hashes:
            setattr(row, hash_field, hash_of(row))
            changed.add(hash_field)
    return changed


def rotate_chunk(label: str, *, after: int = 0, rehash: bool = False) -> tuple[int | None, int]:
    """Rotate the next CHUNK rows of `label` after primary key `after`, in one transaction;
    (the last key done or None when the model is done, rows changed)."""
    target = TARGETS[label]
    with transaction.atomic():
        rows = list(
            target.queryset().select_for_update().filter(pk__gt=after).order_by("pk")[:CHUNK]
        )
        if not rows:
            return None, 0
        touched, names = [], set()
        for row in rows:
            changed = _rotated(target, row, rehash)
            if changed:
                touched.append(row)
                names |= changed
        if touched:
            target.queryset().model.objects.bulk_update(touched, sorted(names), batch_size=CHUNK)
            audit.record(
                actor=None, action="personal_data.rotate",
                changes={"model": label, "rows": len(touched), "rehash": rehash,
                         "cipher": _cipher_name(), "from_pk": rows[0].pk, "to_pk": rows[-1].pk},
            )  # fmt: skip
    return rows[-1].pk, len(touched)


def _cipher_name() -> str:
    return f"{settings.FIELD_CIPHER}/{settings.HASH_ALGORITHM}"


def rotate_all(*, rehash: bool = False) -> dict[str, int]:
    """Rotate everything now, chunk after chunk (the command without --background)."""
    done = {}
    for label in TARGETS:
        after, total = 0, 0
        while after is not None:
            after, changed = rotate_chunk(label, after=after, rehash=rehash)
            total += changed
        done[label] = total
    return done


@task()
def rotate_in_background(label: str, after: int = 0, rehash: bool = False) -> dict:
    """One chunk, then the next chunk as a new task; then the next registered model."""
    last, changed = rotate_chunk(label, after=after, rehash=rehash)
    if last is not None:
        rotate_in_background.enqueue(label, last, rehash)
    else:
        labels = list(TARGETS)
        following = labels.index(label) + 1
        if following < len(labels):
            rotate_in_background.enqueue(labels[following], 0, rehash)
    return {"model": label, "last": last, "changed": changed}


# ---------------------------------------------------------------- verifying


@dataclass
class Check:
    label: str
    fields: int = 0
    current: int = 0
    old_key: int = 0
    undecryptable: list[int] = field(default_factory=list)
    hash_mismatch: list[int] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.undecryptable and not self.hash_mismatch


def _rows(target: Target) -> Iterator[models.Model]:
    return target.queryset().order_by("pk").iterator(chunk_size=2000)


def verify() -> list[Check]:
    """Open every encrypted field and recompute every hash; reads only."""
    checks = []
    for target in TARGETS.values():
        check = Check(target.label)
        for row in _rows(target):
            for sealed in target.fields:
                token = getattr(row, sealed.encrypted)
                if not token:
                    continue
                check.fields += 1
                try:
                    plain, current = field_crypto.opened(token)
                except field_crypto.UndecryptableField:
                    check.undecryptable.append(row.pk)
                    continue
                if current:
                    check.current += 1
                else:
                    check.old_key += 1
                if sealed.hash_field and getattr(row, sealed.hash_field) != sealed.hash_of(
                    row, plain
                ):
                    check.hash_mismatch.append(row.pk)
            for hash_field, hash_of in target.plain_hashes:
                if getattr(row, hash_field) != hash_of(row):
                    check.hash_mismatch.append(row.pk)
        checks.append(check)
    return checks
