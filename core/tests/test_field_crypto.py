"""National cryptography and key rotation (issue #20 item 10): SM4-GCM and HMAC-SM3 beside
Fernet and HMAC-SHA256, chosen by setting; old keys keep opening what they sealed until a
rotation re-encrypts it (now or in the background); a command proves every field opens."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import field_crypto, key_rotation, personal_data, services
from core.models import AuditEvent, Person
from core.testing import PASSWORD, build_small_district

pytestmark = pytest.mark.django_db

ID_NUMBER = "320104198507153818"
MOBILE = "13912345678"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def keys(settings):
    settings.DATA_ENCRYPTION_KEY = OLD_KEY
    settings.DATA_ENCRYPTION_OLD_KEYS = []
    settings.FIELD_CIPHER = "fernet"
    settings.HASH_ALGORITHM = "hmac-sha256"
    return settings


@pytest.fixture
def d(keys):
    return build_small_district()


def register(d, name="孙八", id_number=ID_NUMBER, mobile=MOBILE) -> Person:
    return services.person_register(
        actor=d.root, place=d.grids[0], name=name, id_number=id_number, mobile=mobile
    )


def verified() -> str:
    out = io.StringIO()
    call_command("personal_data_verify", stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- the ciphers


@pytest.mark.parametrize("cipher", ["fernet", "sm4"])
def test_each_cipher_round_trips_and_hides_the_value(keys, cipher):
    keys.FIELD_CIPHER = cipher
    token = field_crypto.encrypt(ID_NUMBER)
    assert ID_NUMBER not in token and field_crypto.decrypt(token) == ID_NUMBER
    assert token.startswith("sm4:") == (cipher == "sm4")
    assert field_crypto.encrypt(ID_NUMBER) != token  # a fresh nonce each time
    assert field_crypto.is_current(token)


@pytest.mark.parametrize("cipher", ["fernet", "sm4"])
def test_a_changed_token_or_an_unknown_key_is_refused(keys, cipher):
    keys.FIELD_CIPHER = cipher
    token = field_crypto.encrypt(MOBILE)
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    for bad in (flipped, token[:-10], "sm4:deadbeef:" + token[-20:]):
        with pytest.raises(field_crypto.UndecryptableField):
            field_crypto.decrypt(bad)
    keys.DATA_ENCRYPTION_KEY = NEW_KEY  # the old key dropped without a rotation
    with pytest.raises(field_crypto.UndecryptableField):
        field_crypto.decrypt(token)


@pytest.mark.parametrize("cipher", ["fernet", "sm4"])
def test_opened_says_whether_the_current_key_and_cipher_sealed_the_token(keys, cipher):
    """Rotation and the verifier learn both the value and its key from one decryption."""
    keys.FIELD_CIPHER = cipher
    keys.DATA_ENCRYPTION_KEY, keys.DATA_ENCRYPTION_OLD_KEYS = OLD_KEY, []
    sealed_with_old = field_crypto.encrypt(MOBILE)
    keys.DATA_ENCRYPTION_KEY, keys.DATA_ENCRYPTION_OLD_KEYS = NEW_KEY, [OLD_KEY]
    assert field_crypto.opened(sealed_with_old) == (MOBILE, False)
    assert field_crypto.opened(field_crypto.encrypt(MOBILE)) == (MOBILE, True)
    other = "fernet" if cipher == "sm4" else "sm4"
    keys.FIELD_CIPHER = other
    sealed_by_other_cipher = field_crypto.encrypt(MOBILE)
    keys.FIELD_CIPHER = cipher  # same key, the other cipher: readable, but due for rotation
    assert field_crypto.opened(sealed_by_other_cipher) == (MOBILE, False)
    keys.DATA_ENCRYPTION_OLD_KEYS = []
    assert field_crypto.is_current(sealed_with_old) is False  # no key opens it: not current


def test_hmac_sm3_is_the_standard_one(keys):
    """HMAC-SM3 with key "key" of "The quick brown fox…" (a published test vector would need
    the same key; this checks against an independent computation with hashlib's SM3 where
    OpenSSL has it, else the known digest of the SM3 standard's "abc" example)."""
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )  # GB/T 32905-2016, example 1
    keys.HASH_ALGORITHM = "hmac-sm3"
    sm3 = field_crypto.keyed_hash("id:" + ID_NUMBER)
    keys.HASH_ALGORITHM = "hmac-sha256"
    sha = field_crypto.keyed_hash("id:" + ID_NUMBER)
    assert len(sm3) == len(sha) == 64 and sm3 != sha


# ---------------------------------------------------------------- rotation


def test_a_new_key_and_cipher_rotate_every_field_and_old_rows_stay_readable(d, keys, client):
    person = register(d)
    old_token = person.id_number_enc
    keys.DATA_ENCRYPTION_KEY, keys.DATA_ENCRYPTION_OLD_KEYS = NEW_KEY, [OLD_KEY]
    keys.FIELD_CIPHER = "sm4"
    # Before the rotation: the old token still opens (a page reveals it), new rows use SM4.
    assert personal_data.decrypt(old_token) == ID_NUMBER
    newcomer = register(d, name="周九", id_number="320104199001011235", mobile="13912340001")
    assert newcomer.id_number_enc.startswith("sm4:")
    assert "under an old key" in verified()

    call_command("personal_data_rotate", stdout=io.StringIO())
    person.refresh_from_db()
    assert person.id_number_enc.startswith("sm4:") and person.mobile_enc.startswith("sm4:")
    assert personal_data.decrypt(person.id_number_enc) == ID_NUMBER
    assert AuditEvent.objects.filter(action="personal_data.rotate").exists()
    # The old key can go now: everything opens with the new one alone.
    keys.DATA_ENCRYPTION_OLD_KEYS = []
    report = verified()
    assert "0 under an old key, 0 undecryptable, 0 hash mismatches" in report
    assert personal_data.find_by_id_number(ID_NUMBER) == person
    logged = client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    page = client.post(
        reverse("person_detail", args=[person.pk]),
        {"action": "reveal", "field": "id_number", "purpose": "密钥更换后核对"},
    )
    assert logged and ID_NUMBER in page.content.decode()


def test_rotation_in_the_background_runs_chunk_after_chunk(d, keys, monkeypatch):
    monkeypatch.setattr(key_rotation, "CHUNK", 3)
    for i in range(7):
        register(d, name=f"居民{i}", id_number="", mobile=f"139000000{i:02d}")
    keys.DATA_ENCRYPTION_KEY, keys.DATA_ENCRYPTION_OLD_KEYS = NEW_KEY, [OLD_KEY]
    # Tasks run as soon as they are queued, as a worker would run them one after another.
    keys.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    runs = []
    real_chunk = key_rotation.rotate_chunk
    monkeypatch.setattr(
        key_rotation, "rotate_chunk", lambda *a, **k: runs.append(a) or real_chunk(*a, **k)
    )
    call_command("personal_data_rotate", "--background", stdout=io.StringIO())
    people = Person.objects.count()
    assert len(runs) >= -(-people // 3) + 1  # a task per chunk of people, then the facts
    assert all(
        field_crypto.is_current(t)
        for t in Person.objects.exclude(mobile_enc="").values_list("mobile_enc", flat=True)
    )


def test_a_new_hash_algorithm_needs_rehash_and_the_verifier_says_so(d, keys):
    person = register(d)
    keys.HASH_ALGORITHM = "hmac-sm3"
    assert personal_data.find_by_id_number(ID_NUMBER) is None  # old hashes, new algorithm
    with pytest.raises(CommandError):
        verified()
    call_command("personal_data_rotate", "--rehash", stdout=io.StringIO())
    assert personal_data.find_by_id_number(ID_NUMBER) == person
    assert "0 hash mismatches" in verified()


def test_the_verifier_fails_on_a_field_no_key_opens(d, keys):
    person = register(d)
    Person.objects.filter(pk=person.pk).update(
        mobile_enc=Fernet(NEW_KEY.encode()).encrypt(MOBILE.encode()).decode()
    )
    with pytest.raises(CommandError, match="FAILED"):
        verified()


def test_a_wrong_setting_stops_start_up_in_words(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from linli.envconfig import env_choice

    monkeypatch.setenv("LINLI_FIELD_CIPHER", "des")
    with pytest.raises(ImproperlyConfigured, match="fernet, sm4"):
        env_choice("LINLI_FIELD_CIPHER", default="fernet", choices=("fernet", "sm4"))
