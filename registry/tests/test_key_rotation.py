"""The registry's facts under a new key, cipher and hash (issue #20 item 10): sensitive values
re-encrypted, every fact's hash recomputed, and the verifier passes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from core import field_crypto, key_rotation, personal_data
from registry import values
from registry.models import Fact


def checked(*labels: str) -> list:
    """The verifier's checks of these targets (core registers more than the person's)."""
    checks = {check.label: check for check in key_rotation.verify()}
    return [checks[label] for label in labels]


@pytest.mark.django_db
def test_facts_rotate_to_sm4_and_rehash_to_sm3(filled, settings):
    sensitive = Fact.objects.exclude(value_enc="")
    assert sensitive.exists() and Fact.objects.filter(value_enc="").exists()
    before = {f.pk: personal_data.decrypt(f.value_enc) for f in sensitive}
    settings.DATA_ENCRYPTION_OLD_KEYS = [settings.DATA_ENCRYPTION_KEY]
    settings.DATA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.FIELD_CIPHER = "sm4"
    settings.HASH_ALGORITHM = "hmac-sm3"
    call_command("personal_data_rotate", "--rehash", stdout=io.StringIO())
    settings.DATA_ENCRYPTION_OLD_KEYS = []
    after = {f.pk: f for f in Fact.objects.exclude(value_enc="")}
    assert {pk: personal_data.decrypt(f.value_enc) for pk, f in after.items()} == before
    assert all(f.value_enc.startswith("sm4:") for f in after.values())
    people, facts = checked("core.person", "registry.fact")
    assert facts.label == "registry.fact" and facts.sound and facts.old_key == 0
    assert people.sound and people.current == people.fields
    assert personal_data.find_by_id_number("320104192805271137") is not None
    plain = Fact.objects.filter(value_enc="").select_related("field").first()
    stored = values.stored_form(plain.field, plain.value)  # money: fen, not the yuan shown
    assert plain.value_hash == field_crypto.keyed_hash(f"fact:{plain.field.key}:{stored}")


@pytest.mark.django_db
def test_money_facts_verify_and_keep_the_hash_imports_compare(filled, settings):
    """A money fact is shown in yuan and hashed in fen, as the import computes it; the verifier
    and a rehash read the hash of the fen (they used the shown yuan: every money fact was
    reported a mismatch, and a rehash would have made a re-import see every allowance as new)."""
    money = Fact.objects.filter(field__kind="money", value_enc="").select_related("field")
    assert money.exists()
    fact = money.first()
    fen = values.clean("money", fact.field.key, fact.value).value
    assert fact.value_hash == values.value_hash(fact.field.key, fen)
    [facts] = checked("registry.fact")
    assert facts.sound and not facts.hash_mismatch
    settings.HASH_ALGORITHM = "hmac-sm3"
    call_command("personal_data_rotate", "--rehash", stdout=io.StringIO())
    fact.refresh_from_db()
    assert fact.value_hash == values.value_hash(fact.field.key, fen)
    assert checked("registry.fact")[0].sound
