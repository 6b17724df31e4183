"""Import files hold every full ID and mobile number (issue #20 item 5): stored encrypted, read
through a private copy that is removed, deleted after the commit or past their days, each
deletion audited."""

import datetime
import glob
import io
import os
import tempfile

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core import file_crypto, jobs
from core.models import AuditEvent
from registry.models import ImportBatch
from registry.tests.test_import import CSV, checked, commit, fixed_roster, officer, upload

ID_NUMBER = "320103193103107496"  # the first row of the police file


def stored_bytes(batch) -> bytes:
    with open(batch.file.path, "rb") as f:
        return f.read()


def plain_copies() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "linli-*")))


# ---------------------------------------------------------------- the cipher


@pytest.mark.parametrize("cipher", ["fernet", "sm4"])
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 100])
def test_files_of_every_size_come_back_whole(monkeypatch, settings, size, cipher):
    settings.FIELD_CIPHER = cipher  # AES-256-GCM, or SM4-GCM
    monkeypatch.setattr(file_crypto, "CHUNK", 16)
    plain = os.urandom(size)
    sealed = io.BytesIO()
    file_crypto.encrypt(io.BytesIO(plain), sealed)
    back = io.BytesIO()
    file_crypto.decrypt(io.BytesIO(sealed.getvalue()), back)
    assert back.getvalue() == plain
    # A value long enough not to turn up in random bytes by chance is nowhere in the sealed file.
    assert len(plain) < 16 or plain not in sealed.getvalue()


def _sealed_chunks(monkeypatch) -> tuple[bytes, list[bytes]]:
    monkeypatch.setattr(file_crypto, "CHUNK", 16)
    sealed = io.BytesIO()
    file_crypto.encrypt(io.BytesIO(b"A" * 16 + b"B" * 16 + b"C" * 5), sealed)
    data = sealed.getvalue()[len(file_crypto.MAGIC) :]
    chunks = []
    while data:
        size = int.from_bytes(data[12:16], "big")
        chunks.append(data[: 17 + size])
        data = data[17 + size :]
    return file_crypto.MAGIC, chunks


@pytest.mark.parametrize("damage", ["cut_off", "reordered", "flipped", "appended", "other_key"])
def test_a_changed_or_cut_file_does_not_decrypt(monkeypatch, settings, damage):
    magic, chunks = _sealed_chunks(monkeypatch)
    assert len(chunks) == 3
    if damage == "cut_off":
        body = chunks[0] + chunks[1]
    elif damage == "reordered":
        body = chunks[1] + chunks[0] + chunks[2]
    elif damage == "flipped":
        last = bytearray(chunks[2])
        last[-1] ^= 1
        body = chunks[0] + chunks[1] + bytes(last)
    elif damage == "appended":
        body = b"".join(chunks) + b"x"
    else:
        body = b"".join(chunks)
        settings.DATA_ENCRYPTION_KEY = "c" * 43 + "="
    with pytest.raises(file_crypto.DamagedFile):
        file_crypto.decrypt(io.BytesIO(magic + body), io.BytesIO())


# ---------------------------------------------------------------- imports


@pytest.mark.django_db
def test_an_upload_is_stored_encrypted_and_checked_through_a_copy_that_goes(world):
    copies = plain_copies()
    batch = upload(world, officer(world), "mz", CSV)
    raw = stored_bytes(batch)
    assert raw.startswith(file_crypto.MAGIC) and batch.file.name.endswith(".enc")
    assert ID_NUMBER.encode() not in raw and CSV.read_bytes() not in raw
    back = io.BytesIO()
    file_crypto.decrypt(io.BytesIO(raw), back)
    assert back.getvalue() == CSV.read_bytes()

    batch = checked(world, officer(world), "mz", CSV, name="again.csv")
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert plain_copies() == copies  # the plaintext copy was removed


@pytest.mark.django_db
def test_the_file_is_deleted_when_its_rows_are_committed(
    world, tmp_path, django_capture_on_commit_callbacks
):
    roster = fixed_roster(tmp_path)
    batch = checked(world, officer(world), "mz", roster)
    path = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):  # the file goes when the row commits
        commit(batch, officer(world))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert not batch.file and not os.path.exists(path)
    assert batch.filename and batch.file_hash  # what the batch was stays known
    event = AuditEvent.objects.get(action="registry.import_file_deleted", object_id=str(batch.pk))
    assert event.changes == {"file": batch.filename, "reason": "committed"}
    # The same file again is a duplicate, and a duplicate is not kept at all.
    again = upload(world, officer(world), "mz", roster)
    assert again.status == ImportBatch.Status.DUPLICATE and not again.file


@pytest.mark.django_db
def test_files_left_uncommitted_go_after_their_days(
    world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_FILE_DAYS = 7
    start = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        old = checked(world, officer(world), "mz", CSV)
        busy = upload(world, officer(world), "mz", CSV, name="in-progress.csv")
        ImportBatch.objects.filter(pk=busy.pk).update(status=ImportBatch.Status.COMMITTING)
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        young = checked(world, officer(world), "mz", CSV, name="young.csv")
    with time_machine.travel(start + datetime.timedelta(days=7, hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = jobs.run_once("registry.import_files_expire", period="2026-12-08").result
    assert result == {"deleted": 1}
    old_path = old.file.path
    old.refresh_from_db()
    young.refresh_from_db()
    busy.refresh_from_db()
    assert not old.file and not os.path.exists(old_path)
    assert young.file and busy.file  # younger, or being committed: kept
    assert AuditEvent.objects.filter(
        action="registry.import_file_deleted", object_id=str(old.pk), changes__reason="expired"
    ).exists()
    # Its dry run cannot be repeated: the page says to upload again, and nothing changes.
    with pytest.raises(ValidationError) as refused:
        from registry import services

        services.import_recheck(actor=officer(world), batch=old)
    assert refused.value.code == "file_deleted"
    old.refresh_from_db()
    assert old.status == ImportBatch.Status.CHECKED


@pytest.mark.django_db
def test_a_damaged_stored_file_is_refused_in_words(world):
    from registry import tasks

    batch = upload(world, officer(world), "mz", CSV)
    with open(batch.file.path, "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 1]))
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert "无法解密" in batch.message


def test_a_file_sealed_under_an_old_key_still_opens_after_a_rotation(settings):
    from cryptography.fernet import Fernet

    sealed = io.BytesIO()
    file_crypto.encrypt(io.BytesIO(b"ID " + ID_NUMBER.encode()), sealed)
    old = settings.DATA_ENCRYPTION_KEY
    settings.DATA_ENCRYPTION_KEY, settings.DATA_ENCRYPTION_OLD_KEYS = (
        Fernet.generate_key().decode(),
        [old],
    )
    back = io.BytesIO()
    file_crypto.decrypt(io.BytesIO(sealed.getvalue()), back)
    assert back.getvalue() == b"ID " + ID_NUMBER.encode()
    settings.DATA_ENCRYPTION_OLD_KEYS = []
    with pytest.raises(file_crypto.DamagedFile):
        file_crypto.decrypt(io.BytesIO(sealed.getvalue()), io.BytesIO())
